import {
  MIME_BY_KIND,
  UnprocessableDocumentError,
  chunkDocument,
  detectLanguage,
  extractText,
  type DocumentKind,
} from '../../src/analysis';
import type { KnowledgeExtractor } from '../../src/extraction';
import type { Embedder } from '../../src/embedding/embedder';
import type { DocumentsRepository } from '../../src/documents/documents.repository';
import type { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import { blobKey } from '../../src/stores/s3/blob-keys';
import {
  extractionArtifactKey,
  vectorsArtifactKey,
  type ChunksArtifact,
  type ExtractionArtifact,
} from '../../src/documents/artifacts';
import { chunkIdFor } from '../../src/documents/document-ids';
import type { DocumentBatch } from '../../src/documents/document.types';
import { mapWithConcurrency } from '../../src/common/concurrency';
import { readChunksArtifact, writeChunksArtifact, writeJsonArtifact } from '../artifact-io';
import { embeddingSeconds, passagesEmbedded, secondsSince } from '../../src/observability/metrics';

export interface RejectedDocument {
  documentId: string;
  reason: string;
}

export interface AnalysisOutcome {
  analysed: string[];
  rejected: RejectedDocument[];
}

const KIND_BY_MIME = new Map(
  Object.entries(MIME_BY_KIND).map(([kind, mime]) => [mime, kind as DocumentKind]),
);
/** Enough parallel I/O to hide MinIO round trips; CPU work itself is serial per worker. */
const IO_CONCURRENCY = 8;
/** Texts per embedding call: big enough to batch well, small enough to heartbeat often. */
const EMBEDDING_SLICE = 64;

export interface AnalysisDependencies {
  documents: DocumentsRepository;
  blobs: S3BlobStore;
  extractor: KnowledgeExtractor;
  embedder: () => Promise<Embedder>;
  /** Tells Temporal the activity is alive (a no-op outside an activity, e.g. in tests). */
  heartbeat: (details?: unknown) => void;
}

/** CPU-bound steps of the pipeline, on the `ai` queue. Each reads and writes MinIO artifacts. */
export const createAnalysisActivities = (deps: AnalysisDependencies) => ({
  /**
   * Text extraction, language, chunking → chunks.json. A document whose content cannot be parsed
   * is reported in `rejected` (for good: retrying cannot help); the others go on.
   */
  async analyseDocuments({ workspaceId, documentIds }: DocumentBatch): Promise<AnalysisOutcome> {
    const records = await deps.documents.findManyByIds(workspaceId, documentIds);
    const found = new Set(records.map((record) => record.id));
    const rejected: RejectedDocument[] = documentIds
      .filter((documentId) => !found.has(documentId))
      .map((documentId) => ({ documentId, reason: 'the document no longer exists' }));
    const analysed: string[] = [];
    await mapWithConcurrency(records, IO_CONCURRENCY, async (record) => {
      const kind = KIND_BY_MIME.get(record.mime);
      const bytes = await deps.blobs.get(blobKey(workspaceId, record.sha256));
      let extracted;
      try {
        if (!kind)
          throw new UnprocessableDocumentError(
            'corrupt_document',
            `unsupported type ${record.mime}`,
          );
        extracted = await extractText(bytes, kind);
      } catch (error) {
        if (!(error instanceof UnprocessableDocumentError)) throw error;
        rejected.push({ documentId: record.id, reason: `${record.title}: ${error.message}` });
        return;
      }
      const artifact: ChunksArtifact = {
        documentId: record.id,
        title: extracted.title && record.title === '' ? extracted.title : record.title,
        language: detectLanguage(extracted.text),
        textLength: extracted.text.length,
        ...(extracted.pages ? { pageCount: extracted.pages.length } : {}),
        chunks: chunkDocument(extracted),
      };
      await writeChunksArtifact(deps.blobs, workspaceId, artifact);
      analysed.push(record.id);
      deps.heartbeat(record.id);
      await new Promise((resolve) => setImmediate(resolve));
    });
    // Keep the caller's order so that the result is the same on every retry.
    const order = new Map(documentIds.map((documentId, index) => [documentId, index]));
    const byOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
    analysed.sort(byOrder);
    rejected.sort((a, b) => byOrder(a.documentId, b.documentId));
    return { analysed, rejected };
  },

  /** Entities and relations per document → extraction.json (resolved later against the graph). */
  async extractKnowledge({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    let entities = 0;
    await mapWithConcurrency(documentIds, IO_CONCURRENCY, async (documentId) => {
      const chunks = await readChunksArtifact(deps.blobs, workspaceId, documentId);
      const result = await deps.extractor.extract(
        chunks.chunks.map((chunk) => ({
          id: chunkIdFor(documentId, chunk.ord),
          text: chunk.text,
          title: chunks.title,
        })),
      );
      const artifact: ExtractionArtifact = {
        documentId,
        extractor: deps.extractor.name,
        ...result,
      };
      await writeJsonArtifact(deps.blobs, extractionArtifactKey(workspaceId, documentId), artifact);
      entities += result.entities.length;
      deps.heartbeat(documentId);
      // Extraction is synchronous CPU work: let the worker's event loop breathe between documents.
      await new Promise((resolve) => setImmediate(resolve));
    });
    return entities;
  },

  /** Embeds every chunk (title + text) with the local model → vectors.f32 per document. */
  async embedChunks({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    const embedder = await deps.embedder();
    const artifacts = await mapWithConcurrency(documentIds, IO_CONCURRENCY, (documentId) =>
      readChunksArtifact(deps.blobs, workspaceId, documentId),
    );
    const texts = artifacts.flatMap((artifact) =>
      artifact.chunks.map((chunk) => `${artifact.title}\n${chunk.text}`),
    );
    // Embedded in slices so the activity heartbeats while a large import batch is embedded.
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += EMBEDDING_SLICE) {
      const slice = texts.slice(start, start + EMBEDDING_SLICE);
      const startedAt = process.hrtime.bigint();
      vectors.push(...(await embedder.embed(slice)));
      passagesEmbedded.inc({ purpose: 'index' }, slice.length);
      embeddingSeconds.inc({ purpose: 'index' }, secondsSince(startedAt));
      deps.heartbeat(`${vectors.length}/${texts.length}`);
    }
    let offset = 0;
    await mapWithConcurrency(artifacts, IO_CONCURRENCY, async (artifact) => {
      const start = offset;
      offset += artifact.chunks.length;
      const own = vectors.slice(start, start + artifact.chunks.length);
      const bytes = Buffer.alloc(own.length * embedder.dimensions * 4);
      own.forEach((vector, index) => {
        Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(
          bytes,
          index * embedder.dimensions * 4,
        );
      });
      await deps.blobs.put(
        vectorsArtifactKey(workspaceId, artifact.documentId),
        bytes,
        bytes.length,
        'application/octet-stream',
      );
    });
    deps.heartbeat(documentIds.length);
    return texts.length;
  },
});
