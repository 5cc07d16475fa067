import { useEffect } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { followDocumentEvents, getDocument } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatBytes, formatTime, typeName } from '../components/format';
import { Loading } from '../components/Loading';
import { StatusBadge } from '../components/StatusBadge';
import { DocumentActions } from '../documents/DocumentActions';
import { DocumentChunks } from '../documents/DocumentChunks';
import { DocumentEntities } from '../documents/DocumentEntities';
import { StageTimeline } from '../documents/StageTimeline';
import { useAsync } from '../hooks/useAsync';
import { useOperator } from '../operators/useOperator';
import { WorkflowTraces } from '../operators/WorkflowTraces';

export function DocumentPage() {
  const { documentId = '' } = useParams();
  const [params] = useSearchParams();
  const focusStart = params.get('start');
  const document = useAsync(() => getDocument(documentId), [documentId]);
  const { reload } = document;
  const status = document.data?.status;
  const operator = useOperator();

  // While it is being processed, every event of its stream reloads it.
  useEffect(() => {
    if (status !== 'pending' && status !== 'processing' && status !== 'deleting') return;
    const controller = new AbortController();
    followDocumentEvents(documentId, reload, controller.signal)
      .catch(() => undefined) // A failed stream leaves the page as last loaded; reload shows why.
      .finally(() => {
        if (!controller.signal.aborted) reload();
      });
    return () => controller.abort();
  }, [documentId, status, reload]);

  if (document.loading && !document.data) return <Loading label="Loading the document…" />;
  if (!document.data) {
    return (
      <section className="page">
        <p>
          <Link to="/app/documents">← Documents</Link>
        </p>
        <ErrorNotice error={document.error} title="The document could not be loaded" />
      </section>
    );
  }
  const doc = document.data;
  const counts = doc.counts;
  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/app/documents">← Documents</Link>
      </p>
      <div className="page-head">
        <h1>{doc.title}</h1>
        <StatusBadge status={doc.status} />
      </div>
      <p className="muted small">
        {typeName(doc.mime)} · {formatBytes(doc.sizeBytes)} · added {formatTime(doc.createdAt)} ·
        sha256 <code className="hash">{doc.sha256.slice(0, 12)}…</code>
      </p>
      <DocumentActions document={doc} onChanged={reload} />
      {doc.error && (
        <div className="notice notice-error" role="alert">
          <strong>Why it failed</strong>
          <p>{doc.error}</p>
        </div>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="stages-heading">
          <h2 id="stages-heading">Processing</h2>
          <StageTimeline document={doc} />
          {doc.temporalUiUrl && (
            <p className="small">
              <a href={doc.temporalUiUrl} target="_blank" rel="noreferrer">
                Open its workflow in the Temporal UI
              </a>
            </p>
          )}
          {operator && doc.workflowId && <WorkflowTraces workflowId={doc.workflowId} />}
        </section>
        <section className="card" aria-labelledby="counts-heading">
          <h2 id="counts-heading">Counts</h2>
          <dl className="counts">
            <div>
              <dt>Chunks</dt>
              <dd>{counts.chunks ?? '—'}</dd>
            </div>
            <div>
              <dt>Entities</dt>
              <dd>{counts.entities ?? '—'}</dd>
            </div>
            <div>
              <dt>Relations</dt>
              <dd>{counts.relations ?? '—'}</dd>
            </div>
            <div>
              <dt>Mentions</dt>
              <dd>{counts.mentions ?? '—'}</dd>
            </div>
          </dl>
        </section>
      </div>
      {doc.status === 'indexed' && (
        <>
          <DocumentEntities document={doc} />
          <DocumentChunks
            documentId={doc.id}
            focusStart={focusStart === null ? undefined : Number(focusStart)}
          />
        </>
      )}
    </section>
  );
}
