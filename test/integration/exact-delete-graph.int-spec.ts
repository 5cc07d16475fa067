import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { chunkIdFor } from '../../src/documents/document-ids';
import type { EntityType } from '../../src/extraction';
import {
  DocumentGraphRepository,
  type DocumentGraph,
} from '../../src/knowledge/document-graph.repository';
import { Neo4jGraphStore } from '../../src/stores/neo4j/neo4j-graph.store';
import { dumpGraph } from '../support/store-snapshot';

// The graph after removing or rewriting documents equals, node for node and property for
// property, the graph of a workspace that only ever received the remaining documents.

jest.setTimeout(60_000);

interface Named {
  key: string;
  name: string;
  type: EntityType;
  aliases?: string[];
}

/** A one-chunk document that names these entities (and relates pairs of them) in its chunk. */
function documentGraph(
  documentId: string,
  entities: Named[],
  relations: [string, string][] = [],
): DocumentGraph {
  const chunkId = chunkIdFor(documentId, 0);
  return {
    documentId,
    title: `title of ${documentId.slice(0, 8)}`,
    chunks: [{ ord: 0, text: entities.map((entity) => entity.name).join(' '), start: 0, end: 10 }],
    knowledge: {
      entities: entities.map(({ key, name, type, aliases = [] }, index) => ({
        key,
        name,
        type,
        aliases,
        mentions: [{ chunkId, start: index, end: index + name.length, surface: name }],
      })),
      relations: relations.map(([sourceKey, targetKey]) => ({
        sourceKey,
        targetKey,
        predicate: 'works_with',
        chunkId,
        evidence: `${sourceKey} works with ${targetKey}`,
        weight: 0.5,
      })),
    },
  };
}

// The first writer names ACME first, as 'other', with no alias; the later one gives it another
// name, a type and an alias, and both share 'globex' and a relation between the two.
const firstId = randomUUID();
const laterId = randomUUID();
const soloId = randomUUID();
const first = documentGraph(
  firstId,
  [
    { key: 'acme', name: 'Acme', type: 'other' },
    { key: 'globex', name: 'Globex', type: 'organization' },
    { key: 'hank scorpio', name: 'Hank Scorpio', type: 'person' },
  ],
  [['acme', 'globex']],
);
const later = documentGraph(
  laterId,
  [
    { key: 'acme', name: 'ACME', type: 'organization', aliases: ['Acme Corporation'] },
    { key: 'globex', name: 'Globex', type: 'other', aliases: ['Globex Corp'] },
  ],
  [['acme', 'globex']],
);
const solo = documentGraph(soloId, [{ key: 'initech', name: 'Initech', type: 'organization' }]);

describe('exact delete and re-process in the graph (real Neo4j)', () => {
  const store = new Neo4jGraphStore(loadConfig());
  const graph = new DocumentGraphRepository(store);
  const workspaces: string[] = [];
  const newWorkspace = () => {
    const workspaceId = `it-${randomUUID().slice(0, 8)}`;
    workspaces.push(workspaceId);
    return workspaceId;
  };
  /** Writes documents one write each, as separate uploads do (removing an earlier version first). */
  const upload = async (workspaceId: string, ...documents: DocumentGraph[]) => {
    for (const document of documents) {
      await graph.removeDocuments(
        workspaceId,
        await graph.documentsInGraph(workspaceId, [document.documentId]),
      );
      await graph.writeDocuments(workspaceId, [document]);
    }
  };
  const dump = async (workspaceId: string) =>
    (await dumpGraph(store, workspaceId))
      .map((line) => line.split(workspaceId).join('<ws>'))
      .sort();
  const entity = async (workspaceId: string, key: string) =>
    (
      await store.run<{ name: string; type: string; aliases: string[] }>(
        `MATCH (e:Entity {workspaceId: $workspaceId, key: $key})
         RETURN e.name AS name, e.type AS type, e.aliases AS aliases`,
        { workspaceId, key },
        'read',
      )
    )[0];

  beforeAll(() => store.ensureSchema());
  afterAll(async () => {
    for (const workspaceId of workspaces) {
      await store.run('MATCH (n {workspaceId: $workspaceId}) DETACH DELETE n', { workspaceId });
    }
    await store.onModuleDestroy();
  });

  it('derives a shared entity from every document that names it, in any order', async () => {
    const [forwards, backwards, together] = [newWorkspace(), newWorkspace(), newWorkspace()];
    await upload(forwards, first, later, solo);
    await upload(backwards, solo, later, first);
    await graph.writeDocuments(together, [later, solo, first]);
    expect(await entity(forwards, 'acme')).toEqual({
      name: 'ACME', // one vote each: code-point order breaks the tie
      type: 'organization',
      aliases: ['Acme', 'Acme Corporation'],
    });
    expect(await entity(forwards, 'globex')).toEqual({
      name: 'Globex',
      type: 'organization',
      aliases: ['Globex Corp'],
    });
    const expected = await dump(forwards);
    expect(expected.filter((line) => line.includes('CONTRIBUTES'))).toHaveLength(6);
    expect(await dump(backwards)).toEqual(expected);
    expect(await dump(together)).toEqual(expected);
  });

  it('deleting the first writer of a shared entity leaves what the later one alone gives', async () => {
    const [deleted, never] = [newWorkspace(), newWorkspace()];
    await upload(deleted, first, later, solo);
    await graph.removeDocuments(deleted, [firstId]);
    await upload(never, later, solo);
    expect(await entity(deleted, 'acme')).toEqual({
      name: 'ACME',
      type: 'organization',
      aliases: ['Acme Corporation'],
    });
    expect(await entity(deleted, 'hank scorpio')).toBeUndefined();
    expect(await dump(deleted)).toEqual(await dump(never));
  });

  it('deleting a later writer takes back the name, type and alias it added', async () => {
    const [deleted, never] = [newWorkspace(), newWorkspace()];
    await upload(deleted, first, later, solo);
    await graph.removeDocuments(deleted, [laterId]);
    await upload(never, first, solo);
    expect(await entity(deleted, 'acme')).toEqual({ name: 'Acme', type: 'other', aliases: [] });
    expect(await entity(deleted, 'globex')).toEqual({
      name: 'Globex',
      type: 'organization',
      aliases: [],
    });
    expect(await dump(deleted)).toEqual(await dump(never));
  });

  it('re-processing a document (also without removing it first) equals one clean upload', async () => {
    const [reprocessed, rewritten, clean] = [newWorkspace(), newWorkspace(), newWorkspace()];
    await upload(reprocessed, first, later, solo);
    await upload(reprocessed, first);
    await upload(rewritten, first, later, solo);
    // A retried write whose first attempt had committed: the document is replaced in place.
    await graph.writeDocuments(rewritten, [later]);
    await upload(clean, first, later, solo);
    const expected = await dump(clean);
    expect(await dump(reprocessed)).toEqual(expected);
    expect(await dump(rewritten)).toEqual(expected);
  });

  it('derives an entity from every contribution when many documents write it at once', async () => {
    const workspaceId = newWorkspace();
    const types: EntityType[] = ['organization', 'place', 'other', 'person'];
    const documents = Array.from({ length: 96 }, (_, index) =>
      documentGraph(randomUUID(), [
        { key: 'acme', name: `ACME-${index % 7}`, type: types[index % 4] },
      ]),
    );
    // Twelve concurrent writes of eight documents each: the entity is dense (96 contributions).
    await Promise.all(
      Array.from({ length: 12 }, (_, writer) =>
        graph.writeDocuments(workspaceId, documents.slice(writer * 8, writer * 8 + 8)),
      ),
    );
    expect(await entity(workspaceId, 'acme')).toEqual({
      name: 'ACME-0', // 14 documents each for ACME-0 … ACME-4, 13 for ACME-5 and ACME-6
      type: 'organization', // 24 each for organization, place, person: code-point order
      aliases: ['ACME-1', 'ACME-2', 'ACME-3', 'ACME-4', 'ACME-5', 'ACME-6'],
    });
    // And as concurrently removed: what is left derives from what is left.
    await Promise.all(
      Array.from({ length: 11 }, (_, writer) =>
        graph.removeDocuments(
          workspaceId,
          documents.slice(writer * 8, writer * 8 + 8).map((document) => document.documentId),
        ),
      ),
    );
    expect(await entity(workspaceId, 'acme')).toEqual({
      name: 'ACME-4', // documents 88-95: ACME-4, 5, 6, 0, 1, 2, 3, 4
      type: 'organization', // organization, place, other, person twice each
      aliases: ['ACME-0', 'ACME-1', 'ACME-2', 'ACME-3', 'ACME-5', 'ACME-6'],
    });
  });

  it('deleting every document leaves nothing', async () => {
    const workspaceId = newWorkspace();
    await upload(workspaceId, first, later, solo);
    await graph.removeDocuments(workspaceId, [laterId, firstId, soloId]);
    expect(await dump(workspaceId)).toEqual([]);
  });
});
