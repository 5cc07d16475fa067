// How every console request is authorised and scoped: the session's credential as a bearer
// token, the tab's workspace as X-Workspace-Id; a 401 ends the session.
import { getSession, setSession } from '../auth/session';
import { currentWorkspaceId } from '../workspace/current';
import { apiErrorFrom } from './errors';

export function authHeaders(withWorkspace = true): Record<string, string> {
  const headers: Record<string, string> = {};
  const session = getSession();
  if (session) headers.authorization = `Bearer ${session.credential}`;
  const workspaceId = withWorkspace ? currentWorkspaceId() : null;
  if (workspaceId) headers['x-workspace-id'] = workspaceId;
  return headers;
}

/** Called with every answer: an expired or revoked credential sends the user to sign in. */
export function noteUnauthenticated(status: number): void {
  if (status === 401 && getSession()) setSession(null);
}

export async function errorOf(response: Response): Promise<Error> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return apiErrorFrom(response.status, body, response.headers);
}
