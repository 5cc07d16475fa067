import type { SearchMode } from './search.schema';
import type { LinkMethod } from './query-linking';

export interface EntityRef {
  key: string;
  name: string;
  type: string;
}

export interface LinkedEntity extends EntityRef {
  /** The words of the query that name the entity. */
  matchedText: string;
  method: LinkMethod;
  confidence: number;
}

export interface RelatedEntity extends EntityRef {
  /** Personalised PageRank mass reached from the query (relative; higher is closer). */
  score: number;
  mentions: number;
}

export interface PathRelation {
  from: string;
  to: string;
  predicate: string;
  /** False when the relation was stated the other way round (to → from). */
  forward: boolean;
  documentId: string;
  chunkId: string;
}

/** Entities linked by relations, from a query entity to an entity of the hit. */
export interface GraphPath {
  entities: EntityRef[];
  relations: PathRelation[];
  /** "A —born in→ B —capital of→ C" */
  text: string;
}

export interface ScoreParts {
  vector: number;
  keyword: number;
  graph: number;
}

/** A passage and where it sits in its document: what every search result is about. */
export interface ChunkPassage {
  chunkId: string;
  documentId: string;
  title: string;
  text: string;
  start: number;
  end: number;
  page: number | null;
  /** Where the passage sits in its source: "page 4", "slide 3", "sheet Sales, rows 2–9". */
  locator: string | null;
}

export interface SearchHit extends ChunkPassage {
  score: number;
  /** Each signal's share of `score` (they add up to it). */
  scoreParts: ScoreParts;
  /** The raw signals behind the parts: cosine similarity, BM25 score, rank in the graph walk. */
  signals: { vectorSimilarity?: number; keywordScore?: number; graphRank?: number };
  /** Entities of the hit that the query names or that a path from the query reaches. */
  entities: EntityRef[];
  paths: GraphPath[];
}

export interface SearchResponse {
  query: string;
  mode: SearchMode;
  hops: number;
  hits: SearchHit[];
  linkedEntities: LinkedEntity[];
  relatedEntities: RelatedEntity[];
  cached: boolean;
  tookMs: number;
  /** Milliseconds per step of a computed answer (stamp, retrieve, graphLoad, walk, hydrate). */
  timings?: Record<string, number>;
}
