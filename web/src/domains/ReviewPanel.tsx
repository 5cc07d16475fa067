import { type FormEvent, useState } from 'react';
import { reviewDomain } from '../api/endpoints';
import type { DomainDetail, ReviewDecision } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';

const DECISIONS: { value: ReviewDecision; label: string; needs: string }[] = [
  { value: 'approve', label: 'Approve', needs: 'Comment (optional)' },
  { value: 'request_changes', label: 'Request changes', needs: 'Changes wanted' },
  { value: 'reject', label: 'Reject', needs: 'Reason' },
];

/** The reviewer's decision on the current draft: approve, request changes with comments, reject. */
export function ReviewPanel({
  domain,
  onDecided,
}: {
  domain: DomainDetail;
  onDecided: () => void;
}) {
  const [decision, setDecision] = useState<ReviewDecision>('approve');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const chosen = DECISIONS.find((item) => item.value === decision)!;
  const needsComment = decision !== 'approve';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await reviewDomain(domain.id, decision, comment.trim());
      setComment('');
      onDecided();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const pending = domain.workflow?.pendingReview;
  return (
    <section className="card review-panel" aria-labelledby="review-heading">
      <h2 id="review-heading">Review revision {pending?.revision ?? domain.revision}</h2>
      {pending && (
        <p className="muted small">
          Waiting since {new Date(pending.since).toLocaleString()}; expires{' '}
          {new Date(pending.expiresAt).toLocaleString()}.
        </p>
      )}
      <form className="form" onSubmit={(event) => void submit(event)}>
        <fieldset>
          <legend>Decision</legend>
          {DECISIONS.map((item) => (
            <label key={item.value} className="inline">
              <input
                type="radio"
                name="decision"
                value={item.value}
                checked={decision === item.value}
                onChange={() => setDecision(item.value)}
              />
              {item.label}
            </label>
          ))}
        </fieldset>
        <label htmlFor="review-comment">{chosen.needs}</label>
        <textarea
          id="review-comment"
          rows={3}
          maxLength={4000}
          required={needsComment}
          value={comment}
          onChange={(event) => setComment(event.target.value)}
        />
        <div className="actions">
          <button
            type="submit"
            className={decision === 'reject' ? 'danger' : 'primary'}
            disabled={busy || (needsComment && comment.trim() === '')}
          >
            {busy ? 'Sending…' : `${chosen.label} draft`}
          </button>
        </div>
        <ErrorNotice error={error} title="The decision was not recorded" />
      </form>
    </section>
  );
}
