import type { DocumentsRepository } from '../../src/documents/documents.repository';
import type { DocumentEventsPublisher } from '../../src/documents/document-events.publisher';
import type { DocumentCounts, DocumentStage } from '../../src/documents/document.types';
import { noWebhookEvents, type EmitWebhookEvent } from './workspace-notifications';

/** Tells search that a workspace's content changed (its caches key on this version). */
export interface ContentVersions {
  bump(workspaceId: string): Promise<unknown>;
}

/**
 * Status bookkeeping in Postgres plus live events on Redis. Status updates are idempotent
 * (they set values), so Temporal may retry them at will.
 */
export const createDocumentBookkeepingActivities = (
  documents: DocumentsRepository,
  events: DocumentEventsPublisher,
  emitWebhookEvent: EmitWebhookEvent = noWebhookEvents,
  contentVersions?: ContentVersions,
  /** Starts the check of newly indexed documents against the workspace's watches. */
  checkWatches?: (input: { workspaceId: string; documentIds: string[] }) => Promise<void>,
) => ({
  async enterStage(input: {
    workspaceId: string;
    documentIds: string[];
    stage: DocumentStage;
  }): Promise<void> {
    const records = await documents.enterStage(
      input.workspaceId,
      input.documentIds,
      input.stage,
      new Date(),
    );
    await events.publishRecords(records);
  },

  /**
   * Marks the documents indexed; a new version of a source becomes current in that transaction.
   * Returns the versions it replaced, for the run to withdraw (runs of older releases got
   * nothing back and withdraw nothing).
   */
  async markIndexed(input: {
    workspaceId: string;
    counts: Record<string, DocumentCounts>;
  }): Promise<{ replaced: string[] }> {
    const { records, replaced } = await documents.markIndexed(
      input.workspaceId,
      input.counts,
      new Date(),
    );
    // After the row says indexed, so a search keyed on the new version sees the new content.
    await contentVersions?.bump(input.workspaceId);
    await events.publishRecords(records);
    return { replaced };
  },

  async markFailed(input: {
    workspaceId: string;
    documentIds: string[];
    error: string;
  }): Promise<void> {
    const records = await documents.markFailed(input.workspaceId, input.documentIds, input.error);
    // A failed run took back what it had written: cached answers may name it.
    await contentVersions?.bump(input.workspaceId);
    await events.publishRecords(records);
  },

  async removeDocumentRow(input: { workspaceId: string; documentId: string }): Promise<void> {
    await documents.remove(input.workspaceId, input.documentId);
    // The delete is complete once the row is gone: no cached answer may outlive that moment.
    await contentVersions?.bump(input.workspaceId);
  },

  /**
   * Documents are searchable: the workspace's webhooks hear of it (signed deliveries, each a
   * workflow of its own) and its watches are checked against them.
   */
  async notifyIndexed(input: { workspaceId: string; documentIds: string[] }): Promise<void> {
    await emitWebhookEvent(input.workspaceId, 'documents.indexed', {
      documentIds: input.documentIds,
    });
    await checkWatches?.(input);
  },

  async notifyDeleted(input: { workspaceId: string; documentId: string }): Promise<void> {
    await contentVersions?.bump(input.workspaceId);
    await events.publish({
      documentId: input.documentId,
      workspaceId: input.workspaceId,
      status: 'deleted',
      stage: null,
      at: new Date().toISOString(),
    });
    await emitWebhookEvent(input.workspaceId, 'document.deleted', { documentId: input.documentId });
  },
});
