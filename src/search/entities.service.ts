import { Injectable } from '@nestjs/common';
import { CairnError } from '../common/errors/cairn-error';
import { entityKey } from '../extraction/normalize';
import { entityRef } from './explanation';
import { SearchCache } from './search-cache';
import type { EntityRef } from './search.types';
import type { WorkspaceGraph } from './workspace-graph';
import { WorkspaceGraphLoader } from './workspace-graph.loader';

export interface EntitySummary extends EntityRef {
  aliases: string[];
  mentions: number;
}

export interface EntityDetail extends EntitySummary {
  documents: { id: string; title: string; mentions: number }[];
  relations: {
    predicate: string;
    direction: 'out' | 'in';
    entity: EntityRef;
    documentId: string;
    chunkId: string;
  }[];
}

export interface NeighborhoodNode extends EntityRef {
  id: string;
  label: string;
  mentions: number;
  /** Relation steps from the centre entity. */
  depth: number;
}

export interface NeighborhoodEdge {
  id: string;
  source: string;
  target: string;
  /** The strongest relation's predicate, and how many relations join the pair. */
  label: string;
  weight: number;
  count: number;
}

export interface Neighborhood {
  center: string;
  nodes: NeighborhoodNode[];
  edges: NeighborhoodEdge[];
  /** True when the cap left nodes out. */
  truncated: boolean;
}

const MAX_DOCUMENTS = 50;
const MAX_RELATIONS = 50;

/** Graph exploration for people and UIs, answered from the in-memory workspace graph. */
@Injectable()
export class EntitiesService {
  constructor(
    private readonly graphs: WorkspaceGraphLoader,
    private readonly cache: SearchCache,
  ) {}

  /** Entities whose name or an alias equals, starts with, or contains the words searched for. */
  async search(workspaceId: string, query: string, limit: number): Promise<EntitySummary[]> {
    const graph = await this.graph(workspaceId);
    const wanted = entityKey(query);
    if (wanted === '') return [];
    const matches: { entity: number; rank: number }[] = [];
    for (let entity = 0; entity < graph.entityCount; entity += 1) {
      const keys = [graph.entityKeys[entity], ...graph.entityAliases[entity].map(entityKey)];
      let rank = Infinity;
      for (const key of keys) {
        if (key === wanted) rank = Math.min(rank, 0);
        else if (key.startsWith(wanted)) rank = Math.min(rank, 1);
        else if (key.includes(wanted)) rank = Math.min(rank, 2);
      }
      if (rank < Infinity) matches.push({ entity, rank });
    }
    matches.sort(
      (a, b) => a.rank - b.rank || graph.mentionCount(b.entity) - graph.mentionCount(a.entity),
    );
    return matches.slice(0, limit).map(({ entity }) => summary(graph, entity));
  }

  async get(workspaceId: string, key: string): Promise<EntityDetail> {
    const graph = await this.graph(workspaceId);
    const entity = this.require(graph, key);
    const mentionsByDocument = new Map<string, number>();
    for (const chunk of graph.entityChunks[entity]) {
      const documentId = graph.chunkDocuments[chunk];
      mentionsByDocument.set(documentId, (mentionsByDocument.get(documentId) ?? 0) + 1);
    }
    const documents = [...mentionsByDocument]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_DOCUMENTS)
      .map(([id, mentions]) => ({ id, title: graph.documentTitles.get(id) ?? '', mentions }));
    const relations = graph.neighbors[entity]
      .slice()
      .sort((a, b) => b.weight - a.weight)
      .slice(0, MAX_RELATIONS)
      .map((neighbor) => {
        const relation = graph.relations[neighbor.relation];
        return {
          predicate: relation.predicate,
          direction: relation.source === entity ? ('out' as const) : ('in' as const),
          entity: entityRef(graph, neighbor.entity),
          documentId: relation.documentId,
          chunkId: relation.chunkId,
        };
      });
    return { ...summary(graph, entity), documents, relations };
  }

  /**
   * The entities within `hops` relations of one entity, nearest (then most mentioned) first, up
   * to `maxNodes`, with every relation between the nodes kept: ready for a force layout.
   */
  async neighborhood(
    workspaceId: string,
    key: string,
    hops: number,
    maxNodes: number,
  ): Promise<Neighborhood> {
    const graph = await this.graph(workspaceId);
    const center = this.require(graph, key);
    const depth = new Map<number, number>([[center, 0]]);
    let frontier = [center];
    let truncated = false;
    for (let level = 1; level <= hops && frontier.length > 0; level += 1) {
      const next = frontier
        .flatMap((entity) => graph.neighbors[entity].map((neighbor) => neighbor.entity))
        .filter((entity, index, all) => !depth.has(entity) && all.indexOf(entity) === index)
        .sort((a, b) => graph.mentionCount(b) - graph.mentionCount(a));
      const room = maxNodes - depth.size;
      if (next.length > room) truncated = true;
      for (const entity of next.slice(0, Math.max(0, room))) depth.set(entity, level);
      frontier = next.slice(0, Math.max(0, room));
    }
    const nodes = [...depth].map(([entity, level]) => ({
      ...summary(graph, entity),
      id: graph.entityKeys[entity],
      label: graph.entityNames[entity],
      depth: level,
    }));
    const edges: NeighborhoodEdge[] = [];
    for (const entity of depth.keys()) {
      for (const neighbor of graph.neighbors[entity]) {
        if (neighbor.entity < entity || !depth.has(neighbor.entity)) continue;
        const relation = graph.relations[neighbor.relation];
        const source = graph.entityKeys[relation.source];
        const target = graph.entityKeys[relation.target];
        edges.push({
          id: `${source}→${target}`,
          source,
          target,
          label: relation.predicate,
          weight: Math.round(neighbor.weight * 1000) / 1000,
          count: neighbor.count,
        });
      }
    }
    return {
      center: key,
      nodes: nodes.map(({ aliases: _aliases, ...node }) => node),
      edges,
      truncated,
    };
  }

  private async graph(workspaceId: string): Promise<WorkspaceGraph> {
    const stamp = await this.cache.contentStamp(workspaceId);
    return (await this.graphs.graphFor(workspaceId, stamp ?? 'unknown')).graph;
  }

  private require(graph: WorkspaceGraph, key: string): number {
    const entity = graph.entityIndex.get(key) ?? graph.entityIndex.get(entityKey(key));
    if (entity === undefined)
      throw new CairnError('not_found', `Entity ${JSON.stringify(key)} not found.`);
    return entity;
  }
}

function summary(graph: WorkspaceGraph, entity: number): EntitySummary {
  return {
    ...entityRef(graph, entity),
    aliases: graph.entityAliases[entity],
    mentions: graph.mentionCount(entity),
  };
}
