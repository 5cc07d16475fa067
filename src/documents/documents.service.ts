import { Injectable, Logger, StreamableFile } from '@nestjs/common';
import {
  CairnError,
  conflict,
  invalidInput,
  notFound,
  unsupportedMediaType,
} from '../common/errors/cairn-error';
import type { WorkflowIdReusePolicy } from '@temporalio/client';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import {
  DocumentRejectedError,
  SNIFF_BYTES,
  detectDocumentType,
  detectDocumentTypeOfFile,
  type DetectedType,
} from '../analysis';
import { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { blobKey, S3BlobStore } from '../stores/s3/s3-blob.store';
import { WorkflowGateway } from '../temporal/workflow-gateway';
import type { deleteDocumentWorkflow } from '../../workflows/delete-document.workflow';
import type { processDocumentWorkflow } from '../../workflows/process-document.workflow';
import { ChunkVectorIndex } from '../knowledge/chunk-vector.index';
import { RedisStore } from '../stores/redis/redis.store';
import { bumpContentVersion } from '../search/content-version';
import {
  deleteWorkflowId,
  documentIdFor,
  documentWorkflowId,
  sourceDocumentIdFor,
  versionIdFor,
} from './document-ids';

import { DocumentEventsPublisher } from './document-events.publisher';
import type { DocumentRecord, DocumentStatus } from './document.types';
import type {
  DocumentAcceptedDto,
  DocumentChunksDto,
  DocumentDto,
  DocumentListDto,
  DocumentVersionListDto,
} from './documents.dto';
import { DocumentsRepository } from './documents.repository';
import { AttachmentsRepository } from './attachments.repository';
import type { AuditContext } from '../auth/audit-context';
import { attachmentDisposition } from './upload/file-name';
import { receiveMultipartUpload } from './upload/multipart-upload';
import { readRawBody } from './upload/raw-body';
import { parseTextUpload } from './upload/text-upload';
import { uploadContentType } from './upload/upload-body-bypass';
import { rejectionToHttp, uploadTooLarge } from './upload/upload-errors';

// Multipart framing and the optional title field around the file itself.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
// JSON escaping (\n, \", \uXXXX) makes the body somewhat larger than the text it carries.
const jsonBodyLimit = (maxBytes: number) => Math.ceil(maxBytes * 1.1) + 64 * 1024;
// How long DELETE waits for a cancelled processing run to close before terminating it.
const CANCEL_GRACE_MS = 5_000;
// How long a retry waits for a run that has marked its document failed to close. Marking the
// document failed is the run's last step, so this is normally a few workflow-task round trips.
const FAILED_RUN_CLOSE_GRACE_MS = 10_000;
/** How a run can close without having marked its document indexed or failed. */
const UNFINISHED_CLOSE_STATUSES = new Set(['TERMINATED', 'CANCELLED', 'TIMED_OUT', 'FAILED']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTENSION_BY_MIME: Record<string, string> = {
  'application/pdf': '.pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': '.docx',
  'text/html': '.html',
  'text/markdown': '.md',
  'text/plain': '.txt',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': '.pptx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
  'text/csv': '.csv',
  'text/tab-separated-values': '.tsv',
  'application/epub+zip': '.epub',
  'application/vnd.oasis.opendocument.text': '.odt',
  'application/vnd.oasis.opendocument.presentation': '.odp',
  'application/vnd.oasis.opendocument.spreadsheet': '.ods',
  'application/rtf': '.rtf',
  'message/rfc822': '.eml',
};

/** Bytes that passed every check, ready to be stored. */
interface AcceptedContent {
  sha256: string;
  sizeBytes: number;
  title: string;
  type: DetectedType;
  open: () => Buffer | Readable;
  /** Who uploaded it: the `document.uploaded` entry commits with the document's row. */
  audit: AuditContext;
  /** Where it lives, when the upload named it: other bytes under it are a new version. */
  sourceKey?: string;
}

export interface ListDocumentsQuery {
  status?: DocumentStatus;
  limit: number;
  offset: number;
}

/**
 * Uploads, status, content and lifecycle of documents. Every store call is scoped by the
 * workspace; nothing is stored for an upload until all of its checks have passed.
 */
@Injectable()
export class DocumentsService {
  private readonly logger = new Logger(DocumentsService.name);
  private readonly maxUploadBytes: number;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly documents: DocumentsRepository,
    private readonly blobs: S3BlobStore,
    private readonly workflows: WorkflowGateway,
    private readonly events: DocumentEventsPublisher,
    private readonly redis: RedisStore,
    private readonly vectors: ChunkVectorIndex,
    private readonly attachments: AttachmentsRepository,
  ) {
    this.maxUploadBytes = config.CAIRN_MAX_UPLOAD_BYTES;
  }

  // ---- upload ----

  /** Accepts one document; its `document.uploaded` entry commits with its row. */
  async upload(audit: AuditContext, request: IncomingMessage): Promise<DocumentAcceptedDto> {
    const workspaceId = audit.workspaceId;
    const contentType = uploadContentType(request);
    const mediaType = contentType?.split(';')[0].trim().toLowerCase();
    if (contentType && mediaType === 'multipart/form-data') {
      this.refuseDeclaredLengthOver(request, this.maxUploadBytes + MULTIPART_OVERHEAD_BYTES);
      return this.uploadFile(workspaceId, request, contentType, audit);
    }
    if (mediaType === 'application/json') {
      this.refuseDeclaredLengthOver(request, jsonBodyLimit(this.maxUploadBytes));
      return this.uploadText(workspaceId, request, audit);
    }
    throw unsupportedMediaType(
      `Send multipart/form-data with one file part named "file", or application/json {"title", "text"}; got ${contentType ? `"${contentType}"` : 'no Content-Type'}.`,
    );
  }

  private async uploadFile(
    workspaceId: string,
    request: IncomingMessage,
    contentType: string,
    audit: AuditContext,
  ): Promise<DocumentAcceptedDto> {
    const file = await receiveMultipartUpload(request, contentType, this.maxUploadBytes);
    try {
      const type = await this.detect(() => detectDocumentTypeOfFile(file.path, file.fileName));
      return await this.storeAndProcess(workspaceId, {
        sha256: file.sha256,
        sizeBytes: file.sizeBytes,
        title: file.title ?? file.fileName,
        type,
        open: () => createReadStream(file.path),
        audit,
        sourceKey: file.sourceKey,
      });
    } finally {
      await rm(file.path, { force: true });
    }
  }

  private async uploadText(
    workspaceId: string,
    request: IncomingMessage,
    audit: AuditContext,
  ): Promise<DocumentAcceptedDto> {
    const body = await readRawBody(request, jsonBodyLimit(this.maxUploadBytes));
    const { title, text, sourceKey } = parseTextUpload(body);
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > this.maxUploadBytes) throw uploadTooLarge(this.maxUploadBytes);
    const type = await this.detect(async () => detectDocumentType(bytes.subarray(0, SNIFF_BYTES)));
    // Typed text is plain text, Markdown or HTML; anything that sniffs as a binary format is not.
    if (type.kind === 'pdf' || type.kind === 'docx') {
      throw invalidInput('text: must be plain text, Markdown or HTML.');
    }
    return this.storeAndProcess(workspaceId, {
      audit,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sizeBytes: bytes.length,
      title,
      type,
      open: () => bytes,
      sourceKey,
    });
  }

  private async detect(run: () => Promise<DetectedType>): Promise<DetectedType> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof DocumentRejectedError) throw rejectionToHttp(error);
      throw error;
    }
  }

  private refuseDeclaredLengthOver(request: IncomingMessage, limit: number): void {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      throw uploadTooLarge(this.maxUploadBytes);
    }
  }

  /**
   * Blob, row, workflow, in that order, each idempotent: the blob key and the document id both
   * derive from the bytes, and the workflow id from the document id, so concurrent uploads of
   * the same bytes converge on one blob, one row and one workflow.
   */
  private async storeAndProcess(
    workspaceId: string,
    content: AcceptedContent,
  ): Promise<DocumentAcceptedDto> {
    if (content.sourceKey !== undefined) {
      return this.storeVersion(workspaceId, { ...content, sourceKey: content.sourceKey });
    }
    const key = blobKey(workspaceId, content.sha256);
    const stored = await this.blobs.stat(key);
    const wroteBlob = stored?.size !== content.sizeBytes;
    if (wroteBlob) {
      await this.blobs.put(key, content.open(), content.sizeBytes, content.type.mime);
    }

    const id = documentIdFor(workspaceId, content.sha256);
    const workflowId = documentWorkflowId(workspaceId, id);
    let inserted: Awaited<ReturnType<DocumentsRepository['insertIfAbsent']>>;
    try {
      inserted = await this.documents.insertIfAbsent(
        {
          id,
          workspaceId,
          sha256: content.sha256,
          title: content.title,
          mime: content.type.mime,
          sizeBytes: content.sizeBytes,
          workflowId,
        },
        { ...content.audit, action: 'document.uploaded', targetType: 'document', targetId: id },
      );
    } catch (error) {
      if (wroteBlob) await this.removeUnreferencedBlob(workspaceId, id, key);
      throw error;
    }
    const { record, created } = inserted;
    // A new row always gets a run (the id may have closed runs from a deleted earlier copy).
    // An existing row gets one only while still pending, i.e. after a crash between insert and
    // start; its earlier closed run, if any, is left alone.
    if (created) await this.startProcessing(workspaceId, id, workflowId, 'ALLOW_DUPLICATE');
    else if (record.status === 'pending')
      await this.startProcessing(workspaceId, id, workflowId, 'REJECT_DUPLICATE');
    return this.accepted(record, record.workflowId ?? workflowId);
  }

  /**
   * A refused upload (its row or audit entry could not be written) stores nothing: the blob it
   * wrote goes again, unless a row for the same bytes exists by now (a concurrent upload of the
   * same file that succeeded). When Postgres cannot even answer that, the blob stays: an
   * orphaned blob is harmless, a row without its blob is not.
   */
  private async removeUnreferencedBlob(
    workspaceId: string,
    documentId: string,
    key: string,
  ): Promise<void> {
    try {
      if (await this.documents.findById(workspaceId, documentId)) return;
      await this.blobs.remove(key);
    } catch (error) {
      this.logger.warn(
        `Upload refused; could not remove its blob ${key}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * An upload under a source key: the same bytes as the current version change nothing; other
   * bytes are the source's next version, indexed by a run of its own while searches keep seeing
   * the current one (see DocumentsRepository.insertVersion and markIndexed).
   */
  private async storeVersion(
    workspaceId: string,
    content: AcceptedContent & { sourceKey: string },
  ): Promise<DocumentAcceptedDto> {
    const key = blobKey(workspaceId, content.sha256);
    const stored = await this.blobs.stat(key);
    const wroteBlob = stored?.size !== content.sizeBytes;
    if (wroteBlob) {
      await this.blobs.put(key, content.open(), content.sizeBytes, content.type.mime);
    }
    const sourceDocumentId = sourceDocumentIdFor(workspaceId, content.sourceKey);
    const id = versionIdFor(workspaceId, content.sourceKey, content.sha256);
    const workflowId = documentWorkflowId(workspaceId, id);
    const outcome = await this.documents.insertVersion(
      {
        id,
        workspaceId,
        sha256: content.sha256,
        title: content.title,
        mime: content.type.mime,
        sizeBytes: content.sizeBytes,
        workflowId,
        sourceKey: content.sourceKey,
        sourceDocumentId,
      },
      {
        ...content.audit,
        action: 'document.uploaded',
        targetType: 'document',
        targetId: sourceDocumentId,
      },
    );
    if (outcome.kind === 'busy') {
      if (wroteBlob) await this.removeBlobIfUnused(workspaceId, content.sha256);
      const { record } = outcome;
      throw conflict(
        record.status === 'deleting'
          ? `Document ${sourceDocumentId} (source ${JSON.stringify(content.sourceKey)}) is being deleted; upload again once it is gone.`
          : `Version ${record.source?.version ?? '?'} of document ${sourceDocumentId} is ${record.status === 'indexed' ? 'being withdrawn' : 'being indexed'}; upload the new version once it is done.`,
      );
    }
    if (outcome.kind !== 'created') {
      return this.accepted(outcome.record, outcome.record.workflowId ?? workflowId);
    }
    if (outcome.droppedSha256) await this.removeBlobIfUnused(workspaceId, outcome.droppedSha256);
    // Searches read which versions to hide once per content version: this one is hidden from
    // now on, before any of its chunks reach the indexes.
    await bumpContentVersion(this.redis.client, workspaceId);
    await this.startProcessing(workspaceId, id, workflowId, 'ALLOW_DUPLICATE');
    return this.accepted(outcome.record, workflowId);
  }

  /** Removes stored bytes that no document of the workspace references any more. */
  private async removeBlobIfUnused(workspaceId: string, sha256: string): Promise<void> {
    try {
      if ((await this.documents.countBySha(workspaceId, sha256)) === 0) {
        await this.blobs.remove(blobKey(workspaceId, sha256));
      }
    } catch (error) {
      this.logger.warn({ msg: `could not remove unused bytes ${sha256}: ${String(error)}` });
    }
  }

  private async startProcessing(
    workspaceId: string,
    documentId: string,
    workflowId: string,
    reusePolicy: WorkflowIdReusePolicy,
  ): Promise<void> {
    // Refused (a run of this id closed and the policy forbids another): the document has run.
    await this.workflows.start<typeof processDocumentWorkflow>('processDocumentWorkflow', {
      workflowId,
      args: [{ workspaceId, documentId }],
      labels: { workspaceId, documentId, stage: 'queued' },
      reusePolicy,
    });
  }

  // ---- reading ----

  async get(workspaceId: string, id: string): Promise<DocumentDto> {
    const record = await this.require(workspaceId, id);
    return { ...this.toDto(record), ...(await this.attachmentLinks(workspaceId, record.id)) };
  }

  /** An e-mail message's attachments, and the messages a document is attached to. */
  private async attachmentLinks(
    workspaceId: string,
    documentId: string,
  ): Promise<Pick<DocumentDto, 'attachments' | 'attachedTo'>> {
    const [attachments, attachedTo] = await Promise.all([
      this.attachments.attachmentsOf(workspaceId, documentId),
      this.attachments.messagesOf(workspaceId, documentId),
    ]);
    return {
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(attachedTo.length > 0 ? { attachedTo } : {}),
    };
  }

  async list(workspaceId: string, query: ListDocumentsQuery): Promise<DocumentListDto> {
    const { items, total } = await this.documents.list(workspaceId, query);
    return {
      items: items.map((record) => this.toDto(record)),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async content(workspaceId: string, id: string): Promise<StreamableFile> {
    const record = await this.require(workspaceId, id);
    const key = blobKey(workspaceId, record.sha256);
    if (!(await this.blobs.stat(key))) {
      throw notFound(`The original bytes of document ${id} are no longer stored.`);
    }
    const stream = await this.blobs.getStream(key);
    return new StreamableFile(stream, {
      type: record.mime,
      length: record.sizeBytes,
      disposition: attachmentDisposition(downloadName(record)),
    });
  }

  /** The chunks of an indexed document, as the vector index holds them (search returns these). */
  async chunks(workspaceId: string, id: string): Promise<DocumentChunksDto> {
    const record = await this.require(workspaceId, id);
    const chunks =
      record.status === 'indexed' ? await this.vectors.chunksOf(workspaceId, record.id) : [];
    if (record.status !== 'indexed' || (chunks.length === 0 && record.counts.chunks !== 0)) {
      const why =
        record.status === 'failed'
          ? `processing failed${record.error ? `: ${record.error}` : ''}`
          : `its status is ${record.status}${record.stage ? `, stage ${record.stage}` : ''}`;
      throw conflict(
        `Document ${id} has no chunks yet; they are listed once it is indexed (${why}).`,
      );
    }
    return {
      documentId: id,
      language: record.language ?? 'und',
      chunks,
    };
  }

  /**
   * The document, or a 404 that does not reveal whether the id exists in another workspace. The id
   * of a document with versions names its current version; a version's own id names that version.
   */
  async require(workspaceId: string, id: string): Promise<DocumentRecord> {
    const record = UUID.test(id) ? await this.documents.findVisible(workspaceId, id) : null;
    if (!record) throw notFound(`Document ${id} not found.`);
    return record;
  }

  // ---- lifecycle ----

  /** Every version of a source, oldest first; a document without source has one. */
  async versions(workspaceId: string, id: string): Promise<DocumentVersionListDto> {
    const record = await this.require(workspaceId, id);
    if (!record.source) {
      return {
        documentId: record.id,
        sourceKey: null,
        items: [
          {
            version: 1,
            versionId: record.id,
            sha256: record.sha256,
            title: record.title,
            mime: record.mime,
            sizeBytes: record.sizeBytes,
            status: record.status,
            current: true,
            error: record.error,
            createdAt: record.createdAt,
            currentFrom: record.createdAt,
            replacedAt: null,
          },
        ],
      };
    }
    const items = await this.documents.versionsOf(workspaceId, record.source.documentId);
    return { documentId: record.source.documentId, sourceKey: record.source.key, items };
  }

  async remove(audit: AuditContext, id: string): Promise<DocumentAcceptedDto> {
    const workspaceId = audit.workspaceId;
    const found = await this.require(workspaceId, id);
    await this.removeAttachmentsOf(audit, id);
    if (found.source) return this.removeSource(audit, found.source.documentId);
    // Stop processing first, so that it cannot write while the delete workflow cleans up.
    await this.stopProcessing(documentWorkflowId(workspaceId, id));
    const record = await this.documents.markDeleting(workspaceId, id, {
      ...audit,
      action: 'document.deleted',
      targetType: 'document',
      targetId: id,
    });
    if (!record) throw notFound(`Document ${id} not found.`);
    // Searches key what they cache (answers, the set of documents hidden) on the content version.
    await bumpContentVersion(this.redis.client, workspaceId).catch((error: unknown) =>
      this.logger.warn({ msg: `could not advance the content version: ${String(error)}` }),
    );
    await this.events
      .publish({
        documentId: id,
        workspaceId,
        status: 'deleting',
        stage: record.stage,
        at: record.updatedAt,
      })
      .catch((error: unknown) =>
        this.logger.warn({
          msg: `could not publish deleting event: ${String(error)}`,
          documentId: id,
        }),
      );

    const workflowId = deleteWorkflowId(workspaceId, id);
    await this.workflows.start<typeof deleteDocumentWorkflow>('deleteDocumentWorkflow', {
      workflowId,
      args: [{ workspaceId, documentId: id }],
      labels: { workspaceId, documentId: id, stage: 'deleting' },
    });
    return this.accepted({ ...record, status: 'deleting' }, workflowId);
  }

  /** Deletes a document with versions: each live version's row goes as a document's would. */
  private async removeSource(
    audit: AuditContext,
    sourceDocumentId: string,
  ): Promise<DocumentAcceptedDto> {
    const workspaceId = audit.workspaceId;
    // A run indexing a new version also withdraws the one it replaces: stop it before either goes.
    for (const row of await this.documents.rowsOfSource(workspaceId, sourceDocumentId)) {
      await this.stopProcessing(documentWorkflowId(workspaceId, row.id));
    }
    const rows = await this.documents.markSourceDeleting(workspaceId, sourceDocumentId, {
      ...audit,
      action: 'document.deleted',
      targetType: 'document',
      targetId: sourceDocumentId,
    });
    if (rows.length === 0) throw notFound(`Document ${sourceDocumentId} not found.`);
    await bumpContentVersion(this.redis.client, workspaceId).catch((error: unknown) =>
      this.logger.warn({ msg: `could not advance the content version: ${String(error)}` }),
    );
    let accepted: DocumentAcceptedDto | undefined;
    for (const row of rows) {
      await this.events
        .publish({
          documentId: row.id,
          workspaceId,
          status: 'deleting',
          stage: row.stage,
          at: row.updatedAt,
        })
        .catch((error: unknown) =>
          this.logger.warn({ msg: `could not publish deleting event: ${String(error)}` }),
        );
      const workflowId = deleteWorkflowId(workspaceId, row.id);
      await this.workflows.start<typeof deleteDocumentWorkflow>('deleteDocumentWorkflow', {
        workflowId,
        args: [{ workspaceId, documentId: row.id }],
        labels: { workspaceId, documentId: row.id, stage: 'deleting' },
      });
      if (!accepted || row.source?.current) {
        accepted = this.accepted({ ...row, status: 'deleting' }, workflowId);
      }
    }
    if (!accepted) throw notFound(`Document ${sourceDocumentId} not found.`);
    return accepted;
  }

  /** The attachments a message brought in (and no other message carries) go with it. */
  private async removeAttachmentsOf(audit: AuditContext, messageId: string): Promise<void> {
    for (const attachmentId of await this.attachments.ownedBy(audit.workspaceId, messageId)) {
      await this.remove(audit, attachmentId).catch((error: unknown) => {
        // Already gone or being deleted.
        if (!(error instanceof CairnError && error.code === 'not_found')) throw error;
      });
    }
  }

  async reprocess(audit: AuditContext, id: string): Promise<DocumentAcceptedDto> {
    return this.runAgain(audit, await this.require(audit.workspaceId, id), 'document.reprocessed');
  }

  async retry(audit: AuditContext, id: string): Promise<DocumentAcceptedDto> {
    const workspaceId = audit.workspaceId;
    const record = await this.require(workspaceId, id);
    if (record.status === 'failed') {
      // A client that retries as soon as it sees `failed` (say, from the events stream) may be a
      // moment ahead of the run's close; wait for it rather than answer "being processed".
      return this.runAgain(audit, record, 'document.retried', FAILED_RUN_CLOSE_GRACE_MS);
    }
    if (
      (record.status === 'pending' || record.status === 'processing') &&
      (await this.runEndedUnsettled(workspaceId, record))
    ) {
      return this.runAgain(audit, record, 'document.retried');
    }
    throw conflict(
      `Only failed documents can be retried, or ones whose run ended before finishing them; document ${id} is ${record.status}.`,
    );
  }

  /**
   * Whether the run in charge of the document closed without settling it, so that nothing ever
   * will: its own run terminated, cancelled or timed out in the Temporal UI (or failed before
   * marking it), or the import workflow that claimed it closed while it was still pending or
   * processing, as when an operator terminates an import or one of its batches.
   */
  private async runEndedUnsettled(workspaceId: string, record: DocumentRecord): Promise<boolean> {
    if (!record.workflowId) return false;
    const status = await this.workflows.status(record.workflowId);
    if (status === undefined || status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
      return false;
    }
    // Its own run also closes COMPLETED for a moment while a re-process resets the row.
    const ownRun = record.workflowId === documentWorkflowId(workspaceId, record.id);
    return !ownRun || UNFINISHED_CLOSE_STATUSES.has(status);
  }

  /** Starts a fresh run once the previous one has closed, waiting up to `closeGraceMs` for it. */
  private async runAgain(
    audit: AuditContext,
    record: DocumentRecord,
    action: 'document.reprocessed' | 'document.retried',
    closeGraceMs = 0,
  ): Promise<DocumentAcceptedDto> {
    const workspaceId = audit.workspaceId;
    if (record.status === 'deleting') {
      throw conflict(`Document ${record.id} is being deleted.`);
    }
    const workflowId = documentWorkflowId(workspaceId, record.id);
    if (!(await this.workflows.closedWithin(workflowId, closeGraceMs))) {
      throw conflict(
        `Document ${record.id} is being processed right now (workflow ${workflowId}); try again when it has finished.`,
      );
    }
    await this.documents.resetForRun(workspaceId, [record.id], workflowId, {
      ...audit,
      action,
      targetType: 'document',
      targetId: record.id,
    });
    await this.startProcessing(workspaceId, record.id, workflowId, 'ALLOW_DUPLICATE');
    return this.accepted({ ...record, status: 'pending' }, workflowId);
  }

  /** Cancels a running processing workflow and waits briefly; terminates it if it lingers. */
  private async stopProcessing(workflowId: string): Promise<void> {
    if (await this.workflows.stop(workflowId, 'document deleted', CANCEL_GRACE_MS)) {
      this.logger.warn({ msg: 'workflow ignored cancellation; it was terminated', workflowId });
    }
  }

  // ---- shapes ----

  private accepted(
    record: Pick<DocumentRecord, 'id' | 'status' | 'source'>,
    workflowId: string,
  ): DocumentAcceptedDto {
    return {
      id: record.source?.documentId ?? record.id,
      status: record.status,
      workflowId,
      temporalUiUrl: this.workflows.uiUrl(workflowId),
      versionId: record.id,
      version: record.source?.version ?? null,
    };
  }

  toDto(record: DocumentRecord): DocumentDto {
    return {
      id: record.source?.documentId ?? record.id,
      versionId: record.id,
      sourceKey: record.source?.key ?? null,
      version: record.source?.version ?? null,
      title: record.title,
      mime: record.mime,
      sizeBytes: record.sizeBytes,
      sha256: record.sha256,
      status: record.status,
      stage: record.stage,
      stageTimings: record.stageTimings,
      counts: record.counts,
      error: record.error,
      workflowId: record.workflowId,
      temporalUiUrl: record.workflowId ? this.workflows.uiUrl(record.workflowId) : null,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }
}

/** The title as a file name, with the extension of its type when the title has none. */
function downloadName(record: DocumentRecord): string {
  const extension = EXTENSION_BY_MIME[record.mime] ?? '';
  return /\.[A-Za-z0-9]{1,5}$/.test(record.title) ? record.title : `${record.title}${extension}`;
}
