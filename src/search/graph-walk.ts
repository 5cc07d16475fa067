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
  iterations: 20,
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
  const distance = new Map<number, number>();
  let frontier: number[] = [];
  const visit = (entity: number, depth: number) => {
    if (distance.has(entity)) return;
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
      for (const neighbor of graph.neighbors[entity]) visit(neighbor.entity, depth);
      for (const chunk of graph.entityChunks[entity]) {
        for (const other of graph.chunkEntities[chunk]) visit(other, depth);
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
  const allowedEntities = Int32Array.from(entityDistance.keys());
  const specificity = new Float64Array(entityCount);
  for (const entity of allowedEntities) {
    specificity[entity] = entitySpecificity(graph, entity, options.dateWeight);
  }
  const chunkAllowed = new Uint8Array(chunkCount);
  const chunkList: number[] = [];
  const allowChunk = (chunk: number) => {
    if (chunkAllowed[chunk] === 0) {
      chunkAllowed[chunk] = 1;
      chunkList.push(chunk);
    }
  };
  for (const chunk of seeds.chunks.keys()) allowChunk(chunk);
  for (const entity of allowedEntities) {
    for (
      let edge = arrays.entityChunkStart[entity];
      edge < arrays.entityChunkStart[entity + 1];
      edge += 1
    ) {
      allowChunk(arrays.entityChunks[edge]);
    }
  }
  const allowedChunks = Int32Array.from(chunkList);

  const restartEntities = new Float64Array(entityCount);
  const restartChunks = new Float64Array(chunkCount);
  for (const [entity, weight] of seeds.entities) restartEntities[entity] += weight / seedTotal;
  for (const [chunk, weight] of seeds.chunks) restartChunks[chunk] += weight / seedTotal;

  // Outgoing normalisers, computed once: chunk → allowed entities by specificity, entity →
  // allowed neighbours by relation weight × specificity (disallowed ones have specificity 0).
  const chunkOutTotal = new Float64Array(chunkCount);
  for (const chunk of allowedChunks) {
    let total = 0;
    for (
      let edge = arrays.chunkEntityStart[chunk];
      edge < arrays.chunkEntityStart[chunk + 1];
      edge += 1
    ) {
      total += specificity[arrays.chunkEntities[edge]];
    }
    chunkOutTotal[chunk] = total;
  }
  const relationOutTotal = new Float64Array(entityCount);
  for (const entity of allowedEntities) {
    let total = 0;
    for (
      let edge = arrays.neighborStart[entity];
      edge < arrays.neighborStart[entity + 1];
      edge += 1
    ) {
      total += arrays.neighborWeights[edge] * specificity[arrays.neighbors[edge]];
    }
    relationOutTotal[entity] = total;
  }

  entityScores.set(restartEntities);
  chunkScores.set(restartChunks);
  const nextEntities = new Float64Array(entityCount);
  const nextChunks = new Float64Array(chunkCount);
  const { damping } = options;
  for (let iteration = 0; iteration < options.iterations; iteration += 1) {
    for (const entity of allowedEntities)
      nextEntities[entity] = (1 - damping) * restartEntities[entity];
    for (const chunk of allowedChunks) nextChunks[chunk] = (1 - damping) * restartChunks[chunk];
    // Mass that finds no allowed edge restarts, so the total stays 1.
    let dangling = 0;
    for (const entity of allowedEntities) {
      const mass = entityScores[entity] * damping;
      if (mass === 0) continue;
      const chunkStart = arrays.entityChunkStart[entity];
      const chunkEnd = arrays.entityChunkStart[entity + 1];
      const chunkDegree = chunkEnd - chunkStart;
      const relationTotal = relationOutTotal[entity];
      const relationShare = relationTotal > 0 ? (chunkDegree > 0 ? options.relationShare : 1) : 0;
      const chunkShare = chunkDegree > 0 ? 1 - relationShare : 0;
      if (chunkShare === 0 && relationShare === 0) {
        dangling += mass;
        continue;
      }
      const perChunk = (mass * chunkShare) / Math.max(1, chunkDegree);
      for (let edge = chunkStart; edge < chunkEnd; edge += 1) {
        nextChunks[arrays.entityChunks[edge]] += perChunk;
      }
      if (relationShare > 0) {
        const scale = (mass * relationShare) / relationTotal;
        for (
          let edge = arrays.neighborStart[entity];
          edge < arrays.neighborStart[entity + 1];
          edge += 1
        ) {
          const neighbor = arrays.neighbors[edge];
          nextEntities[neighbor] += scale * arrays.neighborWeights[edge] * specificity[neighbor];
        }
      }
    }
    for (const chunk of allowedChunks) {
      const mass = chunkScores[chunk] * damping;
      if (mass === 0) continue;
      const total = chunkOutTotal[chunk];
      if (total <= 0) {
        dangling += mass;
        continue;
      }
      const scale = mass / total;
      for (
        let edge = arrays.chunkEntityStart[chunk];
        edge < arrays.chunkEntityStart[chunk + 1];
        edge += 1
      ) {
        const entity = arrays.chunkEntities[edge];
        nextEntities[entity] += scale * specificity[entity];
      }
    }
    if (dangling > 0) {
      for (const entity of allowedEntities)
        nextEntities[entity] += dangling * restartEntities[entity];
      for (const chunk of allowedChunks) nextChunks[chunk] += dangling * restartChunks[chunk];
    }
    let change = 0;
    for (const entity of allowedEntities) {
      change += Math.abs(nextEntities[entity] - entityScores[entity]);
      entityScores[entity] = nextEntities[entity];
    }
    for (const chunk of allowedChunks) {
      change += Math.abs(nextChunks[chunk] - chunkScores[chunk]);
      chunkScores[chunk] = nextChunks[chunk];
    }
    // Converged well below what changes a ranking.
    if (change < 1e-6) break;
  }
  for (const chunk of seeds.chunks.keys()) {
    chunkScores[chunk] = Math.max(0, chunkScores[chunk] - (1 - damping) * restartChunks[chunk]);
  }
  return { entityScores, chunkScores, entityDistance };
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
