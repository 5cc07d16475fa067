import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PostgresStore } from '../stores/postgres/postgres.store';
import type { DocumentStatus } from './document.types';

/** One attachment of a message: the document it became, or why it did not become one. */
export interface AttachmentLink {
  position: number;
  fileName: string;
  documentId: string | null;
  /** The attachment document's status (null when it was refused). */
  status: DocumentStatus | null;
  reason: string | null;
}

export interface NewAttachmentLink {
  position: number;
  fileName: string;
  documentId?: string;
  /** This message brought the document in (it did not exist before). */
  createdByMessage?: boolean;
  rejectedReason?: string;
}

/** Links between e-mail messages and the documents their attachments became (migration 0080). */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly postgres: PostgresStore) {}

  /**
   * Records a message's attachments. Idempotent per position: a retry rewrites the same rows,
   * and a document once created by the message stays marked so.
   */
  async link(workspaceId: string, messageId: string, links: NewAttachmentLink[]): Promise<void> {
    if (links.length === 0) return;
    await this.postgres.withWorkspace(workspaceId, (client) =>
      this.linkWithin(client, workspaceId, messageId, links),
    );
  }

  /**
   * link() inside a transaction of the caller's: an attachment's document row and its
   * created-by-message link commit together, so a crash between them cannot leave a document
   * the message brought in looking as if it had been there before (and outliving the message).
   */
  async linkWithin(
    client: PoolClient,
    workspaceId: string,
    messageId: string,
    links: NewAttachmentLink[],
  ): Promise<void> {
    await client.query(
      `INSERT INTO document_attachments
           (workspace_id, message_id, position, file_name, document_id, created_by_message,
            rejected_reason)
         SELECT $1, $2, link.position, link.file_name, link.document_id, link.created,
                link.reason
         FROM unnest($3::int[], $4::text[], $5::uuid[], $6::boolean[], $7::text[])
           AS link(position, file_name, document_id, created, reason)
         ON CONFLICT (workspace_id, message_id, position) DO UPDATE SET
           file_name = EXCLUDED.file_name,
           document_id = EXCLUDED.document_id,
           rejected_reason = EXCLUDED.rejected_reason,
           created_by_message = document_attachments.created_by_message
             OR EXCLUDED.created_by_message`,
      [
        workspaceId,
        messageId,
        links.map((link) => link.position),
        links.map((link) => link.fileName),
        links.map((link) => link.documentId ?? null),
        links.map((link) => link.createdByMessage === true),
        links.map((link) => link.rejectedReason ?? null),
      ],
    );
  }

  /** A message's attachments in the message's order. */
  async attachmentsOf(workspaceId: string, messageId: string): Promise<AttachmentLink[]> {
    const rows = await this.postgres.queryInWorkspace<{
      position: number;
      file_name: string;
      document_id: string | null;
      status: DocumentStatus | null;
      rejected_reason: string | null;
    }>(
      workspaceId,
      `SELECT link.position, link.file_name, link.document_id, document.status,
              link.rejected_reason
       FROM document_attachments link
       LEFT JOIN documents document
         ON document.workspace_id = link.workspace_id AND document.id = link.document_id
       WHERE link.workspace_id = $1 AND link.message_id = $2
       ORDER BY link.position`,
      [workspaceId, messageId],
    );
    return rows.map((row) => ({
      position: row.position,
      fileName: row.file_name,
      documentId: row.document_id,
      status: row.status,
      reason: row.rejected_reason,
    }));
  }

  /** The messages a document is attached to. */
  async messagesOf(workspaceId: string, documentId: string): Promise<string[]> {
    const rows = await this.postgres.queryInWorkspace<{ message_id: string }>(
      workspaceId,
      `SELECT DISTINCT message_id FROM document_attachments
       WHERE workspace_id = $1 AND document_id = $2
       ORDER BY message_id`,
      [workspaceId, documentId],
    );
    return rows.map((row) => row.message_id);
  }

  /**
   * The attachment documents that go with the message when it is deleted: those it brought in
   * and that no other message also carries.
   */
  async ownedBy(workspaceId: string, messageId: string): Promise<string[]> {
    const rows = await this.postgres.queryInWorkspace<{ document_id: string }>(
      workspaceId,
      `SELECT DISTINCT link.document_id FROM document_attachments link
       WHERE link.workspace_id = $1 AND link.message_id = $2 AND link.created_by_message
         AND link.document_id IS NOT NULL
         AND NOT EXISTS (
           SELECT 1 FROM document_attachments other
           WHERE other.workspace_id = link.workspace_id AND other.document_id = link.document_id
             AND other.message_id <> link.message_id)
       ORDER BY link.document_id`,
      [workspaceId, messageId],
    );
    return rows.map((row) => row.document_id);
  }
}
