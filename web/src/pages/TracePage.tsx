import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { getTrace } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatDuration, formatTime } from '../components/format';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';

type Trace = Awaited<ReturnType<typeof getTrace>>;
type Span = Trace['spans'][number];

function SpanDetails({ span }: { span: Span }) {
  const attributes = Object.entries(span.attributes).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="span-details">
      {span.errorMessage && (
        <p className="small">
          <strong>Error:</strong> {span.errorMessage}
        </p>
      )}
      <dl className="attributes">
        <div>
          <dt>span id</dt>
          <dd>
            <code>{span.spanId}</code>
          </dd>
        </div>
        <div>
          <dt>kind</dt>
          <dd>{span.kind}</dd>
        </div>
        <div>
          <dt>started</dt>
          <dd>{formatTime(span.startedAt)}</dd>
        </div>
        {attributes.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>
              <code>{String(value)}</code>
            </dd>
          </div>
        ))}
      </dl>
      {span.events.length > 0 && (
        <ul className="small">
          {span.events.map((event, index) => (
            <li key={index}>
              +{formatDuration(event.offsetMs)} {event.name}{' '}
              {Object.entries(event.attributes)
                .map(([name, value]) => `${name}=${String(value)}`)
                .join(' ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SpanRow({ span, trace }: { span: Span; trace: Trace }) {
  const [open, setOpen] = useState(span.error);
  const total = Math.max(trace.durationMs, 0.001);
  const left = (span.offsetMs / total) * 100;
  const width = Math.max((span.durationMs / total) * 100, 0.3);
  return (
    <li className={span.error ? 'span span-error' : 'span'} data-service={span.service}>
      <div className="span-row" style={{ paddingLeft: `${span.depth * 1.1}rem` }}>
        <button
          type="button"
          className="link-button span-name"
          aria-expanded={open}
          onClick={() => setOpen((value) => !value)}
        >
          {span.name}
        </button>
        <span className="span-service small">{span.service}</span>
        {span.error && <span className="badge badge-bad">error</span>}
        <span className="span-duration small">{formatDuration(span.durationMs)}</span>
      </div>
      <div className="span-timeline" aria-hidden="true">
        <span className="span-bar" style={{ marginLeft: `${left}%`, width: `${width}%` }} />
      </div>
      {open && <SpanDetails span={span} />}
    </li>
  );
}

/**
 * One trace from Jaeger as a span tree (the console's trace view: Jaeger's own UI is not
 * published by any registry Cairn installs from). Operators only, like the API behind it.
 */
export function TracePage() {
  const { traceId = '' } = useParams();
  const trace = useAsync(() => getTrace(traceId), [traceId]);
  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/app/operators">← Operators</Link>
      </p>
      <h1>Trace</h1>
      <p className="muted small">
        <code>{traceId}</code>
      </p>
      <ErrorNotice error={trace.error} title="The trace could not be read" />
      {trace.loading && !trace.data && <Loading label="Reading the trace from Jaeger…" />}
      {trace.data && (
        <>
          <p>
            {trace.data.spans.length} spans · {formatDuration(trace.data.durationMs)} · started{' '}
            {formatTime(trace.data.startedAt)} · services {trace.data.services.join(', ')}
            {trace.data.errors > 0 && <> · {trace.data.errors} with errors</>}{' '}
            <button type="button" onClick={trace.reload}>
              Read again
            </button>
          </p>
          <ol className="spans" aria-label="Spans">
            {trace.data.spans.map((span) => (
              <SpanRow key={span.spanId} span={span} trace={trace.data!} />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
