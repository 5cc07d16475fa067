import { Link } from 'react-router';
import { domainOverview } from '../api/endpoints';
import { ApiError } from '../api/errors';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';
import { count } from '../components/format';

/** The drafted overview: key entities, glossary with quoted definitions, relations, clusters. */
export function DomainOverviewView({ domainId, revision }: { domainId: string; revision: number }) {
  const overview = useAsync(() => domainOverview(domainId), [domainId, revision]);
  if (overview.loading && !overview.data) return <Loading label="Loading the overview…" />;
  if (overview.error instanceof ApiError && overview.error.status === 404) {
    return (
      <Empty title="No overview drafted yet">
        It appears once the bootstrap reaches the content stage.
      </Empty>
    );
  }
  if (!overview.data)
    return <ErrorNotice error={overview.error} title="The overview could not be loaded" />;
  const data = overview.data;
  return (
    <div className="overview">
      {data.addressedComments.length > 0 && (
        <section className="card">
          <h3>Answers these review comments</h3>
          <ul>
            {data.addressedComments.map((comment) => (
              <li key={comment}>{comment}</li>
            ))}
          </ul>
        </section>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="key-entities-heading">
          <h3 id="key-entities-heading">Key entities</h3>
          {data.keyEntities.length === 0 ? (
            <Empty title="None" />
          ) : (
            <ol className="plain-list">
              {data.keyEntities.slice(0, 15).map((entity) => (
                <li key={entity.key}>
                  <Link to={`/app/entities/${encodeURIComponent(entity.key)}`}>{entity.name}</Link>{' '}
                  <span className="muted small">
                    {entity.type} · importance {entity.importance.toFixed(2)} ·{' '}
                    {count(entity.mentions, 'mention')}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <section className="card" aria-labelledby="clusters-heading">
          <h3 id="clusters-heading">Topic clusters</h3>
          {data.clusters.length === 0 ? (
            <Empty title="None" />
          ) : (
            <ul className="plain-list">
              {data.clusters.map((cluster) => (
                <li key={cluster.label}>
                  <strong>{cluster.label}</strong>:{' '}
                  <span className="muted">{cluster.entities.slice(0, 8).join(', ')}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby="glossary-heading">
        <h3 id="glossary-heading">Glossary</h3>
        {data.glossary.length === 0 ? (
          <Empty title="No glossary entries" />
        ) : (
          <dl className="glossary">
            {data.glossary.map((entry) => (
              <div key={`${entry.term}-${entry.source.chunkId}`}>
                <dt>
                  {entry.term} <span className="muted small">{entry.type}</span>
                </dt>
                <dd>
                  <blockquote>“{entry.definition}”</blockquote>
                  <Link
                    className="small"
                    to={`/app/documents/${entry.source.documentId}?start=${entry.source.start}`}
                  >
                    {entry.source.documentTitle}
                  </Link>
                </dd>
              </div>
            ))}
          </dl>
        )}
      </section>
      <section className="card" aria-labelledby="relations-heading">
        <h3 id="relations-heading">Relations</h3>
        {data.relations.length === 0 ? (
          <Empty title="No relations" />
        ) : (
          <ul className="plain-list">
            {data.relations.slice(0, 30).map((relation) => (
              <li key={`${relation.source}-${relation.predicate}-${relation.target}`}>
                {relation.source} <span className="predicate">—{relation.predicate}→</span>{' '}
                {relation.target}{' '}
                <span className="muted small">
                  ({relation.evidenceCount} {relation.evidenceCount === 1 ? 'source' : 'sources'})
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
