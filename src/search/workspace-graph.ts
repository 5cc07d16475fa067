import { entityKey } from '../extraction/normalize';

/**
 * One workspace's knowledge graph held in memory for search: entities, chunks and the documents
 * they belong to, mentions (chunk → entity) and relations (entity → entity), with integer ids so
 * that graph walks run over arrays instead of maps. Built from rows read from Neo4j and rebuilt
 * when the workspace's content version changes.
 */

export interface EntityRow {
  key: string;
  name: string;
  type: string;
  aliases: string[];
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

  constructor(rows: WorkspaceGraphRows) {
    for (const document of rows.documents) this.documentTitles.set(document.id, document.title);
    for (const entity of rows.entities) {
      const id = this.entityKeys.length;
      this.entityKeys.push(entity.key);
      this.entityNames.push(entity.name);
      this.entityTypes.push(entity.type);
      this.entityAliases.push(entity.aliases);
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
    return this.entityChunks[entity].length;
  }
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
