import type { INestApplicationContext } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { mapWithConcurrency } from '../../src/common/concurrency';
import { CairnError } from '../../src/common/errors/cairn-error';
import { documentIdFor } from '../../src/documents/document-ids';
import type { CairnConfig } from '../../src/config/config';
import { CONFIG } from '../../src/config/config.module';
import { DocumentsRepository } from '../../src/documents/documents.repository';
import { publishImportEvent } from '../../src/imports/import-events.service';
import {
  readImportItems,
  type ImportItem,
  type ImportLimits,
  importLimits,
} from '../../src/imports/import-records';
import {
  FINAL_IMPORT_STATUSES,
  importWorkflowId,
  type ImportExpansion,
  type ImportFormat,
  type ImportStatus,
  type RejectedEntry,
} from '../../src/imports/import.types';
import { ImportsRepository } from '../../src/imports/imports.repository';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';
import { RedisStore } from '../../src/stores/redis/redis.store';
import { blobKey, importKey } from '../../src/stores/s3/blob-keys';
import { S3BlobStore, type BlobToPut } from '../../src/stores/s3/s3-blob.store';
import { readJsonArtifact, writeJsonArtifact } from '../artifact-io';
import {
  SOURCE_BUNDLES_DIR,
  encodeSourceBundle,
  sourceBundleName,
  type SourceEntry,
} from '../../src/imports/source-bundle';

export interface ImportDependencies {
  imports: ImportsRepository;
  documents: DocumentsRepository;
  blobs: S3BlobStore;
  redis: RedisStore;
  limits: ImportLimits;
  /** Tells Temporal the activity is alive (a no-op outside an activity). */
  heartbeat: (details?: unknown) => void;
}

/** The import activities' dependencies, from the workers' Nest context. */
export function importActivityDependencies(
  app: INestApplicationContext,
  heartbeat: (details?: unknown) => void,
): ImportDependencies {
  const config = app.get<CairnConfig>(CONFIG);
  return {
    imports: new ImportsRepository(app.get(PostgresStore)),
    documents: app.get(DocumentsRepository),
    blobs: app.get(S3BlobStore),
    redis: app.get(RedisStore),
    limits: importLimits(config.CAIRN_MAX_IMPORT_BYTES, config.CAIRN_MAX_UPLOAD_BYTES),
    heartbeat,
  };
}

export interface ImportRef {
  workspaceId: string;
  importId: string;
}

/** Entries stored and recorded at once: enough parallel I/O to hide MinIO and Postgres latency. */
const WINDOW = 64;
const STORE_CONCURRENCY = 16;
const BUNDLE_CONCURRENCY = 4;
/** Entries up to this size are written without asking MinIO first whether it has them. */
const REWRITE_BELOW_BYTES = 256 * 1024;
/**
 * Bytes of small entries an expansion keeps to write the batches' source bundles; the documents
 * beyond it are read one by one by analysis, as uploads are.
 */
const SOURCE_BUNDLES_BUDGET_BYTES = 64 * 1024 * 1024;

type StoredEntry =
  | {
      kind: 'document';
      documentId: string;
      sha256: string;
      ours: boolean;
      settled: boolean;
      sizeBytes: number;
    }
  | { kind: 'rejected'; rejection: RejectedEntry };

/** Bulk-import bookkeeping on the `general` queue; every activity is idempotent. */
export const createImportActivities = (deps: ImportDependencies) => {
  /**
   * Stores the blobs of a window of entries and records their rows in one transaction. Every
   * step is idempotent: blobs are content-addressed, rows are keyed by the content hash.
   */
  async function storeWindow(
    { workspaceId, importId }: ImportRef,
    items: ImportItem[],
  ): Promise<StoredEntry[]> {
    const workflowId = importWorkflowId(workspaceId, importId);
    const hashes = items.map((item) =>
      item.kind === 'rejected' ? '' : createHash('sha256').update(item.bytes).digest('hex'),
    );
    // Content-addressed: the same bytes are stored once, however often they are imported.
    // Small ones are simply written again, all in one request (cheaper than asking first);
    // large ones only if absent.
    const small = new Map<string, BlobToPut>();
    const large: { key: string; bytes: Buffer; mime: string }[] = [];
    items.forEach((item, index) => {
      if (item.kind === 'rejected') return;
      const key = blobKey(workspaceId, hashes[index]);
      if (item.bytes.length <= REWRITE_BELOW_BYTES) small.set(key, { key, body: item.bytes });
      else large.push({ key, bytes: item.bytes, mime: item.mime });
    });
    await deps.blobs.putMany([...small.values()]);
    await mapWithConcurrency(large, STORE_CONCURRENCY, async ({ key, bytes, mime }) => {
      const stored = await deps.blobs.stat(key);
      if (stored?.size !== bytes.length) await deps.blobs.put(key, bytes, bytes.length, mime);
    });
    const documents = items.flatMap((item, index) =>
      item.kind === 'rejected'
        ? []
        : [
            {
              id: documentIdFor(workspaceId, hashes[index]),
              sha256: hashes[index],
              title: item.title,
              mime: item.mime,
              sizeBytes: item.bytes.length,
              workflowId,
            },
          ],
    );
    const rows = await deps.documents.insertManyIfAbsent(workspaceId, documents);
    return items.map((item, index) => {
      if (item.kind === 'rejected') {
        return { kind: 'rejected', rejection: { entry: item.entry, reason: item.reason } };
      }
      const row = rows.get(hashes[index]);
      if (!row) throw new Error(`document ${hashes[index]} vanished during insert`);
      // A retry after a crash finds the rows it created itself by their workflow id.
      return {
        kind: 'document',
        documentId: row.id,
        sha256: hashes[index],
        ours: row.created || row.workflowId === workflowId,
        // Indexed by an earlier run of this import, or being deleted: not to be processed.
        settled: row.status === 'indexed' || row.status === 'deleting',
        sizeBytes: item.bytes.length,
      };
    });
  }

  async function setState(
    ref: ImportRef,
    change: Parameters<ImportsRepository['update']>[2],
  ): Promise<void> {
    const record = await deps.imports.update(ref.workspaceId, ref.importId, change);
    if (!record) throw ApplicationFailure.nonRetryable(`import ${ref.importId} no longer exists`);
    await publishImportEvent(deps.redis, record);
  }

  return {
    /**
     * Turns the stored source into blobs and document rows (pending), linked to the import.
     * Writes the ids of the documents to process (distinct, largest first) to
     * imports/{id}/documents.json and the refused entries to rejected.json; returns counts only.
     *
     * Batches are consecutive slices of that list, so each batch holds documents of similar
     * length: the embedding model pads every text of a forward pass to the longest one. In batches
     * of 200 in source order that was 4% more tokens than the texts have, 8% more in attention's
     * quadratic term (MuSiQue-100); largest first, under 0.5%.
     * Largest first also leaves the lightest batches for the end, when fewer run side by side.
     */
    async expandImport(
      input: ImportRef & {
        format: ImportFormat;
        /** Documents per batch: given, each batch's small sources also go into one bundle. */
        batchSize?: number;
      },
    ): Promise<ImportExpansion> {
      const ref = { workspaceId: input.workspaceId, importId: input.importId };
      await setState(ref, { status: 'expanding' });
      const path = join(tmpdir(), `cairn-import-expand-${input.importId}-${process.pid}`);
      try {
        const source = await deps.blobs.getStream(
          importKey(input.workspaceId, input.importId, 'source'),
        );
        await pipeline(source, createWriteStream(path, { mode: 0o600 }));

        const documents: { id: string; sizeBytes: number }[] = [];
        const seen = new Set<string>();
        const sources = new Map<string, SourceEntry>();
        let sourceBytes = 0;
        const rejected: RejectedEntry[] = [];
        const expansion: ImportExpansion = {
          entries: 0,
          documents: 0,
          duplicates: 0,
          existing: 0,
          rejected: 0,
        };
        const flush = async (window: ImportItem[]) => {
          const stored = await storeWindow(ref, window);
          const ours: string[] = [];
          for (const [index, entry] of stored.entries()) {
            expansion.entries += 1;
            if (entry.kind === 'rejected') {
              rejected.push(entry.rejection);
              expansion.rejected += 1;
            } else if (seen.has(entry.documentId)) {
              expansion.duplicates += 1;
            } else if (!entry.ours || entry.settled) {
              // Another's document, or one of ours that an earlier run of this import (before
              // a retry or a reset in the Temporal UI) already indexed: nothing to do.
              seen.add(entry.documentId);
              expansion.existing += 1;
            } else {
              seen.add(entry.documentId);
              documents.push({ id: entry.documentId, sizeBytes: entry.sizeBytes });
              ours.push(entry.documentId);
              const item = window[index];
              if (
                item.kind === 'document' &&
                item.bytes.length <= REWRITE_BELOW_BYTES &&
                sourceBytes + item.bytes.length <= SOURCE_BUNDLES_BUDGET_BYTES
              ) {
                sources.set(entry.documentId, { sha256: entry.sha256, bytes: item.bytes });
                sourceBytes += item.bytes.length;
              }
            }
          }
          if (ours.length > 0) {
            await deps.imports.claimDocuments(
              input.workspaceId,
              input.importId,
              importWorkflowId(input.workspaceId, input.importId),
              ours,
            );
          }
          deps.heartbeat(expansion.entries);
        };

        let window: ImportItem[] = [];
        try {
          for await (const item of readImportItems(path, input.format, deps.limits)) {
            window.push(item);
            if (window.length >= WINDOW) {
              await flush(window);
              window = [];
            }
          }
          await flush(window);
        } catch (error) {
          // The API validated the source; failing here means it changed or broke: no retry helps.
          if (error instanceof CairnError) {
            throw ApplicationFailure.nonRetryable(error.message, 'InvalidImportSource');
          }
          throw error;
        }
        expansion.documents = documents.length;
        // A stable sort: a retried expansion writes the same order.
        const documentIds = documents
          .sort((a, b) => b.sizeBytes - a.sizeBytes)
          .map((document) => document.id);

        await writeJsonArtifact(
          deps.blobs,
          importKey(input.workspaceId, input.importId, 'documents.json'),
          documentIds,
        );
        await writeJsonArtifact(
          deps.blobs,
          importKey(input.workspaceId, input.importId, 'rejected.json'),
          rejected,
        );
        const { batchSize } = input;
        if (batchSize !== undefined && batchSize > 0) {
          const batches = Math.ceil(documentIds.length / batchSize);
          await mapWithConcurrency(
            Array.from({ length: batches }, (_, batch) => batch),
            BUNDLE_CONCURRENCY,
            async (batch) => {
              const entries = documentIds
                .slice(batch * batchSize, (batch + 1) * batchSize)
                .flatMap((documentId) => sources.get(documentId) ?? []);
              if (entries.length === 0) return;
              const bundle = encodeSourceBundle(entries);
              await deps.blobs.put(
                importKey(input.workspaceId, input.importId, sourceBundleName(batchSize, batch)),
                bundle,
                bundle.length,
                'application/octet-stream',
              );
            },
          );
        }
        await setState(ref, {
          status: 'processing',
          total: expansion.entries,
          done: expansion.duplicates + expansion.existing,
          failed: expansion.rejected,
        });
        return expansion;
      } finally {
        await rm(path, { force: true });
      }
    },

    /** The document ids of one batch, read from documents.json (never carried in bulk). */
    async readImportBatch(
      input: ImportRef & { batch: number; batchSize: number },
    ): Promise<string[]> {
      const ids = await readJsonArtifact<string[]>(
        deps.blobs,
        importKey(input.workspaceId, input.importId, 'documents.json'),
      );
      const start = input.batch * input.batchSize;
      return ids.slice(start, start + input.batchSize);
    },

    /** Records progress (counts only grow) and publishes it on the import's channel. */
    async recordImportProgress(
      input: ImportRef & {
        done: number;
        failed: number;
        status?: ImportStatus;
        error?: string;
      },
    ): Promise<void> {
      await setState(input, {
        done: input.done,
        failed: input.failed,
        ...(input.status ? { status: input.status } : {}),
        ...(input.error !== undefined ? { error: input.error } : {}),
      });
      // An ended import's batches need their source bundles no more (a retry expands anew).
      if (input.status !== undefined && FINAL_IMPORT_STATUSES.includes(input.status)) {
        const prefix = `${importKey(input.workspaceId, input.importId, SOURCE_BUNDLES_DIR)}/`;
        await deps.blobs.removeMany(await deps.blobs.list(prefix));
      }
    },
  };
};
