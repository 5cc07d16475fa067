import { Injectable } from '@nestjs/common';
import { Neo4jGraphStore } from '../stores/neo4j/neo4j-graph.store';
import type { DraftEntity, DraftMention, DraftRelation } from './overview-draft';

/** The part of the knowledge graph a domain's documents contribute, as drafting reads it. */
export interface DomainSubgraph {
  entities: DraftEntity[];
  mentions: DraftMention[];
  relations: DraftRelation[];
}

/**
 * A domain in Neo4j: (:Domain {workspaceId, id, name})-[:INCLUDES]->(:Document). Every statement is
 * parametrised and scoped by $workspaceId; writes MERGE, so running them again changes nothing.
 */
@Injectable()
export class DomainGraphRepository {
  constructor(private readonly graph: Neo4jGraphStore) {}

  /**
   * Creates or renames the domain node and links it to those of these documents the graph
   * has (a document not processed yet gets linked when it has been).
   */
  async linkDocuments(
    workspaceId: string,
    domain: { id: string; name: string },
    documentIds: string[],
  ): Promise<number> {
    const rows = await this.graph.run<{ linked: number }>(
      `MERGE (dom:Domain {workspaceId: $workspaceId, id: $domainId})
       SET dom.name = $name
       WITH dom
       OPTIONAL MATCH (d:Document {workspaceId: $workspaceId})
       WHERE d.id IN $documentIds
       FOREACH (doc IN CASE WHEN d IS NULL THEN [] ELSE [d] END | MERGE (dom)-[:INCLUDES]->(doc))
       RETURN count(d) AS linked`,
      { workspaceId, domainId: domain.id, name: domain.name, documentIds },
    );
    return rows[0]?.linked ?? 0;
  }

  /** Archive: the domain node and its links go; the documents stay. */
  async removeDomain(workspaceId: string, domainId: string): Promise<void> {
    await this.graph.run(
      `MATCH (dom:Domain {workspaceId: $workspaceId, id: $domainId}) DETACH DELETE dom`,
      { workspaceId, domainId },
    );
  }

  async linkedDocumentIds(workspaceId: string, domainId: string): Promise<string[]> {
    const rows = await this.graph.run<{ id: string }>(
      `MATCH (:Domain {workspaceId: $workspaceId, id: $domainId})-[:INCLUDES]->(d:Document)
       RETURN d.id AS id ORDER BY id`,
      { workspaceId, domainId },
      'read',
    );
    return rows.map((row) => row.id);
  }

  /** Entities mentioned in the domain's documents, their mentions, and relations those documents evidence. */
  async subgraph(workspaceId: string, domainId: string): Promise<DomainSubgraph> {
    return this.graph.transaction(
      workspaceId,
      async (tx) => {
        const mentions = await tx.run<DraftMention & DraftEntity>(
          `MATCH (:Domain {workspaceId: $workspaceId, id: $domainId})-[:INCLUDES]->(d:Document)
                 -[:HAS_CHUNK]->(c:Chunk)-[m:MENTIONS]->(e:Entity)
           RETURN e.key AS entityKey, e.name AS name, coalesce(e.type, 'other') AS type,
                  c.id AS chunkId, coalesce(m.surface, e.name) AS surface
           ORDER BY chunkId, m.start`,
          { domainId },
        );
        const relations = await tx.run<DraftRelation>(
          `MATCH (:Domain {workspaceId: $workspaceId, id: $domainId})-[:INCLUDES]->(d:Document)
                 -[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(a:Entity)-[r:RELATED_TO]->(b:Entity)
           WHERE r.documentId = d.id
           WITH DISTINCT r, a, b
           RETURN a.key AS source, b.key AS target, r.predicate AS predicate,
                  coalesce(r.weight, 1.0) AS weight
           ORDER BY source, target, predicate, r.chunkId`,
          { domainId },
        );
        const entities = new Map<string, DraftEntity>();
        for (const row of mentions) {
          if (!entities.has(row.entityKey)) {
            entities.set(row.entityKey, { key: row.entityKey, name: row.name, type: row.type });
          }
        }
        return {
          entities: [...entities.values()],
          mentions: mentions.map(({ entityKey, chunkId, surface }) => ({
            entityKey,
            chunkId,
            surface,
          })),
          relations,
        };
      },
      'read',
    );
  }
}
