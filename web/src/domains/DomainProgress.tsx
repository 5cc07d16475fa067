import { DOMAIN_STAGES, type DomainDetail } from '../api/types';

/** The bootstrap's stages in order, with the current one marked. */
export function DomainProgress({ domain }: { domain: DomainDetail }) {
  const stage = domain.workflow?.stage ?? domain.stage ?? 'research';
  const current = DOMAIN_STAGES.indexOf(stage);
  const research = domain.workflow?.research;
  const finished = domain.status === 'active' || stage === 'done';
  return (
    <div>
      <ol className="timeline" aria-label="Bootstrap stages">
        {DOMAIN_STAGES.filter((name) => name !== 'done').map((name, index) => {
          const state =
            finished || index < current
              ? 'done'
              : index === current
                ? domain.status === 'failed'
                  ? 'failed'
                  : 'running'
                : 'todo';
          return (
            <li
              key={name}
              className={`step step-${state}`}
              aria-current={index === current && !finished ? 'step' : undefined}
            >
              <span className="step-name">{name}</span>
              <span className="step-state small">
                {state === 'done'
                  ? 'done'
                  : state === 'running'
                    ? name === 'review'
                      ? 'waiting for review'
                      : 'running…'
                    : state === 'failed'
                      ? 'failed'
                      : 'waiting'}
              </span>
            </li>
          );
        })}
      </ol>
      {research && (
        <p className="small muted">
          Research: {research.seeds} seed documents, {research.fromTopics} found from topics,{' '}
          {research.processed} processed
          {research.failed.length > 0 && <>, {research.failed.length} failed</>}.
        </p>
      )}
    </div>
  );
}
