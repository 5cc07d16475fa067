import { UnprocessableDocumentError } from './errors';
import type { ExtractedDocument, PageSpan } from './extracted-document';
import type { OcrPage } from './ocr';

/** A page with fewer visible characters than this is taken for a scan and read by OCR. */
const MIN_TEXT_LAYER_CHARS = 16;

/** Thrown by extraction when pages need OCR first: the pipeline runs OCR, then extracts again. */
export class NeedsOcrError extends Error {
  override readonly name = 'NeedsOcrError';

  constructor(readonly pages: number[]) {
    super(`pages ${pages.join(', ')} have no text layer and need OCR`);
  }
}

/** Pages whose text layer is empty or nearly so (scanned pages). */
export function pagesWithoutText(document: ExtractedDocument): number[] {
  return (document.pages ?? [])
    .filter(
      (page) =>
        document.text.slice(page.start, page.end).replace(/\s+/g, '').length < MIN_TEXT_LAYER_CHARS,
    )
    .map((page) => page.number);
}

export function assertOcrPageLimit(pages: number[], maxOcrPages: number): void {
  if (pages.length > maxOcrPages) {
    throw new UnprocessableDocumentError(
      'too_large',
      `The document has ${pages.length} pages without a text layer; at most ${maxOcrPages} are read by OCR.`,
    );
  }
}

/**
 * The document with OCR text in place of the text layer of the pages OCR read; those pages
 * remember the engine's confidence. Pages are rebuilt in order, joined by a blank line.
 */
export function withOcrPages(document: ExtractedDocument, ocrPages: OcrPage[]): ExtractedDocument {
  const byNumber = new Map(ocrPages.map((page) => [page.number, page]));
  const sourcePages: PageSpan[] = document.pages?.length
    ? document.pages
    : ocrPages.map((page) => ({ number: page.number, start: 0, end: 0 }));
  let text = '';
  const pages: PageSpan[] = [];
  for (const page of sourcePages) {
    const ocr = byNumber.get(page.number);
    const pageText = ocr ? ocr.text.trim() : document.text.slice(page.start, page.end);
    if (pageText !== '' && text !== '') text += '\n\n';
    const start = text.length;
    text += pageText;
    pages.push({
      number: page.number,
      start,
      end: text.length,
      ...(ocr ? { ocr: { confidence: ocr.confidence } } : {}),
    });
  }
  return { ...document, text, pages };
}
