import { entityKey } from '../extraction/normalize';
import type { ChunkCandidate, ChunkFilters, ChunkRetriever } from './chunk-retriever';
import type { FusedItem } from './rank-fusion';

/**
 * A second retrieval round for multi-hop questions, without an LLM.
 *
 * A two-hop question ("Who founded the label of the singer of X?") names the first hop's entity
 * (X); the passage that answers it is about an entity only the first hop's passage names (the
 * singer: a "bridge" entity). The best first-round passages are read for the entities they name
 * and the query does not, and the passages whose title is such an entity are ranked by how high
 * the passage that named it ranked. This follows the entity bridges of iterative multi-hop
 * retrievers (e.g. Xiong et al., "Answering Complex Open-Domain Questions with Multi-Hop Dense
 * Retrieval", ICLR 2021, with the first hop's entities in place of a trained query encoder) and the
 * passage–entity–passage edges of graph retrievers built with no LLM (LinearRAG, ICLR 2026;
 * HippoRAG 2, ICML 2025, links passages to the entities/phrases they contain).
 */

export interface SecondRoundTuning {
  /** First-round hits whose entities are followed; 0 turns the round off. */
  fromHits: number;
  /** Weight of the round's ranking in `auto`'s fusion. */
  weight: number;
  /** Keep the first round's best hit first. */
  keepBest: boolean;
}

/**
 * Chosen on the tuning half of MuSiQue-100 (`npm run bench:retrieval -- --split tune`), auto
 * R@2/R@5/MRR: without the round 50.7/70.0/.909; from the best hit, weight 1 → 53.7/72.7/.901,
 * 1.5 → 54.3/73.0/.901, 2 → 54.3/73.0/.911, 3 → 55.3/72.3/.891; from the best 2 hits, weight 2
 * → 53.7/72.3/.895; best 3 → 52.7/71.3/.884 (more hits bring more unrelated bridges). On the
 * bounded-neighbourhood search of 0b92915: without 50.7/71.0/.896, weight 2 54.3/74.0/.898, and
 * keeping the best hit first 57.7/74.0/.901.
 */
export const DEFAULT_SECOND_ROUND: SecondRoundTuning = { fromHits: 1, weight: 2, keepBest: true };

/** The passage a title is about, as an entity key: "Mercury (planet)" → "mercury". */
export function titleEntityKey(title: string): string {
  return entityKey(title.replace(/\s*\([^)]*\)\s*$/, ''));
}

export interface FirstRoundHit {
  title: string;
  entityKeys: readonly string[];
}

/**
 * Bridge entities of the first round, in the order of the hits that name them: entities of the
 * best hits that the query names neither as an extracted entity nor word for word, and that are
 * not the hit's own subject.
 */
export function bridgeEntityKeys(
  firstRound: readonly FirstRoundHit[],
  query: string,
  queryEntityKeys: ReadonlySet<string>,
): string[] {
  const queryWords = new Set(entityKey(query).split(' '));
  const bridges: string[] = [];
  const seen = new Set<string>(queryEntityKeys);
  for (const hit of firstRound) {
    seen.add(titleEntityKey(hit.title));
    for (const key of hit.entityKeys) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (key.split(' ').every((word) => queryWords.has(word))) continue;
      bridges.push(key);
    }
  }
  return bridges;
}

/**
 * Chunk ids of the candidates whose title is a bridge entity, best bridge first (the candidates
 * of one bridge keep their order).
 */
export function rankByBridges(
  candidates: readonly { chunkId: string; title: string }[],
  bridges: readonly string[],
): string[] {
  const order = new Map(bridges.map((key, index) => [key, index]));
  return candidates
    .map((candidate, position) => ({
      id: candidate.chunkId,
      bridge: order.get(titleEntityKey(candidate.title)),
      position,
    }))
    .filter(
      (entry): entry is { id: string; bridge: number; position: number } =>
        entry.bridge !== undefined,
    )
    .sort((a, b) => a.bridge - b.bridge || a.position - b.position)
    .map((entry) => entry.id);
}

/**
 * `auto`'s ranking with the second round's ranking added to its fusion: each chunk the round
 * ranks gains weight / (k + rank) on its graph part (the round follows the entity graph's
 * bridges), and the order is recomputed. Chunks only the round found are added.
 */
export function fuseSecondRound(
  fused: readonly FusedItem[],
  roundIds: readonly string[],
  weight: number,
  rrfK: number,
): FusedItem[] {
  if (roundIds.length === 0 || weight <= 0) return [...fused];
  const byId = new Map(fused.map((item) => [item.id, { ...item, parts: { ...item.parts } }]));
  roundIds.forEach((id, index) => {
    const contribution = weight / (rrfK + index + 1);
    const item = byId.get(id) ?? {
      id,
      score: 0,
      parts: { vector: 0, keyword: 0, graph: 0 },
      ranks: {},
    };
    item.score += contribution;
    item.parts.graph += contribution;
    byId.set(id, item);
  });
  // A stable sort: ties keep the first round's order.
  return [...byId.values()].sort((a, b) => b.score - a.score);
}

export interface SecondRoundRequest {
  workspaceId: string;
  query: string;
  queryEntityKeys: ReadonlySet<string>;
  /** `auto`'s first-round order. */
  fused: readonly FusedItem[];
  /** Chunks read so far; the round adds those it finds. */
  byChunk: Map<string, ChunkCandidate>;
  filters: ChunkFilters;
  pool: number;
  tuning: SecondRoundTuning;
  rrfK: number;
}

/**
 * Runs the round: the bridges of the best first-round hits, one BM25 query over chunk titles
 * for them, and the fused order with the passages about the bridges added.
 */
export async function withSecondRound(
  chunks: Pick<ChunkRetriever, 'byKeywords'>,
  request: SecondRoundRequest,
): Promise<FusedItem[]> {
  const { tuning, fused, byChunk } = request;
  if (tuning.fromHits <= 0 || tuning.weight <= 0) return [...fused];
  const firstRound = fused
    .slice(0, tuning.fromHits)
    .map((item) => byChunk.get(item.id))
    .filter((chunk): chunk is ChunkCandidate => chunk !== undefined);
  const bridges = bridgeEntityKeys(firstRound, request.query, request.queryEntityKeys);
  if (bridges.length === 0) return [...fused];
  const found = await chunks.byKeywords(
    request.workspaceId,
    bridges.join(' '),
    request.pool,
    request.filters,
    ['title'],
  );
  for (const chunk of found) if (!byChunk.has(chunk.chunkId)) byChunk.set(chunk.chunkId, chunk);
  const reranked = fuseSecondRound(
    fused,
    rankByBridges(found, bridges),
    tuning.weight,
    request.rrfK,
  );
  if (!tuning.keepBest || fused.length === 0) return reranked;
  // The hit the bridges came from stays first: the round is to find the next hop, not to
  // outrank the passage that led to it.
  const best = reranked.find((item) => item.id === fused[0].id);
  return best === undefined ? reranked : [best, ...reranked.filter((item) => item !== best)];
}
