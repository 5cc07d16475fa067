// Every workflow id scheme of Cairn, in one place that the API, the workers and workflow code
// all import (plain string functions: safe in Temporal's workflow sandbox). Deterministic, so
// retries and duplicate requests land on the same workflow.

/** The processing workflow of one document; a child started under this id joins the upload's run. */
export function documentWorkflowId(workspaceId: string, documentId: string): string {
  return `document:${workspaceId}:${documentId}`;
}

/** The workflow that deletes one document from every store. */
export function deleteWorkflowId(workspaceId: string, documentId: string): string {
  return `document-delete:${workspaceId}:${documentId}`;
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

/** The workflow of one bulk import. */
export function importWorkflowId(workspaceId: string, importId: string): string {
  return `import:${workspaceId}:${importId}`;
}

/** The workflow that delivers one event to one endpoint, retried with backoff. */
export function webhookDeliveryWorkflowId(workspaceId: string, deliveryId: string): string {
  return `webhook-delivery:${workspaceId}:${deliveryId}`;
}

/** One watch check per indexing event (see the document pipeline's notifyIndexed). */
export function watchCheckWorkflowId(workspaceId: string, eventId: string): string {
  return `watch-check:${workspaceId}:${eventId}`;
}

/** One run of the smoke workflow (POST /smoke). */
export function smokeWorkflowId(workspaceId: string, probeId: string): string {
  return `smoke:${workspaceId}:${probeId}`;
}
