import {
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createDocumentBookkeepingActivities } from '../workers/general/document-bookkeeping.activities';
import type { createStoreWriteActivities } from '../workers/storage/store-write.activities';
import { StageAttribute } from './search-attributes';
import { TASK_QUEUES } from './task-queues';

export interface DeleteDocumentInput {
  workspaceId: string;
  documentId: string;
}

const storage = proxyActivities<ReturnType<typeof createStoreWriteActivities>>({
  taskQueue: TASK_QUEUES.storage,
  startToCloseTimeout: '5m',
  retry: { maximumAttempts: 20, maximumInterval: '30s' },
});
const bookkeeping = proxyLocalActivities<ReturnType<typeof createDocumentBookkeepingActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 20, maximumInterval: '10s' },
});
const notifications = proxyActivities<ReturnType<typeof createDocumentBookkeepingActivities>>({
  taskQueue: TASK_QUEUES.general,
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 10 },
});

/** Removes exactly what one document contributed, then its row. Safe to run again. */
export async function deleteDocumentWorkflow(input: DeleteDocumentInput): Promise<void> {
  const { workspaceId, documentId } = input;
  upsertSearchAttributes([{ key: StageAttribute, value: 'deleting' }]);
  await storage.removeContributions({ workspaceId, documentIds: [documentId], keepBlobs: false });
  await bookkeeping.removeDocumentRow({ workspaceId, documentId });
  await notifications.notifyDeleted({ workspaceId, documentId });
  upsertSearchAttributes([{ key: StageAttribute, value: 'deleted' }]);
}
