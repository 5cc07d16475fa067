import { useWorkspace } from '../workspace/WorkspaceContext';
import { WorkspaceCreateForm } from './WorkspaceCreateForm';

export function WorkspaceCreatePage() {
  const { session } = useWorkspace();
  return (
    <section className="page narrow">
      <h1>New workspace</h1>
      {session.kind === 'apiKey' ? (
        <p>An API key acts in its own workspace only: sign in to create workspaces.</p>
      ) : (
        <>
          <p className="muted">You become its owner and can invite others afterwards.</p>
          <WorkspaceCreateForm />
        </>
      )}
    </section>
  );
}
