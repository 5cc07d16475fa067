import { ChildWorkflowFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ChildWorkflowCancellationType,
  executeChild,
  ParentClosePolicy,
} from '@temporalio/workflow';
import { processDocumentWorkflow } from './process-document.workflow';
import { domainBookkeeping, documentWaits } from './domain-activities';
import {
  DocumentIdAttribute,
  StageAttribute,
  WorkspaceIdAttribute,
} from '../src/pipeline/search-attributes';
import { TASK_QUEUES } from '../src/pipeline/task-queues';
import { documentWorkflowId } from '../src/pipeline/workflow-ids';

export interface MemberProcessing {
  /** Documents that are indexed now. */
  indexed: string[];
  /** Documents whose processing failed (they stay members; the overview leaves them out). */
  failed: string[];
  /** Documents this workflow processed as its own children. */
  children: string[];
}

/**
 * Makes sure the given members of a domain are processed. Indexed documents are left alone; failed
 * or never-started ones run as child `processDocumentWorkflow`s under the document's own
 * workflow id, so a run the upload already started is joined (waited for) instead of duplicated.
 * Children are abandoned, not cancelled, when the domain is archived: documents outlive domains.
 */
export async function processMembers(
  workspaceId: string,
  domainId: string,
  documentIds: string[],
): Promise<MemberProcessing> {
  const states = await domainBookkeeping.memberDocumentStates({
    workspaceId,
    domainId,
    documentIds,
  });
  const indexed = states.filter((s) => s.status === 'indexed').map((s) => s.documentId);
  const failed: string[] = [];
  const children: string[] = [];
  const toWaitFor = states.filter((s) => s.status === 'processing').map((s) => s.documentId);
  const toRun = states
    .filter((s) => s.status === 'pending' || s.status === 'failed')
    .map((s) => s.documentId);
  const toReset = states.filter((s) => s.status === 'failed').map((s) => s.documentId);
  if (toReset.length > 0) {
    await domainBookkeeping.resetDocumentsForRun({ workspaceId, documentIds: toReset });
  }

  await Promise.all(
    toRun.map(async (documentId) => {
      try {
        await executeChild(processDocumentWorkflow, {
          workflowId: documentWorkflowId(workspaceId, documentId),
          taskQueue: TASK_QUEUES.general,
          args: [{ workspaceId, documentId }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          cancellationType: ChildWorkflowCancellationType.ABANDON,
          typedSearchAttributes: [
            { key: WorkspaceIdAttribute, value: workspaceId },
            { key: DocumentIdAttribute, value: documentId },
            { key: StageAttribute, value: 'queued' },
          ],
        });
        indexed.push(documentId);
        children.push(documentId);
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) toWaitFor.push(documentId);
        else if (error instanceof ChildWorkflowFailure) failed.push(documentId);
        else throw error;
      }
    }),
  );

  if (toWaitFor.length > 0) {
    const settled = await documentWaits.waitForDocuments({ workspaceId, documentIds: toWaitFor });
    indexed.push(...settled.indexed);
    failed.push(...settled.failed);
  }
  return { indexed: indexed.sort(), failed: failed.sort(), children: children.sort() };
}
