import { type FormEvent, useState } from 'react';
import { createApiKey, listApiKeys, revokeApiKey } from '../api/endpoints';
import { type Role, roleAtLeast } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';

type KeyRole = 'viewer' | 'editor' | 'admin';
const KEY_ROLES: KeyRole[] = ['viewer', 'editor', 'admin'];

export function ApiKeysPanel({
  workspaceId,
  myRole,
  onChanged,
}: {
  workspaceId: string;
  myRole?: Role;
  onChanged: () => void;
}) {
  const keys = useAsync(() => listApiKeys(workspaceId), [workspaceId]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<KeyRole>('viewer');
  const [secret, setSecret] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      keys.reload();
      onChanged();
    } catch (failure) {
      setError(failure);
    }
  };

  const create = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const created = await createApiKey(workspaceId, name.trim(), role);
      setSecret({ name: created.name, key: created.key });
      setName('');
    });
  };

  return (
    <section className="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      {secret && (
        <div className="notice notice-ok" role="status">
          <strong>Key “{secret.name}” created.</strong> Copy it now: it is shown this once only.
          <label htmlFor="new-key-secret" className="visually-hidden">
            New API key
          </label>
          <input
            id="new-key-secret"
            className="secret"
            readOnly
            value={secret.key}
            onFocus={(event) => event.target.select()}
          />
          <div className="actions">
            <button type="button" onClick={() => void navigator.clipboard?.writeText(secret.key)}>
              Copy
            </button>
            <button type="button" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {keys.loading && !keys.data ? (
        <Loading label="Loading API keys…" />
      ) : keys.data?.items.length === 0 ? (
        <Empty title="No API keys" />
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col" className="hide-narrow">
                  Created
                </th>
                <th scope="col" className="hide-narrow">
                  Last used
                </th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {keys.data?.items.map((key) => (
                <tr key={key.id}>
                  <td>{key.name}</td>
                  <td>{key.role}</td>
                  <td className="hide-narrow">{formatTime(key.createdAt)}</td>
                  <td className="hide-narrow">{formatTime(key.lastUsedAt)}</td>
                  <td>
                    {key.revokedAt ? (
                      <span className="muted">revoked</span>
                    ) : (
                      <ConfirmButton
                        label="Revoke"
                        danger
                        question={`Revoke “${key.name}”? It stops working at once.`}
                        onConfirm={() => act(() => revokeApiKey(workspaceId, key.id))}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="form inline-form" onSubmit={create}>
        <label htmlFor="key-name">Key name</label>
        <input
          id="key-name"
          required
          maxLength={120}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <label htmlFor="key-role">Key role</label>
        <select
          id="key-role"
          value={role}
          onChange={(event) => setRole(event.target.value as KeyRole)}
        >
          {KEY_ROLES.filter((item) => item !== 'admin' || roleAtLeast(myRole, 'admin')).map(
            (item) => (
              <option key={item} value={item}>
                {item}
              </option>
            ),
          )}
        </select>
        <div className="actions">
          <button type="submit" className="primary" disabled={name.trim() === ''}>
            Create API key
          </button>
        </div>
      </form>
      <ErrorNotice error={error ?? keys.error} title="API keys: that did not work" />
    </section>
  );
}
