import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { chunkIdFor } from '../../src/documents/document-ids';
import type { ExtractedEntity, ExtractedRelation } from '../../src/extraction';
import {
  DocumentGraphRepository,
  type DocumentGraph,
} from '../../src/knowledge/document-graph.repository';
import { Neo4jGraphStore } from '../../src/stores/neo4j/neo4j-graph.store';

jest.setTimeout(30_000);

/** A document of `chunkCount` chunks whose knowledge is given by chunk ord. */
function documentGraph(
  documentId: string,
  chunkCount: number,
  entities: { key: string; mentionsIn: number[] }[],
  relations: { from: string; to: string; chunk: number }[],
): DocumentGraph {
  const chunks = Array.from({ length: chunkCount }, (_, ord) => ({
    ord,
    text: `chunk ${ord}`,
    start: ord * 10,
    end: ord * 10 + 7,
  }));
  return {
    documentId,
    title: documentId,
    chunks,
    knowledge: {
      entities: entities.map(({ key, mentionsIn }): ExtractedEntity => ({
        key,
        name: key.toUpperCase(),
        type: 'place',
        aliases: [],
        mentions: mentionsIn.map((ord, index) => ({
          chunkId: chunkIdFor(documentId, ord),
          start: index,
          end: index + key.length,
          surface: key,
        })),
      })),
      relations: relations.map(({ from, to, chunk }): ExtractedRelation => ({
        sourceKey: from,
        targetKey: to,
        predicate: 'related_to',
        chunkId: chunkIdFor(documentId, chunk),
        evidence: `${from} and ${to}`,
        weight: 1,
      })),
    },
  };
}

describe('DocumentGraphRepository (real Neo4j)', () => {
  const store = new Neo4jGraphStore(loadConfig());
  const graph = new DocumentGraphRepository(store);
  const workspaceId = `it-${randomUUID().slice(0, 8)}`;
  const otherWorkspaceId = `it-${randomUUID().slice(0, 8)}`;
  const sentencesWorkspaceId = `it-${randomUUID().slice(0, 8)}`;
  const first = randomUUID();
  const second = randomUUID();
  const absent = randomUUID();
  let writtenCounts: Awaited<ReturnType<DocumentGraphRepository['writeDocuments']>>;
  /** The workspace's entities among these keys, with their names, by key. */
  const entitiesIn = (workspace: string, keys: string[]) =>
    store.run<{ key: string; name: string }>(
      `MATCH (e:Entity) WHERE e.workspaceId = $workspaceId AND e.key IN $keys
       RETURN e.key AS key, e.name AS name ORDER BY key`,
      { workspaceId: workspace, keys },
      'read',
    );

  beforeAll(async () => {
    await store.ensureSchema();
    writtenCounts = await graph.writeDocuments(workspaceId, [
      documentGraph(
        first,
        2,
        [
          { key: 'paris', mentionsIn: [0, 0] },
          { key: 'france', mentionsIn: [1] },
        ],
        [{ from: 'paris', to: 'france', chunk: 0 }],
      ),
      documentGraph(
        second,
        1,
        [
          { key: 'paris', mentionsIn: [0] },
          { key: 'lyon', mentionsIn: [0] },
        ],
        [{ from: 'lyon', to: 'paris', chunk: 0 }],
      ),
    ]);
    // The same document id and keys in another workspace, with more relations: never counted here.
    await graph.writeDocuments(otherWorkspaceId, [
      documentGraph(
        first,
        1,
        [
          { key: 'paris', mentionsIn: [0] },
          { key: 'marseille', mentionsIn: [0] },
        ],
        [
          { from: 'paris', to: 'marseille', chunk: 0 },
          { from: 'marseille', to: 'paris', chunk: 0 },
        ],
      ),
    ]);
  });
  afterAll(async () => {
    for (const id of [workspaceId, otherWorkspaceId, sentencesWorkspaceId]) {
      await store.run('MATCH (n {workspaceId: $workspaceId}) DETACH DELETE n', { workspaceId: id });
    }
    await store.onModuleDestroy();
  });

  it('counts each document’s contributions within its workspace, zeros for one it lacks', async () => {
    await expect(graph.countContributions(workspaceId, [first, second, absent])).resolves.toEqual({
      [first]: { chunks: 2, mentions: 3, entities: 2, relations: 1 },
      [second]: { chunks: 1, mentions: 2, entities: 2, relations: 1 },
      [absent]: { chunks: 0, mentions: 0, entities: 0, relations: 0 },
    });
    await expect(graph.countContributions(otherWorkspaceId, [first])).resolves.toEqual({
      [first]: { chunks: 1, mentions: 2, entities: 2, relations: 2 },
    });
    await expect(graph.countContributions(workspaceId, [])).resolves.toEqual({});
  });

  it('returns from the write the counts that a read of the graph gives', async () => {
    expect(writtenCounts).toEqual(await graph.countContributions(workspaceId, [first, second]));
    expect(writtenCounts[first]).toEqual({ chunks: 2, mentions: 3, entities: 2, relations: 1 });
  });

  it('writes every mention and relation with its own values, sentences shared or not', async () => {
    const documentId = randomUUID();
    const [chunk0, chunk1] = [chunkIdFor(documentId, 0), chunkIdFor(documentId, 1)];
    const sentence = 'Paris, Lyon and Nice are in France.';
    const relation = (sourceKey: string, targetKey: string, chunkId: string, weight: number) => ({
      sourceKey,
      targetKey,
      predicate: `${sourceKey} to ${targetKey}`,
      chunkId,
      evidence: chunkId === chunk0 ? sentence : 'Nice is in France.',
      weight,
    });
    const document = documentGraph(documentId, 2, [], []);
    document.knowledge = {
      entities: ['paris', 'lyon', 'nice', 'france'].map((key, index) => ({
        key,
        name: key,
        type: 'place',
        aliases: [],
        mentions: [
          { chunkId: chunk0, start: index, end: index + 5, surface: `${key} in 0` },
          ...(key === 'nice' || key === 'france'
            ? [{ chunkId: chunk1, start: 10 + index, end: 20 + index, surface: `${key} in 1` }]
            : []),
        ],
      })),
      // Three relations share chunk 0's sentence; the same pair appears again in chunk 1.
      relations: [
        relation('paris', 'france', chunk0, 0.5),
        relation('lyon', 'france', chunk0, 0.25),
        relation('nice', 'france', chunk0, 0.125),
        relation('nice', 'france', chunk1, 1),
      ],
    };
    await graph.writeDocuments(sentencesWorkspaceId, [document]);

    const relations = await store.run<Record<string, unknown>>(
      `MATCH (a:Entity {workspaceId: $workspaceId})-[r:RELATED_TO]->(b:Entity)
       RETURN a.key AS source, b.key AS target, r.chunkId AS chunkId, r.predicate AS predicate,
         r.documentId AS documentId, r.evidence AS evidence, r.weight AS weight
       ORDER BY source, chunkId`,
      { workspaceId: sentencesWorkspaceId },
    );
    expect(relations).toEqual(
      document.knowledge.relations
        .map(({ sourceKey, targetKey, ...rest }) => ({
          source: sourceKey,
          target: targetKey,
          documentId,
          ...rest,
        }))
        .sort((a, b) => a.source.localeCompare(b.source) || a.chunkId.localeCompare(b.chunkId)),
    );
    const mentions = await store.run<Record<string, unknown>>(
      `MATCH (c:Chunk {workspaceId: $workspaceId})-[m:MENTIONS]->(e:Entity)
       RETURN e.key AS key, c.id AS chunkId, m.start AS start, m.end AS end, m.surface AS surface
       ORDER BY key, chunkId`,
      { workspaceId: sentencesWorkspaceId },
    );
    expect(mentions).toEqual(
      document.knowledge.entities
        .flatMap(({ key, mentions: own }) => own.map((mention) => ({ key, ...mention })))
        .sort((a, b) => a.key.localeCompare(b.key) || a.chunkId.localeCompare(b.chunkId)),
    );
  });

  it("keeps each workspace's entities in that workspace", async () => {
    await expect(entitiesIn(workspaceId, ['paris', 'lyon', 'marseille', 'x'])).resolves.toEqual([
      { key: 'lyon', name: 'LYON' },
      { key: 'paris', name: 'PARIS' },
    ]);
    await expect(entitiesIn(otherWorkspaceId, ['lyon'])).resolves.toEqual([]);
  });

  it('gives each chunk the keys of the entities it mentions', async () => {
    const keys = await graph.chunkEntityKeys(workspaceId, [first, second]);
    expect(Object.fromEntries([...keys].map(([chunk, list]) => [chunk, list.sort()]))).toEqual({
      [chunkIdFor(first, 0)]: ['paris'],
      [chunkIdFor(first, 1)]: ['france'],
      [chunkIdFor(second, 0)]: ['lyon', 'paris'],
    });
  });

  it('replaces a document written before and adds a new one in the same write', async () => {
    const rewriteWorkspaceId = `it-${randomUUID().slice(0, 8)}`;
    const [again, added] = [randomUUID(), randomUUID()];
    try {
      await graph.writeDocuments(rewriteWorkspaceId, [
        documentGraph(
          again,
          3,
          [
            { key: 'rome', mentionsIn: [0, 1, 2] },
            { key: 'italy', mentionsIn: [2] },
            { key: 'milan', mentionsIn: [1] },
          ],
          [
            { from: 'rome', to: 'italy', chunk: 2 },
            { from: 'milan', to: 'rome', chunk: 1 },
          ],
        ),
      ]);
      await expect(
        graph.documentsInGraph(rewriteWorkspaceId, [again, added, absent]),
      ).resolves.toEqual([again]);
      // Another workspace's documents are not this workspace's.
      await expect(graph.documentsInGraph(otherWorkspaceId, [again, first])).resolves.toEqual([
        first,
      ]);

      // No removal first, as when an earlier attempt of the same write had committed.
      const rewritten = await graph.writeDocuments(rewriteWorkspaceId, [
        documentGraph(again, 1, [{ key: 'rome', mentionsIn: [0] }], []),
        documentGraph(added, 1, [{ key: 'naples', mentionsIn: [0] }], []),
      ]);
      const expected = {
        [again]: { chunks: 1, mentions: 1, entities: 1, relations: 0 },
        [added]: { chunks: 1, mentions: 1, entities: 1, relations: 0 },
      };
      await expect(graph.countContributions(rewriteWorkspaceId, [again, added])).resolves.toEqual(
        expected,
      );
      // What the write returns is what replaced the old version, not old and new together.
      expect(rewritten).toEqual(expected);
      // Entities only the replaced version mentioned are gone.
      const known = await entitiesIn(rewriteWorkspaceId, ['rome', 'italy', 'milan', 'naples']);
      expect(known.map(({ key }) => key)).toEqual(['naples', 'rome']);
      // The marker that tells a new document node from an existing one is never stored.
      const properties = await store.run<{ keys: string[] }>(
        'MATCH (d:Document {workspaceId: $workspaceId}) RETURN keys(d) AS keys',
        { workspaceId: rewriteWorkspaceId },
        'read',
      );
      expect(properties.map(({ keys }) => keys.sort())).toEqual([
        ['id', 'title', 'workspaceId'],
        ['id', 'title', 'workspaceId'],
      ]);
    } finally {
      await store.run('MATCH (n {workspaceId: $workspaceId}) DETACH DELETE n', {
        workspaceId: rewriteWorkspaceId,
      });
    }
  });

  it('removes exactly what a document contributed', async () => {
    await graph.removeDocuments(workspaceId, [first]);
    await expect(graph.countContributions(workspaceId, [first, second])).resolves.toEqual({
      [first]: { chunks: 0, mentions: 0, entities: 0, relations: 0 },
      [second]: { chunks: 1, mentions: 2, entities: 2, relations: 1 },
    });
    // France was mentioned by the removed document alone; Paris is still mentioned by the other.
    const known = await entitiesIn(workspaceId, ['paris', 'france']);
    expect(known.map(({ key }) => key)).toEqual(['paris']);
    await expect(graph.countContributions(otherWorkspaceId, [first])).resolves.toEqual({
      [first]: { chunks: 1, mentions: 2, entities: 2, relations: 2 },
    });
  });
});
