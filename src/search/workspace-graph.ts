import { entityKey } from '../extraction/normalize';

/**
 * A part of one workspace's knowledge graph, held in memory for one search: entities, chunks and
 * the documents they belong to, mentions (chunk → entity) and relations (entity → entity), with
 * integer ids so that graph walks run over arrays instead of maps. Search builds it from the
 * bounded neighbourhood of the query that graph-neighbourhood.ts reads from Neo4j (a few hundred
 * entities), never from the whole workspace; unit tests build small whole graphs.
 */

export interface EntityRow {
  key: string;
  name: string;
  type: string;
  aliases: string[];
  /**
   * Chunks of the whole workspace that mention the entity, when the rows are only part of the
   * graph (a neighbourhood holds a few of a common entity's chunks); else the chunks given.
   */
  mentions?: number;
}

export interface ChunkRow {
  id: string;
  documentId: string;
  entityKeys: string[];
}

export interface RelationRow {
  source: string;
  target: string;
  predicate: string;
  weight: number;
  chunkId: string;
  documentId: string;
}

export interface DocumentRow {
  id: string;
  title: string;
}

export interface WorkspaceGraphRows {
  entities: EntityRow[];
  chunks: ChunkRow[];
  relations: RelationRow[];
  documents: DocumentRow[];
}

export interface Relation {
  source: number;
  target: number;
  predicate: string;
  weight: number;
  chunkId: string;
  documentId: string;
}

/** All relations between one pair of entities, summarised for walks and explanations. */
export interface EntityNeighbor {
  entity: number;
  /** Sum of the pair's relation weights. */
  weight: number;
  /** The strongest relation between the pair (either direction), for explanations. */
  relation: number;
  /** How many relations join the pair. */
  count: number;
}

export class WorkspaceGraph {
  readonly entityKeys: string[] = [];
  readonly entityNames: string[] = [];
  readonly entityTypes: string[] = [];
  readonly entityAliases: string[][] = [];
  readonly entityMentions: number[] = [];
  readonly entityIndex = new Map<string, number>();
  readonly chunkIds: string[] = [];
  readonly chunkDocuments: string[] = [];
  readonly chunkIndex = new Map<string, number>();
  readonly documentTitles = new Map<string, string>();
  readonly entityChunks: number[][] = [];
  readonly chunkEntities: number[][] = [];
  readonly neighbors: EntityNeighbor[][] = [];
  readonly relations: Relation[] = [];
  /** entityKey(name or alias) → entities, for linking query phrases. */
  readonly nameIndex = new Map<string, number[]>();
  /** word of a name or alias key → entities, for fuzzy linking. */
  readonly wordIndex = new Map<string, number[]>();

  constructor(readonly rows: WorkspaceGraphRows) {
    for (const document of rows.documents) this.documentTitles.set(document.id, document.title);
    for (const entity of rows.entities) {
      const id = this.entityKeys.length;
      this.entityKeys.push(entity.key);
      this.entityNames.push(entity.name);
      this.entityTypes.push(entity.type);
      this.entityAliases.push(entity.aliases);
      this.entityMentions.push(entity.mentions ?? -1);
      this.entityIndex.set(entity.key, id);
      this.entityChunks.push([]);
      this.neighbors.push([]);
      const nameKeys = new Set([entity.key, ...[entity.name, ...entity.aliases].map(entityKey)]);
      for (const nameKey of nameKeys) {
        if (nameKey === '') continue;
        pushTo(this.nameIndex, nameKey, id);
        for (const word of nameKey.split(' ')) pushUnique(this.wordIndex, word, id);
      }
    }
    for (const chunk of rows.chunks) {
      const id = this.chunkIds.length;
      this.chunkIds.push(chunk.id);
      this.chunkDocuments.push(chunk.documentId);
      this.chunkIndex.set(chunk.id, id);
      const entities = [
        ...new Set(
          chunk.entityKeys
            .map((key) => this.entityIndex.get(key))
            .filter((entity) => entity !== undefined),
        ),
      ];
      this.chunkEntities.push(entities);
      for (const entity of entities) this.entityChunks[entity].push(id);
    }
    const pairs = new Map<string, EntityNeighbor & { other: number; self: number }>();
    for (const row of rows.relations) {
      const source = this.entityIndex.get(row.source);
      const target = this.entityIndex.get(row.target);
      if (source === undefined || target === undefined || source === target) continue;
      const relation = this.relations.length;
      this.relations.push({
        source,
        target,
        predicate: row.predicate,
        weight: row.weight,
        chunkId: row.chunkId,
        documentId: row.documentId,
      });
      const pairKey = source < target ? `${source}:${target}` : `${target}:${source}`;
      const pair = pairs.get(pairKey);
      if (pair === undefined) {
        pairs.set(pairKey, {
          self: Math.min(source, target),
          other: Math.max(source, target),
          entity: -1,
          weight: row.weight,
          relation,
          count: 1,
        });
      } else {
        pair.weight += row.weight;
        pair.count += 1;
        if (row.weight > this.relations[pair.relation].weight) pair.relation = relation;
      }
    }
    for (const pair of pairs.values()) {
      const { weight, relation, count } = pair;
      this.neighbors[pair.self].push({ entity: pair.other, weight, relation, count });
      this.neighbors[pair.other].push({ entity: pair.self, weight, relation, count });
    }
  }

  get entityCount(): number {
    return this.entityKeys.length;
  }

  get chunkCount(): number {
    return this.chunkIds.length;
  }

  /** Chunks mentioning the entity: how common (hence how uninformative) it is. */
  mentionCount(entity: number): number {
    const known = this.entityMentions[entity];
    return known >= 0 ? known : this.entityChunks[entity].length;
  }

  /**
   * This graph with more chunks and entities (rows this one does not have yet) appended: every
   * entity, chunk and relation id of this graph means the same in the result.
   */
  extendedWith(more: { entities: EntityRow[]; chunks: ChunkRow[] }): WorkspaceGraph {
    const entities = more.entities.filter((entity) => !this.entityIndex.has(entity.key));
    const chunks = more.chunks.filter((chunk) => !this.chunkIndex.has(chunk.id));
    if (entities.length === 0 && chunks.length === 0) return this;
    return new WorkspaceGraph({
      ...this.rows,
      entities: [...this.rows.entities, ...dedupeBy(entities, (entity) => entity.key)],
      chunks: [...this.rows.chunks, ...dedupeBy(chunks, (chunk) => chunk.id)],
    });
  }
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)) !== undefined);
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function pushUnique<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else if (list[list.length - 1] !== value) list.push(value);
}
