// E-mail attachments end to end through the HTTP API: a message with a PDF, a DOCX, an
// unsupported image, a lying file name and a zip bomb attached becomes the message document plus
// one linked document per attachment Cairn can take; each is indexed (or fails with a reason),
// refused ones are reported with the reason and store nothing, and deleting the message deletes
// the documents it brought in.
import type { INestApplicationContext } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { documentIdFor } from '../../src/documents/document-ids';
import {
  buildDocx,
  buildPdf,
  buildZip,
  docxEntries,
  zeros,
} from '../support/documents/document-fixtures';
import { buildEml } from '../support/documents/format-fixtures';
import type { DocumentAcceptedDto, DocumentDto } from '../../src/documents/documents.dto';
import { callApi } from '../support/api';
import { testWorkspace } from '../support/auth';
import { openStores, snapshotDocument, type StoreClients } from '../support/store-snapshot';

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000) * 3;
jest.setTimeout(4 * INDEX_TIMEOUT_MS);

const workspaceId = testWorkspace();
const run = randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pdfSentence = `Lighthouse keepers on Fair Isle logged puffin colonies in ${run} binders.`;
const docxSentence = `The tramway depot repainted its cable cars saffron yellow for ${run}.`;
const bodySentence = `Please find the survey notes attached, reference ${run}.`;

async function upload(bytes: Buffer, fileName: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
  const response = await callApi<DocumentAcceptedDto>('POST', '/documents', { body: form });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function settled(id: string): Promise<DocumentDto> {
  const deadline = Date.now() + INDEX_TIMEOUT_MS;
  for (;;) {
    const response = await callApi<DocumentDto>('GET', `/documents/${id}`);
    expect(response.status).toBe(200);
    if (response.body.status === 'indexed' || response.body.status === 'failed') {
      return response.body;
    }
    if (Date.now() > deadline) throw new Error(`document ${id} still ${response.body.status}`);
    await sleep(500);
  }
}

/** The message once every attachment it took has settled too. */
async function messageWithSettledAttachments(id: string, count: number): Promise<DocumentDto> {
  const deadline = Date.now() + INDEX_TIMEOUT_MS;
  for (;;) {
    const message = await settled(id);
    const attachments = message.attachments ?? [];
    const open = attachments.filter(
      (attachment) =>
        attachment.documentId !== null &&
        attachment.status !== 'indexed' &&
        attachment.status !== 'failed',
    );
    if (attachments.length === count && open.length === 0) return message;
    if (Date.now() > deadline) {
      throw new Error(`attachments of ${id} not settled: ${JSON.stringify(attachments)}`);
    }
    await sleep(500);
  }
}

async function gone(id: string): Promise<boolean> {
  const deadline = Date.now() + INDEX_TIMEOUT_MS;
  for (;;) {
    const response = await callApi('GET', `/documents/${id}`);
    if (response.status === 404) return true;
    if (Date.now() > deadline) return false;
    await sleep(500);
  }
}

interface Hit {
  documentId: string;
  text: string;
  locator: string | null;
}

async function hitsFor(query: string): Promise<Hit[]> {
  const response = await callApi<{ hits: Hit[] }>('POST', '/search', {
    json: { query, limit: 10 },
  });
  expect(response.status).toBe(200);
  return response.body.hits;
}

describe('e-mail attachments as documents of their own', () => {
  let app: INestApplicationContext | undefined;
  let stores: StoreClients;
  const created: string[] = [];
  let messageId = '';
  let message: DocumentDto;
  const refusedHashes: string[] = [];

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    const pdf = await buildPdf([['A cover page.'], [pdfSentence]]);
    const docx = await buildDocx([docxSentence]);
    const gif = Buffer.concat([
      Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00!\xfe', 'latin1'),
      Buffer.from([run.length]),
      Buffer.from(run, 'latin1'),
      Buffer.from('\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;', 'latin1'),
    ]);
    const lying = await buildPdf([[`Not a workbook ${run}`]]);
    const bomb = await buildZip([
      ...docxEntries([`Bomb ${run}`]),
      { name: 'word/media/filler.bin', data: zeros(20 * 1024 * 1024) },
    ]);
    for (const refused of [gif, lying]) {
      refusedHashes.push(createHash('sha256').update(refused).digest('hex'));
    }
    const eml = buildEml({
      from: 'Ada <ada@example.com>',
      to: 'bob@example.com',
      subject: `Survey ${run}`,
      text: bodySentence,
      attachments: [
        { name: 'puffins.pdf', content: pdf, type: 'application/pdf' },
        {
          name: 'depot.docx',
          content: docx,
          type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        },
        { name: 'logo.gif', content: gif, type: 'image/gif' },
        { name: 'budget.xlsx', content: lying, type: 'application/vnd.ms-excel' },
        { name: 'bomb.docx', content: bomb, type: 'application/octet-stream' },
      ],
    });
    messageId = await upload(eml, 'survey.eml');
    created.push(messageId);
    message = await messageWithSettledAttachments(messageId, 5);
    for (const attachment of message.attachments ?? []) {
      if (attachment.documentId) created.push(attachment.documentId);
    }
  });
  afterAll(async () => {
    for (const id of created) await callApi('DELETE', `/documents/${id}`).catch(() => undefined);
    await app?.close();
  });

  it('the message is indexed and lists every attachment in order: a document, or a reason', () => {
    expect({ status: message.status, error: message.error }).toEqual({
      status: 'indexed',
      error: null,
    });
    const attachments = message.attachments ?? [];
    expect(attachments.map(({ position, fileName }) => ({ position, fileName }))).toEqual([
      { position: 0, fileName: 'puffins.pdf' },
      { position: 1, fileName: 'depot.docx' },
      { position: 2, fileName: 'logo.gif' },
      { position: 3, fileName: 'budget.xlsx' },
      { position: 4, fileName: 'bomb.docx' },
    ]);
    expect(attachments[0]).toMatchObject({ status: 'indexed', reason: null });
    expect(attachments[1]).toMatchObject({ status: 'indexed', reason: null });
    expect(attachments[2]).toMatchObject({ documentId: null, status: null });
    expect(attachments[2].reason).toMatch(/logo\.gif is a GIF image/);
    expect(attachments[3]).toMatchObject({ documentId: null, status: null });
    expect(attachments[3].reason).toBe('budget.xlsx is a PDF, not an Excel (XLSX) workbook.');
    // Detected as a DOCX: it becomes a document, and its analysis refuses it as an upload's would.
    expect(attachments[4]).toMatchObject({ status: 'failed', reason: null });
    expect(message.attachedTo).toBeUndefined();
  });

  it('each taken attachment is its own document, linked to the message and found by search', async () => {
    const [pdf, docx] = message.attachments ?? [];
    for (const [attachment, mime] of [
      [pdf, 'application/pdf'],
      [docx, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ] as const) {
      const document = await settled(attachment.documentId ?? '');
      expect(document).toMatchObject({
        status: 'indexed',
        mime,
        title: attachment.fileName,
        attachedTo: [messageId],
      });
      expect(document.attachments).toBeUndefined();
    }
    const pdfHit = (await hitsFor(pdfSentence)).find((hit) => hit.documentId === pdf.documentId);
    expect(pdfHit).toMatchObject({ locator: 'page 2' });
    expect(pdfHit?.text).toContain(pdfSentence);
    const docxHits = await hitsFor(docxSentence);
    expect(docxHits[0]?.documentId).toBe(docx.documentId);
  });

  it('refused and hostile attachments store nothing searchable', async () => {
    const bombId = message.attachments?.[4].documentId ?? '';
    const bomb = await settled(bombId);
    expect(bomb.error).toMatch(/zip bomb/);
    expect(await snapshotDocument(stores, workspaceId, bombId, bomb.sha256)).toEqual({
      neo4j: { chunks: 0, mentions: 0, relations: 0, entityKeys: [] },
      weaviate: { objectIds: [] },
      minio: { keys: [`ws/${workspaceId}/blobs/${bomb.sha256}`] },
    });
    // Neither the refused GIF nor the lying file left a blob, a row or anything else.
    for (const sha256 of refusedHashes) {
      const id = documentIdFor(workspaceId, sha256);
      expect((await callApi('GET', `/documents/${id}`)).status).toBe(404);
      expect(await snapshotDocument(stores, workspaceId, id, sha256)).toEqual({
        neo4j: { chunks: 0, mentions: 0, relations: 0, entityKeys: [] },
        weaviate: { objectIds: [] },
        minio: { keys: [] },
      });
    }
  });

  it('deleting the message deletes the documents it brought in', async () => {
    const attachmentIds = (message.attachments ?? []).flatMap((attachment) =>
      attachment.documentId ? [attachment.documentId] : [],
    );
    expect(attachmentIds).toHaveLength(3);
    const response = await callApi('DELETE', `/documents/${messageId}`);
    expect(response.status).toBe(202);
    for (const id of [messageId, ...attachmentIds]) expect(await gone(id)).toBe(true);
    expect((await hitsFor(pdfSentence)).map((hit) => hit.documentId)).not.toContain(
      attachmentIds[0],
    );
  });
});
