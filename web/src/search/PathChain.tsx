import { Fragment } from 'react';
import type { GraphPath } from '../api/types';
import { EntityChip } from '../components/EntityChip';

/** One relation path as a chain: entity —predicate→ entity … → this passage. */
export function PathChain({ path }: { path: GraphPath }) {
  return (
    <li className="path" aria-label={`Relation path: ${path.text}, then this passage`}>
      {path.entities.map((entity, index) => {
        const relation = path.relations[index];
        return (
          <Fragment key={`${entity.key}-${index}`}>
            <EntityChip entity={entity} />
            {relation && (
              <span className="predicate" aria-hidden="true">
                {relation.forward ? `—${relation.predicate}→` : `←${relation.predicate}—`}
              </span>
            )}
          </Fragment>
        );
      })}
      <span className="predicate" aria-hidden="true">
        →
      </span>
      <span className="path-end">this passage</span>
    </li>
  );
}
