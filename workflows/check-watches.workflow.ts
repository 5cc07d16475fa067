import { proxyActivities } from '@temporalio/workflow';
import type { createWatchCheckActivities } from '../workers/ai/watch-check.activities';
import { TASK_QUEUES } from '../src/pipeline/task-queues';

// The search embeds each watch's query: the ai worker's work. Retried freely (matches are
// recorded under ids of their own, and announced under the same ids).
const { checkWatches } = proxyActivities<ReturnType<typeof createWatchCheckActivities>>({
  taskQueue: TASK_QUEUES.ai,
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 10, initialInterval: '1s', maximumInterval: '30s' },
});

export interface CheckWatchesInput {
  workspaceId: string;
  documentIds: string[];
}

/** Newly indexed documents against the workspace's watches (started by the document pipeline). */
export async function checkWatchesWorkflow(
  input: CheckWatchesInput,
): Promise<{ watches: number; matches: number }> {
  return checkWatches(input);
}
