import { Injectable, Logger } from '@nestjs/common';
import {
  ENTITY_NAMES_INDEX,
  Neo4jGraphStore,
  type ScopedGraphTransaction,
} from '../stores/neo4j/neo4j-graph.store';
import {
  exactQueryLinks,
  fuzzyLinks,
  fuzzyLookupWords,
  linkLookupKeys,
  mergeLinks,
  type QueryEntityLink,
} from './query-linking';
import { WorkspaceGraph, type ChunkRow, type EntityRow, type RelationRow } from './workspace-graph';

/**
 * How much of the graph one search reads. The walk needs the entities near the query, their
 * chunks and their relations; a common entity (a year, a country) has thousands of chunks, and
 * two co-mention steps from a query reach most of a workspace. So each entity brings at most
 * `chunksPerEntity` chunks and its `relationsPerEntity` strongest relations, and each hop expands
 * at most `entitiesPerHop` entities: those a first push of the walk's mass reaches most. The
 * cost of a search is then bounded whatever the size of the workspace.
 */
export interface NeighbourhoodLimits {
  chunksPerEntity: number;
  relationsPerEntity: number;
  entitiesPerHop: number;
}

/**
 * MuSiQue-100 (1,983 chunks) graph/auto R@2/R@5 with the whole graph 43.7/55.3 and 52.5/69.7;
 * with 40/40/150 43.4/55.8 and 53.0/68.3; with these 43.4/55.8 and 53.0/69.2.
 */
export const DEFAULT_NEIGHBOURHOOD_LIMITS: NeighbourhoodLimits = {
  chunksPerEntity: 80,
  relationsPerEntity: 60,
  entitiesPerHop: 300,
};

/** A link of the query to an entity, by key: it ties into any neighbourhood read later. */
export interface KeyedLink extends Omit<QueryEntityLink, 'entity'> {
  key: string;
  /** How many chunks mention it (Neo4j's count of its mentions). */
  mentions: number;
}

export interface NeighbourhoodRequest {
  /** Entity keys to start from, with their restart weights. */
  entities: ReadonlyMap<string, number>;
  /** Chunk ids to start from (their entities are at distance 0), with their weights. */
  chunks: ReadonlyMap<string, number>;
  hops: number;
  limits: NeighbourhoodLimits;
  /** The walk's date weight, to rank what to expand as the walk would. */
  dateWeight: number;
}

/** An entity as a chunk or relation row names it: key, type, chunks mentioning it. */
type EntityTuple = [key: string, type: string, mentions: number];
type ChunkTuple = [id: string, documentId: string, entities: EntityTuple[]];
type RelationTuple = [
  id: string,
  outgoing: boolean,
  other: string,
  otherType: string,
  otherMentions: number,
  predicate: string,
  weight: number,
  chunkId: string,
  documentId: string,
];

/** What Neo4j says about one entity's surroundings (bounded by the limits). */
interface Expansion {
  entity: Required<EntityRow>;
  chunks: ChunkTuple[];
  relations: RelationTuple[];
}

/** Chunks with all their entities, named (for explanations and type filters). */
interface ChunkDetail {
  id: string;
  documentId: string;
  entities: Required<EntityRow>[];
}

/**
 * `mentions` is the entity's MENTIONS edges, a count Neo4j keeps (no edge is read): a chunk that
 * names an entity twice counts twice. Expansions replace it by the exact count of chunks when
 * they read all of them (expand()).
 */
const ENTITY_COLUMNS = `e.key AS key, e.name AS name, coalesce(e.type, 'other') AS type,
       coalesce(e.aliases, []) AS aliases, COUNT { (e)<-[:MENTIONS]-() } AS mentions`;

const EXPAND = `MATCH (e:Entity)
       WHERE e.workspaceId = $workspaceId AND e.key IN $keys
       CALL (e) {
         MATCH (e)<-[:MENTIONS]-(c:Chunk)
         WITH DISTINCT c LIMIT toInteger($chunksPerEntity)
         CALL (c) {
           MATCH (c)-[:MENTIONS]->(o:Entity)
           WITH DISTINCT o
           RETURN collect([o.key, coalesce(o.type, 'other'), COUNT { (o)<-[:MENTIONS]-() }]) AS entities
         }
         RETURN collect([c.id, c.documentId, entities]) AS chunks
       }
       CALL (e) {
         MATCH (e)-[r:RELATED_TO]-(o:Entity)
         WITH e, r, o ORDER BY coalesce(r.weight, 0.5) DESC LIMIT toInteger($relationsPerEntity)
         RETURN collect([elementId(r), startNode(r) = e, o.key, coalesce(o.type, 'other'),
           COUNT { (o)<-[:MENTIONS]-() }, r.predicate, coalesce(r.weight, 0.5), r.chunkId,
           r.documentId]) AS relations
       }
       RETURN ${ENTITY_COLUMNS}, chunks, relations`;

const CHUNK_DETAILS = `MATCH (c:Chunk)
       WHERE c.workspaceId = $workspaceId AND c.id IN $chunkIds
       CALL (c) {
         MATCH (c)-[:MENTIONS]->(e:Entity)
         WITH DISTINCT e
         RETURN collect({key: e.key, name: e.name, type: coalesce(e.type, 'other'),
           aliases: coalesce(e.aliases, []), mentions: COUNT { (e)<-[:MENTIONS]-() }}) AS entities
       }
       RETURN c.id AS id, c.documentId AS documentId, entities`;

const ENTITIES_BY_KEY = `MATCH (e:Entity)
       WHERE e.workspaceId = $workspaceId AND e.key IN $keys
       RETURN ${ENTITY_COLUMNS}`;

const ENTITIES_BY_NAME = `CALL db.index.fulltext.queryNodes('${ENTITY_NAMES_INDEX}', $query, {limit: toInteger($limit)})
       YIELD node
       WITH node AS e WHERE e.workspaceId = $workspaceId
       RETURN ${ENTITY_COLUMNS}`;

/** Full-text matches per name phrase looked up (exact alias phrases, fuzzy words). */
const NAME_MATCHES = 100;
const FUZZY_MATCHES = 200;
/** Phrases sent to the full-text index for one query (Lucene allows 1,024 clauses). */
const MAX_NAME_PHRASES = 200;
/** Cached expansions, counted in chunk and relation tuples: some megabytes at most. */
const CACHE_TUPLES = 400_000;

/**
 * The graph side of search, read from Neo4j per query: the entities a query names (by key, and
 * by the full-text index of names and aliases for aliases and fuzzy matches), and a bounded
 * neighbourhood around them. Nothing here grows with the workspace: statements seek by key or
 * id in the workspace's indexes, read at most the limits' worth of rows, and the only state is
 * a bounded LRU cache of entity expansions keyed by the workspace's content version (a change
 * of content makes every entry of the workspace unreachable).
 */
@Injectable()
export class GraphNeighbourhoods {
  private readonly logger = new Logger(GraphNeighbourhoods.name);
  private readonly expansions = new WeightedLru<Expansion>(CACHE_TUPLES);
  private lastNameIndexWarning = 0;

  constructor(private readonly neo4j: Neo4jGraphStore) {}

  /** The entities a query names, with the candidates linking chose among. */
  async linkQuery(
    workspaceId: string,
    query: string,
    namedPhrases: readonly string[],
  ): Promise<KeyedLink[]> {
    const keys = linkLookupKeys(query, namedPhrases);
    if (keys.length === 0) return [];
    return this.neo4j.transaction(
      workspaceId,
      async (tx) => {
        const phrases = keys.slice(0, MAX_NAME_PHRASES).map(lucenePhrase).filter(Boolean);
        const names = phrases.join(' ');
        const candidates = [
          ...(await tx.run<Required<EntityRow>>(ENTITIES_BY_KEY, { keys })),
          ...(await this.byName(
            tx,
            workspaceId,
            `name:(${names}) aliases:(${names})`,
            NAME_MATCHES,
          )),
        ];
        let index = candidateGraph(candidates);
        const exact = exactQueryLinks(index, query, namedPhrases);
        let fuzzy: QueryEntityLink[] = [];
        if (exact.unlinkedNames.length > 0) {
          for (const phrase of exact.unlinkedNames) {
            const words = luceneWords(phrase);
            if (words === '') continue;
            candidates.push(
              ...(await this.byName(
                tx,
                workspaceId,
                `name:(${words}) aliases:(${words})`,
                FUZZY_MATCHES,
              )),
            );
          }
          // Appending keeps the exact links' entity numbers valid.
          index = candidateGraph(candidates);
          fuzzy = exact.unlinkedNames.flatMap((phrase) => fuzzyLinks(index, phrase));
        }
        return mergeLinks(exact.links, fuzzy).map(({ entity, ...link }) => ({
          ...link,
          key: index.entityKeys[entity],
          mentions: index.mentionCount(entity),
        }));
      },
      'read',
    );
  }

  /**
   * The neighbourhood of the seeds within `hops` steps (a relation, or two entities in one
   * chunk), as a graph for the walk: the expanded entities with their true mention counts, the
   * chunks read with their links to those entities, the relations read among them.
   */
  async neighbourhood(
    workspaceId: string,
    stamp: string,
    request: NeighbourhoodRequest,
  ): Promise<WorkspaceGraph> {
    const { limits } = request;
    if (request.entities.size === 0 && request.chunks.size === 0)
      return neighbourhoodGraph(new Map(), []);
    return this.neo4j.transaction(
      workspaceId,
      async (tx) => {
        const reach = new Map<string, number>();
        const known = new Map<string, { type: string; mentions: number }>();
        const expanded = new Map<string, Expansion>();
        const seedChunks: ChunkDetail[] = [];
        const specificity = (key: string) => {
          const entity = known.get(key);
          if (entity === undefined) return 0;
          const value = 1 / Math.log2(2 + entity.mentions);
          return entity.type === 'date' ? value * request.dateWeight : value;
        };
        const add = (key: string, mass: number) => reach.set(key, (reach.get(key) ?? 0) + mass);

        for (const [key, weight] of request.entities) add(key, weight);
        if (request.chunks.size > 0) {
          seedChunks.push(...(await this.chunkDetails(tx, [...request.chunks.keys()])));
          for (const chunk of seedChunks) {
            for (const entity of chunk.entities) known.set(entity.key, entity);
            const total = chunk.entities.reduce((sum, e) => sum + specificity(e.key), 0);
            const weight = request.chunks.get(chunk.id) ?? 0;
            for (const entity of chunk.entities) {
              add(entity.key, total > 0 ? (weight * specificity(entity.key)) / total : 0);
            }
          }
        }

        for (let depth = 0; depth <= request.hops; depth += 1) {
          const frontier = [...reach]
            .filter(([key]) => !expanded.has(key))
            .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
            .slice(0, limits.entitiesPerHop)
            .map(([key]) => key);
          if (frontier.length === 0) break;
          const found = await this.expand(tx, workspaceId, stamp, frontier, limits);
          for (const [key, expansion] of found) {
            expanded.set(key, expansion);
            known.set(key, expansion.entity);
          }
          if (depth === request.hops) break;
          // One push of the walk's mass from each new entity: what to expand next.
          for (const [key, { entity, chunks, relations }] of found) {
            const mass = (reach.get(key) ?? 0) / 2;
            const perChunk = mass / Math.max(1, entity.mentions);
            for (const [, , entities] of chunks) {
              for (const [other, type, mentions] of entities) known.set(other, { type, mentions });
              const total = entities.reduce((sum, [other]) => sum + specificity(other), 0);
              for (const [other] of entities) {
                if (other !== key && total > 0) add(other, (perChunk * specificity(other)) / total);
              }
            }
            let total = 0;
            for (const [, , other, type, mentions, , weight] of relations) {
              known.set(other, { type, mentions });
              total += weight * specificity(other);
            }
            for (const [, , other, , , , weight] of relations) {
              if (total > 0) add(other, (mass * weight * specificity(other)) / total);
            }
          }
        }
        return neighbourhoodGraph(expanded, seedChunks);
      },
      'read',
    );
  }

  /**
   * `graph` with these chunks added (those it lacks), each linked to all its entities, which are
   * added too: what explanations and type filters need about hits outside the neighbourhood.
   * Also returns the entity types of every chunk asked for, when `withTypes`.
   */
  async withChunks(
    workspaceId: string,
    graph: WorkspaceGraph,
    chunkIds: readonly string[],
    withTypes = false,
  ): Promise<{ graph: WorkspaceGraph; types: Map<string, Set<string>> }> {
    const wanted = withTypes ? [...chunkIds] : chunkIds.filter((id) => !graph.chunkIndex.has(id));
    const types = new Map<string, Set<string>>();
    if (wanted.length === 0) return { graph, types };
    const details = await this.neo4j.transaction(
      workspaceId,
      (tx) => this.chunkDetails(tx, wanted),
      'read',
    );
    for (const chunk of details) {
      types.set(chunk.id, new Set(chunk.entities.map((entity) => entity.type)));
    }
    return {
      graph: graph.extendedWith({
        entities: details.flatMap((chunk) => chunk.entities),
        chunks: details.map(chunkRow),
      }),
      types,
    };
  }

  private async chunkDetails(
    tx: ScopedGraphTransaction,
    chunkIds: string[],
  ): Promise<ChunkDetail[]> {
    return tx.run<ChunkDetail>(CHUNK_DETAILS, { chunkIds });
  }

  /** Expansions of these entities, from the cache or Neo4j; unknown keys are left out. */
  private async expand(
    tx: ScopedGraphTransaction,
    workspaceId: string,
    stamp: string,
    keys: string[],
    limits: NeighbourhoodLimits,
  ): Promise<Map<string, Expansion>> {
    const cacheKey = (key: string) =>
      `${workspaceId}\n${stamp}\n${limits.chunksPerEntity}\n${limits.relationsPerEntity}\n${key}`;
    const result = new Map<string, Expansion>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.expansions.get(cacheKey(key));
      if (cached === undefined) missing.push(key);
      else result.set(key, cached);
    }
    if (missing.length > 0) {
      const rows = await tx.run<Required<EntityRow> & Omit<Expansion, 'entity'>>(EXPAND, {
        keys: missing,
        chunksPerEntity: limits.chunksPerEntity,
        relationsPerEntity: limits.relationsPerEntity,
      });
      for (const { chunks, relations, ...entity } of rows) {
        // All the entity's chunks were read: their number is the exact count the walk uses.
        const mentions =
          chunks.length < limits.chunksPerEntity
            ? chunks.length
            : Math.max(chunks.length, entity.mentions);
        const expansion = { entity: { ...entity, mentions }, chunks, relations };
        result.set(entity.key, expansion);
        const size = 1 + chunks.reduce((sum, chunk) => sum + 1 + chunk[2].length, 0);
        this.expansions.set(cacheKey(entity.key), expansion, size + relations.length);
      }
    }
    return result;
  }

  /** Entities by full-text match on names and aliases, in this workspace; none if the index fails. */
  private async byName(
    tx: ScopedGraphTransaction,
    workspaceId: string,
    clauses: string,
    limit: number,
  ): Promise<Required<EntityRow>[]> {
    try {
      return await tx.run<Required<EntityRow>>(ENTITIES_BY_NAME, {
        query: `+workspaceId:"${workspaceId}" +(${clauses})`,
        limit,
      });
    } catch (error) {
      // A new index is still being filled: names are then linked by their keys alone.
      if (Date.now() - this.lastNameIndexWarning > 60_000) {
        this.lastNameIndexWarning = Date.now();
        this.logger.warn(`entity name index unavailable: ${String(error)}`);
      }
      return [];
    }
  }
}

/** A graph of candidate entities alone (no chunks), for linking. */
function candidateGraph(entities: Required<EntityRow>[]): WorkspaceGraph {
  const unique = new Map<string, EntityRow>();
  for (const entity of entities) if (!unique.has(entity.key)) unique.set(entity.key, entity);
  return new WorkspaceGraph({
    entities: [...unique.values()],
    chunks: [],
    relations: [],
    documents: [],
  });
}

function chunkRow(chunk: ChunkDetail): ChunkRow {
  return {
    id: chunk.id,
    documentId: chunk.documentId,
    entityKeys: chunk.entities.map((entity) => entity.key),
  };
}

function neighbourhoodGraph(
  expanded: Map<string, Expansion>,
  seedChunks: ChunkDetail[],
): WorkspaceGraph {
  const chunks = new Map<string, ChunkRow>();
  for (const chunk of seedChunks) chunks.set(chunk.id, chunkRow(chunk));
  const relations = new Map<string, RelationRow>();
  for (const [key, expansion] of expanded) {
    for (const [id, documentId, entities] of expansion.chunks) {
      if (!chunks.has(id)) chunks.set(id, { id, documentId, entityKeys: entities.map(([k]) => k) });
    }
    for (const [
      id,
      outgoing,
      other,
      ,
      ,
      predicate,
      weight,
      chunkId,
      documentId,
    ] of expansion.relations) {
      // Read from both ends when both entities were expanded: one relation all the same.
      if (relations.has(id) || !expanded.has(other)) continue;
      relations.set(id, {
        source: outgoing ? key : other,
        target: outgoing ? other : key,
        predicate,
        weight,
        chunkId,
        documentId,
      });
    }
  }
  return new WorkspaceGraph({
    entities: [...expanded.values()].map((expansion) => expansion.entity),
    chunks: [...chunks.values()],
    relations: [...relations.values()],
    documents: [],
  });
}

/** Lucene's words of a phrase: letters and digits only, so nothing in it is query syntax. */
function luceneWords(phrase: string): string {
  const words = new Set<string>();
  for (const word of [...fuzzyLookupWords(phrase), ...phrase.toLowerCase().split(/\s+/)]) {
    for (const part of word.split(/[^\p{L}\p{N}]+/u)) if (part !== '') words.add(part);
  }
  return [...words].join(' ');
}

function lucenePhrase(key: string): string {
  const words = key.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
  return words.length === 0 ? '' : `"${words.join(' ')}"`;
}

/** A least-recently-used map bounded by the total weight of its values. */
class WeightedLru<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, weight: number): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.total -= previous.weight;
      this.entries.delete(key);
    }
    if (weight > this.capacity) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.capacity) break;
      this.entries.delete(oldest);
      this.total -= entry.weight;
    }
  }
}
