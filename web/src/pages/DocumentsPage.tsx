import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { listDocuments } from '../api/endpoints';
import { type CairnDocument, DOCUMENT_STATUSES, type DocumentStatus } from '../api/types';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatBytes, formatTime, typeName } from '../components/format';
import { Loading } from '../components/Loading';
import { Pager } from '../components/Pager';
import { StatusBadge } from '../components/StatusBadge';
import { UploadPanel } from '../documents/UploadPanel';
import { useAsync } from '../hooks/useAsync';
import { useWorkspace } from '../workspace/WorkspaceContext';

const PAGE_SIZE = 20;
const SORTS = {
  newest: {
    label: 'Newest first',
    compare: (a: CairnDocument, b: CairnDocument) => b.createdAt.localeCompare(a.createdAt),
  },
  title: {
    label: 'Title',
    compare: (a: CairnDocument, b: CairnDocument) => a.title.localeCompare(b.title),
  },
  size: {
    label: 'Largest first',
    compare: (a: CairnDocument, b: CairnDocument) => b.sizeBytes - a.sizeBytes,
  },
  status: {
    label: 'Status',
    compare: (a: CairnDocument, b: CairnDocument) => a.status.localeCompare(b.status),
  },
} as const;
type SortKey = keyof typeof SORTS;

export function DocumentsPage() {
  const workspace = useWorkspace();
  const [status, setStatus] = useState<DocumentStatus | ''>('');
  const [sort, setSort] = useState<SortKey>('newest');
  const [offset, setOffset] = useState(0);
  const workspaceId = workspace.current?.workspaceId;
  const documents = useAsync(
    () => listDocuments({ status: status || undefined, limit: PAGE_SIZE, offset }),
    [status, offset, workspaceId],
  );

  // While something is on its way, keep the list current.
  const busy = documents.data?.items.some(
    (item) =>
      item.status === 'pending' || item.status === 'processing' || item.status === 'deleting',
  );
  const { reload } = documents;
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [busy, reload]);

  const rows = useMemo(
    () => [...(documents.data?.items ?? [])].sort(SORTS[sort].compare),
    [documents.data, sort],
  );

  return (
    <section className="page">
      <h1>Documents</h1>
      {workspace.can('editor') && <UploadPanel onSettled={reload} />}
      <section className="card" aria-labelledby="list-heading">
        <div className="card-head">
          <h2 id="list-heading">In this workspace</h2>
          <div className="filters">
            <label>
              Status
              <select
                value={status}
                onChange={(event) => {
                  setStatus(event.target.value as DocumentStatus | '');
                  setOffset(0);
                }}
              >
                <option value="">Any</option>
                {DOCUMENT_STATUSES.map((value) => (
                  <option key={value} value={value}>
                    {value}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Sort
              <select value={sort} onChange={(event) => setSort(event.target.value as SortKey)}>
                {Object.entries(SORTS).map(([key, value]) => (
                  <option key={key} value={key}>
                    {value.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
        <ErrorNotice error={documents.error} title="The documents could not be loaded" />
        {documents.loading && !documents.data ? (
          <Loading label="Loading documents…" />
        ) : rows.length === 0 && !documents.error ? (
          <Empty title={status ? `No ${status} documents` : 'No documents yet'}>
            {workspace.can('editor')
              ? 'Upload some above to get started.'
              : 'An editor of this workspace can upload some.'}
          </Empty>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="hide-narrow">
                    Type
                  </th>
                  <th scope="col" className="hide-narrow">
                    Size
                  </th>
                  <th scope="col" className="hide-narrow">
                    Added
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((document) => (
                  <tr key={document.id}>
                    <td>
                      <Link to={`/app/documents/${document.id}`}>{document.title}</Link>
                    </td>
                    <td>
                      <StatusBadge status={document.status} />
                      {document.status === 'processing' && document.stage && (
                        <span className="muted small"> {document.stage}</span>
                      )}
                    </td>
                    <td className="hide-narrow muted">{typeName(document.mime)}</td>
                    <td className="hide-narrow nowrap">{formatBytes(document.sizeBytes)}</td>
                    <td className="hide-narrow nowrap">{formatTime(document.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {documents.data && (
          <Pager
            offset={offset}
            limit={PAGE_SIZE}
            total={documents.data.total}
            onChange={setOffset}
            label="Document pages"
          />
        )}
      </section>
    </section>
  );
}
