// Shapes shared by the API, the activities and the domain workflows (type-only imports there).

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

/** The bootstrap workflow's stages, in order; each is also the `Stage` search attribute. */
export const DOMAIN_STAGES = [
  'research',
  'knowledge-base',
  'content',
  'review',
  'activation',
  'done',
] as const;
export type DomainStage = (typeof DOMAIN_STAGES)[number];

export const DOMAIN_MODES = ['review', 'auto'] as const;
export type DomainMode = (typeof DOMAIN_MODES)[number];

export const REVIEW_DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** Roles that may review a domain (editor and above); the workflow's validator checks it. */
export const REVIEWER_ROLES = ['editor', 'admin', 'owner'] as const;

export type DomainDocumentSource = 'seed' | 'topic' | 'added';

export interface DomainRecord {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  mode: DomainMode;
  status: DomainStatus;
  stage: DomainStage | null;
  seedTopics: string[];
  reviewers: string[];
  createdBy: string;
  workflowId: string;
  overviewKey: string | null;
  revision: number;
  error: string | null;
  documentCount: number;
  createdAt: string;
  updatedAt: string;
  activatedAt: string | null;
  archivedAt: string | null;
}

export interface DomainDocumentLink {
  documentId: string;
  source: DomainDocumentSource;
  reason: string;
}

/** The review update's argument: the decision plus who makes it (filled in by the API). */
export interface ReviewInput {
  decision: ReviewDecision;
  comment: string;
  reviewer: { userId: string; role?: string };
}

export interface ReviewRecord {
  revision: number;
  decision: ReviewDecision;
  comment: string;
  reviewer: string;
  decidedAt: string;
}

export interface ReviewOutcome {
  accepted: true;
  decision: ReviewDecision;
  revision: number;
  /** Where the domain goes next. */
  next: 'activation' | 'rejected' | 'redraft';
}

/** What the draft activity returns: the artifact's key and a short summary for the query. */
export interface OverviewSummary {
  key: string;
  revision: number;
  documentCount: number;
  entityCount: number;
  glossaryCount: number;
  relationCount: number;
  clusterCount: number;
  topEntities: string[];
}

/** The workflow's `state` query. */
export interface DomainWorkflowState {
  stage: DomainStage;
  status: DomainStatus;
  mode: DomainMode;
  revision: number;
  draft: OverviewSummary | null;
  pendingReview: {
    since: string;
    revision: number;
    reviewers: string[];
    remindAt: string;
    expiresAt: string;
    reminded: boolean;
  } | null;
  decisions: ReviewRecord[];
  research: { seeds: number; fromTopics: number; processed: number; failed: string[] };
}

// ---- the overview artifact (MinIO JSON) ----

export interface OverviewEntity {
  key: string;
  name: string;
  type: string;
  /** PageRank within the domain's entity graph, normalised so the top entity is 1. */
  importance: number;
  mentions: number;
  degree: number;
}

export interface GlossaryEntry {
  term: string;
  type: string;
  /** A sentence quoted verbatim from a chunk of a domain document. */
  definition: string;
  source: {
    documentId: string;
    documentTitle: string;
    chunkId: string;
    start: number;
    end: number;
  };
}

export interface OverviewRelation {
  source: string;
  predicate: string;
  target: string;
  weight: number;
  evidenceCount: number;
}

export interface TopicCluster {
  label: string;
  entities: string[];
}

export interface DomainOverview {
  domainId: string;
  workspaceId: string;
  name: string;
  description: string;
  revision: number;
  generatedAt: string;
  /** Reviewer comments this revision was drafted in answer to (request_changes). */
  addressedComments: string[];
  documents: { id: string; title: string; source: DomainDocumentSource; reason: string }[];
  keyEntities: OverviewEntity[];
  glossary: GlossaryEntry[];
  relations: OverviewRelation[];
  clusters: TopicCluster[];
}
