import { type CairnDocument, DOCUMENT_STAGES } from '../api/types';
import { formatDuration } from '../components/format';

function stateOf(document: CairnDocument, stage: string): 'done' | 'running' | 'failed' | 'todo' {
  const timing = document.stageTimings[stage];
  if (timing?.finishedAt) return 'done';
  if (document.stage === stage) return document.status === 'failed' ? 'failed' : 'running';
  if (document.status === 'indexed') return 'done';
  return 'todo';
}

/** The pipeline's stages in order, each with its state and how long it took. */
export function StageTimeline({ document }: { document: CairnDocument }) {
  return (
    <ol className="timeline" aria-label="Processing stages">
      {DOCUMENT_STAGES.map((stage) => {
        const state = stateOf(document, stage);
        const timing = document.stageTimings[stage];
        return (
          <li key={stage} className={`step step-${state}`}>
            <span className="step-name">{stage}</span>
            <span className="step-state small">
              {state === 'done'
                ? formatDuration(timing?.durationMs)
                : state === 'running'
                  ? 'running…'
                  : state === 'failed'
                    ? 'failed'
                    : 'waiting'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
