import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UnprocessableDocumentError, parserDetail } from './errors';
import type { ExtractedDocument, PageSpan } from './extracted-document';
import { pageTextInReadingOrder, type PdfTextItem } from './pdf-reading-order';

export interface PdfLimits {
  maxPdfPages: number;
  /** Wall-clock budget for parsing one PDF; the worker is terminated after it. */
  pdfTimeoutMs: number;
  /** V8 old-generation heap for the parsing worker. */
  pdfMaxHeapMb: number;
}

export const DEFAULT_PDF_LIMITS: PdfLimits = {
  maxPdfPages: 5_000,
  pdfTimeoutMs: 120_000,
  pdfMaxHeapMb: 1_024,
};

interface PdfWorkerInput {
  bytes: Uint8Array;
  pdfjsUrl: string;
  standardFontDataUrl: string;
  maxPages: number;
}

type PdfWorkerOutput =
  | { ok: true; pages: PdfTextItem[][]; title?: string }
  | { ok: true; tooManyPages: number }
  | { ok: false; errorName: string; errorMessage: string };

/*
 * pdf.js 5 ships only as ES modules, which neither this CommonJS build nor Jest can load in
 * process. A worker thread loads it with Node's own loader, and it also fences off untrusted
 * input: a PDF that loops or balloons is stopped by the timeout and the heap limit.
 */
const PDF_WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');

async function readPages({ bytes, pdfjsUrl, standardFontDataUrl, maxPages }) {
  const pdfjs = await import(pdfjsUrl);
  const task = pdfjs.getDocument({
    data: bytes,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  try {
    const pdf = await task.promise;
    if (pdf.numPages > maxPages) return { ok: true, tooManyPages: pdf.numPages };
    const metadata = await pdf.getMetadata().catch(() => undefined);
    const title = metadata && metadata.info && metadata.info.Title;
    const pages = [];
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const page = await pdf.getPage(number);
      // Unicode normalisation waits until lines are in reading order: pdf.js would expand a
      // ligature before reordering a right-to-left run and so reverse its letters.
      const content = await page.getTextContent({ disableNormalization: true });
      const items = [];
      for (const item of content.items) {
        if (typeof item.str !== 'string') continue;
        items.push({ str: item.str, x: item.transform[4], eol: item.hasEOL === true });
      }
      pages.push(items);
      page.cleanup();
    }
    return { ok: true, pages, title: typeof title === 'string' ? title : undefined };
  } finally {
    await task.destroy();
  }
}

readPages(workerData).then(
  (output) => parentPort.postMessage(output),
  (error) => parentPort.postMessage({
    ok: false,
    errorName: (error && error.name) || 'Error',
    errorMessage: String((error && error.message) || error),
  }),
);
`;

/**
 * PDF text with pdf.js, page by page, right-to-left lines in logical order; pages are joined by a
 * blank line and their spans kept.
 */
export async function extractPdf(bytes: Buffer, limits: PdfLimits): Promise<ExtractedDocument> {
  const output = await runPdfWorker(bytes, limits);
  if (!output.ok) throw pdfError(output.errorName, output.errorMessage);
  if ('tooManyPages' in output) {
    throw new UnprocessableDocumentError(
      'too_large',
      `The PDF has ${output.tooManyPages} pages; at most ${limits.maxPdfPages} are accepted.`,
    );
  }

  let text = '';
  const pages: PageSpan[] = [];
  output.pages.forEach((items, index) => {
    const pageText = normalisePageText(pageTextInReadingOrder(items));
    if (pageText !== '' && text !== '') text += '\n\n';
    const start = text.length;
    text += pageText;
    pages.push({ number: index + 1, start, end: text.length });
  });
  const title = output.title?.replace(/\s+/g, ' ').trim();
  return title ? { text, title, pages } : { text, pages };
}

function normalisePageText(raw: string): string {
  return (
    raw
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/\r\n?/g, '\n')
      .replace(/[ \t\u00a0]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()
  );
}

function runPdfWorker(bytes: Buffer, limits: PdfLimits): Promise<PdfWorkerOutput> {
  const pdfjsPath = require.resolve('pdfjs-dist/legacy/build/pdf.mjs');
  const input: PdfWorkerInput = {
    bytes: new Uint8Array(bytes),
    pdfjsUrl: pathToFileURL(pdfjsPath).href,
    // pdf.js reads this folder from disk in Node; it needs the trailing separator.
    standardFontDataUrl: join(dirname(pdfjsPath), '..', '..', 'standard_fonts') + '/',
    maxPages: limits.maxPdfPages,
  };
  const worker = new Worker(PDF_WORKER_SOURCE, {
    eval: true,
    workerData: input,
    resourceLimits: { maxOldGenerationSizeMb: limits.pdfMaxHeapMb },
  });

  return new Promise<PdfWorkerOutput>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(() => {
      settle(() =>
        reject(
          new UnprocessableDocumentError(
            'parse_timeout',
            `Reading the PDF took longer than ${Math.round(limits.pdfTimeoutMs / 1000)} s.`,
          ),
        ),
      );
    }, limits.pdfTimeoutMs);

    worker.once('message', (output: PdfWorkerOutput) => settle(() => resolve(output)));
    worker.once('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      settle(() =>
        reject(
          outOfMemory
            ? new UnprocessableDocumentError(
                'too_large',
                `Reading the PDF needs more than ${limits.pdfMaxHeapMb} MB of memory.`,
                { cause: error },
              )
            : error,
        ),
      );
    });
    worker.once('exit', (exitCode) => {
      settle(() => reject(new Error(`The PDF worker exited early with code ${exitCode}`)));
    });
  });
}

function pdfError(name: string, message: string): UnprocessableDocumentError {
  if (name === 'PasswordException') {
    return new UnprocessableDocumentError(
      'encrypted_pdf',
      'The PDF is encrypted and needs a password; upload an unprotected copy.',
    );
  }
  return new UnprocessableDocumentError(
    'corrupt_document',
    `The PDF is damaged or not a valid PDF (${parserDetail(message)}).`,
  );
}
