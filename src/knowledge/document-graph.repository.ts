import { Injectable } from '@nestjs/common';
import { Neo4jGraphStore } from '../stores/neo4j/neo4j-graph.store';
import type { TextChunk } from '../analysis';
import type {
  EntityMention,
  ExtractedRelation,
  ExtractionResult,
  KnownEntity,
} from '../extraction';
import { chunkIdFor } from '../documents/document-ids';
import type { DocumentCounts } from '../documents/document.types';

const WRITE_BATCH = 2_000;

/** Matches `r`, each relation these documents ($documentIds) evidence. */
const MATCH_EVIDENCED_RELATIONS = `MATCH (source:Entity)-[r:RELATED_TO]->()
       USING INDEX r:RELATED_TO(documentId)
       WHERE r.documentId IN $documentIds AND source.workspaceId = $workspaceId`;

/** Matches `d` and `c`, each document of $documentIds that has chunks and each of its chunks. */
const MATCH_DOCUMENT_CHUNKS = `MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk)
       USING INDEX d:Document(workspaceId, id)
       WHERE d.workspaceId = $workspaceId AND d.id IN $documentIds`;

/** Deletes the relations these documents evidence. */
const REMOVE_RELATIONS = `${MATCH_EVIDENCED_RELATIONS}
       DELETE r`;

export interface DocumentGraph {
  documentId: string;
  title: string;
  chunks: TextChunk[];
  /**
   * Already resolved against the workspace (EntityResolver.resolveResult): keys are the ones to
   * MERGE on, and mentions and relations are unique, as the CREATEs below need.
   */
  knowledge: ExtractionResult;
}

/**
 * The knowledge graph of documents in Neo4j:
 * (:Document)-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(:Entity)-[:RELATED_TO]->(:Entity).
 * A RELATED_TO edge exists once per evidencing chunk, so deleting a document removes exactly the
 * relations it alone evidences. Every statement is parametrised and scoped by $workspaceId.
 * Lookups name their index (`USING INDEX`): on a new database the planner's statistics say every
 * index is empty, so a scan of the whole workspace looks as cheap, and Neo4j keeps that cached plan
 * while the workspace grows, until its statistics diverge enough to plan again.
 * Lookups of many keys pass them as one list (`key IN $keys`), not as rows of an UNWIND: a value
 * from an UNWIND row is only usable in a seek when the planner nests the lookup under that row,
 * and on a new database it sometimes did not: the lookup then took time in proportion to the
 * workspace's entities, ~2 s per 5,000 for each batch, until Neo4j planned again (10 of 28
 * replays of the corpus's graph writes into a new Neo4j: 24–26 CPU s instead of 12–16). A list
 * is sought key by key under any plan (11 of 11 replays in 13–18 CPU s).
 */
@Injectable()
export class DocumentGraphRepository {
  constructor(private readonly graph: Neo4jGraphStore) {}

  /**
   * Entities the workspace already has under any of these keys (for entity resolution). Only
   * their keys and names are matched, not the aliases other documents added over time: what a
   * document resolves to must not depend on the order in which documents were processed.
   */
  async findKnownEntities(workspaceId: string, keys: string[]): Promise<KnownEntity[]> {
    if (keys.length === 0) return [];
    return this.graph.run<KnownEntity>(
      `MATCH (e:Entity)
       USING INDEX e:Entity(workspaceId, key)
       WHERE e.workspaceId = $workspaceId AND e.key IN $keys
       RETURN e.key AS key, e.name AS name, [] AS aliases`,
      { workspaceId, keys },
      'read',
    );
  }

  /**
   * Writes these documents' graph in ONE transaction; writeGraph calls removeDocuments first, so
   * that the documents are resolved without their own previous graph. One transaction matters:
   * another document's removal may garbage-collect a shared entity at any moment, and it must
   * never fall between this write's entity MERGE and the MENTIONS that keep the entity alive.
   *
   * Only entities are MERGEd: they are shared with other documents. Chunks, mentions and
   * relations belong to these documents alone, so they are CREATEd, which spares Neo4j a look
   * through every relationship of an entity for each of them (an entity such as a country has
   * thousands). That is safe because the first statement locks the documents' nodes and, for
   * the ones that already existed, the next two remove whatever they still have (normally
   * nothing): a concurrent writer of the same documents waits for this one, then replaces its
   * result instead of adding to it.
   *
   * Returns what each document now contributes, as countContributions would read it back: the
   * statements create every chunk, mention and relation they are given, or the transaction fails.
   */
  async writeDocuments(
    workspaceId: string,
    documents: DocumentGraph[],
  ): Promise<Record<string, DocumentCounts>> {
    const chunkRows = documents.flatMap((document) =>
      document.chunks.map((chunk) => ({
        documentId: document.documentId,
        title: document.title,
        id: chunkIdFor(document.documentId, chunk.ord),
        ord: chunk.ord,
        start: chunk.start,
        end: chunk.end,
        page: chunk.page ?? null,
      })),
    );
    const entityRows = new Map<
      string,
      { key: string; name: string; type: string; aliases: string[]; mentions: EntityMention[] }
    >();
    const relationsBySentence = new Map<
      string,
      { chunkId: string; documentId: string; evidence: string; relations: ExtractedRelation[] }
    >();
    for (const document of documents) {
      for (const entity of document.knowledge.entities) {
        const seen = entityRows.get(entity.key);
        entityRows.set(entity.key, {
          key: entity.key,
          name: seen?.name ?? entity.name,
          type: seen?.type ?? entity.type,
          aliases: [...new Set([...(seen?.aliases ?? []), ...entity.aliases])],
          mentions: [...(seen?.mentions ?? []), ...entity.mentions],
        });
      }
      for (const relation of document.knowledge.relations) {
        const sentence = `${relation.chunkId}\n${relation.evidence}`;
        const group = relationsBySentence.get(sentence) ?? {
          chunkId: relation.chunkId,
          documentId: document.documentId,
          evidence: relation.evidence,
          relations: [],
        };
        group.relations.push(relation);
        relationsBySentence.set(sentence, group);
      }
    }

    await this.graph.transaction(workspaceId, async (tx) => {
      const rowsInBatches = async <R>(rows: unknown[], cypher: string): Promise<R[]> => {
        const results: R[] = [];
        for (let offset = 0; offset < rows.length; offset += WRITE_BATCH) {
          results.push(
            ...(await tx.run<R>(cypher, { rows: rows.slice(offset, offset + WRITE_BATCH) })),
          );
        }
        return results;
      };
      const inBatches = async (rows: unknown[], cypher: string) =>
        new Map(
          (await rowsInBatches<{ key: string; node: string }>(rows, cypher)).map(
            ({ key, node }) => [key, node],
          ),
        );
      // Later statements find the nodes written here by element id (valid within this
      // transaction): a record lookup instead of a seek in a composite index for every chunk,
      // mention and relation (two per relation, ~45,000 relations per 1,890 short passages).
      // SET takes the document's write lock even when the title is unchanged. A node this
      // statement created carries the marker for the statement's duration only: one that
      // another transaction created (and committed while this one waited) never shows it.
      const documentRows = await rowsInBatches<{ key: string; node: string; created: boolean }>(
        documents.map((document) => ({ id: document.documentId, title: document.title })),
        `UNWIND $rows AS row
       MERGE (d:Document {workspaceId: $workspaceId, id: row.id})
       ON CREATE SET d.createdByThisWrite = true
       SET d.title = row.title
       WITH row, d, d.createdByThisWrite IS NOT NULL AS created
       REMOVE d.createdByThisWrite
       RETURN row.id AS key, elementId(d) AS node, created`,
      );
      const documentNodes = new Map(documentRows.map(({ key, node }) => [key, node]));
      // Only a document that existed before can have chunks and relations to replace; a new
      // import's documents all are new, and skip both statements.
      const existing = documentRows.filter((row) => !row.created).map((row) => row.key);
      let maybeOrphaned: string[] = [];
      if (existing.length > 0) {
        await tx.run(REMOVE_RELATIONS, { documentIds: existing });
        [{ entities: maybeOrphaned }] = await tx.run<{ entities: string[] }>(
          `${MATCH_DOCUMENT_CHUNKS}
       OPTIONAL MATCH (c)-[:MENTIONS]->(e:Entity)
       WITH collect(DISTINCT c) AS chunks, collect(DISTINCT e) AS entities
       FOREACH (chunk IN chunks | DETACH DELETE chunk)
       RETURN [entity IN entities | elementId(entity)] AS entities`,
          { documentIds: existing },
        );
      }
      const chunkNodes = await inBatches(
        chunkRows.map((row) => ({ ...row, document: nodeOf(documentNodes, row.documentId) })),
        `UNWIND $rows AS row
       ${byElementId('d', 'Document', 'row.document', 'row')}
       CREATE (d)-[:HAS_CHUNK]->(c:Chunk {workspaceId: $workspaceId, id: row.id,
         documentId: row.documentId, ord: row.ord, start: row.start, end: row.end, page: row.page})
       RETURN row.id AS key, elementId(c) AS node`,
      );
      // An entity keeps the first name and type it was created with; aliases accumulate. The
      // entity and its mentions go in one statement: a mention is never silently skipped because
      // a concurrent removal deleted the entity between two statements.
      // Mentions and relations travel as tuples, not maps, and a sentence's relations share one
      // row with its chunk, document and text: the driver packs far fewer values and strings
      // (~45,000 relations and ~15,000 mentions per 1,890 short passages).
      const entityNodes = await inBatches(
        [...entityRows.values()].map(({ mentions, ...entity }) => ({
          ...entity,
          mentions: mentions.map(({ chunkId, start, end, surface }) => [
            nodeOf(chunkNodes, chunkId),
            start,
            end,
            surface,
          ]),
        })),
        `UNWIND $rows AS row
       MERGE (e:Entity {workspaceId: $workspaceId, key: row.key})
       ON CREATE SET e.name = row.name, e.type = row.type, e.aliases = row.aliases
       ON MATCH SET e.aliases = reduce(acc = coalesce(e.aliases, []), alias IN row.aliases |
         CASE WHEN alias IN acc OR alias = e.name THEN acc ELSE acc + alias END),
         e.type = CASE WHEN e.type = 'other' THEN row.type ELSE e.type END
       WITH e, row
       CALL (e, row) {
         UNWIND row.mentions AS mention
         ${byElementId('c', 'Chunk', 'mention[0]', 'mention')}
         CREATE (c)-[:MENTIONS {start: mention[1], end: mention[2], surface: mention[3]}]->(e)
       }
       RETURN row.key AS key, elementId(e) AS node`,
      );
      // A sentence's relations name its few entities many times over: each entity is found once
      // per sentence and the relations point at it by position in the sentence's list, instead
      // of two lookups per relation (~90,000 per 1,890 passages; Neo4j's CPU for the corpus's
      // graph writes went from 8.6 to 7.5 s). The driver sends numbers as floats: toInteger.
      await rowsInBatches(
        [...relationsBySentence.values()].map(({ relations, ...sentence }) => {
          const positions = new Map<string, number>();
          const positionOf = (key: string) => {
            let position = positions.get(key);
            if (position === undefined) {
              position = positions.size;
              positions.set(key, position);
            }
            return position;
          };
          const tuples = relations.map(({ sourceKey, targetKey, predicate, weight }) => [
            positionOf(sourceKey),
            positionOf(targetKey),
            predicate,
            weight,
          ]);
          const entities = [...positions.keys()].map((key) => nodeOf(entityNodes, key));
          return { ...sentence, entities, relations: tuples };
        }),
        `UNWIND $rows AS row
       CALL (row) {
         UNWIND range(0, size(row.entities) - 1) AS position
         ${byElementId('e', 'Entity', 'row.entities[position]', 'row, position')}
         WITH position, e ORDER BY position
         RETURN collect(e) AS entities
       }
       WITH row, entities WHERE size(entities) = size(row.entities)
       UNWIND row.relations AS relation
       WITH row, relation, entities[toInteger(relation[0])] AS a,
         entities[toInteger(relation[1])] AS b
       CREATE (a)-[:RELATED_TO {chunkId: row.chunkId, predicate: relation[2],
         documentId: row.documentId, evidence: row.evidence, weight: relation[3]}]->(b)`,
      );
      if (maybeOrphaned.length > 0) {
        await tx.run(
          `UNWIND $entities AS entity
       ${byElementId('e', 'Entity', 'entity', 'entity')} AND NOT (e)--()
       DELETE e`,
          { entities: maybeOrphaned },
        );
      }
    });
    return Object.fromEntries(
      documents.map((document) => [document.documentId, written(document)]),
    );
  }

  /** Those of these documents that have a node in the graph (written before, not removed). */
  async documentsInGraph(workspaceId: string, documentIds: string[]): Promise<string[]> {
    if (documentIds.length === 0) return [];
    const rows = await this.graph.run<{ id: string }>(
      `MATCH (d:Document)
       USING INDEX d:Document(workspaceId, id)
       WHERE d.workspaceId = $workspaceId AND d.id IN $documentIds
       RETURN d.id AS id`,
      { workspaceId, documentIds },
      'read',
    );
    return rows.map((row) => row.id);
  }

  /**
   * Every document, chunk and entity node of the workspace, with their relationships. Only for
   * the workers' reserved warm-up workspace, which holds nothing else; a real workspace's
   * documents are removed with removeDocuments, which keeps what other documents share.
   */
  async removeAllKnowledge(workspaceId: string): Promise<void> {
    for (const label of ['Document', 'Chunk', 'Entity'] as const) {
      await this.graph.run(
        `MATCH (n:${label}) WHERE n.workspaceId = $workspaceId DETACH DELETE n`,
        {
          workspaceId,
        },
      );
    }
  }

  /**
   * Removes exactly what these documents contributed: their relations, chunks (with mentions),
   * entities no other chunk mentions any more, and the document nodes. Idempotent.
   * Orphaned entities are removed with a plain DELETE, never DETACH: if a concurrent write gives
   * one a new mention, this transaction fails (and is retried) instead of deleting that mention.
   */
  async removeDocuments(workspaceId: string, documentIds: string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await this.graph.run(REMOVE_RELATIONS, { workspaceId, documentIds });
    await this.graph.run(
      `MATCH (d:Document)
       USING INDEX d:Document(workspaceId, id)
       WHERE d.workspaceId = $workspaceId AND d.id IN $documentIds
       OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
       OPTIONAL MATCH (c)-[:MENTIONS]->(e:Entity)
       WITH d, collect(DISTINCT c) AS chunks, collect(DISTINCT e) AS entities
       FOREACH (chunk IN chunks | DETACH DELETE chunk)
       DETACH DELETE d
       WITH entities
       UNWIND entities AS entity
       WITH DISTINCT entity
       WHERE NOT (entity)--()
       DELETE entity`,
      { workspaceId, documentIds },
    );
  }

  /**
   * Per document: chunks, mentions, distinct entities mentioned, relations it evidences; zeros
   * for a document the graph does not have. Two lookups by list in one read transaction, so that
   * both see the same graph (see the class comment on lists).
   */
  async countContributions(
    workspaceId: string,
    documentIds: string[],
  ): Promise<Record<string, DocumentCounts>> {
    const zeros = () =>
      Object.fromEntries(
        documentIds.map((documentId) => [
          documentId,
          { chunks: 0, mentions: 0, entities: 0, relations: 0 } satisfies DocumentCounts,
        ]),
      );
    if (documentIds.length === 0) return zeros();
    return this.graph.transaction(
      workspaceId,
      async (tx) => {
        // Built afresh by every attempt: a retried transaction must not keep a failed one's rows.
        const counts = zeros();
        const knowledge = await tx.run<{
          documentId: string;
          chunks: number;
          mentions: number;
          entities: number;
        }>(
          `${MATCH_DOCUMENT_CHUNKS}
       OPTIONAL MATCH (c)-[m:MENTIONS]->(e:Entity)
       RETURN d.id AS documentId, count(DISTINCT c) AS chunks, count(m) AS mentions,
         count(DISTINCT e) AS entities`,
          { documentIds },
        );
        for (const { documentId, ...documentCounts } of knowledge) {
          Object.assign(counts[documentId], documentCounts);
        }
        const relations = await tx.run<{ documentId: string; relations: number }>(
          `${MATCH_EVIDENCED_RELATIONS}
       RETURN r.documentId AS documentId, count(r) AS relations`,
          { documentIds },
        );
        for (const { documentId, relations: count } of relations) {
          counts[documentId].relations = count;
        }
        return counts;
      },
      'read',
    );
  }

  /** Entity keys each chunk of these documents mentions, for the vector index's filterable keys. */
  async chunkEntityKeys(
    workspaceId: string,
    documentIds: string[],
  ): Promise<Map<string, string[]>> {
    const rows = await this.graph.run<{ chunkId: string; keys: string[] }>(
      `MATCH (c:Chunk)-[:MENTIONS]->(e:Entity)
       USING INDEX c:Chunk(workspaceId, documentId)
       WHERE c.workspaceId = $workspaceId AND c.documentId IN $documentIds
       RETURN c.id AS chunkId, collect(DISTINCT e.key) AS keys`,
      { workspaceId, documentIds },
      'read',
    );
    return new Map(rows.map((row) => [row.chunkId, row.keys]));
  }
}

/**
 * Cypher that finds a node by the element id an earlier statement of this transaction returned,
 * then checks its label and workspace. The lookup sits alone in a subquery, so the planner cannot
 * fold those checks into it: on a new database, whose statistics say every label and index is
 * empty, it would rather scan the workspace's index and filter by element id, one scan per row,
 * and keep that cached plan while the workspace grows (the first import of MuSiQue-100 into a
 * new Neo4j cost it 62 CPU s that way, 18 with the lookup on its own).
 */
function byElementId(variable: string, label: string, elementId: string, imports: string): string {
  return `CALL (${imports}) { MATCH (${variable}) WHERE elementId(${variable}) = ${elementId} RETURN ${variable} }
       WITH * WHERE ${variable}:${label} AND ${variable}.workspaceId = $workspaceId`;
}

/**
 * What writeDocuments creates for one document: its chunks, its (resolved, unique) mentions, the
 * distinct entities they mention and its relations, one edge each.
 */
function written({ chunks, knowledge }: DocumentGraph): Required<DocumentCounts> {
  const mentioned = knowledge.entities.filter((entity) => entity.mentions.length > 0);
  return {
    chunks: chunks.length,
    mentions: mentioned.reduce((total, entity) => total + entity.mentions.length, 0),
    entities: new Set(mentioned.map((entity) => entity.key)).size,
    relations: knowledge.relations.length,
  };
}

/** The element id a statement of this transaction returned for a key; the caller wrote them all. */
function nodeOf(nodes: Map<string, string>, key: string): string {
  const node = nodes.get(key);
  if (node === undefined) throw new Error(`graph write: no node was written for ${key}`);
  return node;
}
