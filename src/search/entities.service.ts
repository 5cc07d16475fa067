import { Injectable } from '@nestjs/common';
import { CairnError } from '../common/errors/cairn-error';
import { entityKey } from '../extraction/normalize';
import {
  ENTITY_NAMES_INDEX,
  Neo4jGraphStore,
  type ScopedGraphTransaction,
} from '../stores/neo4j/neo4j-graph.store';
import type { EntityRef } from './search.types';

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
/** Full-text candidates ranked for one entity search. */
const SEARCH_CANDIDATES = 200;

/** An entity as people see it: its chunks counted once each, however often one names it. */
const SUMMARY_COLUMNS = `e.key AS key, e.name AS name, coalesce(e.type, 'other') AS type,
       coalesce(e.aliases, []) AS aliases,
       COUNT { MATCH (e)<-[:MENTIONS]-(c:Chunk) RETURN DISTINCT c } AS mentions`;

const SUMMARIES = `MATCH (e:Entity)
       WHERE e.workspaceId = $workspaceId AND e.key IN $keys
       RETURN ${SUMMARY_COLUMNS}`;

/**
 * Graph exploration for people and UIs, answered from Neo4j per request (seeks by key and the
 * full-text index of names; nothing of the workspace is held in memory).
 */
@Injectable()
export class EntitiesService {
  constructor(private readonly neo4j: Neo4jGraphStore) {}

  /** Entities whose name or an alias equals, starts with, or contains the words searched for. */
  async search(workspaceId: string, query: string, limit: number): Promise<EntitySummary[]> {
    const wanted = entityKey(query);
    if (wanted === '') return [];
    const words = wanted.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
    // Every word, the last one as a prefix: the words a name containing `wanted` must have.
    const required = words
      .map((word, index) => `+${word}${index === words.length - 1 ? '*' : ''}`)
      .join(' ');
    const candidates = await this.neo4j.transaction(
      workspaceId,
      async (tx) => {
        const found =
          required === ''
            ? []
            : await tx.run<{ key: string }>(
                `CALL db.index.fulltext.queryNodes('${ENTITY_NAMES_INDEX}', $query, {limit: toInteger($limit)})
       YIELD node
       WITH node AS e WHERE e.workspaceId = $workspaceId
       RETURN e.key AS key`,
                {
                  query: `+workspaceId:"${workspaceId}" +(name:(${required}) aliases:(${required}))`,
                  limit: SEARCH_CANDIDATES,
                },
              );
        return summaries(tx, [wanted, ...found.map((row) => row.key)]);
      },
      'read',
    );
    const matches: { entity: EntitySummary; rank: number }[] = [];
    for (const entity of candidates) {
      let rank = Infinity;
      for (const key of [entity.key, ...entity.aliases.map(entityKey)]) {
        if (key === wanted) rank = Math.min(rank, 0);
        else if (key.startsWith(wanted)) rank = Math.min(rank, 1);
        else if (key.includes(wanted)) rank = Math.min(rank, 2);
      }
      if (rank < Infinity) matches.push({ entity, rank });
    }
    matches.sort((a, b) => a.rank - b.rank || b.entity.mentions - a.entity.mentions);
    return matches.slice(0, limit).map(({ entity }) => entity);
  }

  async get(workspaceId: string, key: string): Promise<EntityDetail> {
    return this.neo4j.transaction(
      workspaceId,
      async (tx) => {
        const entity = await this.require(tx, key);
        const documents = await tx.run<{ id: string; title: string; mentions: number }>(
          `MATCH (e:Entity {workspaceId: $workspaceId, key: $key})<-[:MENTIONS]-(c:Chunk)
       WITH c.documentId AS documentId, count(DISTINCT c) AS mentions
       ORDER BY mentions DESC, documentId LIMIT toInteger($limit)
       MATCH (d:Document {workspaceId: $workspaceId, id: documentId})
       RETURN d.id AS id, coalesce(d.title, '') AS title, mentions`,
          { key: entity.key, limit: MAX_DOCUMENTS },
        );
        const relations = await tx.run<EntityDetail['relations'][number]>(
          `MATCH (e:Entity {workspaceId: $workspaceId, key: $key})-[r:RELATED_TO]-(o:Entity)
       WHERE o <> e
       WITH e, o, r ORDER BY coalesce(r.weight, 0.5) DESC
       WITH e, o, collect(r)[0] AS strongest, sum(coalesce(r.weight, 0.5)) AS weight
       ORDER BY weight DESC, o.key LIMIT toInteger($limit)
       RETURN strongest.predicate AS predicate,
         CASE WHEN startNode(strongest) = e THEN 'out' ELSE 'in' END AS direction,
         {key: o.key, name: o.name, type: coalesce(o.type, 'other')} AS entity,
         strongest.documentId AS documentId, strongest.chunkId AS chunkId`,
          { key: entity.key, limit: MAX_RELATIONS },
        );
        return { ...entity, documents, relations };
      },
      'read',
    );
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
    return this.neo4j.transaction(
      workspaceId,
      async (tx) => {
        const center = await this.require(tx, key);
        const depth = new Map<string, number>([[center.key, 0]]);
        let frontier = [center.key];
        let truncated = false;
        for (let level = 1; level <= hops && frontier.length > 0; level += 1) {
          const room = maxNodes - depth.size;
          if (room <= 0) {
            truncated = true;
            break;
          }
          // Most mentioned first (Neo4j's count of MENTIONS edges, kept per node: no edge read).
          const next = await tx.run<{ key: string }>(
            `MATCH (e:Entity)-[:RELATED_TO]-(o:Entity)
       WHERE e.workspaceId = $workspaceId AND e.key IN $frontier AND NOT o.key IN $seen
       WITH DISTINCT o
       RETURN o.key AS key ORDER BY COUNT { (o)<-[:MENTIONS]-() } DESC, key LIMIT toInteger($take)`,
            { frontier, seen: [...depth.keys()], take: room + 1 },
          );
          if (next.length > room) truncated = true;
          frontier = next.slice(0, room).map((row) => row.key);
          for (const entity of frontier) depth.set(entity, level);
        }
        const keys = [...depth.keys()];
        const nodes = new Map((await summaries(tx, keys)).map((node) => [node.key, node]));
        const edges = await tx.run<NeighborhoodEdge>(
          `MATCH (a:Entity)-[r:RELATED_TO]-(b:Entity)
       WHERE a.workspaceId = $workspaceId AND a.key IN $keys AND b.key IN $keys AND a.key < b.key
       WITH a, b, r ORDER BY coalesce(r.weight, 0.5) DESC
       WITH a, b, collect(r) AS relations, sum(coalesce(r.weight, 0.5)) AS weight
       WITH relations[0] AS strongest, weight, size(relations) AS count
       WITH startNode(strongest).key AS source, endNode(strongest).key AS target,
         strongest.predicate AS label, weight, count
       RETURN source + '→' + target AS id, source, target, label,
         round(weight * 1000) / 1000 AS weight, count
       ORDER BY id`,
          { keys },
        );
        return {
          center: key,
          nodes: keys.flatMap((entity) => {
            const node = nodes.get(entity);
            if (node === undefined) return [];
            const { key: id, name, type, mentions } = node;
            return [{ id, key: id, name, type, mentions, label: name, depth: depth.get(entity)! }];
          }),
          edges,
          truncated,
        };
      },
      'read',
    );
  }

  /** The entity with this key (or the key of this name), or a 404. */
  private async require(tx: ScopedGraphTransaction, key: string): Promise<EntitySummary> {
    const found = await summaries(tx, [key, entityKey(key)]);
    const entity = found.find((candidate) => candidate.key === key) ?? found[0];
    if (entity === undefined)
      throw new CairnError('not_found', `Entity ${JSON.stringify(key)} not found.`);
    return entity;
  }
}

async function summaries(tx: ScopedGraphTransaction, keys: string[]): Promise<EntitySummary[]> {
  return tx.run<EntitySummary>(SUMMARIES, { keys: [...new Set(keys)] });
}
