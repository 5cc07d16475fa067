import { type FormEvent, useState } from 'react';
import {
  addMember,
  changeMember,
  listInvitationsTo,
  listMembers,
  removeMember,
  withdrawInvitation,
} from '../api/endpoints';
import { type Role, ROLES, roleAtLeast } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';

/** Members, their roles and pending invitations; only an owner grants or changes the owner role. */
export function MembersPanel({ workspaceId, myRole }: { workspaceId: string; myRole?: Role }) {
  const members = useAsync(() => listMembers(workspaceId), [workspaceId]);
  const invitations = useAsync(() => listInvitationsTo(workspaceId), [workspaceId]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [sent, setSent] = useState('');
  const [error, setError] = useState<unknown>(null);
  const assignable = ROLES.filter((item) => item !== 'owner' || roleAtLeast(myRole, 'owner'));

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    setSent('');
    try {
      await action();
      members.reload();
      invitations.reload();
    } catch (failure) {
      setError(failure);
    }
  };

  const invite = (event: FormEvent) => {
    event.preventDefault();
    const address = email.trim();
    void act(async () => {
      await addMember(workspaceId, address, role);
      setEmail('');
      setSent(`Invitation sent to ${address}: they join once they accept it.`);
    });
  };

  const pending = invitations.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members</h2>
      {members.loading && !members.data ? (
        <Loading label="Loading members…" />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data?.items.map((member) => {
                const label = member.email ?? member.userId;
                const mayChange = member.role !== 'owner' || roleAtLeast(myRole, 'owner');
                return (
                  <tr key={member.userId}>
                    <td>{label}</td>
                    <td>
                      {mayChange ? (
                        <select
                          aria-label={`Role of ${label}`}
                          value={member.role}
                          onChange={(event) =>
                            void act(() =>
                              changeMember(workspaceId, member.userId, event.target.value as Role),
                            )
                          }
                        >
                          {assignable.map((item) => (
                            <option key={item} value={item}>
                              {item}
                            </option>
                          ))}
                        </select>
                      ) : (
                        member.role
                      )}
                    </td>
                    <td>
                      {mayChange && (
                        <ConfirmButton
                          label="Remove"
                          danger
                          question={`Remove ${label}?`}
                          onConfirm={() => act(() => removeMember(workspaceId, member.userId))}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {pending.length > 0 && (
        <>
          <h3 id="pending-heading">Pending invitations</h3>
          <ul className="plain-list" aria-labelledby="pending-heading">
            {pending.map((invitation) => (
              <li key={invitation.email} className="invitation">
                <span>
                  {invitation.email} <span className="muted small">as {invitation.role}</span>
                </span>
                <ConfirmButton
                  label="Withdraw"
                  question={`Withdraw the invitation to ${invitation.email}?`}
                  onConfirm={() => act(() => withdrawInvitation(workspaceId, invitation.email))}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      <form className="form inline-form" onSubmit={invite}>
        <label htmlFor="member-email">E-mail address to invite</label>
        <input
          id="member-email"
          type="email"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <label htmlFor="member-role">Role</label>
        <select
          id="member-role"
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
        >
          {assignable.map((item) => (
            <option key={item} value={item}>
              {item}
            </option>
          ))}
        </select>
        <div className="actions">
          <button type="submit" className="primary" disabled={email.trim() === ''}>
            Send invitation
          </button>
        </div>
      </form>
      {sent && (
        <p className="notice notice-ok" role="status">
          {sent}
        </p>
      )}
      <ErrorNotice
        error={error ?? members.error ?? invitations.error}
        title="Members: that did not work"
      />
    </section>
  );
}
