import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { createWorkspace } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { useWorkspace } from '../workspace/WorkspaceContext';

export function WorkspaceCreateForm() {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await createWorkspace(name.trim());
      await workspace.refresh(created.id);
      await navigate('/app/documents');
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(event) => void submit(event)}>
      <label htmlFor="workspace-name">Workspace name</label>
      <input
        id="workspace-name"
        value={name}
        required
        maxLength={120}
        onChange={(event) => setName(event.target.value)}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
          {busy ? 'Creating…' : 'Create workspace'}
        </button>
      </div>
      <ErrorNotice error={error} title="The workspace was not created" />
    </form>
  );
}
