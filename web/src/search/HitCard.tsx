import { Link } from 'react-router';
import type { SearchHit } from '../api/types';
import { EntityChip } from '../components/EntityChip';
import { Highlighted } from './Highlighted';
import { PathChain } from './PathChain';

function ScoreParts({ hit }: { hit: SearchHit }) {
  const parts = [
    ['vector', hit.scoreParts.vector],
    ['keyword', hit.scoreParts.keyword],
    ['graph', hit.scoreParts.graph],
  ] as const;
  return (
    <div className="score" aria-label={`Score ${hit.score.toFixed(3)}`}>
      <span className="score-total">score {hit.score.toFixed(3)}</span>
      <span className="score-bar" aria-hidden="true">
        {parts.map(([name, value]) => (
          <span key={name} className={`score-part part-${name}`} style={{ flexGrow: value }} />
        ))}
      </span>
      <span className="score-legend small">
        {parts.map(([name, value]) => (
          <span key={name} className={`legend-${name}`}>
            {name} {value.toFixed(3)}
          </span>
        ))}
      </span>
    </div>
  );
}

export function HitCard({ hit, query, rank }: { hit: SearchHit; query: string; rank: number }) {
  const documentLink = `/app/documents/${hit.documentId}?start=${hit.start}`;
  return (
    <li className="card hit" aria-labelledby={`hit-${rank}`}>
      <div className="hit-head">
        <h3 id={`hit-${rank}`}>
          <Link to={documentLink}>{hit.title}</Link>
        </h3>
        <span className="muted small">
          {hit.locator ? <>{hit.locator} · </> : hit.page !== null && <>page {hit.page} · </>}
          characters {hit.start}–{hit.end}
        </span>
      </div>
      <blockquote className="passage">
        <Highlighted text={hit.text} query={query} />
      </blockquote>
      <ScoreParts hit={hit} />
      {hit.entities.length > 0 && (
        <div className="hit-entities">
          <span className="small muted">Connecting entities</span>
          <ul className="chips">
            {hit.entities.map((entity) => (
              <li key={entity.key}>
                <EntityChip entity={entity} />
              </li>
            ))}
          </ul>
        </div>
      )}
      {hit.paths.length > 0 && (
        <div className="hit-paths">
          <span className="small muted">How the query reaches it</span>
          <ul className="paths">
            {hit.paths.map((path) => (
              <PathChain key={path.text} path={path} />
            ))}
          </ul>
        </div>
      )}
      <p className="small">
        <Link to={documentLink}>Open the document at this passage</Link>
      </p>
    </li>
  );
}
