import { uuidV5 } from '../../src/common/uuid';
import { DEFAULT_HOPS, MAX_LIMIT } from '../../src/search/search.schema';
import type { SearchService } from '../../src/search/search.service';
import type { SearchHit } from '../../src/search/search.types';
import type { WebhookEvent } from '../../src/webhooks/webhook.types';
import type { WatchesRepository } from '../../src/watches/watches.repository';
import {
  watchEventsChannel,
  type WatchMatchEvent,
  type WatchMatchRecord,
  type WatchRecord,
} from '../../src/watches/watch.types';

export interface WatchCheckDependencies {
  watches: WatchesRepository;
  search: Pick<SearchService, 'search'>;
  /** Publishes one message on a Redis channel (the workspace's event stream listens). */
  publish: (channel: string, message: string) => Promise<unknown>;
  /** Hands an event to the workspace's webhooks (WebhookDispatcher.dispatch). */
  dispatch: (event: WebhookEvent) => Promise<unknown>;
}

/** The score a watch's minScore is compared with (see DEFAULT_MIN_SCORE). */
export function matchScore(watch: Pick<WatchRecord, 'mode'>, hit: SearchHit): number {
  const score = watch.mode === 'keyword' ? hit.signals.keywordScore : hit.signals.vectorSimilarity;
  return score ?? 0;
}

/**
 * Checks newly indexed documents against every watch of their workspace with Cairn's own search,
 * restricted to those documents' chunks. Match ids derive from (watch, chunk), so a retried
 * check records nothing twice and announces each match under the same event id.
 */
export const createWatchCheckActivities = (deps: WatchCheckDependencies) => ({
  async checkWatches(input: {
    workspaceId: string;
    documentIds: string[];
  }): Promise<{ watches: number; matches: number }> {
    const { workspaceId, documentIds } = input;
    const watches = await deps.watches.list(workspaceId);
    const found: Omit<WatchMatchRecord, 'matchedAt'>[] = [];
    for (const watch of watches) {
      const response = await deps.search.search(
        workspaceId,
        {
          query: watch.query,
          mode: watch.mode,
          hops: DEFAULT_HOPS,
          limit: MAX_LIMIT,
          includeInactive: false,
          filters: { documentIds, ...(watch.filters.types ? { types: watch.filters.types } : {}) },
        },
        { bypassCache: true },
      );
      for (const hit of response.hits) {
        const score = matchScore(watch, hit);
        if (score < watch.minScore || !documentIds.includes(hit.documentId)) continue;
        found.push({
          id: uuidV5(`watch-match:${watch.id}:${hit.chunkId}`),
          watchId: watch.id,
          documentId: hit.documentId,
          chunkId: hit.chunkId,
          score: Math.round(score * 10_000) / 10_000,
          title: hit.title,
          text: hit.text,
        });
      }
    }
    const recorded = await deps.watches.recordMatches(workspaceId, found);
    const names = new Map(watches.map((watch) => [watch.id, watch.name]));
    for (const match of recorded) {
      const event: WatchMatchEvent = {
        ...match,
        workspaceId,
        watchName: names.get(match.watchId) ?? '',
      };
      await deps.publish(watchEventsChannel(workspaceId, match.watchId), JSON.stringify(event));
      await deps.dispatch({
        id: match.id,
        type: 'watch.matched',
        workspaceId,
        createdAt: match.matchedAt,
        data: { ...event },
      });
    }
    return { watches: watches.length, matches: recorded.length };
  },
});
