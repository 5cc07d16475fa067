import { upsertSearchAttributes } from '@temporalio/workflow';
import { StageAttribute } from '../src/pipeline/search-attributes';
import { bookkeeping, notifications, storage } from './document-activities';

export interface DeleteDocumentInput {
  workspaceId: string;
  documentId: string;
}

/** Removes exactly what one document contributed, then its row. Safe to run again. */
export async function deleteDocumentWorkflow(input: DeleteDocumentInput): Promise<void> {
  const { workspaceId, documentId } = input;
  upsertSearchAttributes([{ key: StageAttribute, value: 'deleting' }]);
  await storage.removeContributions({ workspaceId, documentIds: [documentId], keepBlobs: false });
  await bookkeeping.removeDocumentRow({ workspaceId, documentId });
  await notifications.notifyDeleted({ workspaceId, documentId });
  upsertSearchAttributes([{ key: StageAttribute, value: 'deleted' }]);
}
