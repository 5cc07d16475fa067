import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UnprocessableDocumentError } from './errors';

const run = promisify(execFile);

export interface OcrOptions {
  /** Tesseract language codes joined by '+', e.g. "eng" or "eng+deu". */
  languages: string;
  /** Resolution pages are rendered at; Tesseract reads best at about 300 dpi. */
  dpi?: number;
  /** Per page: rendering plus recognition. */
  pageTimeoutMs?: number;
}

export interface OcrPage {
  /** 1-based page number (an image is page 1). */
  number: number;
  text: string;
  /** Mean word confidence, 0–100, as Tesseract reports it. */
  confidence: number;
}

/** Only letters, digits and '+': the value goes to Tesseract's -l argument. */
export function assertOcrLanguages(languages: string): void {
  if (!/^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/.test(languages)) {
    throw new Error(`Invalid OCR languages "${languages}" (expected e.g. "eng" or "eng+deu")`);
  }
}

/**
 * Renders one PDF page with poppler's pdftoppm (grayscale PNG) and recognises it with the
 * Tesseract CLI. Both run as child processes on a temporary folder, with a time limit.
 */
export async function ocrPdfPage(
  pdf: Buffer | string,
  pageNumber: number,
  options: OcrOptions,
): Promise<OcrPage> {
  return withTemporaryFolder(async (folder) => {
    const pdfPath = typeof pdf === 'string' ? pdf : join(folder, 'document.pdf');
    if (typeof pdf !== 'string') await writeFile(pdfPath, pdf);
    const prefix = join(folder, 'page');
    const dpi = String(options.dpi ?? 300);
    const page = String(pageNumber);
    await tool(
      'pdftoppm',
      ['-r', dpi, '-f', page, '-l', page, '-gray', '-png', '-singlefile', pdfPath, prefix],
      options,
      'render the PDF page',
    );
    return { number: pageNumber, ...(await recognise(`${prefix}.png`, options, dpi)) };
  });
}

/** Recognises an image file's bytes (PNG, JPEG, TIFF, WebP) as page 1. */
export async function ocrImage(image: Buffer, options: OcrOptions): Promise<OcrPage> {
  return withTemporaryFolder(async (folder) => {
    const path = join(folder, 'image');
    await writeFile(path, image);
    return { number: 1, ...(await recognise(path, options)) };
  });
}

/** Writes `bytes` to a temporary file for the duration of `use` (shared by many pages). */
export async function withTemporaryFile<T>(
  bytes: Buffer,
  use: (path: string) => Promise<T>,
): Promise<T> {
  return withTemporaryFolder(async (folder) => {
    const path = join(folder, 'document');
    await writeFile(path, bytes);
    return use(path);
  });
}

async function recognise(
  imagePath: string,
  options: OcrOptions,
  dpi?: string,
): Promise<{ text: string; confidence: number }> {
  assertOcrLanguages(options.languages);
  const args = [imagePath, 'stdout', '-l', options.languages, '--psm', '3'];
  if (dpi) args.push('--dpi', dpi);
  args.push('tsv');
  const tsv = await tool('tesseract', args, options, 'recognise the image');
  return fromTsv(tsv);
}

/**
 * Tesseract's TSV: one row per word with its block, paragraph and line numbers and confidence.
 * Words of a line are joined by spaces, lines by line breaks, paragraphs by a blank line.
 */
export function fromTsv(tsv: string): { text: string; confidence: number } {
  const lines = new Map<string, string[]>();
  const paragraphOf = new Map<string, string>();
  let confidenceSum = 0;
  let words = 0;
  for (const row of tsv.split('\n').slice(1)) {
    const cells = row.split('\t');
    if (cells.length < 12 || cells[0] !== '5') continue;
    const word = cells.slice(11).join('\t').trim();
    const confidence = Number(cells[10]);
    if (word === '' || !(confidence >= 0)) continue;
    const paragraph = `${cells[1]}.${cells[2]}.${cells[3]}`;
    const line = `${paragraph}.${cells[4]}`;
    paragraphOf.set(line, paragraph);
    lines.set(line, [...(lines.get(line) ?? []), word]);
    confidenceSum += confidence;
    words += 1;
  }
  let text = '';
  let previousParagraph: string | undefined;
  for (const [line, lineWords] of lines) {
    const paragraph = paragraphOf.get(line);
    if (text !== '') text += paragraph === previousParagraph ? '\n' : '\n\n';
    text += lineWords.join(' ');
    previousParagraph = paragraph;
  }
  return { text, confidence: words === 0 ? 0 : Math.round((confidenceSum / words) * 10) / 10 };
}

async function tool(
  command: string,
  args: string[],
  options: OcrOptions,
  purpose: string,
): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      timeout: options.pageTimeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return stdout;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; killed?: boolean };
    // A missing tool is the machine's fault (retrying on a better worker may help).
    if (failure.code === 'ENOENT') {
      throw new Error(`${command} is not installed (bash infra/stack.sh install installs it)`);
    }
    if (failure.killed) {
      throw new UnprocessableDocumentError(
        'parse_timeout',
        `OCR could not ${purpose} within ${Math.round((options.pageTimeoutMs ?? 120_000) / 1000)} s.`,
      );
    }
    const detail = (failure.stderr ?? failure.message).replace(/\s+/g, ' ').trim().slice(0, 200);
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `OCR could not ${purpose} (${detail || 'unreadable content'}).`,
      { cause: error },
    );
  }
}

async function withTemporaryFolder<T>(use: (folder: string) => Promise<T>): Promise<T> {
  const folder = await mkdtemp(join(tmpdir(), 'cairn-ocr-'));
  try {
    return await use(folder);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
