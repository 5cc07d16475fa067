import { useState } from 'react';
import { useNavigate } from 'react-router';
import {
  deleteDocument,
  documentContent,
  reprocessDocument,
  retryDocument,
} from '../api/endpoints';
import type { CairnDocument } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { ErrorNotice } from '../components/ErrorNotice';
import { useWorkspace } from '../workspace/WorkspaceContext';

function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const link = window.document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DocumentActions({
  document,
  onChanged,
}: {
  document: CairnDocument;
  onChanged: () => void;
}) {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const act = async (action: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      (after ?? onChanged)();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const running =
    document.status === 'pending' ||
    document.status === 'processing' ||
    document.status === 'deleting';
  return (
    <div className="document-actions">
      <div className="actions">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void act(
              async () => saveBlob(await documentContent(document.id), document.title),
              () => undefined,
            )
          }
        >
          Download original
        </button>
        {workspace.can('editor') && (
          <>
            {document.status === 'failed' && (
              <button
                type="button"
                disabled={busy}
                onClick={() => void act(() => retryDocument(document.id))}
              >
                Retry
              </button>
            )}
            <button
              type="button"
              disabled={busy || running}
              onClick={() => void act(() => reprocessDocument(document.id))}
            >
              Re-process
            </button>
            <ConfirmButton
              label="Delete"
              danger
              disabled={busy || document.status === 'deleting'}
              question={`Delete “${document.title}” and everything it contributed?`}
              onConfirm={() =>
                act(
                  () => deleteDocument(document.id),
                  () => void navigate('/app/documents'),
                )
              }
            />
          </>
        )}
      </div>
      <ErrorNotice error={error} title="That did not work" />
    </div>
  );
}
