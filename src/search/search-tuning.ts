import { DEFAULT_NEIGHBOURHOOD_LIMITS, type NeighbourhoodLimits } from './graph-neighbourhood';
import { DEFAULT_WALK_OPTIONS, type WalkOptions } from './graph-walk';
import type { SignalName } from './rank-fusion';
import { DEFAULT_SECOND_ROUND, type SecondRoundTuning } from './second-round';

/** Knobs of ranking, chosen on MuSiQue-100 with infra/bench/bench-retrieval.ts. */
export interface SearchTuning {
  rrfK: number;
  /** Candidates each ranking contributes before fusion. */
  candidatePool: number;
  /** Weights of each signal in the fused modes. */
  hybridWeights: Record<SignalName, number>;
  autoWeights: Record<SignalName, number>;
  /** The best semantic hits whose chunks seed the graph walk when the query names nothing... */
  seedHits: number;
  /** ...and when it names entities (in auto; graph mode then walks from the entities alone). */
  seedHitsWithEntities: number;
  /** ...and their share of the walk's restart mass, next to the query's entities (share 1). */
  seedHitShare: number;
  walk: Omit<WalkOptions, 'hops'>;
  /** auto's second retrieval round from the bridge entities of its best hits. */
  secondRound: SecondRoundTuning;
  /** How much of the graph around the query one search reads from Neo4j. */
  neighbourhood: NeighbourhoodLimits;
}

export const DEFAULT_SEARCH_TUNING: SearchTuning = {
  // MuSiQue-100 auto R@2/R@5: k 60 → 50.9/69.3, k 30 → 51.9/69.3 (graph weight 1); graph
  // weight 1.5 → 54.3/69.0, 2 → 54.4/69.8. Vector beats BM25 here, hence 1.5 : 0.5.
  rrfK: 30,
  candidatePool: 50,
  hybridWeights: { vector: 1.5, keyword: 0.5, graph: 0 },
  autoWeights: { vector: 1.5, keyword: 0.5, graph: 2 },
  seedHits: 5,
  // Seeding the walk with semantic hits too when the query names entities cost 9 points of R@2
  // (45.3 vs 54.3): the hits' own entities drown the query's.
  seedHitsWithEntities: 0,
  seedHitShare: 1,
  walk: {
    damping: DEFAULT_WALK_OPTIONS.damping,
    iterations: DEFAULT_WALK_OPTIONS.iterations,
    relationShare: DEFAULT_WALK_OPTIONS.relationShare,
    dateWeight: DEFAULT_WALK_OPTIONS.dateWeight,
  },
  secondRound: DEFAULT_SECOND_ROUND,
  neighbourhood: DEFAULT_NEIGHBOURHOOD_LIMITS,
};

/**
 * The defaults, optionally overridden by the configuration's CAIRN_SEARCH_TUNING (a JSON object
 * of the same shape, merged one level deep) so that benchmarks can try settings without a rebuild.
 */
export function searchTuningFrom(raw: string | undefined): SearchTuning {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEARCH_TUNING;
  const override = JSON.parse(raw) as Partial<SearchTuning>;
  return {
    ...DEFAULT_SEARCH_TUNING,
    ...override,
    hybridWeights: { ...DEFAULT_SEARCH_TUNING.hybridWeights, ...override.hybridWeights },
    autoWeights: { ...DEFAULT_SEARCH_TUNING.autoWeights, ...override.autoWeights },
    walk: { ...DEFAULT_SEARCH_TUNING.walk, ...override.walk },
    secondRound: { ...DEFAULT_SEARCH_TUNING.secondRound, ...override.secondRound },
    neighbourhood: { ...DEFAULT_SEARCH_TUNING.neighbourhood, ...override.neighbourhood },
  };
}
