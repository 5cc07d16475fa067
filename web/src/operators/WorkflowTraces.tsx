import { Link } from 'react-router';
import { tracesOfWorkflow } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatDuration, formatTime } from '../components/format';
import { useAsync } from '../hooks/useAsync';

/** An operator's links to the traces of a workflow (its start and every run), newest first. */
export function WorkflowTraces({ workflowId }: { workflowId: string }) {
  const traces = useAsync(() => tracesOfWorkflow(workflowId), [workflowId]);
  return (
    <div className="workflow-traces">
      <h3>Traces</h3>
      <ErrorNotice error={traces.error} title="Jaeger could not be searched" />
      {traces.data &&
        (traces.data.items.length === 0 ? (
          <p className="muted small">
            Jaeger holds no trace of this workflow (not received yet, or dropped as the oldest).{' '}
            <button type="button" onClick={traces.reload}>
              Search again
            </button>
          </p>
        ) : (
          <ul className="small">
            {traces.data.items.map((trace) => (
              <li key={trace.traceId}>
                <Link to={`/app/trace/${trace.traceId}`}>
                  {trace.rootName}
                  <span className="visually-hidden"> (trace {trace.traceId})</span>
                </Link>{' '}
                <span className="muted">
                  {formatTime(trace.startedAt)} · {trace.spans} spans ·{' '}
                  {formatDuration(trace.durationMs)}
                  {trace.errors > 0 && ` · ${trace.errors} errors`}
                </span>
              </li>
            ))}
          </ul>
        ))}
    </div>
  );
}
