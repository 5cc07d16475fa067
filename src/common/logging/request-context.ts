import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line written while serving a request can say about it. */
interface RequestLogSource {
  requestId?: string;
  /** Set once authentication has resolved the request's workspace. */
  workspaceId?: string;
}

const currentRequest = new AsyncLocalStorage<RequestLogSource>();

/** Runs the rest of a request's handling with the request reachable from its log lines. */
export function runWithRequest(request: RequestLogSource, next: () => void): void {
  currentRequest.run(request, next);
}

/** Request id and workspace of the request being served here, if any. */
export function currentRequestFields(): { requestId?: string; workspaceId?: string } {
  const request = currentRequest.getStore();
  if (!request) return {};
  return {
    ...(request.requestId ? { requestId: request.requestId } : {}),
    ...(request.workspaceId ? { workspaceId: request.workspaceId } : {}),
  };
}
