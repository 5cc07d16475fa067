import type { SearchMode } from '../search/search.schema';

export interface WatchFilters {
  /** Entity types a matching chunk must mention (as in POST /search). */
  types?: string[];
}

export interface WatchRecord {
  id: string;
  workspaceId: string;
  name: string;
  query: string;
  mode: SearchMode;
  filters: WatchFilters;
  minScore: number;
  createdBy: string | null;
  createdAt: string;
}

export interface WatchMatchRecord {
  id: string;
  watchId: string;
  documentId: string;
  chunkId: string;
  score: number;
  title: string;
  text: string;
  matchedAt: string;
}

/** What the workspace's event stream and webhooks carry for a match. */
export interface WatchMatchEvent extends WatchMatchRecord {
  workspaceId: string;
  watchName: string;
}

/**
 * A chunk matches when this score reaches the watch's minScore: the cosine similarity between
 * query and chunk (0..1) in every mode but `keyword`, which uses the BM25 score (unbounded).
 */
export const DEFAULT_MIN_SCORE: Record<'keyword' | 'semantic', number> = {
  keyword: 1,
  semantic: 0.45,
};

export function watchEventsChannel(workspaceId: string, watchId: string): string {
  return `cairn:ws:${workspaceId}:watch:${watchId}:events`;
}

export { watchCheckWorkflowId } from '../pipeline/workflow-ids';
