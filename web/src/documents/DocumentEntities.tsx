import { search } from '../api/endpoints';
import type { CairnDocument, EntityRef } from '../api/types';
import { EntityChip } from '../components/EntityChip';
import { Empty } from '../components/Empty';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useAsync } from '../hooks/useAsync';

/** The entities the document's passages carry, gathered from a search scoped to it. */
async function entitiesOf(document: CairnDocument): Promise<EntityRef[]> {
  const answer = await search({
    query: document.title,
    mode: 'vector',
    hops: 0,
    limit: 100,
    filters: { documentIds: [document.id] },
  });
  const byKey = new Map<string, EntityRef>();
  for (const hit of answer.hits) for (const entity of hit.entities) byKey.set(entity.key, entity);
  return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export function DocumentEntities({ document }: { document: CairnDocument }) {
  const entities = useAsync(() => entitiesOf(document), [document.id, document.updatedAt]);
  return (
    <section className="card" aria-labelledby="entities-heading">
      <h2 id="entities-heading">Entities it mentions</h2>
      <ErrorNotice error={entities.error} title="The entities could not be loaded" />
      {entities.loading && !entities.data ? (
        <Loading label="Loading entities…" />
      ) : entities.data && entities.data.length === 0 ? (
        <Empty title="No entities found in this document" />
      ) : (
        <ul className="chips">
          {entities.data?.map((entity) => (
            <li key={entity.key}>
              <EntityChip entity={entity} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
