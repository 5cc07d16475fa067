// Every format Cairn reads, end to end through the HTTP API: a generated file with a sentence
// only it contains goes to `indexed`, and search finds that sentence in it with the right locator
// (slide, sheet and rows, chapter…). Hostile and lying files end with a 4xx or a failed document
// with a readable reason, and leave no knowledge behind.
import type { INestApplicationContext } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { buildZip, docxEntries, zeros } from '../support/documents/document-fixtures';
import {
  buildEml,
  buildEpub,
  buildOdf,
  buildPptx,
  buildRtf,
  buildXlsx,
  entityBomb,
  odpBody,
  odsBody,
  odtBody,
} from '../support/documents/format-fixtures';
import type { DocumentAcceptedDto, DocumentDto } from '../../src/documents/documents.dto';
import { buildScannedPdf, renderTextPage, wordRecall } from '../support/documents/scanned-fixtures';
import { buildDocx, buildPdf } from '../support/documents/document-fixtures';
import { buildRightToLeftPdf } from '../support/documents/rtl-fixtures';
import { callApi } from '../support/api';
import { testWorkspace } from '../support/auth';
import { openStores, snapshotDocument, type StoreClients } from '../support/store-snapshot';

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000) * 3;
jest.setTimeout(4 * INDEX_TIMEOUT_MS);

const workspaceId = testWorkspace();
const run = randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Sentences with nothing in common, so that each file is the best answer to its own.
const SENTENCES: Record<string, string> = {
  pptx: 'Copper lanterns drifted over the quiet fjord while herons slept.',
  xlsx: 'Seventeen violinists rehearsed a forgotten sonata inside the granary.',
  csv: 'The beekeeper bartered amber honey for a brass telescope at dawn.',
  epub: 'A cartographer mapped underground rivers beneath the salt desert.',
  odt: 'Glassblowers in the harbour town shaped blue bottles for pickled plums.',
  odp: 'Astronomers catalogued a comet whose tail glittered like frost.',
  ods: 'The ferryman counted walnut crates stacked beside the windmill.',
  rtf: 'Mountain goats grazed near the abandoned observatory every spring.',
  eml: 'Our orchestra tour visits the volcanic island of Tristan next autumn.',
  docx: 'Marble statues of otters guarded the gates of the botanical garden.',
};
/** A sentence only this format's file contains: its own words and this run's token. */
const marker = (format: string) => `${SENTENCES[format]} Run ${run} ${format}quill.`;

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

interface Hit {
  documentId: string;
  text: string;
  locator: string | null;
  page: number | null;
}

async function hitsFor(query: string): Promise<Hit[]> {
  const response = await callApi<{ hits: Hit[] }>('POST', '/search', {
    json: { query, limit: 10 },
  });
  expect(response.status).toBe(200);
  return response.body.hits;
}

interface FormatCase {
  format: string;
  fileName: string;
  mime: string;
  build: (sentence: string) => Promise<Buffer> | Buffer;
  /** The locator of the chunk holding the sentence (null: formats without places). */
  locator: string | RegExp | null;
}

const CASES: FormatCase[] = [
  {
    format: 'pptx',
    fileName: 'deck.pptx',
    mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    build: (sentence) =>
      buildPptx([{ lines: ['Opening slide'] }, { lines: ['Findings'], notes: [sentence] }]),
    locator: 'slide 2 notes',
  },
  {
    format: 'xlsx',
    fileName: 'book.xlsx',
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    build: (sentence) =>
      buildXlsx([
        { name: 'Intro', rows: [['Topic'], ['Nothing here']] },
        {
          name: 'Findings',
          rows: [
            ['Id', 'Finding'],
            [1, 'A plain row'],
            [2, sentence],
          ],
        },
      ]),
    locator: /^sheet Findings, rows? (\d+–)?3$/,
  },
  {
    format: 'csv',
    fileName: 'table.csv',
    mime: 'text/csv',
    build: (sentence) => Buffer.from(`id,finding\n1,plain\n2,"${sentence}"\n`),
    locator: /^rows? (\d+–)?3$/,
  },
  {
    format: 'epub',
    fileName: 'book.epub',
    mime: 'application/epub+zip',
    build: (sentence) =>
      buildEpub([
        { title: 'Prologue', paragraphs: ['Nothing happens here.'] },
        { title: 'Discovery', paragraphs: [sentence] },
      ]),
    locator: 'chapter 2: Discovery',
  },
  {
    format: 'odt',
    fileName: 'text.odt',
    mime: 'application/vnd.oasis.opendocument.text',
    build: (sentence) => buildOdf('text', odtBody(['Opening words.', sentence])),
    locator: null,
  },
  {
    format: 'odp',
    fileName: 'slides.odp',
    mime: 'application/vnd.oasis.opendocument.presentation',
    build: (sentence) =>
      buildOdf('presentation', odpBody([{ lines: ['First'] }, { lines: [sentence] }])),
    locator: 'slide 2',
  },
  {
    format: 'ods',
    fileName: 'sheet.ods',
    mime: 'application/vnd.oasis.opendocument.spreadsheet',
    build: (sentence) =>
      buildOdf('spreadsheet', odsBody([{ name: 'Log', rows: [['Entry'], [sentence]] }])),
    locator: /^sheet Log, rows? (\d+–)?2$/,
  },
  {
    format: 'rtf',
    fileName: 'letter.rtf',
    mime: 'application/rtf',
    build: (sentence) => buildRtf(['Dear reader,', sentence]),
    locator: null,
  },
  {
    format: 'eml',
    fileName: 'message.eml',
    mime: 'message/rfc822',
    build: (sentence) =>
      buildEml({
        from: 'Ada <ada@example.com>',
        to: 'bob@example.com',
        subject: `Minutes ${run}`,
        html: `<p>${sentence}</p>`,
      }),
    locator: 'message body',
  },
  {
    format: 'docx',
    fileName: 'notes.docx',
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    build: (sentence) => {
      const [types, rels, document] = docxEntries(['The body says little.']);
      return buildZip([
        types,
        rels,
        document,
        {
          name: 'word/footnotes.xml',
          data: `<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1"><w:p><w:r><w:t>${sentence}</w:t></w:r></w:p></w:footnote></w:footnotes>`,
        },
      ]);
    },
    locator: 'footnotes',
  },
];

describe('formats end to end: indexed, found, and located', () => {
  const created: string[] = [];
  let app: INestApplicationContext | undefined;
  let stores: StoreClients;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    ({ app, stores } = await openStores());
    // All uploads first: the pipeline works on them side by side.
    for (const format of CASES) {
      const id = await upload(await format.build(marker(format.format)), format.fileName);
      ids.set(format.format, id);
      created.push(id);
    }
  });
  afterAll(async () => {
    for (const id of created) await callApi('DELETE', `/documents/${id}`).catch(() => undefined);
    await app?.close();
  });

  it.each(CASES.map((format) => [format.format, format] as const))(
    '%s: indexed with its type, and search finds its sentence with the locator',
    async (_name, format) => {
      const id = ids.get(format.format) ?? '';
      const document = await settled(id);
      expect({ status: document.status, error: document.error }).toEqual({
        status: 'indexed',
        error: null,
      });
      expect(document.mime).toBe(format.mime);
      const hits = await hitsFor(marker(format.format));
      const own = hits.find((hit) => hit.documentId === id);
      expect(own).toBeDefined();
      expect(own?.text).toContain(`${format.format}quill`);
      if (format.locator === null) expect(own?.locator).toBeNull();
      else if (typeof format.locator === 'string') expect(own?.locator).toBe(format.locator);
      else expect(own?.locator).toMatch(format.locator);
      // The top hit for the sentence is this document.
      expect(hits[0]?.documentId).toBe(id);
    },
  );

  async function expectFailedWithNothingStored(id: string, reason: RegExp): Promise<void> {
    const document = await settled(id);
    expect(document.status).toBe('failed');
    expect(document.error).toMatch(reason);
    expect(await snapshotDocument(stores, workspaceId, id, document.sha256)).toEqual({
      neo4j: { chunks: 0, mentions: 0, relations: 0, entityKeys: [] },
      weaviate: { objectIds: [] },
      minio: { keys: [`ws/${workspaceId}/blobs/${document.sha256}`] },
    });
  }

  it('an entity-expansion bomb, a zip bomb and a truncated file fail with a reason', async () => {
    const bombId = await upload(
      await buildPptx([{ lines: [`bomb ${run}`] }], { slideXml: () => entityBomb('p:sld') }),
      'laughs.pptx',
    );
    const zipBombId = await upload(
      await buildZip([
        { name: 'mimetype', data: 'application/epub+zip', compress: false },
        { name: 'META-INF/container.xml', data: zeros(300 * 1024 * 1024) },
        { name: 'run.txt', data: run },
      ]),
      'bomb.epub',
    );
    const whole = await buildOdf('text', odtBody([`Cut short ${run}`, 'x'.repeat(5000)]));
    const cutId = await upload(whole.subarray(0, Math.floor(whole.length * 0.6)), 'cut.odt');
    created.push(bombId, zipBombId, cutId);
    await expectFailedWithNothingStored(bombId, /declares XML entities/);
    await expectFailedWithNothingStored(zipBombId, /zip bomb/);
    await expectFailedWithNothingStored(cutId, /damaged|not a valid ZIP/i);
  });

  it('a file whose name promises another format is refused with 415 before anything is stored', async () => {
    const form = new FormData();
    const deck = await buildPptx([{ lines: [`Not a workbook ${run}`] }]);
    form.append('file', new Blob([new Uint8Array(deck)]), 'figures.xlsx');
    const response = await callApi<{ message: string; code?: string }>('POST', '/documents', {
      body: form,
    });
    expect(response.status).toBe(415);
    expect(JSON.stringify(response.body)).toContain(
      'figures.xlsx is a PowerPoint (PPTX) presentation, not an Excel (XLSX) workbook.',
    );
  });
});

describe('OCR end to end: scanned pages and images', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const id of created) await callApi('DELETE', `/documents/${id}`).catch(() => undefined);
  });

  // Distinct words, so that recall measures the recognition and not repetition.
  const scannedLines = [
    `Scanned ledger ${run} of the harbour office at Skerryvore.`,
    'The keeper counted forty-two vessels passing during the winter storms.',
    'Each evening he wrote their names and cargo in a leather bound book.',
  ];

  it('a PDF whose second page is a scan: OCR text with its page and confidence, found by search', async () => {
    const textLayer = await buildPdf([[`Typed cover page ${run} of the harbour ledger.`]]);
    const scan = await buildScannedPdf([await renderTextPage(scannedLines)]);
    // Two pages: the typed one, then the image-only one (pdf-lib copies the page over).
    const { PDFDocument } = await import('pdf-lib');
    const merged = await PDFDocument.load(textLayer);
    const [scannedPage] = await merged.copyPages(await PDFDocument.load(scan), [0]);
    merged.addPage(scannedPage);
    const id = await upload(Buffer.from(await merged.save()), 'ledger.pdf');
    created.push(id);
    const document = await settled(id);
    expect({ status: document.status, error: document.error }).toEqual({
      status: 'indexed',
      error: null,
    });

    const chunks = await callApi<{ chunks: { text: string; page?: number; locator?: string }[] }>(
      'GET',
      `/documents/${id}/chunks`,
    );
    expect(chunks.status).toBe(200);
    const ocrChunks = chunks.body.chunks.filter((chunk) => chunk.page === 2);
    expect(ocrChunks.length).toBeGreaterThan(0);
    for (const chunk of ocrChunks)
      expect(chunk.locator).toMatch(/^page 2 \(OCR, \d+% confidence\)$/);
    const recall = wordRecall(
      scannedLines.join(' '),
      ocrChunks.map((chunk) => chunk.text).join(' '),
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(chunks.body.chunks.find((chunk) => chunk.page === 1)?.locator).toBe('page 1');

    const hits = await hitsFor('keeper counted forty-two vessels passing during the winter storms');
    const own = hits.find((hit) => hit.documentId === id);
    expect(own).toMatchObject({ page: 2 });
    expect(own?.locator).toMatch(/^page 2 \(OCR, \d+% confidence\)$/);
  });

  it('a PNG photo of a page is read by OCR as page 1', async () => {
    const lines = [`Whiteboard ${run}: the quarterly plan moves the launch to March.`];
    const id = await upload(await renderTextPage(lines), 'whiteboard.png');
    created.push(id);
    const document = await settled(id);
    expect({ status: document.status, error: document.error, mime: document.mime }).toEqual({
      status: 'indexed',
      error: null,
      mime: 'image/png',
    });
    const hits = await hitsFor(`Whiteboard ${run} quarterly plan moves the launch to March`);
    const own = hits.find((hit) => hit.documentId === id);
    expect(own?.locator).toMatch(/^page 1 \(OCR, \d+% confidence\)$/);
    // The words of the page, without the run's random token (a hex string OCR may misread).
    const words = lines.join(' ').replace(`${run}:`, '');
    expect(wordRecall(words, own?.text ?? '')).toBeGreaterThanOrEqual(0.95);
  });
});

describe('right-to-left scripts end to end: logical order, found with their place', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const id of created) await callApi('DELETE', `/documents/${id}`).catch(() => undefined);
  });

  // Each sentence names this run's token (Latin letters inside a right-to-left line).
  const arabic = `تقع مكتبة الإسكندرية الجديدة على شاطئ البحر المتوسط ${run}`;
  const hebrew = `הספרייה הלאומית שומרת כתבי יד עתיקים בירושלים ${run}`;
  const persianHtml = `کتابخانه ملی ایران نسخه های خطی قدیمی را نگهداری می کند ${run}`;

  it('an Arabic PDF (justified, drawn in visual order) is indexed and found on its page', async () => {
    const pdf = await buildRightToLeftPdf(
      [['A cover page in English.'], [arabic, 'وهي تضم ملايين الكتب والمخطوطات']],
      { wordGap: 16, fontSize: 11 },
    );
    const id = await upload(pdf, 'arabic.pdf');
    created.push(id);
    const document = await settled(id);
    expect({ status: document.status, error: document.error }).toEqual({
      status: 'indexed',
      error: null,
    });
    const hits = await hitsFor(arabic);
    const own = hits.find((hit) => hit.documentId === id);
    expect(own).toMatchObject({ page: 2, locator: 'page 2' });
    // Logical order: the sentence reads as it was typed, word for word and letter for letter.
    expect(own?.text).toContain(arabic);
    expect(hits[0]?.documentId).toBe(id);
  });

  it('Hebrew in a DOCX and Persian in an HTML page are stored in logical order too', async () => {
    const docxId = await upload(await buildDocx([hebrew]), 'hebrew.docx');
    const html = `<!doctype html><html lang="fa" dir="rtl"><head><title>کتابخانه</title></head><body><p>${persianHtml}</p></body></html>`;
    const htmlId = await upload(Buffer.from(html), 'persian.html');
    created.push(docxId, htmlId);
    for (const [id, sentence] of [
      [docxId, hebrew],
      [htmlId, persianHtml],
    ] as const) {
      const document = await settled(id);
      expect({ status: document.status, error: document.error }).toEqual({
        status: 'indexed',
        error: null,
      });
      const own = (await hitsFor(sentence)).find((hit) => hit.documentId === id);
      expect(own?.text).toContain(sentence);
    }
  });
});
