import { Injectable, Logger } from '@nestjs/common';
import { CairnError, conflict, notFound, unsupportedMediaType } from '../common/errors/cairn-error';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { AuditContext } from '../auth/audit-context';
import { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { receiveMultipartUpload } from '../documents/upload/multipart-upload';
import { importKey } from '../stores/s3/blob-keys';
import { S3BlobStore } from '../stores/s3/s3-blob.store';
import { WorkflowGateway } from '../temporal/workflow-gateway';
import type { importWorkflow } from '../../workflows/import.workflow';
import { ImportEventsService } from './import-events.service';
import {
  importLimits,
  readHead,
  sniffImportFormat,
  validateImportSource,
  type ImportLimits,
} from './import-records';
import { importTooLarge, receiveRawBodyToFile } from './receive-import-body';
import { ImportsRepository } from './imports.repository';
import {
  FINAL_IMPORT_STATUSES,
  importWorkflowId,
  type ImportFormat,
  type ImportRecord,
  type RejectedEntry,
} from './import.types';

// Raw bodies: the declared media type must match what the bytes turn out to be.
const FORMATS_BY_MEDIA_TYPE: Record<string, ImportFormat[]> = {
  'application/x-ndjson': ['jsonl'],
  'application/jsonl': ['jsonl'],
  'application/x-jsonlines': ['jsonl'],
  'application/zip': ['zip'],
  'application/x-zip-compressed': ['zip'],
  'application/x-tar': ['tar'],
  'application/gzip': ['tar.gz'],
  'application/x-gzip': ['tar.gz'],
};
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How long reading an import waits for Temporal to say whether its workflow still runs. */
const WORKFLOW_LOOKUP_MS = 2_000;
/** At most this many rejected entries are listed in GET /imports/:id. */
const MAX_LISTED_REJECTIONS = 100;

/** Tuning knobs of one import (the benchmark sweeps them); the workflow has defaults. */
export interface ImportOptions {
  batchSize?: number;
  parallelBatches?: number;
}

export interface ImportAccepted {
  id: string;
  status: string;
  workflowId: string;
  temporalUiUrl: string;
  total: number;
}

export interface ImportView {
  id: string;
  status: string;
  source: string;
  total: number;
  done: number;
  failed: number;
  /** Documents this import created (entries already in the workspace are not counted). */
  documents: number;
  error: string | null;
  /** Entries that did not become documents, with the reason (first 100). */
  rejected?: RejectedEntry[];
  workflowId: string;
  temporalUiUrl: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * Bulk imports: the source is validated completely before anything is stored; then it goes to
 * MinIO, its row to Postgres, and one import workflow does the rest.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);
  private readonly maxImportBytes: number;
  private readonly limits: ImportLimits;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly imports: ImportsRepository,
    private readonly blobs: S3BlobStore,
    private readonly workflows: WorkflowGateway,
    private readonly events: ImportEventsService,
  ) {
    this.maxImportBytes = config.CAIRN_MAX_IMPORT_BYTES;
    this.limits = importLimits(config.CAIRN_MAX_IMPORT_BYTES, config.CAIRN_MAX_UPLOAD_BYTES);
  }

  /** Accepts one import; its `import.started` entry commits with its row. */
  async create(
    audit: AuditContext,
    request: IncomingMessage,
    options: ImportOptions = {},
  ): Promise<ImportAccepted> {
    const workspaceId = audit.workspaceId;
    const contentType = request.headers['content-type'];
    const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
    const multipart = mediaType === 'multipart/form-data';
    const declaredFormats = FORMATS_BY_MEDIA_TYPE[mediaType];
    if (!multipart && !declaredFormats) {
      throw unsupportedMediaType(
        `Send a JSONL file of {"title", "text"} records or a zip/tar(.gz) archive, as multipart/form-data (one part "file") or as the raw body with Content-Type application/x-ndjson, application/zip, application/x-tar or application/gzip; got ${contentType ? JSON.stringify(contentType) : 'no Content-Type'}.`,
      );
    }
    const limit = this.maxImportBytes + (multipart ? MULTIPART_OVERHEAD_BYTES : 0);
    const declaredLength = Number(request.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > limit) {
      throw importTooLarge(this.maxImportBytes);
    }

    const received = multipart
      ? await receiveMultipartUpload(request, contentType ?? '', this.maxImportBytes)
      : { ...(await receiveRawBodyToFile(request, this.maxImportBytes)), fileName: undefined };
    try {
      const format = sniffImportFormat(await readHead(received.path, 4096));
      if (!format || (declaredFormats && !declaredFormats.includes(format))) {
        throw unsupportedMediaType(
          format
            ? `The body is ${describe(format)}, not what Content-Type ${JSON.stringify(mediaType)} says.`
            : 'The body is neither JSONL ({"title", "text"} per line) nor a zip or tar(.gz) archive.',
        );
      }
      // Walk the whole source now: a bad line or entry refuses the import with nothing stored.
      const { entries } = await validateImportSource(received.path, format, this.limits);

      const id = randomUUID();
      const workflowId = importWorkflowId(workspaceId, id);
      await this.blobs.put(
        importKey(workspaceId, id, 'source'),
        createReadStream(received.path),
        received.sizeBytes,
        'application/octet-stream',
      );
      const source = received.fileName ? `${format}:${received.fileName}` : format;
      const record = await this.imports
        .insert(
          { id, workspaceId, source, total: entries, workflowId },
          { ...audit, action: 'import.started', targetType: 'import', targetId: id },
        )
        .catch(async (error: unknown) => {
          // Refused (its row or audit entry could not be written): nothing stays stored. The
          // key is this import's own (a fresh id), so no one else can be using it.
          await this.blobs
            .remove(importKey(workspaceId, id, 'source'))
            .catch((removal: unknown) =>
              this.logger.warn(`Import refused; its source blob stays: ${String(removal)}`),
            );
          throw error;
        });
      await this.startWorkflow(record, format, options);
      return {
        id,
        status: record.status,
        workflowId,
        temporalUiUrl: this.workflows.uiUrl(workflowId),
        total: entries,
      };
    } finally {
      await rm(received.path, { force: true });
    }
  }

  private async startWorkflow(
    record: ImportRecord,
    format: ImportFormat,
    options: ImportOptions,
    // A retry starts a new run and must not join one that is still closing.
    whileOpen: 'join' | 'refuse' = 'join',
  ): Promise<void> {
    let started: boolean;
    try {
      started = await this.workflows.start<typeof importWorkflow>('importWorkflow', {
        workflowId: record.workflowId,
        args: [{ workspaceId: record.workspaceId, importId: record.id, format, ...options }],
        labels: { workspaceId: record.workspaceId },
        whileOpen,
        reusePolicy: 'ALLOW_DUPLICATE',
      });
    } catch (error) {
      await this.markNotStarted(record, 'the import workflow could not be started');
      throw error;
    }
    if (!started) {
      await this.markNotStarted(
        record,
        'the retry could not start: the previous run of the import workflow had not closed yet; retry again',
      );
      throw stillClosing(record.id);
    }
  }

  /** The row says what happened instead of staying pending forever. */
  private async markNotStarted(record: ImportRecord, error: string): Promise<void> {
    const failed = await this.imports.update(record.workspaceId, record.id, {
      status: 'failed',
      error,
    });
    if (failed) await this.events.publish(failed).catch(() => undefined);
  }

  /**
   * Runs an import that ended with errors (or whose workflow an operator stopped) again, under
   * the same id: the documents it created and did not index are processed anew, the ones it
   * indexed are counted done, and refused entries stay refused.
   */
  async retry(
    audit: AuditContext,
    id: string,
    options: ImportOptions = {},
  ): Promise<ImportAccepted> {
    const workspaceId = audit.workspaceId;
    const record = await this.settleIfAbandoned(await this.require(workspaceId, id));
    if (!FINAL_IMPORT_STATUSES.includes(record.status)) {
      throw conflict(
        `Import ${id} is still running (workflow ${record.workflowId}); retry it once it has ended.`,
      );
    }
    if (record.status === 'completed') {
      throw conflict(`Import ${id} completed without errors; there is nothing to retry.`);
    }
    // Its last run records the end just before it closes: wait for the close, not the record.
    if ((await this.workflows.status(record.workflowId, WORKFLOW_LOOKUP_MS)) === 'RUNNING')
      throw stillClosing(id);
    const restarted = await this.imports.restart(workspaceId, id, {
      ...audit,
      action: 'import.retried',
      targetType: 'import',
      targetId: id,
    });
    if (!restarted) throw conflict(`Import ${id} is being retried already.`);
    await this.imports.resetUnfinishedDocuments(workspaceId, record.workflowId);
    await this.events
      .publish(restarted)
      .catch((error: unknown) =>
        this.logger.warn(`could not publish the retry of import ${id}: ${String(error)}`),
      );
    await this.startWorkflow(restarted, formatOf(record.source), options, 'refuse');
    return {
      id,
      status: restarted.status,
      workflowId: restarted.workflowId,
      temporalUiUrl: this.workflows.uiUrl(restarted.workflowId),
      total: restarted.total,
    };
  }

  async get(workspaceId: string, id: string): Promise<ImportView> {
    const record = await this.settleIfAbandoned(await this.require(workspaceId, id));
    const view = await this.toView(record);
    if (record.failed > 0) view.rejected = await this.rejectedEntries(record);
    return view;
  }

  async list(
    workspaceId: string,
    query: { limit: number; offset: number },
  ): Promise<{ items: ImportView[]; total: number; limit: number; offset: number }> {
    const { items, total } = await this.imports.list(workspaceId, query);
    return {
      items: await Promise.all(
        items.map(async (record) => this.toView(await this.settleIfAbandoned(record))),
      ),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** The import, or a 404 that does not reveal whether the id exists in another workspace. */
  async require(workspaceId: string, id: string): Promise<ImportRecord> {
    const record = UUID.test(id) ? await this.imports.findById(workspaceId, id) : null;
    if (!record) throw notFound(`Import ${id} not found.`);
    return record;
  }

  /**
   * An import whose workflow closed without recording its end (an operator terminated or
   * cancelled it, or one of its runs timed out) would say `processing` for ever. Record it as
   * failed, saying how its workflow ended, and tell the event stream. It can then be retried
   * as a whole, or the documents it left pending or processing one by one.
   */
  async settleIfAbandoned(record: ImportRecord): Promise<ImportRecord> {
    if (FINAL_IMPORT_STATUSES.includes(record.status)) return record;
    let status: string | undefined;
    try {
      status = await this.workflows.status(record.workflowId, WORKFLOW_LOOKUP_MS);
    } catch (error) {
      // Progress stays readable while Temporal is unreachable; the check runs again next time.
      this.logger.warn(
        `import ${record.id}: could not ask Temporal about its workflow: ${String(error)}`,
      );
      return record;
    }
    // Not found: the row is written just before its workflow starts. A long import continues
    // as new, and its latest run is the one that counts.
    if (status === undefined || status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
      return record;
    }
    const settled = await this.imports.markAbandoned(
      record.workspaceId,
      record.id,
      `the import workflow closed as ${status} before the import finished; retry it with POST /imports/{id}/retry`,
    );
    if (!settled) return (await this.imports.findById(record.workspaceId, record.id)) ?? record;
    this.logger.warn(`import ${record.id}: its workflow closed as ${status} without finishing`);
    await this.events
      .publish(settled)
      .catch((error: unknown) =>
        this.logger.warn(`could not publish the end of import ${record.id}: ${String(error)}`),
      );
    return settled;
  }

  private async rejectedEntries(record: ImportRecord): Promise<RejectedEntry[]> {
    const key = importKey(record.workspaceId, record.id, 'rejected.json');
    try {
      if (!(await this.blobs.stat(key))) return [];
      const entries = JSON.parse((await this.blobs.get(key)).toString('utf8')) as RejectedEntry[];
      return entries.slice(0, MAX_LISTED_REJECTIONS);
    } catch (error) {
      this.logger.warn(`could not read ${key}: ${String(error)}`);
      return [];
    }
  }

  private async toView(record: ImportRecord): Promise<ImportView> {
    return {
      id: record.id,
      status: record.status,
      source: record.source,
      total: record.total,
      done: record.done,
      failed: record.failed,
      documents: await this.imports.countDocuments(record.workspaceId, record.id),
      error: record.error,
      workflowId: record.workflowId,
      temporalUiUrl: this.workflows.uiUrl(record.workflowId),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }
}

function stillClosing(importId: string): CairnError {
  return conflict(`Import ${importId}: its previous run has not closed yet; retry in a moment.`);
}

/** The format an import was stored as: its source is the format, then `:file name` if any. */
function formatOf(source: string): ImportFormat {
  const format = source.split(':')[0];
  if (format === 'jsonl' || format === 'zip' || format === 'tar' || format === 'tar.gz') {
    return format;
  }
  throw new Error(`unknown import source ${JSON.stringify(source)}`);
}

function describe(format: ImportFormat): string {
  return format === 'jsonl' ? 'JSONL' : `a ${format} archive`;
}
