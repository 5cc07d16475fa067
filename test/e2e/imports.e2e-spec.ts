import { defaultAuthHeaders, testWorkspace } from '../support/auth';
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yazl from 'yazl';
import { apiUrl, callApi } from '../support/api';
import { eventually } from '../support/document-stores';
import { documentWorkflowId } from '../../src/documents/document-ids';
import type { DocumentDto } from '../../src/documents/documents.dto';
import { connectTemporal } from '../support/temporal';
import { WorkerModule } from '../../workers/worker.module';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';
import { S3BlobStore } from '../../src/stores/s3/s3-blob.store';
import { workspacePrefix } from '../../src/stores/s3/blob-keys';
import type { ImportAccepted, ImportView } from '../../src/imports/imports.service';

jest.setTimeout(240_000);

const workspaceId = testWorkspace();
// Unique texts per run, so that documents from earlier runs never count as "already there".
const runToken = randomBytes(6).toString('hex');

const TOPICS = [
  'Marie Curie studied radioactivity in Paris and won two Nobel Prizes.',
  'The Danube flows through Vienna, Budapest and Belgrade before reaching the Black Sea.',
  'Alan Turing worked at Bletchley Park and later at the University of Manchester.',
  'Mount Kilimanjaro in Tanzania is the highest mountain in Africa.',
  'Johannes Gutenberg introduced movable type printing in Mainz around 1450.',
  'The Amazon rainforest spans Brazil, Peru and Colombia.',
  'Ada Lovelace described the Analytical Engine designed by Charles Babbage.',
  'The Great Barrier Reef lies off the coast of Queensland in Australia.',
  'Nelson Mandela was elected President of South Africa in 1994.',
  'The Rosetta Stone was found in Egypt in 1799 and is kept in the British Museum.',
];

function passages(label: string, count = TOPICS.length): { title: string; text: string }[] {
  return Array.from({ length: count }, (_, index) => ({
    title: `${label} ${index + 1} (${runToken})`,
    text: `${TOPICS[index % TOPICS.length]} Reference ${label}-${index + 1}-${runToken}.`,
  }));
}

const jsonl = (records: object[]) => records.map((record) => JSON.stringify(record)).join('\n');

function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name);
    else zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    zip.outputStream.on('data', (part: Buffer) => parts.push(part));
    zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
    zip.outputStream.on('error', reject);
  });
}

async function tarGzOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const part of pack as AsyncIterable<Buffer>) parts.push(part);
  return gzipSync(Buffer.concat(parts));
}

/** A zip whose entry name climbs out of the archive; yazl refuses to write one, so patch it. */
async function traversalZip(): Promise<Buffer> {
  const archive = await zipOf({ 'xx/evil.txt': `escape ${runToken}` });
  // The name appears twice (local header and central directory) with the same length.
  return Buffer.from(archive.toString('latin1').split('xx/evil.txt').join('../evil.txt'), 'latin1');
}

function postImport(body: Buffer | string, contentType: string, query = '') {
  return callApi<ImportAccepted & { message?: string }>('POST', `/imports${query}`, {
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': contentType },
  });
}

async function waitForImport(id: string, timeoutMs = 180_000): Promise<ImportView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await callApi<ImportView>('GET', `/imports/${id}`);
    expect(status).toBe(200);
    if (['completed', 'completed_with_errors', 'failed'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`import ${id} still ${body.status}`);
    await new Promise((done) => setTimeout(done, 500));
  }
}

describe('bulk import (POST /imports)', () => {
  let app: INestApplicationContext;
  let postgres: PostgresStore;
  let blobs: S3BlobStore;
  let temporal: { client: Client; close: () => Promise<void> };

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(WorkerModule, { logger: ['error'] });
    postgres = app.get(PostgresStore);
    blobs = app.get(S3BlobStore);
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    await temporal?.close();
    await app?.close();
  });

  const importDocuments = (importId: string) =>
    postgres.queryInWorkspace<{
      id: string;
      status: string;
      title: string;
      mime: string;
      error: string;
    }>(
      workspaceId,
      'SELECT id, status, title, mime, error FROM documents WHERE workspace_id = $1 AND import_id = $2',
      [workspaceId, importId],
    );

  /** Waits for the import to complete with all `count` entries as documents, every one indexed. */
  async function expectEveryDocumentIndexed(importId: string, count: number) {
    const finished = await waitForImport(importId);
    expect(finished).toMatchObject({
      status: 'completed',
      total: count,
      done: count,
      failed: 0,
      documents: count,
      error: null,
    });
    const documents = await importDocuments(importId);
    expect(documents).toHaveLength(count);
    expect(documents.filter((document) => document.status !== 'indexed')).toEqual([]);
    return documents;
  }

  /** Imports rows, import objects in MinIO and import workflows, to prove a refusal stored nothing. */
  async function importFootprint() {
    const rows = await postgres.queryInWorkspace<{ total: string }>(
      workspaceId,
      'SELECT count(*) AS total FROM imports WHERE workspace_id = $1',
      [workspaceId],
    );
    const keys = await blobs.list(`${workspacePrefix(workspaceId)}imports/`);
    const workflows = await temporal.client.workflow.count(
      `WorkflowType = 'importWorkflow' AND WorkspaceId = '${workspaceId}'`,
    );
    return { rows: Number(rows[0].total), objects: keys.length, workflows: workflows.count };
  }

  async function expectRefusedWithNothingStored(
    send: () => ReturnType<typeof postImport>,
    status: number,
    message: RegExp,
  ) {
    const before = await importFootprint();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.body.message).toMatch(message);
    // Visibility is eventually consistent: give a wrongly started workflow time to show up.
    await new Promise((done) => setTimeout(done, 1500));
    expect(await importFootprint()).toEqual(before);
  }

  it('imports a JSONL of passages: 202, then every document indexed and the counts right', async () => {
    const records = passages('jsonl');
    const accepted = await postImport(jsonl(records), 'application/x-ndjson');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      status: 'pending',
      total: records.length,
      workflowId: `import:${workspaceId}:${accepted.body.id}`,
    });
    expect(accepted.body.temporalUiUrl).toContain(encodeURIComponent(accepted.body.workflowId));

    const documents = await expectEveryDocumentIndexed(accepted.body.id, records.length);
    expect(documents.map((document) => document.title).sort()).toEqual(
      records.map((record) => record.title).sort(),
    );
    expect(new Set(documents.map((document) => document.mime))).toEqual(new Set(['text/plain']));

    // The run records the end just before it closes.
    const description = await eventually(
      () => temporal.client.workflow.getHandle(accepted.body.workflowId).describe(),
      (described) => described.status.name !== 'RUNNING',
    );
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.WorkspaceId).toEqual([workspaceId]);

    const listed = await callApi<{ items: ImportView[] }>('GET', '/imports?limit=50');
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item) => item.id)).toContain(accepted.body.id);
  });

  it('processes the same bytes twice in one import once', async () => {
    const [first, second] = passages('dup', 2);
    const records = [first, second, { ...first, title: `${first.title} again` }];
    const accepted = await postImport(jsonl(records), 'application/x-ndjson');
    expect(accepted.status).toBe(202);
    const finished = await waitForImport(accepted.body.id);
    expect(finished).toMatchObject({ status: 'completed', total: 3, done: 3, documents: 2 });
    expect(await importDocuments(accepted.body.id)).toHaveLength(2);
  });

  it('imports a zip of txt, md and html files as multipart', async () => {
    const archive = await zipOf({
      'notes/plain.txt': `${TOPICS[0]} Plain text ${runToken}.`,
      'notes/readme.md': `# Rivers ${runToken}\n\n## The Danube\n\n${TOPICS[1]}\n\n- one\n- two\n`,
      'page.html': `<!doctype html><html><head><title>Turing ${runToken}</title></head><body><p>${TOPICS[2]}</p></body></html>`,
      'notes/': '',
    });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(archive)]), 'corpus.zip');
    const accepted = await callApi<ImportAccepted>('POST', '/imports', { body: form });
    expect(accepted.status).toBe(202);
    expect(accepted.body.total).toBe(3);
    const finished = await waitForImport(accepted.body.id);
    expect(finished).toMatchObject({ status: 'completed', total: 3, done: 3, failed: 0 });
    const documents = await importDocuments(accepted.body.id);
    expect(documents.map((document) => [document.title, document.mime]).sort()).toEqual([
      ['page.html', 'text/html'],
      ['plain.txt', 'text/plain'],
      ['readme.md', 'text/markdown'],
    ]);
    expect(documents.every((document) => document.status === 'indexed')).toBe(true);
  });

  it('imports a tar.gz sent as application/gzip', async () => {
    const archive = await tarGzOf({
      'docs/one.txt': `${TOPICS[4]} Tar entry one ${runToken}.`,
      'docs/two.md': `# Forests ${runToken}\n\n## Amazon\n\n${TOPICS[5]}\n\n- a\n- b\n`,
    });
    const accepted = await postImport(archive, 'application/gzip');
    expect(accepted.status).toBe(202);
    const finished = await waitForImport(accepted.body.id);
    expect(finished).toMatchObject({ status: 'completed', total: 2, done: 2, failed: 0 });
    const documents = await importDocuments(accepted.body.id);
    expect(documents.map((document) => document.title).sort()).toEqual(['one.txt', 'two.md']);
  });

  it('counts an unsupported archive entry as failed, with the reason, and imports the rest', async () => {
    // A GIF: images Cairn reads through OCR are PNG, JPEG, TIFF and WebP.
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), randomBytes(64)]);
    const archive = await zipOf({
      'good.txt': `${TOPICS[3]} Good entry ${runToken}.`,
      'picture.gif': gif,
    });
    const accepted = await postImport(archive, 'application/zip');
    expect(accepted.status).toBe(202);
    const finished = await waitForImport(accepted.body.id);
    expect(finished).toMatchObject({
      status: 'completed_with_errors',
      total: 2,
      done: 1,
      failed: 1,
      documents: 1,
    });
    expect(finished.rejected).toEqual([
      { entry: 'picture.gif', reason: expect.stringMatching(/GIF image/) },
    ]);
  });

  it('refuses a JSONL with a bad line (400) and stores nothing', async () => {
    const lines = [
      ...passages('bad', 3).map((record) => JSON.stringify(record)),
      '{"title": "no text here"}',
    ];
    await expectRefusedWithNothingStored(
      () => postImport(lines.join('\n'), 'application/x-ndjson'),
      400,
      /Line 4 .*text/,
    );
  });

  it('refuses JSONL that is not valid UTF-8 (400) and stores nothing', async () => {
    const body = Buffer.concat([
      Buffer.from('{"title": "latin-1", "text": "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"}\n'),
    ]);
    await expectRefusedWithNothingStored(
      () => postImport(body, 'application/x-ndjson'),
      400,
      /UTF-8/,
    );
  });

  it('refuses a zip with ../evil.txt (400) and stores nothing', async () => {
    const archive = await traversalZip();
    await expectRefusedWithNothingStored(
      () => postImport(archive, 'application/zip'),
      400,
      /traversal|relative path/,
    );
  });

  it('refuses a body that is neither JSONL nor an archive (415), or whose type lies', async () => {
    await expectRefusedWithNothingStored(
      () => postImport('just some words', 'application/x-ndjson'),
      415,
      /neither JSONL/,
    );
    await expectRefusedWithNothingStored(
      () => postImport(jsonl(passages('lie', 1)), 'application/zip'),
      415,
      /JSONL, not what Content-Type/,
    );
    await expectRefusedWithNothingStored(
      () => postImport('{"title":"a","text":"b"}', 'text/csv'),
      415,
      /Content-Type/,
    );
  });

  it('settles an import whose workflow an operator terminated; its documents, then the import, can be retried', async () => {
    // Small sequential batches, so that most documents are still waiting when the import stops.
    const records = passages('stopped', 30);
    const accepted = await postImport(
      jsonl(records),
      'application/x-ndjson',
      '?batchSize=3&parallelBatches=1',
    );
    expect(accepted.status).toBe(202);
    const id = accepted.body.id;
    const processing = await eventually(
      async () => (await callApi<ImportView>('GET', `/imports/${id}`)).body,
      (view) => view.status !== 'pending' && view.status !== 'expanding',
      60_000,
    );
    expect(processing.status).toBe('processing');
    const waiting = (await importDocuments(id)).filter((document) => document.status === 'pending');
    expect(waiting.length).toBeGreaterThan(0);
    // The import will process it: not the client's to retry while the import runs.
    const early = await callApi<{ message: string }>('POST', `/documents/${waiting[0].id}/retry`);
    expect(early.status).toBe(409);
    const running = await callApi<{ message: string }>('POST', `/imports/${id}/retry`);
    expect(running.status).toBe(409);
    expect(running.body.message).toMatch(/still running/);

    const handle = temporal.client.workflow.getHandle(accepted.body.workflowId);
    await handle.terminate('e2e: an operator stops the import in the Temporal UI');
    expect((await handle.describe()).status.name).toBe('TERMINATED');

    // GET notices that the workflow closed without recording an end.
    const settled = await callApi<ImportView>('GET', `/imports/${id}`);
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/closed as TERMINATED/),
    });
    // The event stream of a settled import gives that state and ends.
    const stream = await fetch(`${apiUrl}/imports/${id}/events`, {
      headers: await defaultAuthHeaders(),
    });
    const events = (await stream.text())
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { status: string });
    expect(events.at(-1)).toMatchObject({ status: 'failed' });

    // Its batch was terminated with it; the documents it had not finished can now be retried.
    const stranded = (await importDocuments(id)).filter((document) =>
      ['pending', 'processing'].includes(document.status),
    );
    expect(stranded.length).toBeGreaterThan(0);
    const retried = await callApi<{ status: string; workflowId: string }>(
      'POST',
      `/documents/${stranded[0].id}/retry`,
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({
      status: 'pending',
      workflowId: documentWorkflowId(workspaceId, stranded[0].id),
    });
    const indexed = await eventually(
      async () => (await callApi<DocumentDto>('GET', `/documents/${stranded[0].id}`)).body,
      (document) => document.status === 'indexed' || document.status === 'failed',
      120_000,
    );
    expect(indexed).toMatchObject({ status: 'indexed', error: null });
    expect(indexed.counts.chunks).toBeGreaterThan(0);

    // The import as a whole runs again under the same workflow id, for what it left undone.
    const rerun = await callApi<ImportAccepted>('POST', `/imports/${id}/retry?batchSize=10`);
    expect(rerun.status).toBe(202);
    expect(rerun.body).toMatchObject({
      id,
      status: 'pending',
      workflowId: accepted.body.workflowId,
      total: records.length,
    });
    await expectEveryDocumentIndexed(id, records.length);
    // The run records the end just before it closes.
    const closed = await eventually(
      async () => (await handle.describe()).status.name,
      (name) => name !== 'RUNNING',
    );
    expect(closed).toBe('COMPLETED');
    const again = await callApi<{ message: string }>('POST', `/imports/${id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/nothing to retry/);
  });

  it('answers 404 for an unknown import, and streams progress as SSE to the end', async () => {
    expect((await callApi('GET', '/imports/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
    expect((await callApi('GET', '/imports/not-a-uuid')).status).toBe(404);

    const accepted = await postImport(jsonl(passages('sse', 2)), 'application/x-ndjson');
    expect(accepted.status).toBe(202);
    const response = await fetch(
      `${process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3100'}/imports/${accepted.body.id}/events`,
      { headers: await defaultAuthHeaders() },
    );
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await response.text(); // the server closes the stream after the final status
    const events = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { status: string; done: number });
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events.at(-1)).toMatchObject({ status: 'completed', done: 2 });
  });
});
