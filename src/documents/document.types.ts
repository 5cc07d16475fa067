// Shapes shared by the API, the activities and the workflows (type-only imports from workflows).

export const DOCUMENT_STATUSES = [
  'pending',
  'processing',
  'indexed',
  'failed',
  'deleting',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** The pipeline's stages in order; each is one activity (see workflows/process-document). */
export const DOCUMENT_STAGES = ['analyse', 'extract', 'graph', 'vectors', 'notify'] as const;
export type DocumentStage = (typeof DOCUMENT_STAGES)[number];

export interface DocumentCounts {
  chunks?: number;
  entities?: number;
  relations?: number;
  mentions?: number;
}

export interface StageTiming {
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface DocumentRecord {
  id: string;
  workspaceId: string;
  sha256: string;
  title: string;
  mime: string;
  sizeBytes: number;
  status: DocumentStatus;
  stage: DocumentStage | 'done' | null;
  error: string | null;
  workflowId: string | null;
  counts: DocumentCounts;
  stageTimings: Partial<Record<DocumentStage, StageTiming>>;
  /** Set by analysis: ISO 639-1, or 'und' when it cannot tell. */
  language: string | null;
  /** For a version of a source (an upload that named its sourceKey); null otherwise. */
  source: DocumentSource | null;
  createdAt: string;
  updatedAt: string;
}

/** Where a version of a source stands among the source's versions. */
export interface DocumentSource {
  key: string;
  /** The stable id of the document, whichever version is current. */
  documentId: string;
  version: number;
  /** The version searches see. A new version becomes current once it is indexed. */
  current: boolean;
}

/** The documents one pipeline activity works on: one for an upload, many for an import batch. */
export interface DocumentBatch {
  workspaceId: string;
  documentIds: string[];
}

/** Which batch of which import a run processes: its sources may be bundled in one object. */
export interface ImportSources {
  importId: string;
  batch: number;
  batchSize: number;
}

/** What the live-status channel carries (Redis pub/sub, then SSE to clients). */
export interface DocumentEvent {
  documentId: string;
  workspaceId: string;
  status: DocumentStatus | 'deleted';
  stage: DocumentRecord['stage'];
  error?: string | null;
  counts?: DocumentCounts;
  at: string;
}

/** The event that tells a document's current state. */
export function documentEventOf(record: DocumentRecord): DocumentEvent {
  return {
    documentId: record.id,
    workspaceId: record.workspaceId,
    status: record.status,
    stage: record.stage,
    error: record.error,
    counts: record.counts,
    at: record.updatedAt,
  };
}

export function documentEventsChannel(workspaceId: string, documentId: string): string {
  return `cairn:ws:${workspaceId}:document:${documentId}:events`;
}
