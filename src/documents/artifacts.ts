import { createHash } from 'node:crypto';
import type { TextChunk } from '../analysis';
import type { ExtractionResult } from '../extraction';
import { artifactKey, handoffKey } from '../stores/s3/blob-keys';

// Intermediate results of the pipeline live in MinIO; workflow payloads carry only these keys'
// ingredients (workspace id, document ids). What one step hands the next (chunks, extraction,
// vectors) is one object per batch, released once the batch is indexed, so that a batch of 200
// documents costs a few requests, not 800. Once indexed, a document's chunks are read from the
// vector index, which holds each chunk's text and offsets.

export interface ChunksArtifact {
  documentId: string;
  title: string;
  language: string;
  textLength: number;
  pageCount?: number;
  chunks: TextChunk[];
}

export type ExtractionArtifact = ExtractionResult & { documentId: string; extractor: string };

/**
 * Where documents processed before chunks became a batch hand-off keep theirs; removing a
 * document removes everything under it.
 */
export const documentArtifactsPrefix = (workspaceId: string, documentId: string) =>
  artifactKey(workspaceId, documentId, 'x').slice(0, -1);

/** Names the set of documents one processing run works on: the same set, the same hand-offs. */
export function batchHandoffId(documentIds: readonly string[]): string {
  return createHash('sha256')
    .update([...documentIds].sort().join('\n'))
    .digest('hex');
}

/** analyseDocuments → extractKnowledge, embedChunks, indexVectors: the documents' chunks. */
export interface ChunksHandoff {
  documents: ChunksArtifact[];
}

export const chunksHandoffKey = (workspaceId: string, documentIds: readonly string[]) =>
  handoffKey(workspaceId, batchHandoffId(documentIds), 'chunks.json');

/** extractKnowledge → writeGraph: what was extracted from each document (chunks: see above). */
export interface ExtractionHandoff {
  documents: ExtractionArtifact[];
}

export const extractionHandoffKey = (workspaceId: string, documentIds: readonly string[]) =>
  handoffKey(workspaceId, batchHandoffId(documentIds), 'extraction.json');
/** embedChunks → indexVectors: see encodeVectorsHandoff. */
export const vectorsHandoffKey = (workspaceId: string, documentIds: readonly string[]) =>
  handoffKey(workspaceId, batchHandoffId(documentIds), 'vectors.bin');
