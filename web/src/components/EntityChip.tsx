import { Link } from 'react-router';
import type { EntityRef } from '../api/types';

export function EntityChip({ entity }: { entity: EntityRef }) {
  return (
    <Link
      className={`chip type-${entity.type.toLowerCase()}`}
      to={`/app/entities/${encodeURIComponent(entity.key)}`}
    >
      {entity.name}
      <span className="chip-type">{entity.type}</span>
    </Link>
  );
}
