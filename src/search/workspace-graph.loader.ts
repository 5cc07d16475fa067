import { Injectable, Logger } from '@nestjs/common';
import { Neo4jGraphStore } from '../stores/neo4j/neo4j-graph.store';
import {
  WorkspaceGraph,
  type ChunkRow,
  type DocumentRow,
  type EntityRow,
  type RelationRow,
} from './workspace-graph';

/** Workspaces whose graphs stay in memory at once; the least recently used one is dropped. */
const MAX_CACHED_WORKSPACES = 8;
/** How long a search waits for a newer graph before it answers from the previous one. */
const FRESH_GRAPH_WAIT_MS = 1_500;

interface CachedGraph {
  stamp: string;
  /** The newest load (possibly still running). */
  loading: Promise<WorkspaceGraph>;
  /** The newest graph that finished loading, and its content stamp. */
  ready?: { stamp: string; graph: WorkspaceGraph };
}

export interface VersionedGraph {
  graph: WorkspaceGraph;
  /** True when a newer version is still loading and this older graph stood in for it. */
  stale: boolean;
}

/**
 * Reads a workspace's whole entity graph from Neo4j (four scoped statements in one read
 * transaction) and keeps it in memory per content stamp, so searches walk arrays instead of
 * sending traversals to Neo4j. Concurrent searches share one load. When a newer graph takes more
 * than a moment to load (a large workspace mid-import), searches use the previous one and say
 * so: deleted chunks in it are harmless (hits are read back from Weaviate and Postgres), it only
 * misses the newest documents' entities for a while.
 */
@Injectable()
export class WorkspaceGraphLoader {
  private readonly logger = new Logger(WorkspaceGraphLoader.name);
  private readonly cache = new Map<string, CachedGraph>();

  constructor(private readonly neo4j: Neo4jGraphStore) {}

  async graphFor(workspaceId: string, stamp: string): Promise<VersionedGraph> {
    let cached = this.cache.get(workspaceId);
    if (cached === undefined || cached.stamp !== stamp) {
      cached = this.startLoad(workspaceId, stamp, cached?.ready);
    }
    this.cache.delete(workspaceId);
    this.cache.set(workspaceId, cached);
    while (this.cache.size > MAX_CACHED_WORKSPACES) {
      this.cache.delete(this.cache.keys().next().value as string);
    }
    if (cached.ready === undefined) return { graph: await cached.loading, stale: false };
    if (cached.ready.stamp === stamp) return { graph: cached.ready.graph, stale: false };
    // Small workspaces reload within the wait; a large one mid-import answers from the old graph.
    const previous = cached.ready.graph;
    const fresh = await Promise.race([
      cached.loading.catch(() => undefined),
      new Promise<undefined>((resolve) => setTimeout(resolve, FRESH_GRAPH_WAIT_MS)),
    ]);
    return fresh === undefined ? { graph: previous, stale: true } : { graph: fresh, stale: false };
  }

  private startLoad(
    workspaceId: string,
    stamp: string,
    previous: CachedGraph['ready'],
  ): CachedGraph {
    const entry: CachedGraph = { stamp, loading: this.load(workspaceId), ready: previous };
    entry.loading.then(
      (graph) => {
        if (entry.stamp === stamp) entry.ready = { stamp, graph };
      },
      (error: unknown) => {
        this.logger.warn(`graph load of ${workspaceId} failed: ${String(error)}`);
        // A failed load must not stay cached: the next search tries again.
        if (this.cache.get(workspaceId) === entry) {
          if (entry.ready === undefined) this.cache.delete(workspaceId);
          else entry.stamp = entry.ready.stamp;
        }
      },
    );
    return entry;
  }

  private async load(workspaceId: string): Promise<WorkspaceGraph> {
    const started = Date.now();
    const rows = await this.neo4j.transaction(
      workspaceId,
      async (tx) => ({
        entities: await tx.run<EntityRow>(
          `MATCH (e:Entity {workspaceId: $workspaceId})
           RETURN e.key AS key, e.name AS name, coalesce(e.type, 'other') AS type,
                  coalesce(e.aliases, []) AS aliases`,
        ),
        chunks: await tx.run<ChunkRow>(
          `MATCH (c:Chunk {workspaceId: $workspaceId})
           OPTIONAL MATCH (c)-[:MENTIONS]->(e:Entity {workspaceId: $workspaceId})
           RETURN c.id AS id, c.documentId AS documentId, collect(DISTINCT e.key) AS entityKeys`,
        ),
        relations: await tx.run<RelationRow>(
          `MATCH (a:Entity {workspaceId: $workspaceId})-[r:RELATED_TO]->(b:Entity {workspaceId: $workspaceId})
           RETURN a.key AS source, b.key AS target, r.predicate AS predicate,
                  coalesce(r.weight, 0.5) AS weight, r.chunkId AS chunkId, r.documentId AS documentId`,
        ),
        documents: await tx.run<DocumentRow>(
          `MATCH (d:Document {workspaceId: $workspaceId}) RETURN d.id AS id, d.title AS title`,
        ),
      }),
      'read',
    );
    const graph = new WorkspaceGraph(rows);
    this.logger.log(
      `loaded graph of ${workspaceId}: ${graph.entityCount} entities, ${graph.chunkCount} chunks, ${graph.relations.length} relations in ${Date.now() - started} ms`,
    );
    return graph;
  }
}
