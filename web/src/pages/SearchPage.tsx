import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { listDomains, search } from '../api/endpoints';
import { SEARCH_MODES, type SearchMode, type SearchResponse } from '../api/types';
import { EntityChip } from '../components/EntityChip';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';
import { useOperator } from '../operators/useOperator';
import { HitCard } from '../search/HitCard';
import { useWorkspace } from '../workspace/WorkspaceContext';

/** The search is the URL (?q=&mode=&hops=&limit=&domain=): shareable, and Back works. */
function askedBy(params: URLSearchParams) {
  return {
    query: params.get('q') ?? '',
    mode: (params.get('mode') as SearchMode | null) ?? 'auto',
    hops: Number(params.get('hops') ?? 1),
    limit: Number(params.get('limit') ?? 10),
    domainId: params.get('domain') ?? '',
  };
}

export function SearchPage() {
  const workspace = useWorkspace();
  const operator = useOperator();
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const asked = useMemo(() => askedBy(new URLSearchParams(key)), [key]);
  const [form, setForm] = useState(asked);
  const [answer, setAnswer] = useState<
    (SearchResponse & { traceId: string | null; traceUrl: string | null }) | null
  >(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const workspaceId = workspace.current?.workspaceId;
  const domains = useAsync(() => listDomains(100, 0), [workspaceId]);
  const activeDomains = domains.data?.items.filter((domain) => domain.status === 'active') ?? [];

  useEffect(() => {
    if (!asked.query.trim()) return;
    const controller = new AbortController();
    setBusy(true);
    setError(null);
    search(
      {
        query: asked.query,
        mode: asked.mode,
        hops: asked.hops,
        limit: asked.limit,
        ...(asked.domainId ? { domainId: asked.domainId } : {}),
      },
      controller.signal,
    ).then(
      (result) => {
        setAnswer(result);
        setBusy(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setAnswer(null);
        setBusy(false);
      },
    );
    return () => controller.abort();
  }, [asked, workspaceId]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams({
      q: form.query,
      mode: form.mode,
      hops: String(form.hops),
      limit: String(form.limit),
    });
    if (form.domainId) next.set('domain', form.domainId);
    setParams(next);
  };

  return (
    <section className="page">
      <h1>Search</h1>
      <form className="card search-form" role="search" onSubmit={submit}>
        <label htmlFor="search-query">Question or keywords</label>
        <div className="search-row">
          <input
            id="search-query"
            type="search"
            value={form.query}
            maxLength={2000}
            onChange={(event) => setForm({ ...form, query: event.target.value })}
          />
          <button type="submit" className="primary" disabled={form.query.trim() === ''}>
            Search
          </button>
        </div>
        <div className="filters">
          <label>
            Mode
            <select
              value={form.mode}
              onChange={(event) => setForm({ ...form, mode: event.target.value as SearchMode })}
            >
              {SEARCH_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {mode}
                </option>
              ))}
            </select>
          </label>
          <label>
            Hops
            <select
              value={form.hops}
              onChange={(event) => setForm({ ...form, hops: Number(event.target.value) })}
            >
              {[0, 1, 2, 3].map((hops) => (
                <option key={hops} value={hops}>
                  {hops}
                </option>
              ))}
            </select>
          </label>
          <label>
            Results
            <select
              value={form.limit}
              onChange={(event) => setForm({ ...form, limit: Number(event.target.value) })}
            >
              {[5, 10, 20, 50].map((limit) => (
                <option key={limit} value={limit}>
                  {limit}
                </option>
              ))}
            </select>
          </label>
          <label>
            Domain
            <select
              value={form.domainId}
              onChange={(event) => setForm({ ...form, domainId: event.target.value })}
            >
              <option value="">Whole workspace</option>
              {activeDomains.map((domain) => (
                <option key={domain.id} value={domain.id}>
                  {domain.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      </form>
      <ErrorNotice error={error} title="The search failed" />
      {busy && <Loading label="Searching…" />}
      {!busy && answer && (
        <div className="results">
          <p className="muted small results-status" role="status">
            {answer.hits.length} {answer.hits.length === 1 ? 'passage' : 'passages'} in{' '}
            {answer.tookMs.toFixed(0)} ms
            {answer.cached && ' (cached)'} · mode {answer.mode}, {answer.hops}{' '}
            {answer.hops === 1 ? 'hop' : 'hops'}
            {operator && answer.traceId && (
              <>
                {' · '}
                <Link to={`/app/trace/${answer.traceId}`}>trace</Link>
              </>
            )}
          </p>
          {answer.linkedEntities.length > 0 && (
            <div className="linked">
              <span className="small muted">The question names</span>
              <ul className="chips">
                {answer.linkedEntities.map((entity) => (
                  <li key={entity.key}>
                    <EntityChip entity={entity} />
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="results-grid">
            <section aria-label="Passages">
              {answer.hits.length === 0 ? (
                <Empty title="Nothing found">Try other words, another mode or more hops.</Empty>
              ) : (
                <ol className="hits">
                  {answer.hits.map((hit, index) => (
                    <HitCard key={hit.chunkId} hit={hit} query={answer.query} rank={index + 1} />
                  ))}
                </ol>
              )}
            </section>
            <aside className="card related" aria-labelledby="related-heading">
              <h2 id="related-heading">Related entities</h2>
              {answer.relatedEntities.length === 0 ? (
                <p className="muted small">None</p>
              ) : (
                <ul className="chips">
                  {answer.relatedEntities.map((entity) => (
                    <li key={entity.key}>
                      <EntityChip entity={entity} />
                    </li>
                  ))}
                </ul>
              )}
            </aside>
          </div>
        </div>
      )}
      {!busy && !answer && !error && (
        <Empty title="Ask a question">
          Hits show the passage, its score and the relation paths that connect it to your question.
        </Empty>
      )}
    </section>
  );
}
