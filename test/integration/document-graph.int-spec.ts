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
  const first = randomUUID();
  const second = randomUUID();
  const absent = randomUUID();

  beforeAll(async () => {
    await store.ensureSchema();
    await graph.writeDocuments(workspaceId, [
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
    for (const id of [workspaceId, otherWorkspaceId]) {
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

  it('finds known entities by key within the workspace only', async () => {
    const known = await graph.findKnownEntities(workspaceId, ['paris', 'lyon', 'marseille', 'x']);
    expect(known.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: 'lyon', name: 'LYON', aliases: [] },
      { key: 'paris', name: 'PARIS', aliases: [] },
    ]);
    await expect(graph.findKnownEntities(workspaceId, [])).resolves.toEqual([]);
  });

  it('gives each chunk the keys of the entities it mentions', async () => {
    const keys = await graph.chunkEntityKeys(workspaceId, [first, second]);
    expect(Object.fromEntries([...keys].map(([chunk, list]) => [chunk, list.sort()]))).toEqual({
      [chunkIdFor(first, 0)]: ['paris'],
      [chunkIdFor(first, 1)]: ['france'],
      [chunkIdFor(second, 0)]: ['lyon', 'paris'],
    });
  });

  it('removes exactly what a document contributed', async () => {
    await graph.removeDocuments(workspaceId, [first]);
    await expect(graph.countContributions(workspaceId, [first, second])).resolves.toEqual({
      [first]: { chunks: 0, mentions: 0, entities: 0, relations: 0 },
      [second]: { chunks: 1, mentions: 2, entities: 2, relations: 1 },
    });
    // France was mentioned by the removed document alone; Paris is still mentioned by the other.
    const known = await graph.findKnownEntities(workspaceId, ['paris', 'france']);
    expect(known.map(({ key }) => key)).toEqual(['paris']);
    await expect(graph.countContributions(otherWorkspaceId, [first])).resolves.toEqual({
      [first]: { chunks: 1, mentions: 2, entities: 2, relations: 2 },
    });
  });
});
