/** Reciprocal rank fusion: Σ weight / (k + rank) over the rankings an item appears in. */

export type SignalName = 'vector' | 'keyword' | 'graph';

export interface Ranking {
  signal: SignalName;
  weight: number;
  /** Item ids, best first. */
  ids: readonly string[];
}

export interface FusedItem {
  id: string;
  score: number;
  /** Each signal's contribution to the score (0 where the item was not ranked). */
  parts: Record<SignalName, number>;
  /** 1-based rank of the item in each ranking that has it. */
  ranks: Partial<Record<SignalName, number>>;
}

/** k = 60 as in Cormack et al.; smaller k lets the top of each ranking dominate more. */
export const DEFAULT_RRF_K = 60;

export function reciprocalRankFusion(rankings: readonly Ranking[], k = DEFAULT_RRF_K): FusedItem[] {
  const items = new Map<string, FusedItem>();
  for (const ranking of rankings) {
    if (ranking.weight <= 0) continue;
    ranking.ids.forEach((id, index) => {
      let item = items.get(id);
      if (item === undefined) {
        item = { id, score: 0, parts: { vector: 0, keyword: 0, graph: 0 }, ranks: {} };
        items.set(id, item);
      }
      if (item.ranks[ranking.signal] !== undefined) return;
      const contribution = ranking.weight / (k + index + 1);
      item.ranks[ranking.signal] = index + 1;
      item.parts[ranking.signal] += contribution;
      item.score += contribution;
    });
  }
  // Ties keep the order of first appearance (the first ranking given wins), so results are stable.
  return [...items.values()].sort((a, b) => b.score - a.score);
}
