import { upsertSearchAttributes } from '@temporalio/workflow';
import { domainBookkeeping, domainContent } from './domain-activities';
import { processMembers } from './domain-content';
import { StageAttribute } from '../src/pipeline/search-attributes';

export interface AddDomainDocumentsInput {
  workspaceId: string;
  domainId: string;
  /** Already stored as members by the API; this workflow processes and links them. */
  documentIds: string[];
}

export interface AddDomainDocumentsResult {
  indexed: string[];
  failed: string[];
}

/**
 * Documents added to a domain after its creation: process the ones not processed yet (as
 * children, joining runs already under way) and link them to the domain's graph node. The
 * overview is not redrafted here; a review's request_changes does that.
 */
export async function addDomainDocumentsWorkflow(
  input: AddDomainDocumentsInput,
): Promise<AddDomainDocumentsResult> {
  const { workspaceId, domainId } = input;
  upsertSearchAttributes([{ key: StageAttribute, value: 'content' }]);
  const processed = await processMembers(workspaceId, domainId, input.documentIds);
  upsertSearchAttributes([{ key: StageAttribute, value: 'knowledge-base' }]);
  await domainContent.createDomainKnowledgeBase({ workspaceId, domainId });
  await domainBookkeeping.notifyDomain({
    workspaceId,
    domainId,
    event: 'domain.documents_added',
    detail: { indexed: processed.indexed, failed: processed.failed },
  });
  upsertSearchAttributes([{ key: StageAttribute, value: 'done' }]);
  return { indexed: processed.indexed, failed: processed.failed };
}
