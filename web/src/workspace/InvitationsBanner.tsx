import { useState } from 'react';
import { useNavigate } from 'react-router';
import { acceptInvitation, declineInvitation, myInvitations } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { useAsync } from '../hooks/useAsync';
import { useWorkspace } from './WorkspaceContext';

/** The signed-in person's pending invitations, to accept or decline. */
export function InvitationsBanner() {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const signedIn = workspace.session.kind === 'token';
  const invitations = useAsync(
    async () => (signedIn ? (await myInvitations()).items : []),
    [signedIn],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const items = invitations.data ?? [];
  if (items.length === 0 && !error) return null;

  const answer = async (workspaceId: string, accept: boolean) => {
    setBusy(true);
    setError(null);
    try {
      if (accept) {
        await acceptInvitation(workspaceId);
        await workspace.refresh(workspaceId);
        await navigate('/app/documents');
      } else {
        await declineInvitation(workspaceId);
      }
      invitations.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card invitations" aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <ul className="plain-list">
        {items.map((item) => (
          <li key={item.workspaceId} className="invitation">
            <span>
              You are invited to <strong>{item.workspaceName}</strong> as {item.role}.
            </span>
            <span className="actions">
              <button
                type="button"
                className="primary"
                disabled={busy}
                aria-label={`Accept the invitation to ${item.workspaceName}`}
                onClick={() => void answer(item.workspaceId, true)}
              >
                Accept
              </button>
              <button
                type="button"
                disabled={busy}
                aria-label={`Decline the invitation to ${item.workspaceName}`}
                onClick={() => void answer(item.workspaceId, false)}
              >
                Decline
              </button>
            </span>
          </li>
        ))}
      </ul>
      <ErrorNotice error={error} title="The invitation could not be answered" />
    </section>
  );
}
