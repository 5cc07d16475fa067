// Deterministic workflow ids that workflow code needs itself (it may not import src/ at runtime).
// src/documents/document-ids.ts holds the same document scheme for the API; a unit test keeps
// the two in step.

/** The processing workflow of one document; a child started under this id joins the upload's run. */
export function documentWorkflowId(workspaceId: string, documentId: string): string {
  return `document:${workspaceId}:${documentId}`;
}

/** The bootstrap workflow of one domain: one per domain, whatever retries the API makes. */
export function domainWorkflowId(workspaceId: string, domainId: string): string {
  return `domain:${workspaceId}:${domainId}`;
}

/** Adding documents to a domain later; `batch` identifies the set (a hash of its sorted ids). */
export function domainDocumentsWorkflowId(
  workspaceId: string,
  domainId: string,
  batch: string,
): string {
  return `domain-documents:${workspaceId}:${domainId}:${batch}`;
}
