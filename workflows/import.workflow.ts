import {
  ApplicationFailure,
  ChildWorkflowFailure,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { createImportActivities } from '../workers/general/import.activities';
import type { ImportExpansion, ImportFormat, ImportStatus } from '../src/imports/import.types';
import { processDocumentsWorkflow } from './process-document.workflow';
import { WorkspaceIdAttribute } from '../src/pipeline/search-attributes';
import { TASK_QUEUES } from '../src/pipeline/task-queues';
import { failureReason } from './failure-reason';

export interface ImportWorkflowInput {
  workspaceId: string;
  importId: string;
  format: ImportFormat;
  /** Documents per child workflow (default 100). */
  batchSize?: number;
  /** Child workflows in flight at once (default 3): one batch's CPU work overlaps another's writes. */
  parallelBatches?: number;
  /** Set by continue-as-new: where the previous run of this import stopped. */
  resume?: { expansion: ImportExpansion; nextBatch: number; done: number; failed: number };
}

export interface ImportWorkflowResult {
  status: ImportStatus;
  total: number;
  done: number;
  failed: number;
  expansion: ImportExpansion;
}

export const DEFAULT_IMPORT_BATCH_SIZE = 100;
export const DEFAULT_PARALLEL_BATCHES = 3;
/**
 * Batches per workflow run before continuing as new. One batch costs about 18 history events
 * (read-ids activity, child start/complete, progress activity, their workflow tasks), so a run
 * stays under ~2,000 events, far below Temporal's 51,200 limit: with batches of 100 a single run
 * covers 10,000 documents, and larger imports continue as new every 100 batches.
 */
const BATCHES_PER_RUN = 100;

// Expanding reads the whole source; it heartbeats per window of entries.
const imports = proxyActivities<ReturnType<typeof createImportActivities>>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '30m',
  heartbeatTimeout: '2m',
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * One bulk import: expand the source into pending documents, then process them in batches as
 * child `processDocumentsWorkflow`s, a few at a time, recording progress after each batch.
 */
export async function importWorkflow(input: ImportWorkflowInput): Promise<ImportWorkflowResult> {
  const { workspaceId, importId } = input;
  const ref = { workspaceId, importId };
  const batchSize = input.batchSize ?? DEFAULT_IMPORT_BATCH_SIZE;
  const parallelBatches = input.parallelBatches ?? DEFAULT_PARALLEL_BATCHES;
  try {
    let expansion: ImportExpansion;
    let nextBatch: number;
    let done: number;
    let failed: number;
    if (input.resume) {
      ({ expansion, nextBatch, done, failed } = input.resume);
    } else {
      expansion = await imports.expandImport({ ...ref, format: input.format, batchSize });
      nextBatch = 0;
      // Duplicates and documents the workspace already had need no processing.
      done = expansion.duplicates + expansion.existing;
      failed = expansion.rejected;
    }

    const batches = Math.ceil(expansion.documents / batchSize);
    const endOfRun = Math.min(batches, nextBatch + BATCHES_PER_RUN);
    let cursor = nextBatch;
    const lane = async () => {
      while (cursor < endOfRun) {
        const batch = cursor++;
        const outcome = await processBatch(workspaceId, importId, batch, batchSize);
        done += outcome.indexed;
        failed += outcome.failed;
        await imports.recordImportProgress({ ...ref, done, failed });
      }
    };
    await Promise.all(Array.from({ length: parallelBatches }, lane));

    if (endOfRun < batches) {
      return await continueAsNew<typeof importWorkflow>({
        ...input,
        resume: { expansion, nextBatch: endOfRun, done, failed },
      });
    }
    const status: ImportStatus = failed > 0 ? 'completed_with_errors' : 'completed';
    await imports.recordImportProgress({ ...ref, done, failed, status });
    return { status, total: expansion.entries, done, failed, expansion };
  } catch (error) {
    if (isCancellation(error)) throw error;
    const reason = failureReason(error);
    await imports.recordImportProgress({
      ...ref,
      done: 0,
      failed: 0,
      status: 'failed',
      error: reason,
    });
    throw ApplicationFailure.nonRetryable(reason, 'ImportFailed');
  }
}

/** One batch as a child workflow; a batch that fails as a whole counts all its documents failed. */
async function processBatch(
  workspaceId: string,
  importId: string,
  batch: number,
  batchSize: number,
): Promise<{ indexed: number; failed: number }> {
  const documentIds = await imports.readImportBatch({ workspaceId, importId, batch, batchSize });
  if (documentIds.length === 0) return { indexed: 0, failed: 0 };
  try {
    const result = await executeChild(processDocumentsWorkflow, {
      workflowId: `import:${workspaceId}:${importId}:batch:${batch}`,
      taskQueue: TASK_QUEUES.general,
      // The batch's sources in one object, if the expansion wrote it (analysis checks).
      args: [{ workspaceId, documentIds, importSources: { importId, batch, batchSize } }],
      typedSearchAttributes: [{ key: WorkspaceIdAttribute, value: workspaceId }],
    });
    const indexed = Object.keys(result.counts).length;
    return { indexed, failed: documentIds.length - indexed };
  } catch (error) {
    // The child already marked its documents failed and took back what they contributed.
    if (error instanceof ChildWorkflowFailure) return { indexed: 0, failed: documentIds.length };
    throw error;
  }
}
