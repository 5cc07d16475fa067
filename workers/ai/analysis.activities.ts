import { ApplicationFailure } from '@temporalio/common';
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
  chunksArtifactKey,
  extractionArtifactKey,
  vectorsArtifactKey,
  type ChunksArtifact,
  type ExtractionArtifact,
} from '../../src/documents/artifacts';
import { chunkIdFor } from '../../src/documents/document-ids';
import { mapWithConcurrency } from '../../src/common/concurrency';
import { readJsonArtifact, writeJsonArtifact } from '../artifact-io';

export interface DocumentBatch {
  workspaceId: string;
  documentIds: string[];
}

const KIND_BY_MIME = new Map(
  Object.entries(MIME_BY_KIND).map(([kind, mime]) => [mime, kind as DocumentKind]),
);
/** Enough parallel I/O to hide MinIO round trips; CPU work itself is serial per worker. */
const IO_CONCURRENCY = 8;

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
  /** Text extraction, language, chunking → chunks.json. Unparseable input fails for good. */
  async analyseDocuments({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    const records = await deps.documents.findManyByIds(workspaceId, documentIds);
    const chunkCounts = await mapWithConcurrency(records, IO_CONCURRENCY, async (record) => {
      const kind = KIND_BY_MIME.get(record.mime);
      if (!kind) {
        throw ApplicationFailure.nonRetryable(
          `unsupported type ${record.mime}`,
          'unsupported_type',
        );
      }
      const bytes = await deps.blobs.get(blobKey(workspaceId, record.sha256));
      let extracted;
      try {
        extracted = await extractText(bytes, kind);
      } catch (error) {
        if (error instanceof UnprocessableDocumentError) {
          throw ApplicationFailure.nonRetryable(`${record.title}: ${error.message}`, error.code);
        }
        throw error;
      }
      const artifact: ChunksArtifact = {
        documentId: record.id,
        title: extracted.title && record.title === '' ? extracted.title : record.title,
        language: detectLanguage(extracted.text),
        textLength: extracted.text.length,
        ...(extracted.pages ? { pageCount: extracted.pages.length } : {}),
        chunks: chunkDocument(extracted),
      };
      await writeJsonArtifact(deps.blobs, chunksArtifactKey(workspaceId, record.id), artifact);
      deps.heartbeat(record.id);
      return artifact.chunks.length;
    });
    if (records.length !== documentIds.length) {
      throw ApplicationFailure.nonRetryable('a document of this batch no longer exists', 'missing');
    }
    return chunkCounts.reduce((sum, count) => sum + count, 0);
  },

  /** Entities and relations per document → extraction.json (resolved later against the graph). */
  async extractKnowledge({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    let entities = 0;
    await mapWithConcurrency(documentIds, IO_CONCURRENCY, async (documentId) => {
      const chunks = await readJsonArtifact<ChunksArtifact>(
        deps.blobs,
        chunksArtifactKey(workspaceId, documentId),
      );
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
    });
    return entities;
  },

  /** Embeds every chunk (title + text) with the local model → vectors.f32 per document. */
  async embedChunks({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    const embedder = await deps.embedder();
    const artifacts = await mapWithConcurrency(documentIds, IO_CONCURRENCY, (documentId) =>
      readJsonArtifact<ChunksArtifact>(deps.blobs, chunksArtifactKey(workspaceId, documentId)),
    );
    const texts = artifacts.flatMap((artifact) =>
      artifact.chunks.map((chunk) => `${artifact.title}\n${chunk.text}`),
    );
    const vectors = await embedder.embed(texts);
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
