import { DEFAULT_WALK_OPTIONS, type WalkOptions } from './graph-walk';
import type { SignalName } from './rank-fusion';

/** Knobs of ranking, chosen on MuSiQue-100 with infra/bench/bench-retrieval.ts. */
export interface SearchTuning {
  rrfK: number;
  /** Candidates each ranking contributes before fusion. */
  candidatePool: number;
  /** Weights of each signal in the fused modes. */
  hybridWeights: Record<SignalName, number>;
  autoWeights: Record<SignalName, number>;
  /** The best semantic hits whose chunks seed the graph walk... */
  seedHits: number;
  /** ...and their share of the walk's restart mass, next to the query's entities (share 1). */
  seedHitShare: number;
  walk: Omit<WalkOptions, 'hops'>;
}

export const DEFAULT_SEARCH_TUNING: SearchTuning = {
  rrfK: 60,
  candidatePool: 50,
  hybridWeights: { vector: 1, keyword: 1, graph: 0 },
  autoWeights: { vector: 1, keyword: 1, graph: 1.5 },
  seedHits: 5,
  seedHitShare: 1,
  walk: {
    damping: DEFAULT_WALK_OPTIONS.damping,
    iterations: DEFAULT_WALK_OPTIONS.iterations,
    relationShare: DEFAULT_WALK_OPTIONS.relationShare,
    dateWeight: DEFAULT_WALK_OPTIONS.dateWeight,
  },
};

/**
 * The defaults, optionally overridden by CAIRN_SEARCH_TUNING (a JSON object of the same shape,
 * merged one level deep) so that benchmarks can try settings without a rebuild.
 */
export function searchTuningFromEnv(raw = process.env.CAIRN_SEARCH_TUNING): SearchTuning {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEARCH_TUNING;
  const override = JSON.parse(raw) as Partial<SearchTuning>;
  return {
    ...DEFAULT_SEARCH_TUNING,
    ...override,
    hybridWeights: { ...DEFAULT_SEARCH_TUNING.hybridWeights, ...override.hybridWeights },
    autoWeights: { ...DEFAULT_SEARCH_TUNING.autoWeights, ...override.autoWeights },
    walk: { ...DEFAULT_SEARCH_TUNING.walk, ...override.walk },
  };
}
