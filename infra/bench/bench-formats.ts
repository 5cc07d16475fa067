/**
 * Analysis throughput per format: `npm run bench:formats [-- --seconds N] [--ocr-pages N]`.
 * Builds one realistic file per format in memory (the same builders as the tests), then runs
 * type detection, text extraction and chunking on it repeatedly for about N seconds (default 3)
 * and prints files/s and MB/s; OCR (pdftoppm + Tesseract, as the ai worker runs it) is timed per
 * page. CPU seconds are printed beside wall time: on a shared machine wall time alone says
 * little. The last line is machine-readable JSON. Asserts nothing.
 */
import { parseArgs } from 'node:util';
import { chunkDocument, detectDocumentType, extractText, ocrPdfPage } from '../../src/analysis';
import { buildDocx, buildPdf } from '../../test/support/documents/document-fixtures';
import {
  buildEml,
  buildEpub,
  buildOdf,
  buildPptx,
  buildRtf,
  buildXlsx,
  odpBody,
  odsBody,
  odtBody,
} from '../../test/support/documents/format-fixtures';
import { buildScannedPdf, renderTextPage } from '../../test/support/documents/scanned-fixtures';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    'ocr-pages': { type: 'string', default: '3' },
  },
});
const budgetSeconds = Number(values.seconds);
const ocrPages = Number(values['ocr-pages']);

const SENTENCES = [
  'Marie Curie was born in Warsaw in 1867 and moved to Paris to study physics.',
  'The committee approved the budget for the northern region after a long debate.',
  'Each quarter the team reviews revenue, costs and the hiring plan for the next year.',
  'Charles Darwin sailed on HMS Beagle and later wrote On the Origin of Species.',
];
const sentence = (index: number) => `${SENTENCES[index % SENTENCES.length]} (${index})`;
const range = (count: number) => Array.from({ length: count }, (_, index) => index);

async function fixtures(): Promise<{ name: string; fileName: string; bytes: Buffer }[]> {
  const paragraphs = range(400).map(sentence);
  const rows = range(5000).map((index) => [index, `Item ${index}`, sentence(index), index * 3]);
  const table = [['Id', 'Name', 'Note', 'Amount'], ...rows];
  const html = `<!doctype html><html><head><title>Bench</title></head><body>${paragraphs.map((text) => `<p>${text}</p>`).join('')}</body></html>`;
  return [
    { name: 'text', fileName: 'a.txt', bytes: Buffer.from(paragraphs.join('\n\n')) },
    {
      name: 'markdown',
      fileName: 'a.md',
      bytes: Buffer.from(`# Bench\n\n${paragraphs.join('\n\n')}`),
    },
    { name: 'html', fileName: 'a.html', bytes: Buffer.from(html) },
    {
      name: 'pdf (50 pages)',
      fileName: 'a.pdf',
      bytes: await buildPdf(
        range(50).map((page) => range(8).map((line) => sentence(page * 8 + line))),
      ),
    },
    { name: 'docx', fileName: 'a.docx', bytes: await buildDocx(paragraphs) },
    {
      name: 'pptx (60 slides)',
      fileName: 'a.pptx',
      bytes: await buildPptx(
        range(60).map((slide) => ({
          lines: range(5).map((line) => sentence(slide * 5 + line)),
          notes: [sentence(slide)],
        })),
      ),
    },
    {
      name: 'xlsx (5,000 rows)',
      fileName: 'a.xlsx',
      bytes: await buildXlsx([{ name: 'Data', rows: table }]),
    },
    {
      name: 'csv (5,000 rows)',
      fileName: 'a.csv',
      bytes: Buffer.from(table.map((row) => row.map((cell) => `"${cell}"`).join(',')).join('\n')),
    },
    {
      name: 'epub (20 chapters)',
      fileName: 'a.epub',
      bytes: await buildEpub(
        range(20).map((chapter) => ({
          title: `Chapter ${chapter + 1}`,
          paragraphs: range(20).map((line) => sentence(chapter * 20 + line)),
        })),
      ),
    },
    { name: 'odt', fileName: 'a.odt', bytes: await buildOdf('text', odtBody(paragraphs)) },
    {
      name: 'odp (60 slides)',
      fileName: 'a.odp',
      bytes: await buildOdf(
        'presentation',
        odpBody(
          range(60).map((slide) => ({ lines: range(5).map((line) => sentence(slide * 5 + line)) })),
        ),
      ),
    },
    {
      name: 'ods (5,000 rows)',
      fileName: 'a.ods',
      bytes: await buildOdf('spreadsheet', odsBody([{ name: 'Data', rows: table }])),
    },
    { name: 'rtf', fileName: 'a.rtf', bytes: buildRtf(paragraphs) },
    {
      name: 'eml (HTML body)',
      fileName: 'a.eml',
      bytes: buildEml({ from: 'a@example.com', to: 'b@example.com', subject: 'Bench', html }),
    },
  ];
}

interface Row {
  format: string;
  sizeKb: number;
  files: number;
  filesPerSecond: number;
  mbPerSecond: number;
  cpuShare: number;
  chunks: number;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const { name, fileName, bytes } of await fixtures()) {
    const { kind } = detectDocumentType(bytes.subarray(0, 64 * 1024), fileName);
    let files = 0;
    let chunks = 0;
    const startedAt = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    let elapsed = 0;
    while (elapsed < budgetSeconds || files < 2) {
      detectDocumentType(bytes.subarray(0, 64 * 1024), fileName);
      chunks = chunkDocument(await extractText(bytes, kind)).length;
      files += 1;
      elapsed = Number(process.hrtime.bigint() - startedAt) / 1e9;
    }
    const cpu = process.cpuUsage(cpuBefore);
    rows.push({
      format: name,
      sizeKb: Math.round(bytes.length / 1024),
      files,
      filesPerSecond: round(files / elapsed),
      mbPerSecond: round((files * bytes.length) / (1024 * 1024) / elapsed),
      cpuShare: round((cpu.user + cpu.system) / 1e6 / elapsed),
      chunks,
    });
    console.log(
      `${name.padEnd(20)} ${String(rows[rows.length - 1].sizeKb).padStart(6)} KB  ` +
        `${String(rows[rows.length - 1].filesPerSecond).padStart(8)} files/s  ` +
        `${String(rows[rows.length - 1].mbPerSecond).padStart(7)} MB/s  ` +
        `${chunks} chunks  CPU ${rows[rows.length - 1].cpuShare}`,
    );
  }

  const lines = [
    'The harbour master recorded every ship that entered the port that winter.',
    'Storms closed the northern channel for eleven days in January.',
    'The ledger lists cargo, tonnage and the names of the captains.',
  ];
  const scan = await buildScannedPdf(
    await Promise.all(range(ocrPages).map(() => renderTextPage(lines))),
  );
  const ocrSeconds: number[] = [];
  for (const page of range(ocrPages)) {
    const startedAt = process.hrtime.bigint();
    await ocrPdfPage(scan, page + 1, { languages: 'eng' });
    ocrSeconds.push(Number(process.hrtime.bigint() - startedAt) / 1e9);
  }
  const perPage = round(ocrSeconds.reduce((sum, seconds) => sum + seconds, 0) / ocrSeconds.length);
  console.log(
    `OCR (300 dpi A4 page, eng): ${perPage} s per page (pages: ${ocrSeconds.map(round).join(', ')} s)`,
  );
  console.log(JSON.stringify({ formats: rows, ocrSecondsPerPage: perPage }));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
