import { randomUUID } from 'node:crypto';
import { generateUuid5 } from 'weaviate-client';
import { loadConfig } from '../../src/config/config';
import {
  CHUNK_COLLECTION,
  CHUNK_VECTOR_DIMENSIONS,
  WeaviateVectorStore,
} from '../../src/stores/weaviate/weaviate-vector.store';

jest.setTimeout(30_000);

const unitVector = (axis: number) =>
  Array.from({ length: CHUNK_VECTOR_DIMENSIONS }, (_, index) => (index === axis ? 1 : 0));

describe('WeaviateVectorStore (real Weaviate)', () => {
  let store: WeaviateVectorStore;
  const workspaceId = `it-${randomUUID().slice(0, 8)}`;
  const otherWorkspaceId = `it-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    store = await WeaviateVectorStore.connect(loadConfig());
    await store.ensureSchema();
    await store.ensureSchema();
    await store.ensureTenant(workspaceId);
    await store.ensureTenant(workspaceId);
    await store.ensureTenant(otherWorkspaceId);
  });
  afterAll(async () => {
    await store.client.collections
      .use(CHUNK_COLLECTION)
      .tenants.remove([workspaceId, otherWorkspaceId]);
    await store.onModuleDestroy();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('created a multi-tenant collection without a vectorizer', async () => {
    const config = await store.client.collections.use(CHUNK_COLLECTION).config.get();
    expect(config.multiTenancy).toMatchObject({
      enabled: true,
      autoTenantCreation: false,
      autoTenantActivation: true,
    });
    expect(config.properties.map((property) => property.name)).toEqual(
      expect.arrayContaining(['text', 'title', 'documentId', 'workspaceId', 'ord', 'entityKeys']),
    );
  });

  it('writes, finds (vector and BM25), isolates by tenant and deletes a chunk', async () => {
    const chunks = store.collection(workspaceId);
    const id = generateUuid5(`${workspaceId}:doc-1:0`);
    await chunks.data.insert({
      id,
      properties: {
        text: 'Ada Lovelace wrote the first published algorithm for the Analytical Engine.',
        title: 'Notes on the Analytical Engine',
        documentId: 'doc-1',
        workspaceId,
        ord: 0,
        startOffset: 0,
        endOffset: 76,
        page: 1,
        entityKeys: ['person:ada lovelace'],
      },
      vectors: unitVector(3),
    });

    const stored = await chunks.query.fetchObjectById(id);
    expect(stored?.properties.title).toBe('Notes on the Analytical Engine');
    expect(stored?.properties.entityKeys).toEqual(['person:ada lovelace']);

    const byVector = await chunks.query.nearVector(unitVector(3), { limit: 1 });
    expect(byVector.objects[0]?.uuid).toBe(id);
    const byKeyword = await chunks.query.bm25('algorithm', { limit: 1 });
    expect(byKeyword.objects[0]?.uuid).toBe(id);
    const byTitle = await chunks.query.bm25('analytical', { limit: 1, queryProperties: ['title'] });
    expect(byTitle.objects[0]?.uuid).toBe(id);

    // Another workspace's tenant does not see it.
    const elsewhere = await store
      .collection(otherWorkspaceId)
      .query.bm25('algorithm', { limit: 5 });
    expect(elsewhere.objects).toHaveLength(0);

    await chunks.data.deleteById(id);
    expect(await chunks.query.fetchObjectById(id)).toBeNull();
  });

  it('refuses malformed workspace ids', () => {
    expect(() => store.collection('../x')).toThrow(/workspace id/);
  });
});
