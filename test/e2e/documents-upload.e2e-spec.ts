// Uploading documents through the HTTP API: every format, JSON text, duplicates, status,
// listing, content, chunks, live events and the lifecycle endpoints. Processing itself is
// covered by documents-pipeline; nothing here waits for a document to be indexed.
import type { Client } from '@temporalio/client';
import Redis from 'ioredis';
import {
  documentIdFor,
  deleteWorkflowId,
  documentWorkflowId,
} from '../../src/documents/document-ids';
import type { DocumentEvent } from '../../src/documents/document.types';
import { documentEventsChannel } from '../../src/documents/document.types';
import type {
  DocumentAcceptedDto,
  DocumentChunksDto,
  DocumentDto,
  DocumentListDto,
} from '../../src/documents/documents.dto';
import { blobKey } from '../../src/stores/s3/blob-keys';
import { apiUrl, callApi } from '../support/api';
import { defaultAuthHeaders } from '../support/auth';
import {
  connectDocumentStores,
  eventually,
  objectKeys,
  rowsWithSha,
  testWorkspace,
  workflowIds,
  type DocumentStores,
} from '../support/document-stores';
import {
  documentFixtures,
  fileForm,
  sha256Of,
  uniqueToken,
  type FixtureFormat,
  type UploadFixture,
} from '../support/fixtures';
import { connectTemporal } from '../support/temporal';
import { buildEncryptedPdf } from '../support/documents/document-fixtures';

// How long a test may wait for the workers (the queues may be busy with other suites' work).
const WORKER_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000);
jest.setTimeout(2 * WORKER_TIMEOUT_MS + 60_000);

const workspaceId = testWorkspace();
const uiUrlOf = (workflowId: string) =>
  `${process.env.TEMPORAL_UI_URL}/namespaces/${process.env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;

interface ErrorBody {
  statusCode: number;
  message: string | string[];
}

const uploadFile = (fixture: UploadFixture, title?: string) =>
  callApi<DocumentAcceptedDto>('POST', '/documents', { body: fileForm(fixture, title) });

/**
 * uploadFile as a polite client (the typed client, the CLI) does it: an API process admits a
 * few uploads at once and sheds the rest with 503 + Retry-After, which asks for another try.
 */
async function uploadPolitely(fixture: UploadFixture, title?: string) {
  for (let attempt = 1; ; attempt++) {
    const response = await uploadFile(fixture, title);
    const retryAfter = response.headers.get('retry-after');
    if (response.status !== 503 || retryAfter === null || attempt === 10) return response;
    await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
  }
}

/** The document once a run has settled it (indexed or failed), or as it stands at the timeout. */
function eventuallySettled(documentId: string): Promise<DocumentDto> {
  return eventually(
    async () => (await callApi<DocumentDto>('GET', `/documents/${documentId}`)).body,
    ({ status }) => status === 'indexed' || status === 'failed',
    WORKER_TIMEOUT_MS,
  );
}

/** The processing runs of a document, once there are at least two (a retry or re-process). */
function eventuallyTwoProcessingRuns(client: Client, documentId: string): Promise<string[]> {
  return eventually(
    () =>
      workflowIds(
        client,
        `DocumentId = '${documentId}' AND WorkflowType = 'processDocumentWorkflow'`,
      ),
    (ids) => ids.length >= 2,
  );
}

describe('documents API: upload and read back', () => {
  let temporal: { client: Client; close: () => Promise<void> };
  let stores: DocumentStores;
  let fixtures: Record<FixtureFormat, UploadFixture>;

  beforeAll(async () => {
    temporal = await connectTemporal();
    stores = connectDocumentStores();
    fixtures = await documentFixtures();
  });
  afterAll(async () => {
    await temporal?.close();
    await stores?.close();
  });

  async function expectOneWorkflow(documentId: string): Promise<void> {
    const query = `DocumentId = '${documentId}' AND WorkflowType = 'processDocumentWorkflow'`;
    const found = await eventually(
      () => workflowIds(temporal.client, query),
      (ids) => ids.length > 0,
    );
    expect(found).toEqual([documentWorkflowId(workspaceId, documentId)]);
  }

  describe.each(['text', 'markdown', 'html', 'pdf', 'docx'] as FixtureFormat[])(
    'a %s file',
    (format) => {
      let fixture: UploadFixture;
      let accepted: DocumentAcceptedDto;

      beforeAll(async () => {
        fixture = fixtures[format];
        const response = await uploadFile(fixture);
        expect(response.status).toBe(202);
        accepted = response.body;
      });

      it('is accepted with its deterministic id, workflow id and Temporal UI link', () => {
        const id = documentIdFor(workspaceId, sha256Of(fixture.bytes));
        const workflowId = documentWorkflowId(workspaceId, id);
        expect(accepted).toEqual({
          id,
          // Without a sourceKey a document has one version: the document itself.
          versionId: id,
          version: null,
          status: expect.stringMatching(/^(pending|processing|indexed|failed)$/),
          workflowId,
          temporalUiUrl: uiUrlOf(workflowId),
        });
      });

      it('is described by GET /documents/:id with the type detected from its bytes', async () => {
        const { status, body } = await callApi<DocumentDto>('GET', `/documents/${accepted.id}`);
        expect(status).toBe(200);
        expect(body).toMatchObject({
          id: accepted.id,
          title: fixture.fileName,
          mime: fixture.mime,
          sizeBytes: fixture.bytes.length,
          sha256: sha256Of(fixture.bytes),
          workflowId: accepted.workflowId,
          temporalUiUrl: accepted.temporalUiUrl,
          counts: expect.any(Object),
          stageTimings: expect.any(Object),
        });
        expect(body.status).toMatch(/^(pending|processing|indexed|failed)$/);
        expect(body).toHaveProperty('stage');
        expect(body).toHaveProperty('error');
      });

      it('gives back exactly the uploaded bytes, with their type and a safe disposition', async () => {
        const response = await fetch(`${apiUrl}/documents/${accepted.id}/content`, {
          headers: await defaultAuthHeaders(),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(fixture.mime);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('content-disposition')).toBe(
          `attachment; filename="${fixture.fileName}"; filename*=UTF-8''${fixture.fileName}`,
        );
        expect(Buffer.from(await response.arrayBuffer()).equals(fixture.bytes)).toBe(true);
      });

      it('stores one content-addressed blob, one row and one workflow with search attributes', async () => {
        const sha256 = sha256Of(fixture.bytes);
        expect(await objectKeys(stores, blobKey(workspaceId, sha256))).toEqual([
          blobKey(workspaceId, sha256),
        ]);
        expect(await rowsWithSha(stores, workspaceId, sha256)).toBe(1);
        await expectOneWorkflow(accepted.id);
        const description = await temporal.client.workflow
          .getHandle(accepted.workflowId)
          .describe();
        expect(description.taskQueue).toBe('general');
        expect(description.searchAttributes).toMatchObject({
          WorkspaceId: [workspaceId],
          DocumentId: [accepted.id],
          Stage: [expect.any(String)],
        });
      });
    },
  );

  it('uses the title field when one is sent', async () => {
    const { text } = await documentFixtures();
    const response = await uploadFile(text, 'Notes on Marie Curie');
    expect(response.status).toBe(202);
    const { body } = await callApi<DocumentDto>('GET', `/documents/${response.body.id}`);
    expect(body.title).toBe('Notes on Marie Curie');
  });

  it('accepts JSON {title, text} as a plain-text or Markdown document', async () => {
    const token = uniqueToken();
    const plain = `Ada Lovelace wrote the first program (note ${token}). Ünïcödé is kept — exactly.`;
    const markdown = `# Ada Lovelace\n\n## Work\n\nShe wrote **notes** on the engine (${token}).\n`;
    for (const [text, mime] of [
      [plain, 'text/plain'],
      [markdown, 'text/markdown'],
    ] as const) {
      const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
        json: { title: `Ada ${token}`, text },
      });
      expect(response.status).toBe(202);
      const bytes = Buffer.from(text, 'utf8');
      expect(response.body.id).toBe(documentIdFor(workspaceId, sha256Of(bytes)));
      const { body } = await callApi<DocumentDto>('GET', `/documents/${response.body.id}`);
      expect(body).toMatchObject({ title: `Ada ${token}`, mime, sizeBytes: bytes.length });
      const content = await fetch(`${apiUrl}/documents/${response.body.id}/content`, {
        headers: await defaultAuthHeaders(),
      });
      expect(Buffer.from(await content.arrayBuffer()).equals(bytes)).toBe(true);
    }
  });

  it('accepts JSON text larger than Express would (1 MB)', async () => {
    const line = `A long text ${uniqueToken()} with "quotes" and\nnewlines that JSON escapes.\n`;
    const text = line.repeat(Math.ceil((1024 * 1024) / line.length));
    const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
      json: { title: 'Long', text },
    });
    expect(response.status).toBe(202);
    const { body } = await callApi<DocumentDto>('GET', `/documents/${response.body.id}`);
    expect(body.sizeBytes).toBe(Buffer.byteLength(text));
    // A megabyte of repeated prose keeps the ai worker busy for minutes: this test is about
    // accepting the upload, so the document is deleted (which cancels its processing) right away.
    expect((await callApi('DELETE', `/documents/${response.body.id}`)).status).toBe(202);
  });

  it('turns the same bytes uploaded 10 times in parallel into one document, blob, row and workflow', async () => {
    const { pdf } = await documentFixtures();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        // Different names and titles do not matter: the bytes decide. The ones admitted at
        // once race to insert the same row; the ones shed come back after Retry-After.
        uploadPolitely({ ...pdf, fileName: `copy-${index}.pdf` }, `Copy ${index}`),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(202));
    const ids = new Set(responses.map((response) => response.body.id));
    const id = documentIdFor(workspaceId, sha256Of(pdf.bytes));
    expect([...ids]).toEqual([id]);
    expect(new Set(responses.map((response) => response.body.workflowId))).toEqual(
      new Set([documentWorkflowId(workspaceId, id)]),
    );

    const sha256 = sha256Of(pdf.bytes);
    expect(await rowsWithSha(stores, workspaceId, sha256)).toBe(1);
    expect(await objectKeys(stores, blobKey(workspaceId, sha256))).toHaveLength(1);
    await expectOneWorkflow(id);

    // Once more, after the fact: still the same document and no second run.
    const again = await uploadFile(pdf);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(id);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expectOneWorkflow(id);
  });

  it('answers 404 JSON for an unknown id and for a malformed one', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid', "1' OR '1'='1"]) {
      const path = `/documents/${encodeURIComponent(id)}`;
      for (const suffix of ['', '/content', '/chunks', '/events']) {
        const { status, body } = await callApi<ErrorBody>('GET', `${path}${suffix}`);
        expect({ path: `${path}${suffix}`, status }).toEqual({
          path: `${path}${suffix}`,
          status: 404,
        });
        expect(body.message).toMatch(/not found/);
      }
      for (const [method, suffix] of [
        ['DELETE', ''],
        ['POST', '/reprocess'],
        ['POST', '/retry'],
      ]) {
        const { status } = await callApi(method, `${path}${suffix}`);
        expect({ method, suffix, status }).toEqual({ method, suffix, status: 404 });
      }
    }
  });

  describe('GET /documents', () => {
    it('pages through the documents, newest first, with a total', async () => {
      const first = await callApi<DocumentListDto>('GET', '/documents?limit=2&offset=0');
      const second = await callApi<DocumentListDto>('GET', '/documents?limit=2&offset=2');
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ limit: 2, offset: 0, total: expect.any(Number) });
      expect(first.body.items).toHaveLength(2);
      expect(first.body.total).toBeGreaterThanOrEqual(7);
      expect(second.body.offset).toBe(2);
      const firstIds = first.body.items.map((item) => item.id);
      expect(second.body.items.some((item) => firstIds.includes(item.id))).toBe(false);
      expect(first.body.items[0].createdAt >= first.body.items[1].createdAt).toBe(true);
      const defaults = await callApi<DocumentListDto>('GET', '/documents');
      expect(defaults.body).toMatchObject({ limit: 20, offset: 0 });
    });

    it('filters by status', async () => {
      for (const status of ['pending', 'processing', 'indexed', 'failed', 'deleting']) {
        const { body } = await callApi<DocumentListDto>(
          'GET',
          `/documents?status=${status}&limit=100`,
        );
        expect(body.items.every((item) => item.status === status)).toBe(true);
        expect(body.total).toBeGreaterThanOrEqual(body.items.length);
      }
      // A document just uploaded is found under its own current status.
      const { text } = await documentFixtures();
      const { body: accepted } = await uploadFile(text);
      const found = await eventually(
        async () => {
          const { body: document } = await callApi<DocumentDto>('GET', `/documents/${accepted.id}`);
          const { body } = await callApi<DocumentListDto>(
            'GET',
            `/documents?status=${document.status}&limit=100`,
          );
          return body.items.some((item) => item.id === accepted.id);
        },
        (value) => value,
      );
      expect(found).toBe(true);
    });

    it.each([
      ['limit=0', /limit must be at least 1/],
      ['limit=101', /limit must be at most 100/],
      ['limit=abc', /limit must be a whole number/],
      ['limit=-1', /limit must be a whole number/],
      ['offset=-5', /offset must be a whole number/],
      ['offset=1.5', /offset must be a whole number/],
      ['status=done', /status/],
    ])('refuses %s with 400', async (query, message) => {
      const { status, body } = await callApi<ErrorBody>('GET', `/documents?${query}`);
      expect(status).toBe(400);
      expect([body.message].flat().join('\n')).toMatch(message);
    });
  });

  describe('GET /documents/:id/chunks', () => {
    it("says clearly that a document has no chunks (409 with the reason), and returns an indexed one's", async () => {
      // A document whose run fails never has chunks: a 409 every time, not only when the
      // request happens to beat the worker.
      const { body: locked } = await uploadFile({
        fileName: `locked-chunks-${uniqueToken()}.pdf`,
        mime: 'application/pdf',
        bytes: buildEncryptedPdf(uniqueToken()),
      });
      expect((await eventuallySettled(locked.id)).status).toBe('failed');
      const refused = await callApi<ErrorBody>('GET', `/documents/${locked.id}/chunks`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/has no chunks yet.*processing failed: .*encrypted/i);

      const { markdown } = await documentFixtures();
      const { body: accepted } = await uploadFile(markdown);
      const analysed = await eventually(
        () => callApi<DocumentChunksDto>('GET', `/documents/${accepted.id}/chunks`),
        (response) => response.status === 200,
        WORKER_TIMEOUT_MS,
      );
      expect(analysed.status).toBe(200);
      expect(analysed.body.documentId).toBe(accepted.id);
      expect(analysed.body.language).toEqual(expect.any(String));
      expect(analysed.body.chunks.length).toBeGreaterThan(0);
      for (const chunk of analysed.body.chunks) {
        expect(chunk).toEqual({
          ord: expect.any(Number),
          text: expect.any(String),
          start: expect.any(Number),
          end: expect.any(Number),
        });
      }
    });
  });

  describe('GET /documents/:id/events', () => {
    let publisher: Redis;
    beforeAll(() => {
      publisher = new Redis(process.env.REDIS_URL!);
    });
    afterAll(async () => {
      await publisher.quit();
    });

    it('sends the current state, then published changes, and ends after a terminal status', async () => {
      const { html } = await documentFixtures();
      const { body: accepted } = await uploadFile(html);
      const stream = await openEventStream(accepted.id);
      const initial = await stream.next();
      expect(initial).toMatchObject({ documentId: accepted.id, workspaceId });

      if (!['indexed', 'failed'].includes(initial.status)) {
        // Whatever the workers publish meanwhile, a terminal event we publish ends the stream.
        const channel = documentEventsChannel(workspaceId, accepted.id);
        const marker: DocumentEvent = {
          documentId: accepted.id,
          workspaceId,
          status: 'failed',
          stage: 'analyse',
          error: `test marker ${uniqueToken()}`,
          at: new Date(Date.now() + 60_000).toISOString(),
        };
        await publisher.publish(channel, JSON.stringify(marker));
        let event = await stream.next();
        while (!['indexed', 'failed', 'deleted'].includes(event.status))
          event = await stream.next();
        expect(event.documentId).toBe(accepted.id);
      }
      expect(await stream.ended()).toBe(true);
    });

    it('shares one Redis subscription among clients and drops it when they leave', async () => {
      const { text } = await documentFixtures();
      const { body: accepted } = await uploadFile(text);
      const channel = documentEventsChannel(workspaceId, accepted.id);
      const subscriptions = async () =>
        Number(((await publisher.pubsub('NUMSUB', channel)) as [string, number])[1]);

      const streams = await Promise.all([1, 2, 3].map(() => openEventStream(accepted.id)));
      for (const stream of streams) expect((await stream.next()).documentId).toBe(accepted.id);
      // Three clients, one subscription: the API fans out from a single subscriber connection.
      expect(await subscriptions()).toBe(1);

      for (const stream of streams) stream.close();
      expect(await eventually(subscriptions, (count) => count === 0)).toBe(0);
    });
  });

  describe('lifecycle', () => {
    /** Retry or re-process: 202 with the upload's answer, then a second run under its id. */
    const runsAgainUnderTheSameId = async (
      accepted: DocumentAcceptedDto,
      action: 'retry' | 'reprocess',
    ) => {
      const response = await callApi<DocumentAcceptedDto>(
        'POST',
        `/documents/${accepted.id}/${action}`,
      );
      expect(response.status).toBe(202);
      expect(response.body).toEqual({ ...accepted, status: 'pending' });
      const runs = await eventuallyTwoProcessingRuns(temporal.client, accepted.id);
      expect(runs).toEqual([accepted.workflowId, accepted.workflowId]);
    };

    it('retries only failed documents (409 otherwise), with the same workflow id', async () => {
      const { text } = await documentFixtures();
      const { body: unfailed } = await uploadFile(text);
      const refused = await callApi<ErrorBody>('POST', `/documents/${unfailed.id}/retry`);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(/Only failed documents can be retried/);

      // A run that really fails: the pipeline cannot open a password-protected PDF. (Marking a
      // terminated run failed by hand races its last activity, which Temporal does not recall.)
      const locked: UploadFixture = {
        fileName: `locked-${uniqueToken()}.pdf`,
        mime: 'application/pdf',
        bytes: buildEncryptedPdf(uniqueToken()),
      };
      const { body: accepted } = await uploadFile(locked);
      const failed = await eventuallySettled(accepted.id);
      expect(failed).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/encrypted/i),
      });

      await runsAgainUnderTheSameId(accepted, 'retry');
      // The second run (from a row reset to pending) fails again, for the same reason, later.
      const again = await eventuallySettled(accepted.id);
      expect(again).toMatchObject({ status: 'failed', error: failed.error });
      expect(Date.parse(again.updatedAt)).toBeGreaterThan(Date.parse(failed.updatedAt));
    });

    it('retries a document whose run was terminated before finishing it', async () => {
      const token = uniqueToken();
      const { body: accepted } = await uploadFile({
        fileName: `terminated-${token}.txt`,
        mime: 'text/plain',
        bytes: Buffer.from(`Marie Curie worked in Paris. She won the Nobel Prize. (${token})\n`),
      });
      const handle = temporal.client.workflow.getHandle(accepted.workflowId);
      // Right after the 202: the run has not reached its end yet, as an operator's stuck run.
      await handle.terminate('e2e: an operator stops the run in the Temporal UI');
      expect((await handle.describe()).status.name).toBe('TERMINATED');
      const stranded = await callApi<DocumentDto>('GET', `/documents/${accepted.id}`);
      expect(['pending', 'processing']).toContain(stranded.body.status);

      await runsAgainUnderTheSameId(accepted, 'retry');
      const settled = await eventuallySettled(accepted.id);
      expect(settled).toMatchObject({ status: 'indexed', error: null });
      expect(settled.counts.chunks).toBeGreaterThan(0);
    });

    it('re-processes a document whose run has closed, with the same workflow id, and refuses while it runs', async () => {
      const { text } = await documentFixtures();
      const { body: accepted } = await uploadFile(text);
      const handle = temporal.client.workflow.getHandle(accepted.workflowId);
      // Busy queues may not have run it yet: a closed run is what matters here, however it closed.
      await handle.terminate('e2e: close the first run').catch(() => undefined);
      await runsAgainUnderTheSameId(accepted, 'reprocess');

      if ((await handle.describe()).status.name === 'RUNNING') {
        const running = await callApi<ErrorBody>('POST', `/documents/${accepted.id}/reprocess`);
        expect(running.status).toBe(409);
        expect(running.body.message).toMatch(/being processed right now/);
      }
    });

    it('deletes through a workflow and answers 202 with its id', async () => {
      const { markdown } = await documentFixtures();
      const { body: accepted } = await uploadFile(markdown, 'To be deleted');
      const response = await callApi<DocumentAcceptedDto>('DELETE', `/documents/${accepted.id}`);
      expect(response.status).toBe(202);
      const workflowId = deleteWorkflowId(workspaceId, accepted.id);
      expect(response.body).toEqual({
        id: accepted.id,
        versionId: accepted.id,
        version: null,
        status: 'deleting',
        workflowId,
        temporalUiUrl: uiUrlOf(workflowId),
      });
      // The processing run was stopped before the delete began.
      const processing = await temporal.client.workflow.getHandle(accepted.workflowId).describe();
      expect(processing.status.name).not.toBe('RUNNING');
      const description = await temporal.client.workflow.getHandle(workflowId).describe();
      expect(description.searchAttributes).toMatchObject({
        WorkspaceId: [workspaceId],
        DocumentId: [accepted.id],
      });
      // A second DELETE joins the same workflow instead of starting another.
      const again = await callApi<DocumentAcceptedDto>('DELETE', `/documents/${accepted.id}`);
      if (again.status === 202) {
        expect(again.body.workflowId).toBe(workflowId);
      } else {
        // Only once the first delete has finished is the document gone.
        expect(again.status).toBe(404);
        const first = await temporal.client.workflow.getHandle(workflowId).describe();
        expect(first.status.name).toBe('COMPLETED');
      }
      const gone = await eventually(
        () => callApi('GET', `/documents/${accepted.id}`),
        (result) => result.status === 404,
        WORKER_TIMEOUT_MS,
      );
      expect(gone.status).toBe(404);
    });
  });
});

interface EventStream {
  next: () => Promise<DocumentEvent>;
  /** Resolves true once the server has closed the stream. */
  ended: () => Promise<boolean>;
  close: () => void;
}

/** A minimal SSE client over fetch: parses `data:` lines, skips heartbeats. */
async function openEventStream(documentId: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(`${apiUrl}/documents/${documentId}/events`, {
    signal: abort.signal,
    headers: await defaultAuthHeaders(),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  const readMessage = async (): Promise<string | null> => {
    for (;;) {
      const boundary = buffer.indexOf('\n\n');
      if (boundary >= 0) {
        const message = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        return message;
      }
      if (done) return null;
      const chunk = await reader.read();
      if (chunk.done) done = true;
      else buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  return {
    async next() {
      for (;;) {
        const message = await readMessage();
        if (message === null) throw new Error('the event stream ended');
        const lines = message.split('\n');
        if (lines.some((line) => line === 'event: heartbeat')) continue;
        const data = lines
          .filter((line) => line.startsWith('data: '))
          .map((line) => line.slice(6))
          .join('\n');
        if (data) return JSON.parse(data) as DocumentEvent;
      }
    },
    async ended() {
      const timeout = setTimeout(() => abort.abort(), 10_000);
      try {
        while ((await readMessage()) !== null);
        return true;
      } catch {
        return false;
      } finally {
        clearTimeout(timeout);
      }
    },
    close: () => abort.abort(),
  };
}
