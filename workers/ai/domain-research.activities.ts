import type { DomainsRepository } from '../../src/domains/domains.repository';
import type { DomainDocumentLink } from '../../src/domains/domain.types';
import type { SearchService } from '../../src/search/search.service';

export interface DomainResearchDependencies {
  domains: DomainsRepository;
  search: Pick<SearchService, 'search'>;
  heartbeat: (details?: unknown) => void;
}

/** Documents taken per seed topic, best first. */
const DOCUMENTS_PER_TOPIC = 10;
/** A hit found only by meaning must be at least this similar to count as on topic. */
const MIN_VECTOR_SIMILARITY = 0.5;

/**
 * Research for a new domain: each seed topic is searched with Cairn's own hybrid search, and
 * the documents of the hits that really match (by keywords, or closely by meaning) become
 * members, each with the reason it was chosen. Inserting members is idempotent.
 */
export const createDomainResearchActivities = (deps: DomainResearchDependencies) => ({
  async researchDomainTopics(input: {
    workspaceId: string;
    domainId: string;
    topics: string[];
  }): Promise<{ added: string[] }> {
    const chosen = new Map<string, DomainDocumentLink>();
    for (const topic of input.topics) {
      deps.heartbeat({ topic });
      const response = await deps.search.search(
        input.workspaceId,
        { query: topic, limit: 30, mode: 'hybrid', hops: 1, includeInactive: false },
        { bypassCache: true },
      );
      let taken = 0;
      for (const hit of response.hits) {
        if (taken >= DOCUMENTS_PER_TOPIC) break;
        const keyword = hit.signals.keywordScore ?? 0;
        const similarity = hit.signals.vectorSimilarity ?? 0;
        if (keyword <= 0 && similarity < MIN_VECTOR_SIMILARITY) continue;
        if (chosen.has(hit.documentId)) continue;
        taken++;
        const why =
          keyword > 0
            ? `keyword match (BM25 ${keyword.toFixed(2)})`
            : `semantic match (similarity ${similarity.toFixed(2)})`;
        chosen.set(hit.documentId, {
          documentId: hit.documentId,
          source: 'topic',
          reason: `Seed topic "${topic}": ${why} in chunk ${hit.chunkId}: "${excerpt(hit.text)}"`,
        });
      }
    }
    const added = await deps.domains.addDocuments(input.workspaceId, input.domainId, [
      ...chosen.values(),
    ]);
    return { added: added.sort() };
  },
});

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= 160 ? flat : `${flat.slice(0, 157)}...`;
}
