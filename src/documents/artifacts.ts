import type { TextChunk } from '../analysis';
import type { ExtractionResult } from '../extraction';
import { artifactKey } from '../stores/s3/blob-keys';

// Intermediate results of the pipeline live in MinIO, one object per document and stage;
// workflow payloads carry only these keys' ingredients (workspace id, document id).

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
export const extractionArtifactKey = (workspaceId: string, documentId: string) =>
  artifactKey(workspaceId, documentId, 'extraction.json');
/** Float32 little-endian, 384 values per chunk in chunk order. */
export const vectorsArtifactKey = (workspaceId: string, documentId: string) =>
  artifactKey(workspaceId, documentId, 'vectors.f32');
