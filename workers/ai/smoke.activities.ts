import { createHash } from 'node:crypto';
import type { EngineCheck, SmokeInput } from '../../src/pipeline/smoke.types';
import { TASK_QUEUES } from '../../src/pipeline/task-queues';

export const createAiSmokeActivities = () => ({
  /** Proves the `ai` queue has a live worker; the work itself is deliberately tiny. */
  async probeCompute({ probeId }: SmokeInput): Promise<EngineCheck> {
    const digest = createHash('sha256').update(probeId).digest('hex');
    return {
      engine: 'ai',
      taskQueue: TASK_QUEUES.ai,
      ok: digest.length === 64,
      detail: `sha256 computed on pid ${process.pid}`,
    };
  },
});
