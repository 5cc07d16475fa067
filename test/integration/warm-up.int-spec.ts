import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { DocumentCounts } from '../../src/documents/document.types';
import { EntityResolver, NlpKnowledgeExtractor } from '../../src/extraction';
import { DocumentGraphRepository } from '../../src/knowledge/document-graph.repository';
import { ChunkVectorIndex } from '../../src/knowledge/chunk-vector.index';
import {
  CHUNK_COLLECTION,
  CHUNK_VECTOR_DIMENSIONS,
} from '../../src/stores/weaviate/weaviate-vector.store';
import {
  WARM_UP_WORKSPACE,
  analyseWarmUpPassages,
  warmUpStorage,
  type WarmUpDocument,
} from '../../workers/warm-up';
import {
  dropWorkspace,
  openStores,
  snapshotWorkspace,
  type StoreClients,
} from '../support/store-snapshot';

jest.setTimeout(120_000);

const resolved = (documents: readonly WarmUpDocument[]) => {
  const resolver = new EntityResolver();
  return documents.map(({ documentId, title, chunks, knowledge }) => ({
    documentId,
    title,
    chunks,
    knowledge: resolver.resolveResult(knowledge),
  }));
};

describe('worker warm-up (real Neo4j and Weaviate)', () => {
  let app: INestApplicationContext;
  let stores: StoreClients;
  let graph: DocumentGraphRepository;
  let vectors: ChunkVectorIndex;
  let documents: WarmUpDocument[];
  // Holds some of the same made-up documents, so it shares their ids and entity keys.
  const otherWorkspace = `it-${randomUUID().slice(0, 8)}`;

  const warmUp = () =>
    warmUpStorage(documents, {
      graph,
      vectors,
      removeVectorTenant: (workspaceId) => stores.vectors.removeTenant(workspaceId),
      dimensions: CHUNK_VECTOR_DIMENSIONS,
    });

  /** Every node and relationship of the warm-up workspace, and whether its tenant exists. */
  async function leftInWarmUpWorkspace() {
    const [row] = await stores.graph.run<{ nodes: number }>(
      'MATCH (n {workspaceId: $workspaceId}) RETURN count(n) AS nodes',
      { workspaceId: WARM_UP_WORKSPACE },
      'read',
    );
    const tenant = await stores.vectors.client.collections
      .use(CHUNK_COLLECTION)
      .tenants.getByName(WARM_UP_WORKSPACE);
    return { nodes: row.nodes, tenant: tenant !== null };
  }

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    graph = app.get(DocumentGraphRepository);
    vectors = app.get(ChunkVectorIndex);
    documents = await analyseWarmUpPassages(150, new NlpKnowledgeExtractor());
  });
  afterAll(async () => {
    await dropWorkspace(stores, otherWorkspace);
    await app.close();
  });

  it('makes documents with shared entities and relations, the same on every run', async () => {
    const again = await analyseWarmUpPassages(150, new NlpKnowledgeExtractor());
    expect(again).toEqual(documents);
    expect(new Set(documents.map(({ documentId }) => documentId)).size).toBe(150);
    const mentions = documents.flatMap(({ knowledge }) => knowledge.entities.map((e) => e.key));
    expect(new Set(mentions).size).toBeLessThan(mentions.length / 2);
    expect(documents.every(({ knowledge }) => knowledge.relations.length > 0)).toBe(true);
    expect(documents.some(({ chunks }) => chunks.length > 1)).toBe(true);
  });

  it('removes all it wrote, also what a warm-up killed half-way left, and touches no other workspace', async () => {
    await graph.writeDocuments(otherWorkspace, resolved(documents.slice(0, 3)));
    const other = await snapshotWorkspace(stores, otherWorkspace, { detailed: true });
    expect(other.neo4j.documentIds).toHaveLength(3);

    // A warm-up killed after its first graph write left that batch behind, and one over more
    // documents (a larger CAIRN_WORKER_WARM_UP_DOCUMENTS) left some this one does not make.
    await graph.writeDocuments(WARM_UP_WORKSPACE, resolved(documents.slice(0, 100)));
    const larger = await analyseWarmUpPassages(170, new NlpKnowledgeExtractor());
    await graph.writeDocuments(WARM_UP_WORKSPACE, resolved(larger.slice(150)));
    // Two replicas warming up at once write the same ids: one can remove a document while the
    // other writes its relations, which then join entities of no document.
    await stores.graph.run(
      `MATCH (d:Document)-[:HAS_CHUNK]->(c:Chunk)
       WHERE d.workspaceId = $workspaceId AND d.id IN $documentIds
       DETACH DELETE d, c`,
      { workspaceId: WARM_UP_WORKSPACE, documentIds: larger.slice(160).map((d) => d.documentId) },
    );
    expect((await leftInWarmUpWorkspace()).nodes).toBeGreaterThan(120);

    // It wrote every made-up chunk to both stores on the way.
    const graphWrites = jest.spyOn(graph, 'writeDocuments');
    const vectorWrites = jest.spyOn(vectors, 'indexDocuments');
    await warmUp();
    const chunks = documents.reduce((sum, document) => sum + document.chunks.length, 0);
    const written: Record<string, DocumentCounts>[] = await Promise.all(
      graphWrites.mock.results.map(({ value }) => value as Promise<Record<string, DocumentCounts>>),
    );
    const graphChunks = written.flatMap((counts) => Object.values(counts));
    expect(graphChunks.reduce((sum, counts) => sum + (counts.chunks ?? 0), 0)).toBe(chunks);
    expect(graphChunks.every((counts) => (counts.relations ?? 0) > 0)).toBe(true);
    const indexed = await Promise.all(
      vectorWrites.mock.results.map(({ value }) => value as Promise<number>),
    );
    expect(indexed.reduce((sum, count) => sum + count, 0)).toBe(chunks);
    graphWrites.mockRestore();
    vectorWrites.mockRestore();
    await expect(leftInWarmUpWorkspace()).resolves.toEqual({ nodes: 0, tenant: false });
    await warmUp();
    await expect(leftInWarmUpWorkspace()).resolves.toEqual({ nodes: 0, tenant: false });
    await expect(snapshotWorkspace(stores, otherWorkspace, { detailed: true })).resolves.toEqual(
      other,
    );
  });
});
