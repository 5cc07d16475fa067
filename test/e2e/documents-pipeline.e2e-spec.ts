import {
  chunksHandoffKey,
  extractionHandoffKey,
  vectorsHandoffKey,
} from '../../src/documents/artifacts';
import { testWorkspace } from '../support/auth';
import { randomBytes, randomUUID } from 'node:crypto';
import { HANDOFF_MISSING } from '../../src/pipeline/handoffs';
import { connectTemporal } from '../support/temporal';
import type { INestApplicationContext } from '@nestjs/common';
import { extractText, type DocumentKind } from '../../src/analysis';
import { buildDocx, buildEncryptedPdf, buildPdf } from '../support/documents/document-fixtures';
import { DOCUMENT_STAGES } from '../../src/documents/document.types';
import type {
  DocumentAcceptedDto,
  DocumentChunksDto,
  DocumentDto,
} from '../../src/documents/documents.dto';
import { apiUrl, callApi } from '../support/api';
import { defaultAuthHeaders } from '../support/auth';
import {
  openStores,
  snapshotDocument,
  snapshotWorkspace,
  type StoreClients,
} from '../support/store-snapshot';

// The document pipeline through the HTTP API against the running workers and the real engines.
// Every request uses the default workspace (no per-request workspaces before auth).

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000);
jest.setTimeout(4 * INDEX_TIMEOUT_MS);

const workspaceId = testWorkspace();
// Unique per run, so that every upload is new bytes and really goes through the pipeline.
const run = randomBytes(4).toString('hex');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getDocument(id: string): Promise<DocumentDto> {
  const response = await callApi<DocumentDto>('GET', `/documents/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

/** Polls until the document is indexed or failed; fails the test on a timeout. */
async function waitUntilSettled(id: string, timeoutMs = INDEX_TIMEOUT_MS): Promise<DocumentDto> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const document = await getDocument(id);
    if (document.status === 'indexed' || document.status === 'failed') return document;
    if (Date.now() > deadline) {
      throw new Error(
        `document ${id} still ${document.status} (stage ${document.stage}) after ${timeoutMs} ms`,
      );
    }
    await sleep(250);
  }
}

async function waitUntilGone(id: string, timeoutMs = INDEX_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await callApi('GET', `/documents/${id}`);
    if (response.status === 404) return;
    expect(response.status).toBe(200);
    if (Date.now() > deadline) throw new Error(`document ${id} still exists after ${timeoutMs} ms`);
    await sleep(250);
  }
}

async function uploadFile(bytes: Buffer, fileName: string, title?: string): Promise<string> {
  const form = new FormData();
  if (title) form.append('title', title);
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  const response = await callApi<DocumentAcceptedDto>('POST', '/documents', { body: form });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function uploadText(title: string, text: string): Promise<string> {
  const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
    json: { title, text },
  });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function deleteDocument(id: string): Promise<void> {
  const response = await callApi('DELETE', `/documents/${id}`);
  expect([202, 404]).toContain(response.status);
  await waitUntilGone(id);
}

// Entity-rich prose; lines stay short enough for one PDF line each.
const CURIE = [
  'Marie Curie was born in Warsaw in 1867.',
  'She moved to Paris to study physics at the University of Paris.',
  'In Paris, Marie Curie met Pierre Curie, and together they discovered polonium.',
  'Marie Curie received the Nobel Prize in Physics in 1903 with Henri Becquerel.',
  'Albert Einstein met Marie Curie at the Solvay Conference in Brussels in 1911.',
];
const DARWIN = [
  'Charles Darwin sailed on HMS Beagle from Plymouth in 1831.',
  'Charles Darwin visited the Galapagos Islands and studied finches there.',
  'Back in London, Charles Darwin wrote On the Origin of Species in 1859.',
  'Alfred Russel Wallace reached similar conclusions while working in Borneo.',
];

interface Fixture {
  kind: DocumentKind;
  fileName: string;
  bytes: Buffer;
  /** Pages the chunks must cover (paged formats only). */
  pages?: number[];
}

async function fixtures(): Promise<Fixture[]> {
  const tag = `Archive reference ${run}.`;
  const lines = [...CURIE, ...DARWIN, tag];
  return [
    {
      kind: 'text',
      fileName: `curie-${run}.txt`,
      bytes: Buffer.from(`${CURIE.join(' ')}\n\n${DARWIN.join(' ')}\n\n${tag}\n`),
    },
    {
      kind: 'markdown',
      fileName: `curie-${run}.md`,
      bytes: Buffer.from(
        `# Scientists\n\n## Curie\n\n${CURIE.map((line) => `- ${line}`).join('\n')}\n\n` +
          `## Darwin\n\n${DARWIN.join(' ')} **${tag}**\n`,
      ),
    },
    {
      kind: 'html',
      fileName: `curie-${run}.html`,
      bytes: Buffer.from(
        `<!doctype html><html><head><title>Scientists ${run}</title></head><body>` +
          `<h1>Curie</h1>${CURIE.map((line) => `<p>${line}</p>`).join('')}` +
          `<h1>Darwin</h1><p>${DARWIN.join(' ')}</p><p>${tag}</p></body></html>`,
      ),
    },
    {
      kind: 'pdf',
      fileName: `curie-${run}.pdf`,
      bytes: await buildPdf([CURIE, [...DARWIN, tag]], `Scientists ${run}`),
      pages: [1, 2],
    },
    {
      kind: 'docx',
      fileName: `curie-${run}.docx`,
      bytes: await buildDocx(lines),
    },
  ];
}

describe('documents: upload → workflow → knowledge, vectors, blobs', () => {
  let app: INestApplicationContext;
  let stores: StoreClients;
  const created = new Set<string>();

  beforeAll(async () => {
    ({ app, stores } = await openStores());
  });

  afterAll(async () => {
    // Leave the default workspace as it was: every document this run created goes.
    for (const id of created) await deleteDocument(id).catch(() => undefined);
    await app?.close();
  });

  describe('every format', () => {
    let all: Fixture[];
    const ids = new Map<DocumentKind, string>();

    beforeAll(async () => {
      all = await fixtures();
      // Uploaded together: the workers process them side by side.
      for (const fixture of all) {
        const id = await uploadFile(fixture.bytes, fixture.fileName);
        ids.set(fixture.kind, id);
        created.add(id);
      }
    });

    it.each(['text', 'markdown', 'html', 'pdf', 'docx'] as DocumentKind[])(
      '%s: indexed with counts, timings, exact chunk offsets, vectors and the original bytes',
      async (kind) => {
        const fixture = all.find((candidate) => candidate.kind === kind)!;
        const id = ids.get(kind)!;
        const document = await waitUntilSettled(id);
        expect(document).toMatchObject({ status: 'indexed', stage: 'done', error: null });
        expect(document.counts.chunks).toBeGreaterThan(0);
        expect(document.counts.entities).toBeGreaterThan(0);
        expect(document.counts.relations).toBeGreaterThan(0);
        for (const stage of DOCUMENT_STAGES) {
          const timing = document.stageTimings[stage];
          expect(timing).toEqual({
            startedAt: expect.any(String) as string,
            finishedAt: expect.any(String) as string,
            durationMs: expect.any(Number) as number,
          });
          // Stored with microseconds, parsed here to milliseconds: equal within a rounding.
          const elapsed = Date.parse(timing.finishedAt!) - Date.parse(timing.startedAt);
          expect(Math.abs(timing.durationMs! - elapsed)).toBeLessThanOrEqual(1);
        }

        const chunks = await callApi<DocumentChunksDto>('GET', `/documents/${id}/chunks`);
        expect(chunks.status).toBe(200);
        expect(chunks.body.language).toBe('en');
        expect(chunks.body.chunks).toHaveLength(document.counts.chunks!);
        const extracted = await extractText(fixture.bytes, kind);
        for (const [index, chunk] of chunks.body.chunks.entries()) {
          expect(chunk.ord).toBe(index);
          expect(chunk.text).toBe(extracted.text.slice(chunk.start, chunk.end));
          expect(chunk.text.length).toBeGreaterThan(0);
        }
        const chunkText = chunks.body.chunks.map((chunk) => chunk.text).join(' ');
        expect(chunkText).toContain('Marie Curie');
        expect(chunkText).toContain(`Archive reference ${run}`);
        if (kind === 'text') {
          const original = fixture.bytes.toString('utf8');
          for (const chunk of chunks.body.chunks) {
            expect(original.slice(chunk.start, chunk.end)).toBe(chunk.text);
          }
        }
        if (fixture.pages) {
          expect([...new Set(chunks.body.chunks.map((chunk) => chunk.page))]).toEqual(
            fixture.pages,
          );
        }

        const stored = await snapshotDocument(stores, workspaceId, id, document.sha256);
        expect(stored.neo4j.chunks).toBe(document.counts.chunks);
        expect(stored.neo4j.entityKeys).toContain('marie curie');
        expect(stored.weaviate.objectIds).toHaveLength(document.counts.chunks!);
        // Only the original stays in MinIO: GET /chunks reads the chunks from the vector index.
        expect(stored.minio.keys).toEqual([`ws/${workspaceId}/blobs/${document.sha256}`]);
        // What the steps handed each other is released once the document is indexed.
        for (const handoff of [chunksHandoffKey, extractionHandoffKey, vectorsHandoffKey]) {
          expect(await stores.blobs.stat(handoff(workspaceId, [id]))).toBeNull();
        }

        const content = await fetch(`${apiUrl}/documents/${id}/content`, {
          headers: await defaultAuthHeaders(),
        });
        expect(content.status).toBe(200);
        expect(Buffer.from(await content.arrayBuffer()).equals(fixture.bytes)).toBe(true);
        expect(content.headers.get('content-type')).toContain(document.mime);
      },
    );
  });

  describe('delete and reprocess', () => {
    let existing: DocumentDto;

    beforeAll(async () => {
      const id = await uploadText(`Curie ${run}`, `${CURIE.join(' ')} Filed under ${run}.`);
      created.add(id);
      existing = await waitUntilSettled(id);
      expect(existing.status).toBe('indexed');
    });

    it('DELETE takes back exactly what the document added, shared entities included', async () => {
      const before = await snapshotWorkspace(stores, workspaceId);
      const text = [
        'Pierre Curie and Marie Curie worked together in Paris for many years.',
        'Marie Curie later founded the Radium Institute in Paris.',
        `Irene Curie continued the work in Paris. Catalogue ${run}-shared.`,
      ].join(' ');
      const id = await uploadText(`Curie, shared ${run}`, text);
      created.add(id);
      const added = await waitUntilSettled(id);
      expect(added.status).toBe('indexed');

      // It does share entities with the existing document, and adds its own.
      const existingKeys = (await snapshotDocument(stores, workspaceId, existing.id)).neo4j
        .entityKeys;
      const addedKeys = (await snapshotDocument(stores, workspaceId, id)).neo4j.entityKeys;
      expect(addedKeys.filter((key) => existingKeys.includes(key))).toEqual(
        expect.arrayContaining(['marie curie', 'paris']),
      );
      const during = await snapshotWorkspace(stores, workspaceId);
      expect(during.neo4j.nodes.Chunk).toBeGreaterThan(before.neo4j.nodes.Chunk ?? 0);
      expect(during.weaviate.objectIds.length).toBeGreaterThan(before.weaviate.objectIds.length);

      const response = await callApi<DocumentAcceptedDto>('DELETE', `/documents/${id}`);
      expect(response.status).toBe(202);
      await waitUntilGone(id);
      created.delete(id);

      expect(await snapshotWorkspace(stores, workspaceId)).toEqual(before);
    });

    it('reprocess gives the same counts and the same stores', async () => {
      const before = await snapshotWorkspace(stores, workspaceId);
      const contribution = await snapshotDocument(
        stores,
        workspaceId,
        existing.id,
        existing.sha256,
      );
      expect(contribution.neo4j.chunks).toBeGreaterThan(0);

      // The run that indexed it may still be closing (notify) for a moment: 409 until it has.
      let response = await callApi<DocumentAcceptedDto>(
        'POST',
        `/documents/${existing.id}/reprocess`,
      );
      for (let attempt = 0; response.status === 409 && attempt < 100; attempt++) {
        await sleep(200);
        response = await callApi<DocumentAcceptedDto>(
          'POST',
          `/documents/${existing.id}/reprocess`,
        );
      }
      expect(response.status).toBe(202);
      expect(response.body.id).toBe(existing.id);
      const again = await waitUntilSettled(existing.id);
      expect(again.status).toBe('indexed');
      expect(again.counts).toEqual(existing.counts);
      expect(Date.parse(again.stageTimings.analyse.startedAt)).toBeGreaterThan(
        Date.parse(existing.stageTimings.notify.finishedAt!),
      );

      expect(await snapshotDocument(stores, workspaceId, existing.id, existing.sha256)).toEqual(
        contribution,
      );
      const after = await snapshotWorkspace(stores, workspaceId);
      expect(after.neo4j).toEqual(before.neo4j);
      expect(after.weaviate).toEqual(before.weaviate);
      expect(after.minio).toEqual(before.minio);
      // Only this document's row changed, and only its timings.
      const withoutTimings = (rows: Record<string, unknown>[]) =>
        rows.map(({ stage_timings: _timings, ...row }) => row);
      expect(withoutTimings(after.postgres)).toEqual(withoutTimings(before.postgres));
    });
  });

  it('a Temporal reset to before the graph write, after the run released its hand-offs, runs the document again to the same stores', async () => {
    const id = await uploadText(
      `Lovelace ${run}`,
      `Ada Lovelace worked with Charles Babbage in London on the Analytical Engine. Note ${run}.`,
    );
    created.add(id);
    const indexed = await waitUntilSettled(id);
    expect(indexed.status).toBe('indexed');
    const temporal = await connectTemporal();
    try {
      const handle = temporal.client.workflow.getHandle(indexed.workflowId!);
      await handle.result();
      const before = await snapshotWorkspace(stores, workspaceId);
      const { events } = await handle.fetchHistory();
      const writeGraph = events!.find(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'writeGraph',
      );
      // The workflow task that scheduled writeGraph: the reset runs it again.
      const resetTo =
        writeGraph!.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId;
      const response: { runId?: string | null } =
        await temporal.client.workflowService.resetWorkflowExecution({
          namespace: process.env.TEMPORAL_NAMESPACE,
          workflowExecution: { workflowId: indexed.workflowId },
          workflowTaskFinishEventId: resetTo,
          reason: 'e2e: reset after the hand-offs were released',
          requestId: randomUUID(),
        });
      const runId = response.runId ?? undefined;
      const reset = temporal.client.workflow.getHandle(indexed.workflowId!, runId);
      await reset.result();

      // writeGraph found its hand-off gone, so the run went back to analyse once.
      const history = (await reset.fetchHistory()).events!;
      const failures = history.filter(
        (event) =>
          event.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type ===
          HANDOFF_MISSING,
      );
      expect(failures).toHaveLength(1);
      const scheduled = history
        .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter((name) => name === 'analyseDocuments');
      expect(scheduled).toHaveLength(2);

      const again = await getDocument(id);
      expect(again).toMatchObject({ status: 'indexed', counts: indexed.counts });
      const after = await snapshotWorkspace(stores, workspaceId);
      expect(after.neo4j).toEqual(before.neo4j);
      expect(after.weaviate).toEqual(before.weaviate);
      expect(after.minio).toEqual(before.minio);
    } finally {
      await temporal.close();
    }
  });

  it('an encrypted PDF ends failed with a readable reason and leaves no knowledge behind', async () => {
    const id = await uploadFile(buildEncryptedPdf(), `locked-${run}.pdf`, `Locked ${run}`);
    created.add(id);
    const document = await waitUntilSettled(id);
    expect(document.status).toBe('failed');
    expect(document.error).toMatch(/encrypted.*password/i);
    expect(document.counts).toEqual({});

    const chunks = await callApi('GET', `/documents/${id}/chunks`);
    expect(chunks.status).toBe(409);
    expect(await snapshotDocument(stores, workspaceId, id, document.sha256)).toEqual({
      neo4j: { chunks: 0, mentions: 0, relations: 0, entityKeys: [] },
      weaviate: { objectIds: [] },
      // The original stays (a retry needs it); no artifact of a half-done run does.
      minio: { keys: [`ws/${workspaceId}/blobs/${document.sha256}`] },
    });
  });
});
