import { type FormEvent, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { createDomain, listDocuments, listMembers } from '../api/endpoints';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';
import { useWorkspace } from '../workspace/WorkspaceContext';

export function DomainCreatePage() {
  const workspace = useWorkspace();
  const navigate = useNavigate();
  const workspaceId = workspace.current?.workspaceId;
  const documents = useAsync(
    () => listDocuments({ status: 'indexed', limit: 100, offset: 0 }),
    [workspaceId],
  );
  const members = useAsync(
    async () =>
      workspaceId && workspace.can('admin') ? (await listMembers(workspaceId)).items : [],
    [workspaceId],
  );
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [topics, setTopics] = useState('');
  const [mode, setMode] = useState<'review' | 'auto'>('review');
  const [seeds, setSeeds] = useState<string[]>([]);
  const [reviewers, setReviewers] = useState<string[]>([]);
  const [reminderMinutes, setReminderMinutes] = useState('');
  const [timeoutHours, setTimeoutHours] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const toggle = (list: string[], value: string) =>
    list.includes(value) ? list.filter((item) => item !== value) : [...list, value];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const review: { reminderSeconds?: number; timeoutSeconds?: number } = {};
      if (reminderMinutes) review.reminderSeconds = Math.round(Number(reminderMinutes) * 60);
      if (timeoutHours) review.timeoutSeconds = Math.round(Number(timeoutHours) * 3600);
      const created = await createDomain({
        name,
        description,
        seedDocumentIds: seeds,
        seedTopics: topics
          .split('\n')
          .map((topic) => topic.trim())
          .filter(Boolean),
        mode,
        reviewers,
        ...(Object.keys(review).length > 0 ? { review } : {}),
      });
      await navigate(`/app/domains/${created.domain.id}`);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  if (!workspace.can('editor')) {
    return (
      <section className="page narrow">
        <h1>New domain</h1>
        <p>Creating a domain needs the editor role in this workspace.</p>
      </section>
    );
  }

  return (
    <section className="page narrow">
      <p className="breadcrumb">
        <Link to="/app/domains">← Domains</Link>
      </p>
      <h1>New domain</h1>
      <form className="form card" onSubmit={(event) => void submit(event)}>
        <label htmlFor="domain-name">Name</label>
        <input
          id="domain-name"
          required
          maxLength={120}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <label htmlFor="domain-description">Description</label>
        <textarea
          id="domain-description"
          rows={2}
          maxLength={2000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
        <fieldset>
          <legend>Seed documents</legend>
          {documents.loading && !documents.data ? (
            <Loading label="Loading documents…" />
          ) : documents.data?.items.length === 0 ? (
            <p className="muted small">No indexed documents yet: topics can find some.</p>
          ) : (
            <ul className="checklist">
              {documents.data?.items.map((document) => (
                <li key={document.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={seeds.includes(document.id)}
                      onChange={() => setSeeds(toggle(seeds, document.id))}
                    />
                    {document.title}
                  </label>
                </li>
              ))}
            </ul>
          )}
          <ErrorNotice error={documents.error} title="The documents could not be loaded" />
        </fieldset>
        <label htmlFor="domain-topics">Topics (one a line)</label>
        <textarea
          id="domain-topics"
          rows={3}
          value={topics}
          onChange={(event) => setTopics(event.target.value)}
        />
        <fieldset>
          <legend>Mode</legend>
          <label className="inline">
            <input
              type="radio"
              name="mode"
              value="review"
              checked={mode === 'review'}
              onChange={() => setMode('review')}
            />
            Review: a reviewer approves the draft before it becomes active
          </label>
          <label className="inline">
            <input
              type="radio"
              name="mode"
              value="auto"
              checked={mode === 'auto'}
              onChange={() => setMode('auto')}
            />
            Automatic: active as soon as it is drafted
          </label>
        </fieldset>
        {mode === 'review' && (
          <fieldset>
            <legend>Review</legend>
            {members.data && members.data.length > 0 ? (
              <>
                <p className="muted small">
                  Reviewers (none chosen: any editor, admin or owner may decide)
                </p>
                <ul className="checklist">
                  {members.data
                    .filter((member) => member.role !== 'viewer')
                    .map((member) => (
                      <li key={member.userId}>
                        <label>
                          <input
                            type="checkbox"
                            checked={reviewers.includes(member.userId)}
                            onChange={() => setReviewers(toggle(reviewers, member.userId))}
                          />
                          {member.email ?? member.userId}{' '}
                          <span className="muted small">({member.role})</span>
                        </label>
                      </li>
                    ))}
                </ul>
              </>
            ) : (
              <p className="muted small">Any editor, admin or owner of the workspace may review.</p>
            )}
            <div className="field-row">
              <label>
                Remind after (minutes)
                <input
                  type="number"
                  min={1}
                  inputMode="numeric"
                  value={reminderMinutes}
                  onChange={(event) => setReminderMinutes(event.target.value)}
                />
              </label>
              <label>
                Expire after (hours)
                <input
                  type="number"
                  min={1}
                  inputMode="numeric"
                  value={timeoutHours}
                  onChange={(event) => setTimeoutHours(event.target.value)}
                />
              </label>
            </div>
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || name.trim() === ''}>
            {busy ? 'Starting…' : 'Create domain'}
          </button>
        </div>
        <ErrorNotice error={error} title="The domain was not created" />
      </form>
    </section>
  );
}
