import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { createGeneralSmokeActivities } from '../workers/general/smoke.activities';
import type { createAiSmokeActivities } from '../workers/ai/smoke.activities';
import type { createStorageSmokeActivities } from '../workers/storage/smoke.activities';
import { StageAttribute } from '../src/pipeline/search-attributes';
import { TASK_QUEUES } from '../src/pipeline/task-queues';
import type { EngineCheck, SmokeInput, SmokeResult } from '../src/pipeline/smoke.types';

export type { EngineCheck, SmokeInput, SmokeResult };

const activityOptions = { startToCloseTimeout: '30s', retry: { maximumAttempts: 3 } } as const;
const general = proxyActivities<ReturnType<typeof createGeneralSmokeActivities>>({
  taskQueue: TASK_QUEUES.general,
  ...activityOptions,
});
const ai = proxyActivities<ReturnType<typeof createAiSmokeActivities>>({
  taskQueue: TASK_QUEUES.ai,
  ...activityOptions,
});
const storage = proxyActivities<ReturnType<typeof createStorageSmokeActivities>>({
  taskQueue: TASK_QUEUES.storage,
  ...activityOptions,
});

/** Proves the stack end to end: one write and read-back in every engine, on every task queue. */
export async function smokeWorkflow(input: SmokeInput): Promise<SmokeResult> {
  upsertSearchAttributes([{ key: StageAttribute, value: 'probing' }]);
  const checks = await Promise.all([
    general.probePostgres(input),
    general.probeRedis(input),
    storage.probeNeo4j(input),
    storage.probeWeaviate(input),
    storage.probeMinio(input),
    ai.probeCompute(input),
  ]);
  upsertSearchAttributes([{ key: StageAttribute, value: 'done' }]);
  return { checks };
}
