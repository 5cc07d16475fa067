import type { WorkspaceGraph } from './workspace-graph';

/** Where a walk starts: entities the query names and chunks the semantic search found. */
export interface WalkSeeds {
  entities: Map<number, number>;
  chunks: Map<number, number>;
}

export interface WalkOptions {
  /** Relation or co-mention steps allowed away from the seed entities. */
  hops: number;
  /** Probability of continuing the walk at each step (HippoRAG uses 0.5). */
  damping: number;
  iterations: number;
  /** Share of an entity's outflow that goes to related entities rather than to its chunks. */
  relationShare: number;
  /** Multiplier on the specificity of date entities ("2010" connects to everything). */
  dateWeight: number;
}

export const DEFAULT_WALK_OPTIONS: WalkOptions = {
  hops: 2,
  damping: 0.5,
  // Each iteration halves what is left to converge (damping 0.5): after 10 under 0.1% of the
  // mass is still moving. MuSiQue-100 auto R@2/R@5 were the same at 8, 12 and 20 iterations.
  iterations: 10,
  relationShare: 0.5,
  dateWeight: 0.25,
};

export interface WalkResult {
  /** Stationary mass per entity id (0 where not reached). */
  entityScores: Float64Array;
  /**
   * Stationary mass per chunk id, less the chunk's own restart share: what the graph adds,
   * so a seed chunk does not outrank what its entities lead to merely by being a seed.
   */
  chunkScores: Float64Array;
  /** Entity ids within the hop bound, with their distance from the seeds. */
  entityDistance: Map<number, number>;
}

/**
 * How much a walk should trust an entity: hubs mentioned by many chunks (years, countries)
 * carry little information, so their specificity falls with the log of their mention count.
 */
export function entitySpecificity(
  graph: WorkspaceGraph,
  entity: number,
  dateWeight: number,
): number {
  const specificity = 1 / Math.log2(2 + graph.mentionCount(entity));
  return graph.entityTypes[entity] === 'date' ? specificity * dateWeight : specificity;
}

/**
 * Entities at most `hops` steps from the seeds, a step being a relation or two entities named
 * in the same chunk. Seed chunks put their own entities at distance 0.
 */
export function entitiesWithinHops(
  graph: WorkspaceGraph,
  seeds: WalkSeeds,
  hops: number,
): Map<number, number> {
  const arrays = adjacencyOf(graph);
  const distance = new Map<number, number>();
  // Membership in a typed array: the co-mention step tests every entity of every chunk reached.
  const seen = new Uint8Array(graph.entityCount);
  let frontier: number[] = [];
  const visit = (entity: number, depth: number) => {
    if (seen[entity] === 1) return;
    seen[entity] = 1;
    distance.set(entity, depth);
    frontier.push(entity);
  };
  for (const entity of seeds.entities.keys()) visit(entity, 0);
  for (const chunk of seeds.chunks.keys()) {
    for (const entity of graph.chunkEntities[chunk]) visit(entity, 0);
  }
  for (let depth = 1; depth <= hops && frontier.length > 0; depth += 1) {
    const current = frontier;
    frontier = [];
    for (const entity of current) {
      for (
        let edge = arrays.neighborStart[entity];
        edge < arrays.neighborStart[entity + 1];
        edge++
      ) {
        visit(arrays.neighbors[edge], depth);
      }
      for (
        let edge = arrays.entityChunkStart[entity];
        edge < arrays.entityChunkStart[entity + 1];
        edge++
      ) {
        const chunk = arrays.entityChunks[edge];
        for (
          let other = arrays.chunkEntityStart[chunk];
          other < arrays.chunkEntityStart[chunk + 1];
          other++
        ) {
          visit(arrays.chunkEntities[other], depth);
        }
      }
    }
  }
  return distance;
}

/**
 * Personalised PageRank over the bipartite entity–chunk graph plus entity–entity relations,
 * restricted to the entities within the hop bound and the chunks that mention them. The
 * restart distribution is the seeds; mass flows entity → chunk uniformly, chunk → entity and
 * entity → entity in proportion to the target's specificity, so hubs soak up little.
 *
 * The walk runs on a compact copy of that subgraph (local indices, only edges between allowed
 * nodes, per-node constants computed once), which keeps the iterations in a few small arrays;
 * the arithmetic is the same, term by term, as on the whole graph.
 */
export function personalizedPageRank(
  graph: WorkspaceGraph,
  seeds: WalkSeeds,
  options: WalkOptions = DEFAULT_WALK_OPTIONS,
): WalkResult {
  const entityCount = graph.entityCount;
  const chunkCount = graph.chunkCount;
  const entityDistance = entitiesWithinHops(graph, seeds, options.hops);
  const entityScores = new Float64Array(entityCount);
  const chunkScores = new Float64Array(chunkCount);
  let seedTotal = 0;
  for (const weight of seeds.entities.values()) seedTotal += weight;
  for (const weight of seeds.chunks.values()) seedTotal += weight;
  if (seedTotal <= 0) return { entityScores, chunkScores, entityDistance };

  const arrays = adjacencyOf(graph);
  const sub = allowedSubgraph(graph, arrays, entityDistance, seeds, options);
  const { entities, chunks } = sub;
  const localEntityCount = entities.length;
  const localChunkCount = chunks.length;

  const restartEntities = new Float64Array(localEntityCount);
  const restartChunks = new Float64Array(localChunkCount);
  for (const [entity, weight] of seeds.entities) {
    restartEntities[sub.entityLocal[entity]] += weight / seedTotal;
  }
  for (const [chunk, weight] of seeds.chunks) {
    restartChunks[sub.chunkLocal[chunk]] += weight / seedTotal;
  }

  const scoresE = Float64Array.from(restartEntities);
  const scoresC = Float64Array.from(restartChunks);
  const nextE = new Float64Array(localEntityCount);
  const nextC = new Float64Array(localChunkCount);
  const { damping } = options;
  const keep = 1 - damping;
  for (let iteration = 0; iteration < options.iterations; iteration += 1) {
    for (let e = 0; e < localEntityCount; e++) nextE[e] = keep * restartEntities[e];
    for (let c = 0; c < localChunkCount; c++) nextC[c] = keep * restartChunks[c];
    // Mass that finds no allowed edge restarts, so the total stays 1.
    let dangling = 0;
    for (let e = 0; e < localEntityCount; e++) {
      const mass = scoresE[e] * damping;
      if (mass === 0) continue;
      const chunkShare = sub.chunkShare[e];
      const relationShare = sub.relationShare[e];
      if (chunkShare === 0 && relationShare === 0) {
        dangling += mass;
        continue;
      }
      const perChunk = (mass * chunkShare) / sub.chunkDivisor[e];
      // Chunks outside the neighbourhood would hold their share far from the query: it leaves.
      for (let edge = sub.entityChunkStart[e]; edge < sub.entityChunkStart[e + 1]; edge++) {
        nextC[sub.entityChunks[edge]] += perChunk;
      }
      if (relationShare > 0) {
        const scale = (mass * relationShare) / sub.relationTotal[e];
        for (let edge = sub.neighborStart[e]; edge < sub.neighborStart[e + 1]; edge++) {
          nextE[sub.neighbors[edge]] +=
            scale * sub.neighborWeights[edge] * sub.neighborSpecificity[edge];
        }
      }
    }
    for (let c = 0; c < localChunkCount; c++) {
      const mass = scoresC[c] * damping;
      if (mass === 0) continue;
      const total = sub.chunkOutTotal[c];
      if (total <= 0) {
        dangling += mass;
        continue;
      }
      const scale = mass / total;
      for (let edge = sub.chunkEntityStart[c]; edge < sub.chunkEntityStart[c + 1]; edge++) {
        nextE[sub.chunkEntities[edge]] += scale * sub.chunkEntitySpecificity[edge];
      }
    }
    if (dangling > 0) {
      for (let e = 0; e < localEntityCount; e++) nextE[e] += dangling * restartEntities[e];
      for (let c = 0; c < localChunkCount; c++) nextC[c] += dangling * restartChunks[c];
    }
    let change = 0;
    for (let e = 0; e < localEntityCount; e++) {
      change += Math.abs(nextE[e] - scoresE[e]);
      scoresE[e] = nextE[e];
    }
    for (let c = 0; c < localChunkCount; c++) {
      change += Math.abs(nextC[c] - scoresC[c]);
      scoresC[c] = nextC[c];
    }
    // Converged well below what changes a ranking.
    if (change < 1e-6) break;
  }
  for (let e = 0; e < localEntityCount; e++) entityScores[entities[e]] = scoresE[e];
  for (let c = 0; c < localChunkCount; c++) chunkScores[chunks[c]] = scoresC[c];
  for (const chunk of seeds.chunks.keys()) {
    const local = sub.chunkLocal[chunk];
    chunkScores[chunk] = Math.max(0, scoresC[local] - keep * restartChunks[local]);
  }
  return { entityScores, chunkScores, entityDistance };
}

/** The part of the graph one walk may visit, renumbered from 0, with its per-node constants. */
interface AllowedSubgraph {
  /** Graph ids of the local entities and chunks, in the order the walk visits them. */
  entities: Int32Array;
  chunks: Int32Array;
  /** Local index by graph id (-1: not allowed). */
  entityLocal: Int32Array;
  chunkLocal: Int32Array;
  entityChunkStart: Int32Array;
  entityChunks: Int32Array;
  /** Per entity: share of its outflow to chunks, and the divisor spreading it over them. */
  chunkShare: Float64Array;
  chunkDivisor: Float64Array;
  /** Per entity: share of its outflow to related entities, and their weight × specificity total. */
  relationShare: Float64Array;
  relationTotal: Float64Array;
  neighborStart: Int32Array;
  neighbors: Int32Array;
  neighborWeights: Float64Array;
  neighborSpecificity: Float64Array;
  chunkEntityStart: Int32Array;
  chunkEntities: Int32Array;
  chunkEntitySpecificity: Float64Array;
  /** Per chunk: the specificity total of its allowed entities. */
  chunkOutTotal: Float64Array;
}

function allowedSubgraph(
  graph: WorkspaceGraph,
  arrays: Adjacency,
  entityDistance: Map<number, number>,
  seeds: WalkSeeds,
  options: WalkOptions,
): AllowedSubgraph {
  // Plain indexed loops throughout: this runs once per search over thousands of nodes.
  const entities = Int32Array.from(entityDistance.keys());
  const entityCount = entities.length;
  const entityLocal = new Int32Array(graph.entityCount).fill(-1);
  const specificity = new Float64Array(entityCount);
  for (let local = 0; local < entityCount; local++) {
    const entity = entities[local];
    entityLocal[entity] = local;
    specificity[local] = entitySpecificity(graph, entity, options.dateWeight);
  }

  // Every chunk of an allowed entity is allowed (seed chunks first).
  const chunkLocal = new Int32Array(graph.chunkCount).fill(-1);
  const chunkList: number[] = [];
  for (const chunk of seeds.chunks.keys()) {
    if (chunkLocal[chunk] === -1) chunkLocal[chunk] = chunkList.push(chunk) - 1;
  }
  const entityChunkStart = new Int32Array(entityCount + 1);
  const neighborStart = new Int32Array(entityCount + 1);
  for (let local = 0; local < entityCount; local++) {
    const entity = entities[local];
    const firstChunk = arrays.entityChunkStart[entity];
    const endChunk = arrays.entityChunkStart[entity + 1];
    for (let edge = firstChunk; edge < endChunk; edge++) {
      const chunk = arrays.entityChunks[edge];
      if (chunkLocal[chunk] === -1) chunkLocal[chunk] = chunkList.push(chunk) - 1;
    }
    entityChunkStart[local + 1] = entityChunkStart[local] + endChunk - firstChunk;
    // Relations only to allowed entities (the others would receive nothing in the walk).
    let allowed = 0;
    for (let edge = arrays.neighborStart[entity]; edge < arrays.neighborStart[entity + 1]; edge++) {
      if (entityLocal[arrays.neighbors[edge]] !== -1) allowed++;
    }
    neighborStart[local + 1] = neighborStart[local] + allowed;
  }
  const chunks = Int32Array.from(chunkList);
  const chunkCount = chunks.length;

  const entityChunks = new Int32Array(entityChunkStart[entityCount]);
  const neighbors = new Int32Array(neighborStart[entityCount]);
  const neighborWeights = new Float64Array(neighbors.length);
  const neighborSpecificity = new Float64Array(neighbors.length);
  const chunkShare = new Float64Array(entityCount);
  const chunkDivisor = new Float64Array(entityCount);
  const relationShare = new Float64Array(entityCount);
  const relationTotal = new Float64Array(entityCount);
  for (let local = 0; local < entityCount; local++) {
    const entity = entities[local];
    let out = entityChunkStart[local];
    for (
      let edge = arrays.entityChunkStart[entity];
      edge < arrays.entityChunkStart[entity + 1];
      edge++
    ) {
      entityChunks[out++] = chunkLocal[arrays.entityChunks[edge]];
    }
    out = neighborStart[local];
    let total = 0;
    for (let edge = arrays.neighborStart[entity]; edge < arrays.neighborStart[entity + 1]; edge++) {
      const neighbor = entityLocal[arrays.neighbors[edge]];
      if (neighbor === -1) continue;
      const weight = arrays.neighborWeights[edge];
      neighbors[out] = neighbor;
      neighborWeights[out] = weight;
      neighborSpecificity[out] = specificity[neighbor];
      total += weight * specificity[neighbor];
      out++;
    }
    // The entity's chunks in the whole workspace: a neighbourhood holds only some of a common
    // entity's chunks, and each must receive what it would from the whole graph (the share of
    // those left out leaves the walk and restarts).
    const chunkDegree = graph.mentionCount(entity);
    relationTotal[local] = total;
    relationShare[local] = total > 0 ? (chunkDegree > 0 ? options.relationShare : 1) : 0;
    chunkShare[local] = chunkDegree > 0 ? 1 - relationShare[local] : 0;
    chunkDivisor[local] = Math.max(1, chunkDegree);
  }

  // Chunk rows: only their allowed entities, each weighted by its specificity. The rows are
  // sized for all of each chunk's entities and trimmed to the allowed ones at the end.
  let capacity = 0;
  for (let local = 0; local < chunkCount; local++) {
    capacity += arrays.chunkEntityStart[chunks[local] + 1] - arrays.chunkEntityStart[chunks[local]];
  }
  const chunkEntityStart = new Int32Array(chunkCount + 1);
  const chunkEntities = new Int32Array(capacity);
  const chunkEntitySpecificity = new Float64Array(capacity);
  const chunkOutTotal = new Float64Array(chunkCount);
  let out = 0;
  for (let local = 0; local < chunkCount; local++) {
    const chunk = chunks[local];
    let total = 0;
    for (
      let edge = arrays.chunkEntityStart[chunk];
      edge < arrays.chunkEntityStart[chunk + 1];
      edge++
    ) {
      const entity = entityLocal[arrays.chunkEntities[edge]];
      if (entity === -1) continue;
      chunkEntities[out] = entity;
      chunkEntitySpecificity[out] = specificity[entity];
      total += specificity[entity];
      out++;
    }
    chunkEntityStart[local + 1] = out;
    chunkOutTotal[local] = total;
  }

  return {
    entities,
    chunks,
    entityLocal,
    chunkLocal,
    entityChunkStart,
    entityChunks,
    chunkShare,
    chunkDivisor,
    relationShare,
    relationTotal,
    neighborStart,
    neighbors,
    neighborWeights,
    neighborSpecificity,
    chunkEntityStart,
    chunkEntities: chunkEntities.subarray(0, out),
    chunkEntitySpecificity: chunkEntitySpecificity.subarray(0, out),
    chunkOutTotal,
  };
}

/** The graph's edges as flat typed arrays (compressed rows), built once per graph. */
interface Adjacency {
  entityChunkStart: Int32Array;
  entityChunks: Int32Array;
  chunkEntityStart: Int32Array;
  chunkEntities: Int32Array;
  neighborStart: Int32Array;
  neighbors: Int32Array;
  neighborWeights: Float64Array;
}

const adjacencyCache = new WeakMap<WorkspaceGraph, Adjacency>();

function adjacencyOf(graph: WorkspaceGraph): Adjacency {
  let arrays = adjacencyCache.get(graph);
  if (arrays !== undefined) return arrays;
  const flatten = (lists: number[][]) => {
    const start = new Int32Array(lists.length + 1);
    lists.forEach((list, index) => (start[index + 1] = start[index] + list.length));
    const values = new Int32Array(start[lists.length]);
    lists.forEach((list, index) => values.set(list, start[index]));
    return { start, values };
  };
  const entityChunks = flatten(graph.entityChunks);
  const chunkEntities = flatten(graph.chunkEntities);
  const neighbors = flatten(graph.neighbors.map((list) => list.map((neighbor) => neighbor.entity)));
  arrays = {
    entityChunkStart: entityChunks.start,
    entityChunks: entityChunks.values,
    chunkEntityStart: chunkEntities.start,
    chunkEntities: chunkEntities.values,
    neighborStart: neighbors.start,
    neighbors: neighbors.values,
    neighborWeights: Float64Array.from(
      graph.neighbors.flatMap((list) => list.map((n) => n.weight)),
    ),
  };
  adjacencyCache.set(graph, arrays);
  return arrays;
}

export interface PathStep {
  from: number;
  to: number;
  relation: number;
}

/**
 * Shortest relation paths (up to `hops` relations) from any source entity to every entity
 * reached: a breadth-first search from all sources at once, remembering each entity's parent.
 */
export class RelationPaths {
  private readonly parent = new Map<number, PathStep | null>();

  constructor(graph: WorkspaceGraph, sources: Iterable<number>, hops: number) {
    let frontier: number[] = [];
    for (const source of sources) {
      if (this.parent.has(source)) continue;
      this.parent.set(source, null);
      frontier.push(source);
    }
    for (let depth = 1; depth <= hops && frontier.length > 0; depth += 1) {
      const next: number[] = [];
      for (const entity of frontier) {
        for (const neighbor of graph.neighbors[entity]) {
          if (this.parent.has(neighbor.entity)) continue;
          this.parent.set(neighbor.entity, {
            from: entity,
            to: neighbor.entity,
            relation: neighbor.relation,
          });
          next.push(neighbor.entity);
        }
      }
      frontier = next;
    }
  }

  reaches(entity: number): boolean {
    return this.parent.has(entity);
  }

  /** Steps from a source to the entity, in walking order; [] for a source; undefined if unreached. */
  pathTo(entity: number): PathStep[] | undefined {
    if (!this.parent.has(entity)) return undefined;
    const steps: PathStep[] = [];
    let step = this.parent.get(entity);
    while (step) {
      steps.unshift(step);
      step = this.parent.get(step.from);
    }
    return steps;
  }
}
