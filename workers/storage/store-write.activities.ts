import type { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import { blobKey } from '../../src/stores/s3/blob-keys';
import type { DocumentsRepository } from '../../src/documents/documents.repository';
import type { DocumentGraphRepository } from '../../src/knowledge/document-graph.repository';
import type { ChunkVectorIndex } from '../../src/knowledge/chunk-vector.index';
import {
  chunksHandoffKey,
  documentArtifactsPrefix,
  extractionHandoffKey,
  vectorsHandoffKey,
  type ExtractionHandoff,
} from '../../src/documents/artifacts';
import type { DocumentBatch, DocumentCounts } from '../../src/documents/document.types';
import { EntityResolver } from '../../src/extraction';
import { mapWithConcurrency } from '../../src/common/concurrency';
import {
  decodeVectorsHandoff,
  forgetChunksArtifact,
  readBatchChunks,
  readHandoff,
} from '../artifact-io';

const IO_CONCURRENCY = 8;

/** Everything the steps of a run over exactly these documents hand each other. */
const batchHandoffKeys = (workspaceId: string, documentIds: readonly string[]) => [
  chunksHandoffKey(workspaceId, documentIds),
  extractionHandoffKey(workspaceId, documentIds),
  vectorsHandoffKey(workspaceId, documentIds),
];

export interface StoreWriteDependencies {
  documents: DocumentsRepository;
  blobs: S3BlobStore;
  graph: DocumentGraphRepository;
  vectors: ChunkVectorIndex;
  /** Tells Temporal the activity is alive (a no-op outside an activity, e.g. in tests). */
  heartbeat: (details?: unknown) => void;
}

/** Writes to Neo4j, Weaviate and MinIO, on the `storage` queue. Every write is idempotent. */
export const createStoreWriteActivities = (deps: StoreWriteDependencies) => ({
  /**
   * Replaces the documents' graph: takes back what they contributed before, resolves each
   * document's entities within that document, then MERGEs their knowledge. Returns what each
   * document now contributes (the counts countContributions would read back).
   */
  async writeGraph({
    workspaceId,
    documentIds,
  }: DocumentBatch): Promise<Record<string, DocumentCounts>> {
    const { documents: extractions } = JSON.parse(
      (await readHandoff(deps.blobs, extractionHandoffKey(workspaceId, documentIds))).toString(
        'utf8',
      ),
    ) as ExtractionHandoff;
    const extractionOf = new Map(
      extractions.map((extraction) => [extraction.documentId, extraction]),
    );
    // Also kept in memory: indexVectors, next on this queue, needs the chunks again.
    const inputs = (await readBatchChunks(deps.blobs, workspaceId, documentIds)).map((chunks) => {
      const extraction = extractionOf.get(chunks.documentId);
      if (!extraction)
        throw new Error(`the extraction hand-off has no document ${chunks.documentId}`);
      return { chunks, extraction };
    });
    deps.heartbeat('artifacts read');
    // A re-processed document is written as on its first run: without its own previous graph.
    // New documents (all of a new import's) have none, which one lookup tells.
    const written = await deps.graph.documentsInGraph(workspaceId, documentIds);
    await deps.graph.removeDocuments(workspaceId, written);
    // Each document is resolved on its own, never against the workspace's entities: what it
    // contributes must not depend on which documents came before it (exact delete, re-process).
    const resolver = new EntityResolver();
    return deps.graph.writeDocuments(
      workspaceId,
      inputs.map(({ chunks, extraction }) => ({
        documentId: chunks.documentId,
        title: chunks.title,
        chunks: chunks.chunks,
        knowledge: resolver.resolveResult(extraction),
      })),
    );
  },

  /** Writes each chunk with its vector and the entity keys it mentions into Weaviate. */
  async indexVectors({ workspaceId, documentIds }: DocumentBatch): Promise<number> {
    const entityKeys = await deps.graph.chunkEntityKeys(workspaceId, documentIds);
    const vectorsByDocument = decodeVectorsHandoff(
      await readHandoff(deps.blobs, vectorsHandoffKey(workspaceId, documentIds)),
    );
    const documents = (await readBatchChunks(deps.blobs, workspaceId, documentIds)).map(
      ({ documentId, title, chunks }) => {
        const vectors = vectorsByDocument.get(documentId) ?? [];
        if (vectors.length !== chunks.length) {
          throw new Error(`${documentId}: ${vectors.length} vectors for ${chunks.length} chunks`);
        }
        return { documentId, title, chunks, vectors, entityKeys };
      },
    );
    deps.heartbeat('vectors read');
    return deps.vectors.indexDocuments(workspaceId, documents);
  },

  /** Deletes what the steps of this batch handed each other; the documents are indexed. */
  async releaseHandoffs({ workspaceId, documentIds }: DocumentBatch): Promise<void> {
    await deps.blobs.removeMany(batchHandoffKeys(workspaceId, documentIds));
  },

  async countContributions({
    workspaceId,
    documentIds,
  }: DocumentBatch): Promise<Record<string, DocumentCounts>> {
    return deps.graph.countContributions(workspaceId, documentIds);
  },

  /**
   * Takes back everything these documents contributed: graph, vectors, artifacts, the hand-offs of
   * a run over exactly this set and, unless kept
   * (a failed run may be retried), their blobs when no other document of the workspace uses them.
   */
  async removeContributions(input: DocumentBatch & { keepBlobs: boolean }): Promise<void> {
    const { workspaceId, documentIds } = input;
    await deps.graph.removeDocuments(workspaceId, documentIds);
    deps.heartbeat('graph removed');
    await deps.vectors.removeDocuments(workspaceId, documentIds);
    deps.heartbeat('vectors removed');
    await deps.blobs.removeMany(batchHandoffKeys(workspaceId, documentIds));
    await mapWithConcurrency(documentIds, IO_CONCURRENCY, async (documentId) => {
      forgetChunksArtifact(workspaceId, documentId);
      const prefix = documentArtifactsPrefix(workspaceId, documentId);
      await deps.blobs.removeMany(await deps.blobs.list(prefix));
    });
    if (input.keepBlobs) return;
    const records = await deps.documents.findManyByIds(workspaceId, documentIds);
    for (const record of records) {
      // The row still exists here (it is removed last), so "only this one" means a count of 1.
      if ((await deps.documents.countBySha(workspaceId, record.sha256)) <= 1) {
        await deps.blobs.remove(blobKey(workspaceId, record.sha256));
      }
    }
  },
});
