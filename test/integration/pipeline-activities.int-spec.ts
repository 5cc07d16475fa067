import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { INestApplicationContext } from '@nestjs/common';
import { DocumentsRepository } from '../../src/documents/documents.repository';
import { DocumentEventsPublisher } from '../../src/documents/document-events.publisher';
import { documentIdFor, documentWorkflowId } from '../../src/documents/document-ids';
import { DocumentGraphRepository } from '../../src/knowledge/document-graph.repository';
import { ChunkVectorIndex } from '../../src/knowledge/chunk-vector.index';
import { NlpKnowledgeExtractor } from '../../src/extraction';
import { Embedder } from '../../src/embedding/embedder';
import { blobKey, importKey } from '../../src/stores/s3/blob-keys';
import { encodeSourceBundle, sourceBundleName } from '../../src/imports/source-bundle';
import {
  chunksHandoffKey,
  extractionHandoffKey,
  vectorsHandoffKey,
} from '../../src/documents/artifacts';
import { forgetChunksArtifact } from '../../workers/artifact-io';
import { HANDOFF_MISSING } from '../../src/pipeline/handoffs';
import { createAnalysisActivities } from '../../workers/ai/analysis.activities';
import { createStoreWriteActivities } from '../../workers/storage/store-write.activities';
import { createDocumentBookkeepingActivities } from '../../workers/general/document-bookkeeping.activities';
import {
  dropWorkspace,
  openStores,
  snapshotDocument,
  snapshotWorkspace,
  type StoreClients,
  type WorkspaceSnapshot,
} from '../support/store-snapshot';

// Needs the embedding model (bash infra/install-model.sh) and the local stack.
jest.setTimeout(180_000);

const PARAGRAPHS = [
  'Marie Curie was born in Warsaw in 1867. She moved to Paris to study physics at the University of Paris.',
  'In Paris, Marie Curie met Pierre Curie, and together they discovered polonium and radium.',
  'Marie Curie received the Nobel Prize in Physics in 1903 with Pierre Curie and Henri Becquerel.',
  'Albert Einstein admired Marie Curie and met her at the Solvay Conference in Brussels in 1911.',
  'The Curie Institute in Paris continues the research that Marie Curie started, with support from the Rockefeller Foundation.',
];

describe('pipeline activities: a second run with the same input leaves the state of one run', () => {
  const workspaceId = `t-${randomBytes(5).toString('hex')}`;
  let app: INestApplicationContext;
  let stores: StoreClients;
  let documents: DocumentsRepository;
  let embedder: Embedder;
  let ai: ReturnType<typeof createAnalysisActivities>;
  let storage: ReturnType<typeof createStoreWriteActivities>;
  let bookkeeping: ReturnType<typeof createDocumentBookkeepingActivities>;

  /** Stores the bytes and the row the way an upload does; returns the document id. */
  async function seedDocument(title: string, text: string): Promise<string> {
    const bytes = Buffer.from(text, 'utf8');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const id = documentIdFor(workspaceId, sha256);
    await stores.blobs.put(blobKey(workspaceId, sha256), bytes, bytes.length, 'text/plain');
    await documents.insertIfAbsent({
      id,
      workspaceId,
      sha256,
      title,
      mime: 'text/plain',
      sizeBytes: bytes.length,
      workflowId: documentWorkflowId(workspaceId, id),
    });
    return id;
  }

  const snapshot = () => snapshotWorkspace(stores, workspaceId, { detailed: true });

  /** Runs the step, snapshots, runs it again, snapshots: both must be equal. */
  async function runTwice<T>(
    step: () => Promise<T>,
  ): Promise<{ first: T; second: T; once: WorkspaceSnapshot }> {
    const first = await step();
    const once = await snapshot();
    const second = await step();
    expect(await snapshot()).toEqual(once);
    return { first, second, once };
  }

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    documents = app.get(DocumentsRepository);
    await stores.postgres.ensureWorkspace(workspaceId);
    await stores.vectors.ensureTenant(workspaceId);
    embedder = await Embedder.load({ modelDir: process.env.CAIRN_EMBEDDING_MODEL_DIR });
    ai = createAnalysisActivities({
      documents,
      blobs: stores.blobs,
      extractor: new NlpKnowledgeExtractor(),
      embedder: () => Promise.resolve(embedder),
      heartbeat: () => {},
      ocr: { enabled: false, languages: 'eng' },
    });
    storage = createStoreWriteActivities({
      documents,
      blobs: stores.blobs,
      graph: app.get(DocumentGraphRepository),
      vectors: app.get(ChunkVectorIndex),
      heartbeat: () => {},
    });
    bookkeeping = createDocumentBookkeepingActivities(documents, app.get(DocumentEventsPublisher));
  });

  afterAll(async () => {
    if (stores) await dropWorkspace(stores, workspaceId);
    await embedder?.close();
    await app?.close();
  });

  describe('one document through every step', () => {
    let documentId: string;
    let batch: { workspaceId: string; documentIds: string[] };

    beforeAll(async () => {
      // Long enough for several chunks (about 1,000 characters each).
      const text = Array.from({ length: 4 }, (_, round) =>
        PARAGRAPHS.map((paragraph) => `${paragraph} (Part ${round + 1}.)`).join('\n\n'),
      ).join('\n\n');
      documentId = await seedDocument('Marie Curie', text);
      batch = { workspaceId, documentIds: [documentId] };
    });

    it('analyseDocuments', async () => {
      const { first, second, once } = await runTwice(() => ai.analyseDocuments(batch));
      expect(first).toEqual({ analysed: [documentId], rejected: [] });
      expect(second).toEqual(first);
      // The chunks go to the next steps as the batch's hand-off; the language goes to the row.
      expect(once.minio.keys).toContain(chunksHandoffKey(workspaceId, [documentId]));
      expect(once.minio.keys.filter((key) => key.includes('/artifacts/'))).toEqual([]);
      expect(once.postgres[0]).toMatchObject({ language: 'en' });
    });

    it('extractKnowledge', async () => {
      const { first, second, once } = await runTwice(() => ai.extractKnowledge(batch));
      expect(first).toBeGreaterThan(0);
      expect(second).toBe(first);
      expect(once.minio.keys).toContain(extractionHandoffKey(workspaceId, [documentId]));
    });

    it('writeGraph', async () => {
      const { first, second, once } = await runTwice(() => storage.writeGraph(batch));
      // The counts the workflow records come from the write; they are those the graph holds.
      expect(first[documentId]?.relations).toBeGreaterThan(0);
      expect(second).toEqual(first);
      expect(first).toEqual(await storage.countContributions(batch));
      expect(once.neo4j.nodes.Document).toBe(1);
      expect(once.neo4j.nodes.Chunk).toBeGreaterThan(1);
      expect(once.neo4j.entityKeys).toEqual(
        expect.arrayContaining(['marie curie', 'pierre curie', 'paris']),
      );
      expect(once.neo4j.relationships.MENTIONS).toBeGreaterThan(0);
      expect(once.neo4j.relationships.RELATED_TO).toBeGreaterThan(0);
    });

    it('writeGraph twice at once (an import batch and a re-process) leaves the graph of one run', async () => {
      const once = await snapshot();
      // The graph writes CREATE chunks, mentions and relations; the later writer must replace
      // the earlier one's result, neither add to it nor fail on the chunks' uniqueness.
      await Promise.all([storage.writeGraph(batch), storage.writeGraph(batch)]);
      expect(await snapshot()).toEqual(once);
    });

    it('embedChunks', async () => {
      const { first, second, once } = await runTwice(() => ai.embedChunks(batch));
      expect(first).toBeGreaterThan(1);
      expect(second).toBe(first);
      expect(once.minio.keys).toContain(vectorsHandoffKey(workspaceId, [documentId]));
    });

    it('indexVectors', async () => {
      const { first, second, once } = await runTwice(() => storage.indexVectors(batch));
      expect(second).toBe(first);
      expect(once.weaviate.objectIds).toHaveLength(first);
      expect(first).toBe(once.neo4j.nodes.Chunk);
    });

    it('releaseHandoffs', async () => {
      const { once } = await runTwice(() => storage.releaseHandoffs(batch));
      // Only the original stays: an indexed document's chunks are read from the vector index.
      expect(once.minio.keys).toEqual([blobKey(workspaceId, once.postgres[0].sha256 as string)]);
    });

    it('a step whose hand-off is gone fails for good, as a missing hand-off', async () => {
      // Steps on a worker that has not seen the batch's chunks read them from the hand-off.
      forgetChunksArtifact(workspaceId, documentId);
      for (const step of [
        () => ai.extractKnowledge(batch),
        () => ai.embedChunks(batch),
        () => storage.writeGraph(batch),
        () => storage.indexVectors(batch),
      ]) {
        const failure = await step().then(
          () => null,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(ApplicationFailure);
        expect(failure).toMatchObject({ type: HANDOFF_MISSING, nonRetryable: true });
      }
    });

    it('enterStage', async () => {
      await runTwice(() => bookkeeping.enterStage({ ...batch, stage: 'analyse' }));
      const { once } = await runTwice(() => bookkeeping.enterStage({ ...batch, stage: 'extract' }));
      const [row] = once.postgres;
      expect(row).toMatchObject({ status: 'processing', stage: 'extract' });
      expect(Object.keys(row.stage_timings as object).sort()).toEqual(['analyse', 'extract']);
    });

    it('markIndexed', async () => {
      const counts = await storage.countContributions(batch);
      expect(counts[documentId]?.chunks).toBeGreaterThan(1);
      const { once } = await runTwice(() => bookkeeping.markIndexed({ workspaceId, counts }));
      const [row] = once.postgres;
      expect(row).toMatchObject({ status: 'indexed', stage: 'done', counts: counts[documentId] });
      expect(row.stage_timings).toMatchObject({
        extract: { durationMs: expect.any(Number) as number },
      });
    });

    it('removeContributions', async () => {
      const { once } = await runTwice(() =>
        storage.removeContributions({ ...batch, keepBlobs: false }),
      );
      expect(once.neo4j.nodes).toEqual({});
      expect(once.neo4j.relationships).toEqual({});
      expect(once.weaviate.objectIds).toEqual([]);
      expect(once.minio.keys).toEqual([]);
      // The row goes last, in its own step of the delete workflow.
      expect(once.postgres).toHaveLength(1);
      await documents.remove(workspaceId, documentId);
    });
  });

  describe("an import batch's sources read from one bundle", () => {
    const importId = randomUUID();
    const importSources = { importId, batch: 0, batchSize: 2 };
    const bundleKey = importKey(workspaceId, importId, sourceBundleName(2, 0));
    const texts = [
      'Ada Lovelace wrote about the Analytical Engine of Charles Babbage in London.',
      'Alan Turing worked at Bletchley Park during the Second World War.',
    ];
    const sha256Of = (text: string) => createHash('sha256').update(text).digest('hex');

    let documentIds: string[] = [];

    // The workspace is shared with the other tests here: leave nothing of these two behind.
    afterAll(async () => {
      await stores.blobs.removeMany([
        bundleKey,
        chunksHandoffKey(workspaceId, documentIds),
        ...texts.map((text) => blobKey(workspaceId, sha256Of(text))),
      ]);
      for (const documentId of documentIds) await documents.remove(workspaceId, documentId);
    });

    it('analyses documents whose own blob is gone from the bundle, and reads the rest one by one', async () => {
      documentIds = [
        await seedDocument('Lovelace', texts[0]),
        await seedDocument('Turing', texts[1]),
      ];
      // Only the first is in the bundle, and its own blob is gone: analysis can have it from the
      // bundle alone. The second is read from its blob.
      const bundle = encodeSourceBundle([
        { sha256: sha256Of(texts[0]), bytes: Buffer.from(texts[0]) },
      ]);
      await stores.blobs.put(bundleKey, bundle, bundle.length);
      await stores.blobs.remove(blobKey(workspaceId, sha256Of(texts[0])));
      const batch = { workspaceId, documentIds, importSources };
      await expect(ai.analyseDocuments(batch)).resolves.toEqual({
        analysed: documentIds,
        rejected: [],
      });
      const handoff = JSON.parse(
        (await stores.blobs.get(chunksHandoffKey(workspaceId, documentIds))).toString('utf8'),
      ) as { documents: { chunks: { text: string }[] }[] };
      expect(handoff.documents.map(({ chunks }) => chunks[0]?.text)).toEqual(texts);

      // A bundle whose bytes do not match their hash is not used: the blob is read instead
      // (here it is gone, so the read fails rather than analysing other bytes).
      const altered = Buffer.from(bundle);
      altered.write('E', altered.indexOf('Ada'), 'utf8');
      await stores.blobs.put(bundleKey, altered, altered.length);
      await expect(ai.analyseDocuments(batch)).rejects.toThrow();
    });
  });

  describe('two documents that share an entity', () => {
    const city = 'new york city';
    let first: string;
    let second: string;

    async function throughGraph(documentId: string): Promise<void> {
      const batch = { workspaceId, documentIds: [documentId] };
      expect(await ai.analyseDocuments(batch)).toEqual({ analysed: [documentId], rejected: [] });
      await ai.extractKnowledge(batch);
      await storage.writeGraph(batch);
    }

    async function mentionsOf(key: string): Promise<Record<string, number>> {
      const rows = await stores.graph.run<{ documentId: string; mentions: number }>(
        `MATCH (c:Chunk {workspaceId: $workspaceId})-[m:MENTIONS]->(:Entity {workspaceId: $workspaceId, key: $key})
         RETURN c.documentId AS documentId, count(m) AS mentions`,
        { workspaceId, key },
        'read',
      );
      return Object.fromEntries(rows.map((row) => [row.documentId, row.mentions]));
    }

    beforeAll(async () => {
      first = await seedDocument(
        'Mayors',
        'New York City is the most populous city in the United States. Michael Bloomberg served as mayor of New York City for twelve years. Barack Obama visited New York City in 2009.',
      );
      second = await seedDocument(
        'Offices',
        'NYC hosts the headquarters of the United Nations. Michael Bloomberg founded Bloomberg L.P. in NYC. Microsoft opened a large office in NYC near Times Square.',
      );
    });

    it('merge into one entity; removing one leaves exactly the other', async () => {
      await throughGraph(second);
      const secondAlone = await snapshot();
      expect(secondAlone.neo4j.entityKeys).toContain(city);
      const secondContribution = await snapshotDocument(stores, workspaceId, second);

      await throughGraph(first);
      const both = await snapshot();
      expect(both.neo4j.entityKeys.filter((key) => key === city)).toHaveLength(1);
      const cityMentions = await mentionsOf(city);
      expect(Object.keys(cityMentions).sort()).toEqual([first, second].sort());
      expect(cityMentions[first]).toBe(3); // "New York City" three times
      expect(cityMentions[second]).toBe(3); // "NYC" three times
      // Both name Michael Bloomberg too: still one node.
      expect(both.neo4j.entityKeys.filter((key) => key === 'michael bloomberg')).toHaveLength(1);
      const [{ aliases }] = await stores.graph.run<{ aliases: string[] }>(
        'MATCH (e:Entity {workspaceId: $workspaceId, key: $key}) RETURN e.aliases AS aliases',
        { workspaceId, key: city },
        'read',
      );
      expect(aliases).toContain('NYC');

      // A failed run takes back its hand-offs with the rest, and only its own.
      const handoffOf = (documentId: string) =>
        stores.blobs.stat(extractionHandoffKey(workspaceId, [documentId]));
      expect(await handoffOf(first)).not.toBeNull();
      await storage.removeContributions({ workspaceId, documentIds: [first], keepBlobs: true });
      expect(await handoffOf(first)).toBeNull();
      expect(await handoffOf(second)).not.toBeNull();
      const afterFirstRemoved = await snapshot();
      // The graph is exactly the one the second document made alone (entities, mentions, relations).
      expect(afterFirstRemoved.neo4j).toEqual(secondAlone.neo4j);
      expect(await snapshotDocument(stores, workspaceId, second)).toEqual(secondContribution);
      expect(await mentionsOf(city)).toEqual({ [second]: 3 });

      await storage.removeContributions({ workspaceId, documentIds: [second], keepBlobs: true });
      expect(await handoffOf(second)).toBeNull();
      const nothing = await stores.graph.run<{ count: number }>(
        'MATCH (n {workspaceId: $workspaceId}) RETURN count(n) AS count',
        { workspaceId },
        'read',
      );
      expect(nothing).toEqual([{ count: 0 }]);
    });
  });
});
