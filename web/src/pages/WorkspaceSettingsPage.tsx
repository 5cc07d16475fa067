import { useState } from 'react';
import { useWorkspace } from '../workspace/WorkspaceContext';
import { ApiKeysPanel } from '../workspace/ApiKeysPanel';
import { AuditLog } from '../workspace/AuditLog';
import { MembersPanel } from '../workspace/MembersPanel';

export function WorkspaceSettingsPage() {
  const workspace = useWorkspace();
  const [version, setVersion] = useState(0);
  const current = workspace.current;
  if (workspace.session.kind === 'apiKey') {
    return (
      <section className="page">
        <h1>Workspace</h1>
        <p>Members and API keys are managed by signed-in admins; an API key cannot manage them.</p>
        <AuditLog version={version} />
      </section>
    );
  }
  if (!current)
    return (
      <section className="page">
        <h1>Workspace</h1>
        <p>Choose a workspace first.</p>
      </section>
    );
  return (
    <section className="page">
      <h1>{current.name}</h1>
      <p className="muted">
        Workspace id <code>{current.workspaceId}</code> · your role: <strong>{current.role}</strong>
      </p>
      {workspace.can('admin') ? (
        <>
          <MembersPanel workspaceId={current.workspaceId} myRole={current.role} />
          <ApiKeysPanel
            workspaceId={current.workspaceId}
            myRole={current.role}
            onChanged={() => setVersion((value) => value + 1)}
          />
          <AuditLog version={version} />
        </>
      ) : (
        <p className="notice">
          Members, API keys and the audit log are for the workspace's admins and owners.
        </p>
      )}
    </section>
  );
}
