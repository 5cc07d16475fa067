import type { Context } from '@temporalio/activity';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  Next,
} from '@temporalio/worker';
import { documentsProcessed, secondsSince, stageDuration } from '../src/observability/metrics';

/** Pipeline stage of each document activity (the names of DOCUMENT_STAGES, plus the extras). */
const STAGE_OF_ACTIVITY: Record<string, string> = {
  analyseDocuments: 'analyse',
  extractKnowledge: 'extract',
  writeGraph: 'graph',
  embedChunks: 'embed',
  indexVectors: 'vectors',
  countContributions: 'notify',
  markIndexed: 'notify',
  notifyIndexed: 'notify',
  removeContributions: 'cleanup',
};
/** Stages whose activity runs once per document batch: their document counts add up per stage. */
const COUNTED_STAGES = new Set(['analyse', 'extract', 'graph', 'embed', 'vectors']);

/**
 * Times every activity this worker runs (regular and local) into cairn_stage_duration_seconds,
 * and counts the documents each pipeline activity handled, so that the split of work between
 * worker processes shows in their metrics.
 */
export class ActivityMetricsInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly context: Context) {}

  async execute(
    input: ActivityExecuteInput,
    next: Next<ActivityInboundCallsInterceptor, 'execute'>,
  ): Promise<unknown> {
    const activity = this.context.info.activityType;
    const stage = STAGE_OF_ACTIVITY[activity] ?? activity;
    const startedAt = process.hrtime.bigint();
    let outcome = 'failure';
    try {
      const result = await next(input);
      outcome = 'success';
      const documents = documentCount(input.args[0]);
      if (documents > 0 && COUNTED_STAGES.has(stage)) documentsProcessed.inc({ stage }, documents);
      return result;
    } finally {
      stageDuration.observe({ stage, activity, outcome }, secondsSince(startedAt));
    }
  }
}

/** How many documents an activity's input names ({documentIds} batches or one {documentId}). */
function documentCount(input: unknown): number {
  if (typeof input !== 'object' || input === null) return 0;
  const { documentIds, documentId } = input as { documentIds?: unknown; documentId?: unknown };
  if (Array.isArray(documentIds)) return documentIds.length;
  return typeof documentId === 'string' ? 1 : 0;
}
