// Shapes of the API's answers as the console uses them.

export type Role = 'viewer' | 'editor' | 'admin' | 'owner';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin', 'owner'];

export function roleAtLeast(role: Role | undefined, minimum: Role): boolean {
  return role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

export interface Workspace {
  workspaceId: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface Member {
  userId: string;
  email: string | null;
  role: Role;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: number;
  action: string;
  actor: { userId: string | null; apiKeyId: string | null };
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  at: string;
}

export const DOCUMENT_STATUSES = [
  'pending',
  'processing',
  'indexed',
  'failed',
  'deleting',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];
export const DOCUMENT_STAGES = ['analyse', 'extract', 'graph', 'vectors', 'notify'] as const;

export interface StageTiming {
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface DocumentCounts {
  chunks?: number;
  entities?: number;
  relations?: number;
  mentions?: number;
}

export interface CairnDocument {
  id: string;
  title: string;
  mime: string;
  sizeBytes: number;
  sha256: string;
  status: DocumentStatus;
  stage: string | null;
  stageTimings: Record<string, StageTiming>;
  counts: DocumentCounts;
  error: string | null;
  workflowId: string | null;
  temporalUiUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface DocumentAccepted {
  id: string;
  status: DocumentStatus;
  workflowId: string;
  temporalUiUrl: string;
}

export interface Chunk {
  ord: number;
  text: string;
  start: number;
  end: number;
  page?: number;
}

export interface DocumentEvent {
  documentId: string;
  status: DocumentStatus | 'deleted';
  stage: string | null;
  error?: string | null;
  counts?: DocumentCounts;
  at: string;
}

export interface EntityRef {
  key: string;
  name: string;
  type: string;
}

export interface PathRelation {
  from: string;
  to: string;
  predicate: string;
  forward: boolean;
  documentId: string;
  chunkId: string;
}

export interface GraphPath {
  entities: EntityRef[];
  relations: PathRelation[];
  text: string;
}

export interface SearchHit {
  chunkId: string;
  documentId: string;
  title: string;
  text: string;
  start: number;
  end: number;
  page: number | null;
  score: number;
  scoreParts: { vector: number; keyword: number; graph: number };
  entities: EntityRef[];
  paths: GraphPath[];
}

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

export interface SearchResponse {
  query: string;
  mode: SearchMode;
  hops: number;
  hits: SearchHit[];
  linkedEntities: (EntityRef & { matchedText: string })[];
  relatedEntities: (EntityRef & { score: number; mentions: number })[];
  cached: boolean;
  tookMs: number;
}

export interface EntitySummary extends EntityRef {
  aliases: string[];
  mentions: number;
}

export interface EntityDetail extends EntitySummary {
  documents: { id: string; title: string; mentions: number }[];
  relations: {
    predicate: string;
    direction: 'out' | 'in';
    entity: EntityRef;
    documentId: string;
    chunkId: string;
  }[];
}

export interface NeighborhoodNode extends EntityRef {
  id: string;
  label: string;
  mentions: number;
  depth: number;
}

export interface NeighborhoodEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  weight: number;
  count: number;
}

export interface Neighborhood {
  center: string;
  nodes: NeighborhoodNode[];
  edges: NeighborhoodEdge[];
  truncated: boolean;
}

export const DOMAIN_STATUSES = [
  'bootstrapping',
  'awaiting_review',
  'active',
  'rejected',
  'expired',
  'archived',
  'failed',
] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];
export const DOMAIN_STAGES = [
  'research',
  'knowledge-base',
  'content',
  'review',
  'activation',
  'done',
];
export type ReviewDecision = 'approve' | 'reject' | 'request_changes';

export interface Domain {
  id: string;
  name: string;
  description: string;
  mode: 'review' | 'auto';
  status: DomainStatus;
  stage: string | null;
  seedTopics: string[];
  reviewers: string[];
  createdBy: string;
  workflowId: string;
  revision: number;
  error: string | null;
  documentCount: number;
  temporalUiUrl: string;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  archivedAt: string | null;
}

export interface ReviewRecord {
  revision: number;
  decision: ReviewDecision;
  comment: string;
  reviewer: string;
  decidedAt: string;
}

export interface DomainDetail extends Domain {
  documents: {
    documentId: string;
    source: string;
    reason: string;
    title: string;
    status: string;
  }[];
  reviews: ReviewRecord[];
  workflow: {
    stage: string;
    status: DomainStatus;
    revision: number;
    pendingReview: {
      since: string;
      revision: number;
      reviewers: string[];
      expiresAt: string;
    } | null;
    research: { seeds: number; fromTopics: number; processed: number; failed: string[] };
  } | null;
}

export interface CreateDomainRequest {
  name: string;
  description?: string;
  seedDocumentIds: string[];
  seedTopics: string[];
  mode: 'review' | 'auto';
  reviewers: string[];
  review?: { reminderSeconds?: number; timeoutSeconds?: number };
}

export interface DomainOverview {
  revision: number;
  generatedAt: string;
  addressedComments: string[];
  documents: { id: string; title: string; source: string; reason: string }[];
  keyEntities: { key: string; name: string; type: string; importance: number; mentions: number }[];
  glossary: {
    term: string;
    type: string;
    definition: string;
    source: { documentId: string; documentTitle: string; chunkId: string; start: number };
  }[];
  relations: { source: string; predicate: string; target: string; evidenceCount: number }[];
  clusters: { label: string; entities: string[] }[];
}

export interface ImportView {
  id: string;
  status: string;
  source: string;
  total: number;
  done: number;
  failed: number;
  documents?: number;
  error: string | null;
  rejected?: { entry: string; reason: string }[];
  workflowId: string;
  temporalUiUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface ImportEvent {
  importId: string;
  status: string;
  total: number;
  done: number;
  failed: number;
  error: string | null;
  at: string;
}

export const FINAL_IMPORT_STATUSES = ['completed', 'completed_with_errors', 'failed'];

export interface Readiness {
  status: 'ok' | 'error';
  checks: Record<string, { status: 'ok' | 'down'; latencyMs: number; error?: string }>;
  down: string[];
}

export interface ConsoleConfig {
  supabaseUrl?: string;
  supabaseAnonKey?: string;
  temporalUiUrl?: string;
  prometheusUrl?: string;
}
