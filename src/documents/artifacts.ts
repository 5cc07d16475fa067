import { createHash } from 'node:crypto';
import type { TextChunk } from '../analysis';
import type { ExtractionResult } from '../extraction';
import { artifactKey, handoffKey } from '../stores/s3/blob-keys';

// Intermediate results of the pipeline live in MinIO; workflow payloads carry only these keys'
// ingredients (workspace id, document ids). Each document keeps its chunks (GET /chunks reads
// them); what one step hands the next (extraction, vectors) is one object per batch, released
// once the batch is indexed, so that a batch of 200 documents costs a few requests, not 800.

export interface ChunksArtifact {
  documentId: string;
  title: string;
  language: string;
  textLength: number;
  pageCount?: number;
  chunks: TextChunk[];
}

export type ExtractionArtifact = ExtractionResult & { documentId: string; extractor: string };

export const chunksArtifactKey = (workspaceId: string, documentId: string) =>
  artifactKey(workspaceId, documentId, 'chunks.json');

/** Names the set of documents one processing run works on: the same set, the same hand-offs. */
export function batchHandoffId(documentIds: readonly string[]): string {
  return createHash('sha256')
    .update([...documentIds].sort().join('\n'))
    .digest('hex');
}

/** extractKnowledge → writeGraph: each document's chunks with what was extracted from them. */
export interface ExtractionHandoff {
  documents: { chunks: ChunksArtifact; extraction: ExtractionArtifact }[];
}

export const extractionHandoffKey = (workspaceId: string, documentIds: readonly string[]) =>
  handoffKey(workspaceId, batchHandoffId(documentIds), 'extraction.json');
/** embedChunks → indexVectors: see encodeVectorsHandoff. */
export const vectorsHandoffKey = (workspaceId: string, documentIds: readonly string[]) =>
  handoffKey(workspaceId, batchHandoffId(documentIds), 'vectors.bin');
