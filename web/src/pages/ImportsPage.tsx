import { useState } from 'react';
import { listImports } from '../api/endpoints';
import { messageOf } from '../api/errors';
import { uploadFile } from '../api/upload';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { Pager } from '../components/Pager';
import { useAsync } from '../hooks/useAsync';
import { ImportProgress } from '../imports/ImportProgress';
import { useWorkspace } from '../workspace/WorkspaceContext';

const PAGE_SIZE = 10;

export function ImportsPage() {
  const workspace = useWorkspace();
  const [offset, setOffset] = useState(0);
  const imports = useAsync(
    () => listImports(PAGE_SIZE, offset),
    [offset, workspace.current?.workspaceId],
  );
  const [sending, setSending] = useState<{ name: string; share: number } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const send = async (file: File) => {
    setError(null);
    setSending({ name: file.name, share: 0 });
    try {
      await uploadFile('/imports', file, (progress) =>
        setSending({
          name: file.name,
          share: progress.total ? progress.loaded / progress.total : 0,
        }),
      );
      imports.reload();
    } catch (failure) {
      setError(failure instanceof Error ? failure : new Error(messageOf(failure)));
    } finally {
      setSending(null);
    }
  };

  return (
    <section className="page">
      <h1>Imports</h1>
      {workspace.can('editor') && (
        <section className="card" aria-labelledby="import-heading">
          <h2 id="import-heading">Import many documents</h2>
          <p className="muted">
            A JSONL file of {'{"title", "text"}'} lines, or a zip or tar archive of PDF, DOCX, HTML,
            Markdown and text files.
          </p>
          <label htmlFor="import-file">Import file</label>
          <input
            id="import-file"
            type="file"
            accept=".jsonl,.ndjson,.zip,.tar,.tgz,.tar.gz,.gz"
            disabled={sending !== null}
            onChange={(event) => {
              const file = event.target.files?.[0];
              event.target.value = '';
              if (file) void send(file);
            }}
          />
          {sending && (
            <p className="small" role="status">
              Sending {sending.name}: {Math.round(sending.share * 100)}%
            </p>
          )}
          <ErrorNotice error={error} title="The import was refused" />
        </section>
      )}
      <ErrorNotice error={imports.error} title="The imports could not be loaded" />
      {imports.loading && !imports.data ? (
        <Loading label="Loading imports…" />
      ) : imports.data?.items.length === 0 ? (
        <Empty title="No imports yet" />
      ) : (
        <ul className="imports">
          {imports.data?.items.map((item) => (
            <ImportProgress key={item.id} view={item} onChanged={imports.reload} />
          ))}
        </ul>
      )}
      {imports.data && (
        <Pager
          offset={offset}
          limit={PAGE_SIZE}
          total={imports.data.total}
          onChange={setOffset}
          label="Import pages"
        />
      )}
    </section>
  );
}
