import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { detectDocumentTypeOfFile } from '../../src/analysis/detect-type';
import { DocumentRejectedError } from '../../src/analysis/errors';
import type {
  AttachmentsRepository,
  NewAttachmentLink,
} from '../../src/documents/attachments.repository';
import { documentIdFor, documentWorkflowId } from '../../src/documents/document-ids';
import type { DocumentBatch } from '../../src/documents/document.types';
import type { DocumentsRepository } from '../../src/documents/documents.repository';
import { blobKey } from '../../src/stores/s3/blob-keys';
import type { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import type { WorkflowGateway } from '../../src/temporal/workflow-gateway';

/**
 * processDocumentWorkflow's signature, restated: importing the workflow here would close a cycle
 * (the workflow's activity proxies import these activities' types).
 */
type ProcessOneDocument = (input: { workspaceId: string; documentId: string }) => Promise<unknown>;

export interface AttachmentDependencies {
  documents: DocumentsRepository;
  attachments: AttachmentsRepository;
  blobs: S3BlobStore;
  workflows: WorkflowGateway;
  /** The upload limit: an attachment larger than an upload may be is refused as one would be. */
  maxBytes: number;
  heartbeat: (details?: unknown) => void;
}

/** More attachments than this in one message are refused (each would be a document and a run). */
export const MAX_ATTACHMENTS_PER_MESSAGE = 100;

export interface TakenAttachments {
  documents: number;
  refused: number;
}

/**
 * E-mail attachments as documents of their own, on the `general` queue. Each one goes the way
 * an upload goes (detected from its bytes, blob, row, processing run), so it is refused, indexed
 * or failed for the same reasons, and linked to its message.
 */
export const createAttachmentActivities = (deps: AttachmentDependencies) => ({
  /**
   * Takes the attachments of analysed messages. Idempotent: blobs and document ids derive from
   * the bytes, the processing run's id from the document, and links are keyed by position.
   */
  async takeAttachments({ workspaceId, documentIds }: DocumentBatch): Promise<TakenAttachments> {
    const taken: TakenAttachments = { documents: 0, refused: 0 };
    for (const message of await deps.documents.findManyByIds(workspaceId, documentIds)) {
      if (message.mime !== 'message/rfc822') continue;
      const parsed = await simpleParser(
        await deps.blobs.get(blobKey(workspaceId, message.sha256)),
        {
          skipImageLinks: true,
          skipTextToHtml: true,
        },
      );
      const attachments = parsed.attachments.filter(
        (attachment) => attachment.contentDisposition !== 'inline',
      );
      const links: NewAttachmentLink[] = [];
      for (const [position, attachment] of attachments.entries()) {
        const fileName = attachment.filename ?? `attachment ${position + 1}`;
        const refuse = (reason: string) =>
          links.push({ position, fileName, rejectedReason: reason });
        if (position >= MAX_ATTACHMENTS_PER_MESSAGE) {
          refuse(`the message has more than ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`);
          continue;
        }
        if (attachment.content.length > deps.maxBytes) {
          refuse(`${fileName} is larger than the ${deps.maxBytes}-byte upload limit`);
          continue;
        }
        if (attachment.content.length === 0) {
          refuse(`${fileName} is empty`);
          continue;
        }
        const outcome = await ingest(deps, workspaceId, message.id, {
          position,
          fileName,
          bytes: attachment.content,
        });
        if ('reason' in outcome) refuse(outcome.reason);
        else links.push({ position, fileName, ...outcome });
        deps.heartbeat({ messageId: message.id, position });
      }
      await deps.attachments.link(workspaceId, message.id, links);
      taken.documents += links.filter((link) => link.documentId).length;
      taken.refused += links.filter((link) => link.rejectedReason).length;
    }
    return taken;
  },
});

/** Detection, blob, row and run for one attachment, as storeAndProcess does for an upload. */
async function ingest(
  deps: AttachmentDependencies,
  workspaceId: string,
  messageId: string,
  { position, fileName, bytes }: { position: number; fileName: string; bytes: Buffer },
): Promise<{ documentId: string; createdByMessage: boolean } | { reason: string }> {
  // Detection reads ZIP central directories from a file, as it does for an upload.
  const folder = await mkdtemp(join(tmpdir(), 'cairn-attachment-'));
  let type;
  try {
    const path = join(folder, 'attachment');
    await writeFile(path, bytes, { mode: 0o600 });
    type = await detectDocumentTypeOfFile(path, fileName);
  } catch (error) {
    if (error instanceof DocumentRejectedError) return { reason: error.message };
    throw error;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }

  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = blobKey(workspaceId, sha256);
  if ((await deps.blobs.stat(key))?.size !== bytes.length) {
    await deps.blobs.put(key, bytes, bytes.length, type.mime);
  }
  const id = documentIdFor(workspaceId, sha256);
  const workflowId = documentWorkflowId(workspaceId, id);
  const { record, created } = await deps.documents.insertIfAbsent(
    {
      id,
      workspaceId,
      sha256,
      title: fileName,
      mime: type.mime,
      sizeBytes: bytes.length,
      workflowId,
    },
    {
      workspaceId,
      actor: null,
      action: 'document.uploaded',
      targetType: 'document',
      targetId: id,
      details: { attachmentOf: messageId, fileName },
    },
    (client) =>
      deps.attachments.linkWithin(client, workspaceId, messageId, [
        { position, fileName, documentId: id, createdByMessage: true },
      ]),
  );
  if (created || record.status === 'pending') {
    await deps.workflows.start<ProcessOneDocument>('processDocumentWorkflow', {
      workflowId,
      args: [{ workspaceId, documentId: id }],
      labels: { workspaceId, documentId: id, stage: 'queued' },
      reusePolicy: created ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
    });
  }
  return { documentId: record.id, createdByMessage: created };
}
