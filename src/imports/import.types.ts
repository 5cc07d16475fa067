// Shapes shared by the imports API, the import activities and the import workflow
// (the workflow imports this file for types only).

export const IMPORT_STATUSES = [
  'pending',
  'expanding',
  'processing',
  'completed',
  'completed_with_errors',
  'failed',
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** After these an import changes no more. */
export const FINAL_IMPORT_STATUSES: readonly ImportStatus[] = [
  'completed',
  'completed_with_errors',
  'failed',
];

export type ImportFormat = 'jsonl' | 'zip' | 'tar' | 'tar.gz';

export interface ImportRecord {
  id: string;
  workspaceId: string;
  status: ImportStatus;
  source: string;
  total: number;
  done: number;
  failed: number;
  workflowId: string;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the live-progress channel carries (Redis pub/sub, then SSE to clients). */
export interface ImportEvent {
  importId: string;
  workspaceId: string;
  status: ImportStatus;
  total: number;
  done: number;
  failed: number;
  error: string | null;
  at: string;
}

/** An entry of the source that did not become a document, and why. */
export interface RejectedEntry {
  entry: string;
  reason: string;
}

/**
 * What expanding the source produced. The document ids themselves stay in MinIO
 * (documents.json); workflow payloads carry only these counts.
 */
export interface ImportExpansion {
  /** Entries in the source. */
  entries: number;
  /** Distinct new documents to process (largest first, see expandImport). */
  documents: number;
  /** Entries whose bytes occur earlier in the same source. */
  duplicates: number;
  /**
   * Entries whose bytes the workspace already had before this import, or that an earlier run
   * of this import indexed (a retried import): skipped.
   */
  existing: number;
  /** Entries refused (unsupported type, too large, ...), with reasons in rejected.json. */
  rejected: number;
}

export { importWorkflowId } from '../pipeline/workflow-ids';

export function importEventsChannel(workspaceId: string, importId: string): string {
  return `cairn:ws:${workspaceId}:import:${importId}:events`;
}
