import { proxyActivities } from '@temporalio/workflow';
import type { createDomainBookkeepingActivities } from '../workers/general/domain-bookkeeping.activities';
import type { createDomainResearchActivities } from '../workers/ai/domain-research.activities';
import type { createDomainContentActivities } from '../workers/storage/domain-content.activities';
import { TASK_QUEUES } from '../src/pipeline/task-queues';

// The domain activities as the workflows see them, each on the queue of the work it does.

/** Postgres status, memberships, review history, notifications: quick and idempotent. */
export const domainBookkeeping = proxyActivities<
  ReturnType<typeof createDomainBookkeepingActivities>
>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '1m',
  retry: { maximumAttempts: 20, initialInterval: '1s', maximumInterval: '30s' },
});

/** Waiting for documents another run is processing: long, so it heartbeats while it polls. */
export const documentWaits = proxyActivities<ReturnType<typeof createDomainBookkeepingActivities>>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '2h',
  heartbeatTimeout: '1m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s' },
});

/** Topic research runs Cairn's search, which embeds the query: CPU work for the ai queue. */
export const domainResearch = proxyActivities<ReturnType<typeof createDomainResearchActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '10m',
  heartbeatTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '30s' },
});

/** Graph links, the MinIO manifest and the drafted overview: store reads and writes. */
export const domainContent = proxyActivities<ReturnType<typeof createDomainContentActivities>>({
  taskQueue: TASK_QUEUES.storage,
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s' },
});
