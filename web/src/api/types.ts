// Shapes of the API's answers: the generated OpenAPI types (client/schema.d.ts), under the
// names the console uses, plus the few constants the pages list.
import type { Schemas } from '../../../client';

export type Role = 'viewer' | 'editor' | 'admin' | 'owner';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin', 'owner'];

export function roleAtLeast(role: Role | undefined, minimum: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export type Workspace = Schemas['WorkspaceMembershipDto'];

export type Member = Schemas['MemberDto'];

export type ApiKey = Schemas['ApiKeyDto'];

export type AuditEntry = Schemas['AuditEntryDto'];

// The API's own lists (constants only, no Node code), so a new status reaches the console too.
export {
  DOCUMENT_STAGES,
  DOCUMENT_STATUSES,
  type DocumentStatus,
} from '../../../src/documents/document.types';

export type StageTiming = Schemas['StageTimingDto'];

export type DocumentCounts = Schemas['DocumentCountsDto'];

export type CairnDocument = Schemas['DocumentDto'];

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type DocumentAccepted = Schemas['DocumentAcceptedDto'];

export type Chunk = Schemas['ChunkDto'];

export type DocumentEvent = Schemas['DocumentEventDto'];

export type EntityRef = Schemas['EntityRefDto'];

export type PathRelation = Schemas['PathRelationDto'];

export type GraphPath = Schemas['GraphPathDto'];

export type SearchHit = Schemas['SearchHitDto'];

export const SEARCH_MODES = ['auto', 'hybrid', 'vector', 'keyword', 'graph'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

export interface SearchRequest {
  query: string;
  mode: SearchMode;
  hops: number;
  limit: number;
  domainId?: string;
  includeInactive?: boolean;
  filters?: { documentIds?: string[] };
}

export type SearchResponse = Schemas['SearchResponseDto'];

export type EntitySummary = Schemas['EntitySummaryDto'];

export type EntityDetail = Schemas['EntityDetailDto'];

export type NeighborhoodNode = Schemas['NeighborhoodNodeDto'];

export type NeighborhoodEdge = Schemas['NeighborhoodEdgeDto'];

export type Neighborhood = Schemas['NeighborhoodDto'];

export {
  DOMAIN_STAGES,
  DOMAIN_STATUSES,
  type DomainStatus,
  type ReviewDecision,
} from '../../../src/domains/domain.types';

export type Domain = Schemas['DomainDto'];

export type ReviewRecord = Schemas['ReviewRecordDto'];

export type DomainDetail = Schemas['DomainDetailDto'];

export type CreateDomainRequest = Schemas['CreateDomainDto'];

export type DomainOverview = Schemas['DomainOverviewDto'];

export type ImportView = Schemas['ImportDto'];

export type ImportEvent = Schemas['ImportEventDto'];

export const FINAL_IMPORT_STATUSES = ['completed', 'completed_with_errors', 'failed'];

export type Readiness = Schemas['ReadinessDto'];

export type ConsoleConfig = Schemas['ConsoleConfigDto'];
