import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createDocumentBookkeepingActivities } from '../workers/general/document-bookkeeping.activities';
import type { createAnalysisActivities } from '../workers/ai/analysis.activities';
import type { createStoreWriteActivities } from '../workers/storage/store-write.activities';
import { TASK_QUEUES } from '../src/pipeline/task-queues';

// The document activities as the workflows see them: each queue with its own timeouts and retries.

/**
 * Parsing, extraction and embedding are CPU work: generous timeouts, a few retries; they
 * heartbeat per document or embedding slice, so a crashed ai worker is noticed within a minute.
 */
export const ai = proxyActivities<ReturnType<typeof createAnalysisActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * OCR of scanned pages on the ai queue: a page takes seconds to a minute, so a long budget per
 * document, with a heartbeat per page (a crashed worker is noticed within three minutes).
 */
export const ocr = proxyActivities<ReturnType<typeof createAnalysisActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '60m',
  heartbeatTimeout: '3m',
  retry: { maximumAttempts: 3, initialInterval: '5s', maximumInterval: '1m' },
});

/**
 * Store writes are idempotent (MERGE, deterministic ids), so they may retry freely. They
 * heartbeat between batches, so a crashed storage worker is noticed within a minute.
 */
export const storage = proxyActivities<ReturnType<typeof createStoreWriteActivities>>({
  taskQueue: TASK_QUEUES.storage,
  startToCloseTimeout: '5m',
  heartbeatTimeout: '1m',
  retry: { maximumAttempts: 20, initialInterval: '1s', maximumInterval: '30s' },
});

/** Status bookkeeping runs beside the workflow, on the general worker, as local activities. */
export const bookkeeping = proxyLocalActivities<
  ReturnType<typeof createDocumentBookkeepingActivities>
>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 20, maximumInterval: '10s' },
});

/** Webhooks and events leave the workflow's worker as regular activities (they may be slow). */
export const notifications = proxyActivities<
  ReturnType<typeof createDocumentBookkeepingActivities>
>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 10 },
});
