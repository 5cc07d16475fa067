// The console's one typed API client: same origin, the tab's credential and workspace read
// before every request; a 401 ends the session (an expired or revoked credential).
import { createCairnClient } from '../../../client';
import { getSession, setSession } from '../auth/session';
import { currentWorkspaceId } from '../workspace/current';

export const api = createCairnClient({
  baseUrl: '',
  token: () => {
    const session = getSession();
    return session?.kind === 'token' ? session.credential : null;
  },
  apiKey: () => {
    const session = getSession();
    return session?.kind === 'apiKey' ? session.credential : null;
  },
  workspaceId: () => currentWorkspaceId(),
});

api.use({
  onResponse({ response }) {
    if (response.status === 401 && getSession()) setSession(null);
    return response;
  },
});

/** The headers the client would send, for the one request it cannot make (an upload with progress). */
export function credentialHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const session = getSession();
  if (session?.kind === 'token') headers.authorization = `Bearer ${session.credential}`;
  if (session?.kind === 'apiKey') headers['x-api-key'] = session.credential;
  const workspaceId = currentWorkspaceId();
  if (workspaceId) headers['x-workspace-id'] = workspaceId;
  return headers;
}
