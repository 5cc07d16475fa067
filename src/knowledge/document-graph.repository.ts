import { Injectable } from '@nestjs/common';
import { Neo4jGraphStore } from '../stores/neo4j/neo4j-graph.store';
import type { TextChunk } from '../analysis';
import type { EntityMention, ExtractedRelation, ExtractionResult } from '../extraction';
import { chunkIdFor } from '../documents/document-ids';
import type { DocumentCounts } from '../documents/document.types';
import {
  applyContributions,
  emptyTally,
  deriveFromTally,
  tallyFromJson,
  tallySize,
  tallyToJson,
  type ContributionTally,
  type EntityContribution,
} from './entity-contributions';

/** The subset of a graph transaction the statements here need. */
interface GraphTransaction {
  run<R = Record<string, unknown>>(cypher: string, params?: Record<string, unknown>): Promise<R[]>;
}

const WRITE_BATCH = 2_000;

/** Matches `r`, each relation these documents ($documentIds) evidence. */
const MATCH_EVIDENCED_RELATIONS = `MATCH (source:Entity)-[r:RELATED_TO]->()
       USING INDEX r:RELATED_TO(documentId)
       WHERE r.documentId IN $documentIds AND source.workspaceId = $workspaceId`;

/** Matches `d` and `c`, each document of $documentIds that has chunks and each of its chunks. */
const MATCH_DOCUMENT_CHUNKS = `MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk)
       USING INDEX d:Document(workspaceId, id)
       WHERE d.workspaceId = $workspaceId AND d.id IN $documentIds`;

/**
 * Deletes what these documents ($documentIds) contributed to entities; returns, per entity
 * (element id), what was taken back: its properties must be derived again (or it may be
 * orphaned now).
 */
const REMOVE_CONTRIBUTIONS = `MATCH (d:Document)-[contribution:CONTRIBUTES]->(e:Entity)
       USING INDEX d:Document(workspaceId, id)
       WHERE d.workspaceId = $workspaceId AND d.id IN $documentIds
       WITH e, contribution, [contribution.name, contribution.type, contribution.aliases] AS given
       DELETE contribution
       RETURN elementId(e) AS node, collect(given) AS removed`;

/** What one transaction added to and took back from an entity's contributions. */
interface ContributionDelta {
  added: EntityContribution[];
  removed: EntityContribution[];
}

type RemovedContributions = { node: string; removed: [string, string, string[]][] }[];

/** The entities (element ids) REMOVE_CONTRIBUTIONS touched, with what it took back from each. */
function removedDeltas(rows: RemovedContributions): Map<string, ContributionDelta> {
  return new Map(
    rows.map(({ node, removed }) => [
      node,
      {
        added: [],
        removed: removed.map(([name, type, aliases]) => ({ name, type, aliases })),
      },
    ]),
  );
}

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
 * (:Document)-[:HAS_CHUNK]->(:Chunk)-[:MENTIONS]->(:Entity)-[:RELATED_TO]->(:Entity), and
 * (:Document)-[:CONTRIBUTES {name, type, aliases}]->(:Entity) once per entity a document names.
 * A RELATED_TO edge exists once per evidencing chunk, so deleting a document removes exactly the
 * relations it alone evidences. An entity's name, type and aliases are derived from its
 * CONTRIBUTES edges (deriveEntity) whenever they change, so they never keep what a deleted or
 * re-processed document said, and do not depend on the order documents came in: the graph is a
 * function of the set of documents. Every statement is parametrised and scoped by $workspaceId.
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
   * Writes these documents' graph in ONE transaction (writeGraph calls removeDocuments first).
   * One transaction matters:
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
      {
        key: string;
        mentions: EntityMention[];
        /** [document id, name, type, aliases] per document that names the entity */
        contributions: [string, string, string, string[]][];
      }
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
          mentions: [...(seen?.mentions ?? []), ...entity.mentions],
          contributions: [
            ...(seen?.contributions ?? []),
            [document.documentId, entity.name, entity.type, entity.aliases],
          ],
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
      let deltas = new Map<string, ContributionDelta>();
      if (existing.length > 0) {
        await tx.run(REMOVE_RELATIONS, { documentIds: existing });
        deltas = removedDeltas(
          await tx.run<RemovedContributions[number]>(REMOVE_CONTRIBUTIONS, {
            documentIds: existing,
          }),
        );
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
      // The entity, its mentions and the documents' contributions go in one statement: a mention
      // is never silently skipped because a concurrent removal deleted the entity between two
      // statements. The name, type and aliases set on creation are provisional: they are
      // derived from all contributions at the end of the transaction.
      // Mentions and relations travel as tuples, not maps, and a sentence's relations share one
      // row with its chunk, document and text: the driver packs far fewer values and strings
      // (~45,000 relations and ~15,000 mentions per 1,890 short passages).
      const entityNodes = await inBatches(
        [...entityRows.values()].map(({ key, mentions, contributions }) => ({
          key,
          first: contributions[0].slice(1),
          mentions: mentions.map(({ chunkId, start, end, surface }) => [
            nodeOf(chunkNodes, chunkId),
            start,
            end,
            surface,
          ]),
          contributions: contributions.map(([documentId, ...contribution]) => [
            nodeOf(documentNodes, documentId),
            ...contribution,
          ]),
        })),
        `UNWIND $rows AS row
       MERGE (e:Entity {workspaceId: $workspaceId, key: row.key})
       ON CREATE SET e.name = row.first[0], e.type = row.first[1], e.aliases = row.first[2]
       WITH e, row
       CALL (e, row) {
         UNWIND row.mentions AS mention
         ${byElementId('c', 'Chunk', 'mention[0]', 'mention')}
         CREATE (c)-[:MENTIONS {start: mention[1], end: mention[2], surface: mention[3]}]->(e)
       }
       CALL (e, row) {
         UNWIND row.contributions AS contribution
         ${byElementId('d', 'Document', 'contribution[0]', 'contribution')}
         CREATE (d)-[:CONTRIBUTES {name: contribution[1], type: contribution[2],
           aliases: contribution[3]}]->(e)
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
      await deleteOrphans(tx, [...new Set([...maybeOrphaned, ...deltas.keys()])]);
      for (const { key, contributions } of entityRows.values()) {
        const node = nodeOf(entityNodes, key);
        const delta = deltas.get(node) ?? { added: [], removed: [] };
        delta.added.push(
          ...contributions.map(([, name, type, aliases]) => ({ name, type, aliases })),
        );
        deltas.set(node, delta);
      }
      await deriveEntities(tx, deltas);
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
   * Removes exactly what these documents contributed: their relations, chunks (with mentions),
   * contributions, entities nothing else keeps, and the document nodes; the entities other
   * documents still name get their properties derived from those documents alone. Idempotent.
   * Orphaned entities are removed with a plain DELETE, never DETACH: if a concurrent write gives
   * one a new mention, this transaction fails (and is retried) instead of deleting that mention.
   */
  async removeDocuments(workspaceId: string, documentIds: string[]): Promise<void> {
    if (documentIds.length === 0) return;
    await this.graph.transaction(workspaceId, async (tx) => {
      await tx.run(REMOVE_RELATIONS, { documentIds });
      const deltas = removedDeltas(
        await tx.run<RemovedContributions[number]>(REMOVE_CONTRIBUTIONS, { documentIds }),
      );
      await tx.run(
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
        { documentIds },
      );
      await deleteOrphans(tx, [...deltas.keys()]);
      await deriveEntities(tx, deltas);
    });
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
    // Sorted: the order collect() happens to give must not reach the vector index.
    return new Map(rows.map((row) => [row.chunkId, [...row.keys].sort()]));
  }
}

/** Deletes those of these entities (element ids) that nothing references any more. */
async function deleteOrphans(tx: GraphTransaction, entities: string[]): Promise<void> {
  for (let offset = 0; offset < entities.length; offset += WRITE_BATCH) {
    await tx.run(
      `UNWIND $entities AS entity
       ${byElementId('e', 'Entity', 'entity', 'entity')} AND NOT (e)--()
       DELETE e`,
      { entities: entities.slice(offset, offset + WRITE_BATCH) },
    );
  }
}

/**
 * Sets the name, type and aliases of these entities (element ids; deleted ones are skipped) to
 * what their contributions give (deriveEntity), and keeps their contribution tally
 * (ContributionTally, property contributionTally) up to date with what this transaction added
 * and took back. The tally makes this cost independent of how many documents name an entity:
 * reading every contribution of a dense entity for each batch that names it grew with the
 * workspace. An entity without a tally (new, or written before tallies existed) is tallied once
 * from all its contributions, which then include this transaction's. An entity without any
 * contribution (written before contributions were recorded, see docs/architecture.md) keeps its
 * properties.
 */
async function deriveEntities(
  tx: GraphTransaction,
  deltas: Map<string, ContributionDelta>,
): Promise<void> {
  // Locked in one order by every writer before their tallies and contributions are read:
  // adding a relationship to an entity with many (a dense node) need not lock the entity
  // itself, so two concurrent writers could each miss the other's contribution; with the lock,
  // the second one waits for the first to commit, and reads its tally and contribution.
  const ordered = [...deltas.keys()].sort();
  for (let offset = 0; offset < ordered.length; offset += WRITE_BATCH) {
    const batch = ordered.slice(offset, offset + WRITE_BATCH);
    await tx.run(
      `UNWIND $entities AS entity
       ${byElementId('e', 'Entity', 'entity', 'entity')}
       SET e.name = e.name`,
      { entities: batch },
    );
    const stored = await tx.run<{ node: string; tally: string | null }>(
      `UNWIND $entities AS entity
       ${byElementId('e', 'Entity', 'entity', 'entity')}
       RETURN entity AS node, e.contributionTally AS tally`,
      { entities: batch },
    );
    const tallies = new Map<string, ContributionTally>();
    const untallied: string[] = [];
    for (const { node, tally } of stored) {
      const delta = deltas.get(node)!;
      const updated =
        tally === null
          ? undefined
          : tryApply(tryApply(tallyFromJson(tally), delta.added, 1), delta.removed, -1);
      if (updated === undefined) untallied.push(node);
      else tallies.set(node, updated);
    }
    if (untallied.length > 0) {
      const rows = await tx.run<{ node: string; contributions: [string, string, string[]][] }>(
        `UNWIND $entities AS entity
       ${byElementId('e', 'Entity', 'entity', 'entity')}
       MATCH (d:Document)-[contribution:CONTRIBUTES]->(e)
       WHERE d.workspaceId = $workspaceId
       RETURN entity AS node,
         collect([contribution.name, contribution.type, contribution.aliases]) AS contributions`,
        { entities: untallied },
      );
      for (const { node, contributions } of rows) {
        const all = contributions.map(([name, type, aliases]): EntityContribution => ({
          name,
          type,
          aliases,
        }));
        tallies.set(node, applyContributions(emptyTally(), all, 1));
      }
    }
    const rows = [...tallies].map(([node, tally]) =>
      tallySize(tally) === 0
        ? { node, tally: null }
        : { node, tally: tallyToJson(tally), ...deriveFromTally(tally) },
    );
    if (rows.length === 0) continue;
    await tx.run(
      `UNWIND $rows AS row
       ${byElementId('e', 'Entity', 'row.node', 'row')}
       SET e.contributionTally = row.tally
       WITH e, row WHERE row.tally IS NOT NULL
       SET e.name = row.name, e.type = row.type, e.aliases = row.aliases`,
      { rows },
    );
  }
}

/** applyContributions, or undefined when the tally would go below zero (not this graph's). */
function tryApply(
  tally: ContributionTally | undefined,
  contributions: EntityContribution[],
  sign: 1 | -1,
): ContributionTally | undefined {
  if (tally === undefined) return undefined;
  try {
    return applyContributions(tally, contributions, sign);
  } catch {
    return undefined;
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
