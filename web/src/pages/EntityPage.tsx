import { Link, useParams } from 'react-router';
import { getEntity } from '../api/endpoints';
import { EntityChip } from '../components/EntityChip';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { NeighborhoodGraph } from '../graph/NeighborhoodGraph';
import { useAsync } from '../hooks/useAsync';
import { count } from '../components/format';

export function EntityPage() {
  const { entityKey = '' } = useParams();
  const entity = useAsync(() => getEntity(entityKey), [entityKey]);

  if (entity.loading && !entity.data) return <Loading label="Loading the entity…" />;
  if (!entity.data) {
    return (
      <section className="page">
        <p className="breadcrumb">
          <Link to="/app/entities">← Graph explorer</Link>
        </p>
        <ErrorNotice error={entity.error} title="The entity could not be loaded" />
      </section>
    );
  }
  const detail = entity.data;
  return (
    <section className="page">
      <p className="breadcrumb">
        <Link to="/app/entities">← Graph explorer</Link>
      </p>
      <div className="page-head">
        <h1>{detail.name}</h1>
        <span className={`chip type-${detail.type}`}>{detail.type}</span>
      </div>
      <p className="muted">
        {count(detail.mentions, 'mention')}
        {detail.aliases.length > 0 && <> · also called {detail.aliases.join(', ')}</>}
      </p>
      <div className="grid-2">
        <section className="card" aria-labelledby="entity-docs-heading">
          <h2 id="entity-docs-heading">Documents</h2>
          {detail.documents.length === 0 ? (
            <Empty title="No documents" />
          ) : (
            <ul className="plain-list">
              {detail.documents.map((document) => (
                <li key={document.id}>
                  <Link to={`/app/documents/${document.id}`}>{document.title}</Link>{' '}
                  <span className="muted small">{count(document.mentions, 'mention')}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card" aria-labelledby="entity-relations-heading">
          <h2 id="entity-relations-heading">Relations</h2>
          {detail.relations.length === 0 ? (
            <Empty title="No relations" />
          ) : (
            <ul className="plain-list">
              {detail.relations.map((relation, index) => (
                <li
                  key={`${relation.entity.key}-${relation.predicate}-${index}`}
                  className="relation"
                >
                  {relation.direction === 'out' ? (
                    <>
                      <span className="predicate">—{relation.predicate}→</span>{' '}
                      <EntityChip entity={relation.entity} />
                    </>
                  ) : (
                    <>
                      <EntityChip entity={relation.entity} />{' '}
                      <span className="predicate">—{relation.predicate}→</span> this
                    </>
                  )}{' '}
                  <Link className="small" to={`/app/documents/${relation.documentId}`}>
                    source
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <NeighborhoodGraph entityKey={detail.key} />
    </section>
  );
}
