import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { archiveDomain, getDomain } from '../api/endpoints';
import type { DomainDetail } from '../api/types';
import { ConfirmButton } from '../components/ConfirmButton';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { formatTime } from '../components/format';
import { Loading } from '../components/Loading';
import { StatusBadge } from '../components/StatusBadge';
import { DomainOverviewView } from '../domains/DomainOverviewView';
import { DomainProgress } from '../domains/DomainProgress';
import { ReviewPanel } from '../domains/ReviewPanel';
import { useAsync } from '../hooks/useAsync';
import { useWorkspace } from '../workspace/WorkspaceContext';

const POLL_MS = 2000;

/** Whether the caller may decide on this domain's draft (the workflow checks it again). */
function mayReview(
  domain: DomainDetail,
  can: (role: 'editor') => boolean,
  userId?: string,
): boolean {
  if (!can('editor')) return false;
  const named = domain.workflow?.pendingReview?.reviewers ?? domain.reviewers;
  return named.length === 0 || (userId !== undefined && named.includes(userId));
}

export function DomainPage() {
  const { domainId = '' } = useParams();
  const workspace = useWorkspace();
  const domain = useAsync(() => getDomain(domainId), [domainId]);
  const [archiveError, setArchiveError] = useState<unknown>(null);
  const { reload } = domain;
  const status = domain.data?.status;

  // Which status a decision was sent in: the panel hides until the workflow has moved on.
  const [decidedIn, setDecidedIn] = useState<string | null>(null);

  // The bootstrap has no event stream: follow it by polling while it runs or waits for a
  // decision (this reviewer's, being applied, or another reviewer's).
  useEffect(() => {
    if (status !== 'bootstrapping' && status !== 'awaiting_review') return;
    const timer = setInterval(reload, POLL_MS);
    return () => clearInterval(timer);
  }, [status, reload]);

  if (domain.loading && !domain.data) return <Loading label="Loading the domain…" />;
  if (!domain.data) {
    return (
      <section className="page">
        <p className="breadcrumb">
          <Link to="/app/domains">← Domains</Link>
        </p>
        <ErrorNotice error={domain.error} title="The domain could not be loaded" />
      </section>
    );
  }
  const detail = domain.data;
  const deciding = decidedIn !== null && decidedIn === `${detail.status}:${detail.revision}`;
  const reviewing =
    !deciding &&
    detail.status === 'awaiting_review' &&
    mayReview(detail, workspace.can, workspace.session.userId);

  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/app/domains">← Domains</Link>
      </p>
      <div className="page-head">
        <h1>{detail.name}</h1>
        <StatusBadge status={detail.status} />
      </div>
      {detail.description && <p>{detail.description}</p>}
      <p className="muted small">
        {detail.mode} mode · revision {detail.revision} · {detail.documentCount} documents · created{' '}
        {formatTime(detail.createdAt)}
        {detail.activatedAt && <> · active since {formatTime(detail.activatedAt)}</>} ·{' '}
        <a href={detail.temporalUiUrl} target="_blank" rel="noreferrer">
          bootstrap workflow in the Temporal UI
        </a>
      </p>
      {detail.error && (
        <div className="notice notice-error" role="alert">
          <strong>Why it stopped</strong>
          <p>{detail.error}</p>
        </div>
      )}
      <section className="card" aria-labelledby="progress-heading">
        <h2 id="progress-heading">Bootstrap</h2>
        <DomainProgress domain={detail} />
      </section>
      {reviewing && (
        <ReviewPanel
          domain={detail}
          onDecided={() => {
            setDecidedIn(`${detail.status}:${detail.revision}`);
            reload();
          }}
        />
      )}
      {deciding && (
        <p className="notice" role="status">
          Decision recorded; the domain moves on in a moment.
        </p>
      )}
      {detail.status === 'awaiting_review' && !reviewing && !deciding && (
        <p className="notice">
          Waiting for a reviewer
          {detail.reviewers.length > 0 ? ' named for this domain' : ' (an editor, admin or owner)'}.
        </p>
      )}
      <h2>Overview</h2>
      {detail.overviewKey ? (
        <DomainOverviewView domainId={detail.id} revision={detail.revision} />
      ) : (
        <Empty title="No overview drafted yet">
          It appears once the bootstrap reaches the content stage.
        </Empty>
      )}
      <section className="card" aria-labelledby="documents-heading">
        <h2 id="documents-heading">Documents</h2>
        {detail.documents.length === 0 ? (
          <Empty title="No documents yet" />
        ) : (
          <ul className="plain-list">
            {detail.documents.map((document) => (
              <li key={document.documentId}>
                <Link to={`/app/documents/${document.documentId}`}>{document.title}</Link>{' '}
                <span className="muted small">
                  {document.source} · {document.status} · {document.reason}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">Decisions</h2>
        {detail.reviews.length === 0 ? (
          <Empty title="No decisions yet" />
        ) : (
          <ol className="plain-list">
            {detail.reviews.map((review) => (
              <li key={`${review.revision}-${review.decidedAt}`}>
                <StatusBadge status={review.decision} /> revision {review.revision} by{' '}
                {review.reviewer === workspace.session.userId ? (
                  'you'
                ) : (
                  <code>{review.reviewer}</code>
                )}
                , {formatTime(review.decidedAt)}
                {review.comment && <blockquote>{review.comment}</blockquote>}
              </li>
            ))}
          </ol>
        )}
      </section>
      {workspace.can('editor') && detail.status !== 'archived' && (
        <div className="actions">
          <ConfirmButton
            label="Archive"
            danger
            question={`Archive “${detail.name}”? Its documents stay in the workspace.`}
            onConfirm={async () => {
              try {
                await archiveDomain(detail.id);
                reload();
              } catch (failure) {
                setArchiveError(failure);
              }
            }}
          />
        </div>
      )}
      <ErrorNotice error={archiveError} title="The domain was not archived" />
    </section>
  );
}
