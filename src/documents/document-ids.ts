import { uuidV5 } from '../common/uuid';

// Deterministic ids: the same bytes in the same workspace always map to the same document,
// workflow, chunks and vectors, which is what makes uploads and retries exactly-once.

export function documentIdFor(workspaceId: string, sha256: string): string {
  return uuidV5(`document:${workspaceId}:${sha256}`);
}

export { deleteWorkflowId, documentWorkflowId } from '../pipeline/workflow-ids';

export function chunkIdFor(documentId: string, ord: number): string {
  return `${documentId}:${ord}`;
}

/** Weaviate object id of one chunk. */
export function chunkObjectId(workspaceId: string, documentId: string, ord: number): string {
  return uuidV5(`chunk:${workspaceId}:${chunkIdFor(documentId, ord)}`);
}

/** The stable id of a document that has versions: one per source key in the workspace. */
export function sourceDocumentIdFor(workspaceId: string, sourceKey: string): string {
  return uuidV5(`document-source:${workspaceId}:${sourceKey}`);
}

/** The row of one version of a source (its pipeline, chunks and graph key on it). */
export function versionIdFor(workspaceId: string, sourceKey: string, sha256: string): string {
  return uuidV5(`document-version:${workspaceId}:${sourceKey}:${sha256}`);
}
