import { ApiError, messageOf } from '../api/errors';

/** An API error as the user sees it: what went wrong and the request id to quote. */
export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  const status = error instanceof ApiError && error.status > 0 ? error.status : undefined;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>{messageOf(error)}</p>
      {(status !== undefined || requestId) && (
        <p className="muted small">
          {status !== undefined && <>HTTP {status}</>}
          {status !== undefined && requestId && ' · '}
          {requestId && (
            <>
              request id <code>{requestId}</code>
            </>
          )}
        </p>
      )}
    </div>
  );
}
