import { useEffect, useState } from 'react';
import { followImportEvents, retryImport } from '../api/endpoints';
import { FINAL_IMPORT_STATUSES, type ImportView } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatDuration, formatTime } from '../components/format';
import { StatusBadge } from '../components/StatusBadge';
import { useWorkspace } from '../workspace/WorkspaceContext';

interface Progress {
  status: string;
  total: number;
  done: number;
  failed: number;
  error: string | null;
}

/** One import with a live bar from its event stream: done / failed / total, rate and time left. */
export function ImportProgress({ view, onChanged }: { view: ImportView; onChanged: () => void }) {
  const workspace = useWorkspace();
  const [progress, setProgress] = useState<Progress>(view);
  const [rate, setRate] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const final = FINAL_IMPORT_STATUSES.includes(progress.status);

  useEffect(() => setProgress(view), [view]);

  useEffect(() => {
    if (FINAL_IMPORT_STATUSES.includes(view.status)) return;
    const controller = new AbortController();
    const first = { at: Date.now(), settled: view.done + view.failed };
    const onEvent = (event: Progress) => {
      setProgress(event);
      const settled = event.done + event.failed;
      const seconds = (Date.now() - first.at) / 1000;
      if (seconds > 1 && settled > first.settled) setRate((settled - first.settled) / seconds);
    };
    followImportEvents(view.id, onEvent, controller.signal).then(
      () => {
        if (!controller.signal.aborted) onChanged();
      },
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => controller.abort();
  }, [view.id, view.status, view.done, view.failed, onChanged]);

  const settled = progress.done + progress.failed;
  const left =
    rate && progress.total > settled ? ((progress.total - settled) / rate) * 1000 : undefined;
  return (
    <li className="card import">
      <div className="hit-head">
        <h3>{view.source || view.id}</h3>
        <StatusBadge status={progress.status} />
      </div>
      <progress
        max={Math.max(progress.total, 1)}
        value={settled}
        aria-label={`Import ${view.source}: ${settled} of ${progress.total}`}
      />
      <p className="small">
        {progress.done} done · {progress.failed} failed · {progress.total} total
        {!final && rate !== null && (
          <>
            {' '}
            · {rate.toFixed(1)} documents/s · about {formatDuration(left)} left
          </>
        )}
      </p>
      <p className="muted small">
        started {formatTime(view.createdAt)} ·{' '}
        <a href={view.temporalUiUrl} target="_blank" rel="noreferrer">
          workflow in the Temporal UI
        </a>
      </p>
      {progress.error && <p className="notice notice-error">{progress.error}</p>}
      {view.rejected && view.rejected.length > 0 && (
        <details>
          <summary>{view.rejected.length} entries skipped</summary>
          <ul className="small">
            {view.rejected.map((entry) => (
              <li key={entry.entry}>
                <code>{entry.entry}</code>: {entry.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      {workspace.can('editor') &&
        (progress.status === 'completed_with_errors' || progress.status === 'failed') && (
          <button type="button" onClick={() => void retryImport(view.id).then(onChanged, setError)}>
            Retry the documents not indexed
          </button>
        )}
      <ErrorNotice error={error} title="The import could not be followed" />
    </li>
  );
}
