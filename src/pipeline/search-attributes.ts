import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// Registered on the Temporal server by infra/stack.sh (and docker-compose), so operators can
// filter workflows by them in the Web UI.
export const WorkspaceIdAttribute = defineSearchAttributeKey(
  'WorkspaceId',
  SearchAttributeType.KEYWORD,
);
export const DocumentIdAttribute = defineSearchAttributeKey(
  'DocumentId',
  SearchAttributeType.KEYWORD,
);
export const DomainIdAttribute = defineSearchAttributeKey('DomainId', SearchAttributeType.KEYWORD);
export const StageAttribute = defineSearchAttributeKey('Stage', SearchAttributeType.KEYWORD);
