import { chunkDocument } from './chunk';
import { detectDocumentType } from './detect-type';
import { extractText } from './extract-text';
import { ocrImage, ocrPdfPage, fromTsv } from './ocr';
import { NeedsOcrError } from './ocr-pages';
import { buildPdf } from '../../test/support/documents/document-fixtures';
import {
  buildScannedPdf,
  renderTextPage,
  wordRecall,
} from '../../test/support/documents/scanned-fixtures';

jest.setTimeout(180_000);

const LINES = [
  'The lighthouse keeper of Skerryvore counted',
  'forty-two ships passing in the winter of 1887.',
  'Each night he wrote their names in a ledger.',
];

describe('OCR (Tesseract and pdftoppm from Debian)', () => {
  it('reads Tesseract TSV into lines and paragraphs with the mean word confidence', () => {
    const header =
      'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
    const word = (block: number, line: number, conf: number, text: string) =>
      `5\t1\t${block}\t1\t${line}\t1\t0\t0\t1\t1\t${conf}\t${text}`;
    const tsv = [
      header,
      '1\t1\t0\t0\t0\t0\t0\t0\t1\t1\t-1\t',
      word(1, 1, 90, 'Hello'),
      word(1, 1, 80, 'world'),
      word(1, 2, 70, 'again'),
      word(2, 1, 100, 'Next'),
    ].join('\n');
    expect(fromTsv(tsv)).toEqual({ text: 'Hello world\nagain\n\nNext', confidence: 85 });
  });

  it('asks for OCR of the pages without a text layer, then puts the OCR text there with its page', async () => {
    const typed = await buildPdf([['A typed first page with enough words.']]);
    const scan = await buildScannedPdf([await renderTextPage(LINES)]);
    const { PDFDocument } = await import('pdf-lib');
    const merged = await PDFDocument.load(typed);
    const [page] = await merged.copyPages(await PDFDocument.load(scan), [0]);
    merged.addPage(page);
    const pdf = Buffer.from(await merged.save());

    const asked: unknown = await extractText(pdf, 'pdf', {}, { available: true }).catch(
      (error: unknown) => error,
    );
    expect(asked).toBeInstanceOf(NeedsOcrError);
    expect((asked as NeedsOcrError).pages).toEqual([2]);

    const read = await ocrPdfPage(pdf, 2, { languages: 'eng' });
    expect(wordRecall(LINES.join(' '), read.text)).toBeGreaterThanOrEqual(0.95);
    expect(read.confidence).toBeGreaterThan(60);
    const document = await extractText(pdf, 'pdf', {}, { available: true, pages: [read] });
    const chunks = chunkDocument(document);
    expect(chunks.map((chunk) => [chunk.page, chunk.locator])).toEqual([
      [1, 'page 1'],
      [2, `page 2 (OCR, ${Math.round(read.confidence)}% confidence)`],
    ]);
  });

  it('detects PNG as an image and reads it as page 1; without OCR it has no text', async () => {
    const png = await renderTextPage(LINES);
    expect(detectDocumentType(png, 'scan.png').kind).toBe('png');
    await expect(extractText(png, 'png')).rejects.toThrow(/OCR is switched off/);
    const read = await ocrImage(png, { languages: 'eng' });
    expect(wordRecall(LINES.join(' '), read.text)).toBeGreaterThanOrEqual(0.95);
  });
});
