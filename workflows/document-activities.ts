import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { createDocumentBookkeepingActivities } from '../workers/general/document-bookkeeping.activities';
import type { createAnalysisActivities } from '../workers/ai/analysis.activities';
import type { createAttachmentActivities } from '../workers/general/attachment.activities';
import type { createStoreWriteActivities } from '../workers/storage/store-write.activities';
import { TASK_QUEUES } from '../src/pipeline/task-queues';

// The document activities as the workflows see them: each queue with its own timeouts and retries.

/**
 * Parsing, extraction and embedding are CPU work: generous timeouts; they heartbeat per document
 * or embedding slice, so a crashed ai worker is noticed within a minute. They read and write
 * MinIO, so their retries outlast a store outage of about two and a half minutes (1+2+4+8+16 s,
 * then 30 s apart): with 5 attempts a 30-second MinIO outage failed the document
 * (test/e2e/store-outages.e2e-spec.ts). An unreadable file is not retried (it is rejected).
 */
export const ai = proxyActivities<ReturnType<typeof createAnalysisActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s' },
});

/**
 * OCR of scanned pages on the ai queue: a page takes seconds to a minute, so a long budget per
 * document, with a heartbeat per page (a crashed worker is noticed within three minutes).
 */
export const ocr = proxyActivities<ReturnType<typeof createAnalysisActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '60m',
  heartbeatTimeout: '3m',
  // Outlasts a store outage of about two minutes too (5+10+20+40+60 s).
  retry: { maximumAttempts: 6, initialInterval: '5s', maximumInterval: '1m' },
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

/**
 * E-mail attachments become documents of their own (blob, row, processing run): idempotent
 * writes, retried freely; a heartbeat per attachment.
 */
export const attachments = proxyActivities<ReturnType<typeof createAttachmentActivities>>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s' },
});
