import { Link, useParams } from 'react-router';
import { runbookSection } from '../operators/runbooks';

/** One runbook of docs/operations.md, where an alert's runbook link leads. */
export function RunbookPage() {
  const { anchor = '' } = useParams();
  const section = runbookSection(anchor);
  return (
    <section className="page narrow">
      <p className="breadcrumb">
        <Link to="/app/operators">← Operators</Link>
      </p>
      {!section ? (
        <div className="notice notice-error" role="alert">
          <strong>No such runbook</strong>
          <p>docs/operations.md has no section #{anchor}.</p>
        </div>
      ) : (
        <>
          <h1>{section.title}</h1>
          {section.blocks.map((block, index) =>
            typeof block === 'string' ? (
              <p key={index}>{block}</p>
            ) : (
              <ul key={index}>
                {block.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            ),
          )}
          <p className="muted small">From docs/operations.md#{anchor}.</p>
        </>
      )}
    </section>
  );
}
