// The workflow bundle's entry point: every workflow type the `general` worker runs.
export { smokeWorkflow } from './smoke.workflow';
export { processDocumentWorkflow, processDocumentsWorkflow } from './process-document.workflow';
export { deleteDocumentWorkflow } from './delete-document.workflow';
export { importWorkflow } from './import.workflow';
export { domainBootstrapWorkflow } from './domain-bootstrap.workflow';
export { addDomainDocumentsWorkflow } from './add-domain-documents.workflow';
export { deliverWebhookWorkflow } from './deliver-webhook.workflow';
export { checkWatchesWorkflow } from './check-watches.workflow';
