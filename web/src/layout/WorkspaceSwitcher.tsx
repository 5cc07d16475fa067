import { Link, useNavigate } from 'react-router';
import { useWorkspace } from '../workspace/WorkspaceContext';

export function WorkspaceSwitcher() {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  if (workspace.session.kind === 'apiKey') {
    return (
      <span className="workspace-name">
        {workspace.current?.name ?? 'Workspace of the API key'}
      </span>
    );
  }
  return (
    <div className="switcher">
      <label htmlFor="workspace-switcher" className="visually-hidden">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={workspace.current?.workspaceId ?? ''}
        disabled={workspace.workspaces.length === 0}
        onChange={(event) => {
          workspace.select(event.target.value);
          void navigate('/app/documents');
        }}
      >
        {workspace.workspaces.length === 0 && <option value="">No workspace yet</option>}
        {workspace.workspaces.map((item) => (
          <option key={item.workspaceId} value={item.workspaceId}>
            {item.name} ({item.role})
          </option>
        ))}
      </select>
      <Link className="button-link small" to="/app/workspaces/new">
        New workspace
      </Link>
    </div>
  );
}
