import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { searchEntities } from '../api/endpoints';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';
import { colourOf } from '../graph/palette';
import { count } from '../components/format';

export function EntitiesPage() {
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const [text, setText] = useState(query);
  const found = useAsync(
    async () => (query.trim() ? (await searchEntities(query, 50)).entities : null),
    [query],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams(new URLSearchParams({ q: text }));
  };

  return (
    <section className="page">
      <h1>Graph explorer</h1>
      <form className="card search-form" role="search" onSubmit={submit}>
        <label htmlFor="entity-query">Find an entity by name or alias</label>
        <div className="search-row">
          <input
            id="entity-query"
            type="search"
            value={text}
            maxLength={200}
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit" className="primary" disabled={text.trim() === ''}>
            Find
          </button>
        </div>
      </form>
      <ErrorNotice error={found.error} title="The entity search failed" />
      {found.loading && query ? (
        <Loading label="Finding entities…" />
      ) : found.data === null || found.data === undefined ? (
        <Empty title="Search the knowledge graph">
          Open an entity to see its aliases, documents and neighbourhood.
        </Empty>
      ) : found.data.length === 0 ? (
        <Empty title={`No entity matches “${query}”`} />
      ) : (
        <ul className="card entity-list">
          {found.data.map((entity) => (
            <li key={entity.key}>
              <span
                className="swatch"
                style={{ backgroundColor: colourOf(entity.type) }}
                aria-hidden="true"
              />
              <Link to={`/app/entities/${encodeURIComponent(entity.key)}`}>{entity.name}</Link>
              <span className="muted small">
                {' '}
                {entity.type} · {count(entity.mentions, 'mention')}
                {entity.aliases.length > 0 && <> · also {entity.aliases.slice(0, 3).join(', ')}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
