// Scanned documents for the OCR tests: text typeset into a PDF with pdf-lib, rasterised by
// poppler's pdftoppm (as a scanner would produce an image), and that image wrapped into a new
// image-only PDF. Nothing is downloaded.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';

const run = promisify(execFile);

/** A page of text (14 pt Helvetica, one line per element) as a grayscale PNG at `dpi`. */
export async function renderTextPage(lines: string[], dpi = 200): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  lines.forEach((line, index) => {
    page.drawText(line, { x: 56, y: 770 - index * 24, size: 14, font });
  });
  const folder = await mkdtemp(join(tmpdir(), 'cairn-scan-'));
  try {
    await writeFile(join(folder, 'text.pdf'), await pdf.save());
    await run('pdftoppm', [
      '-r',
      String(dpi),
      '-gray',
      '-png',
      '-singlefile',
      join(folder, 'text.pdf'),
      join(folder, 'page'),
    ]);
    return await readFile(join(folder, 'page.png'));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** An image-only PDF: each PNG fills one A4 page, and there is no text layer at all. */
export async function buildScannedPdf(pageImages: Buffer[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  for (const png of pageImages) {
    const image = await pdf.embedPng(png);
    const page = pdf.addPage([595, 842]);
    page.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  }
  return Buffer.from(await pdf.save());
}

/** The share of `expected`'s words (case-insensitive, punctuation ignored) found in `actual`. */
export function wordRecall(expected: string, actual: string): number {
  const words = (text: string) =>
    text
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((word) => word !== '');
  const found = new Map<string, number>();
  for (const word of words(actual)) found.set(word, (found.get(word) ?? 0) + 1);
  const wanted = words(expected);
  let hits = 0;
  for (const word of wanted) {
    const left = found.get(word) ?? 0;
    if (left > 0) {
      hits += 1;
      found.set(word, left - 1);
    }
  }
  return wanted.length === 0 ? 1 : hits / wanted.length;
}
