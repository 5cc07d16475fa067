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
