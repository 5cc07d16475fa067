import {
  ActivityFailure,
  ApplicationFailure,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createDocumentBookkeepingActivities } from '../workers/general/document-bookkeeping.activities';
import type { createAnalysisActivities } from '../workers/ai/analysis.activities';
import type { createStoreWriteActivities } from '../workers/storage/store-write.activities';
import type { DocumentCounts, DocumentStage } from '../src/documents/document.types';
import { StageAttribute } from './search-attributes';
import { TASK_QUEUES } from './task-queues';

export interface ProcessDocumentsInput {
  workspaceId: string;
  /** One document for an upload; many for a bulk import batch. */
  documentIds: string[];
}

export interface ProcessDocumentsResult {
  counts: Record<string, DocumentCounts>;
}

export type ProcessDocumentInput = { workspaceId: string; documentId: string };

// Parsing, extraction and embedding are CPU work: generous timeouts, a few retries. A document
// that cannot be parsed fails with a non-retryable ApplicationFailure (see the ai activities).
const ai = proxyActivities<ReturnType<typeof createAnalysisActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '10m',
  heartbeatTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s' },
});
// Store writes are idempotent (MERGE, deterministic ids), so they may retry freely.
const storage = proxyActivities<ReturnType<typeof createStoreWriteActivities>>({
  taskQueue: TASK_QUEUES.storage,
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s' },
});
// Bookkeeping runs beside the workflow, on the general worker, as local activities.
const bookkeeping = proxyLocalActivities<ReturnType<typeof createDocumentBookkeepingActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 20, maximumInterval: '10s' },
});
const notifications = proxyActivities<ReturnType<typeof createDocumentBookkeepingActivities>>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 10 },
});

/**
 * The document pipeline for one or many documents of a workspace:
 * analyse → extract → graph → vectors → notify. Every step is an idempotent activity whose
 * results live in MinIO; a crash resumes at the step that was running.
 */
export async function processDocumentsWorkflow(
  input: ProcessDocumentsInput,
): Promise<ProcessDocumentsResult> {
  const { workspaceId, documentIds } = input;
  const enter = async (stage: DocumentStage) => {
    upsertSearchAttributes([{ key: StageAttribute, value: stage }]);
    await bookkeeping.enterStage({ workspaceId, documentIds, stage });
  };
  try {
    await enter('analyse');
    await ai.analyseDocuments(input);
    await enter('extract');
    await ai.extractKnowledge(input);
    await enter('graph');
    await storage.writeGraph(input);
    await enter('vectors');
    await ai.embedChunks(input);
    await storage.indexVectors(input);
    await enter('notify');
    const counts = await storage.countContributions(input);
    await bookkeeping.markIndexed({ workspaceId, counts });
    upsertSearchAttributes([{ key: StageAttribute, value: 'done' }]);
    await notifications.notifyIndexed({ workspaceId, documentIds });
    return { counts };
  } catch (error) {
    // A cancelled run (the document is being deleted) leaves the clean-up to the delete workflow.
    if (isCancellation(error)) throw error;
    const reason = failureReason(error);
    upsertSearchAttributes([{ key: StageAttribute, value: 'failed' }]);
    // No partial knowledge survives a failure: take back whatever the document contributed.
    await storage.removeContributions({ workspaceId, documentIds, keepBlobs: true });
    await bookkeeping.markFailed({ workspaceId, documentIds, error: reason });
    throw ApplicationFailure.nonRetryable(reason, 'DocumentProcessingFailed');
  }
}

/** The single-document form the upload starts; same pipeline, one id. */
export async function processDocumentWorkflow(
  input: ProcessDocumentInput,
): Promise<ProcessDocumentsResult> {
  return processDocumentsWorkflow({
    workspaceId: input.workspaceId,
    documentIds: [input.documentId],
  });
}

/** The most readable message of a failure chain (activity failures wrap the real cause). */
function failureReason(error: unknown): string {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof Error) return current.message;
  return String(current);
}
