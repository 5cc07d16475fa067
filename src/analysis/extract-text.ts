import { IMAGE_KINDS, type DocumentKind } from './document-kind';
import { UnprocessableDocumentError, parserDetail } from './errors';
import { delimiterOf, extractDelimited } from './extract-csv';
import { extractDocx } from './extract-docx';
import { extractEml } from './extract-eml';
import { extractEpub } from './extract-epub';
import { extractHtml } from './extract-html';
import { extractMarkdown } from './extract-markdown';
import { extractOdf } from './extract-odf';
import { DEFAULT_PDF_LIMITS, extractPdf, type PdfLimits } from './extract-pdf';
import { extractPptx } from './extract-pptx';
import { extractRtf } from './extract-rtf';
import { extractXlsx } from './extract-xlsx';
import type { ExtractedDocument } from './extracted-document';
import type { OcrPage } from './ocr';
import { NeedsOcrError, assertOcrPageLimit, pagesWithoutText, withOcrPages } from './ocr-pages';
import { DEFAULT_SHEET_LIMITS, type SheetLimits } from './sheet-rows';
import { hasUtf8Bom } from './utf8';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-inspect';

export interface ExtractionLimits extends ZipLimits, PdfLimits, SheetLimits {
  /** Longest text accepted from any format. */
  maxTextChars: number;
  /** Most pages of one document read by OCR. */
  maxOcrPages: number;
}

export interface OcrInput {
  /** Pages without a text layer (and images) may be read by OCR: ask for it (NeedsOcrError). */
  available: boolean;
  /** What OCR read, once it has run; replaces those pages' text layer. */
  pages?: OcrPage[];
}

export const DEFAULT_EXTRACTION_LIMITS: ExtractionLimits = {
  ...DEFAULT_ZIP_LIMITS,
  ...DEFAULT_PDF_LIMITS,
  ...DEFAULT_SHEET_LIMITS,
  maxTextChars: 50_000_000,
  maxOcrPages: 200,
};

/**
 * The plain text of a document of a detected `kind`, with its title and, for PDF, page spans.
 * Throws `UnprocessableDocumentError` when the content cannot be read; other errors are faults
 * of the environment and worth retrying.
 */
export async function extractText(
  bytes: Buffer,
  kind: DocumentKind,
  limits: Partial<ExtractionLimits> = {},
  ocr: OcrInput = { available: false },
): Promise<ExtractedDocument> {
  const effective: ExtractionLimits = { ...DEFAULT_EXTRACTION_LIMITS, ...limits };
  let document = IMAGE_KINDS.has(kind)
    ? { text: '', pages: [{ number: 1, start: 0, end: 0 }] }
    : await extractContent(bytes, kind, effective);
  if (kind === 'pdf' || IMAGE_KINDS.has(kind)) {
    if (ocr.pages) document = withOcrPages(document, ocr.pages);
    else if (ocr.available) {
      const scanned = pagesWithoutText(document);
      assertOcrPageLimit(scanned, effective.maxOcrPages);
      if (scanned.length > 0) throw new NeedsOcrError(scanned);
    }
  }
  if (document.text.trim() === '') {
    throw new UnprocessableDocumentError('no_text', noTextReason(kind, ocr));
  }
  if (document.text.length > effective.maxTextChars) {
    throw new UnprocessableDocumentError(
      'too_large',
      `The document's text has ${document.text.length} characters; at most ${effective.maxTextChars} are accepted.`,
    );
  }
  return document;
}

function noTextReason(kind: DocumentKind, ocr: OcrInput): string {
  const scanned = kind === 'pdf' || IMAGE_KINDS.has(kind);
  if (!scanned) return 'The document contains no text.';
  const what = kind === 'pdf' ? 'The PDF' : 'The image';
  if (ocr.pages) return `${what} has no text that OCR could read.`;
  return kind === 'pdf'
    ? 'The PDF has no extractable text (it may consist of scanned images, and OCR is switched off).'
    : 'The image has no text layer, and OCR is switched off.';
}

/**
 * The in-process parsers read nothing but the bytes: whatever they throw is about the content
 * (retrying cannot help), so it becomes a readable corrupt_document. PDF parsing runs in a worker
 * thread, whose own failures may be the machine's.
 */
async function extractContent(
  bytes: Buffer,
  kind: DocumentKind,
  limits: ExtractionLimits,
): Promise<ExtractedDocument> {
  if (kind === 'pdf') return extractByKind(bytes, kind, limits);
  try {
    return await extractByKind(bytes, kind, limits);
  } catch (error) {
    if (error instanceof UnprocessableDocumentError) throw error;
    throw new UnprocessableDocumentError(
      'corrupt_document',
      `The document cannot be read (${parserDetail(error)}).`,
      { cause: error },
    );
  }
}

async function extractByKind(
  bytes: Buffer,
  kind: DocumentKind,
  limits: ExtractionLimits,
): Promise<ExtractedDocument> {
  switch (kind) {
    case 'pdf':
      return extractPdf(bytes, limits);
    case 'docx':
      return extractDocx(bytes, limits);
    case 'html':
      return extractHtml(decodeUtf8(bytes));
    case 'markdown':
      return extractMarkdown(normaliseLineEnds(decodeUtf8(bytes)));
    case 'text':
      return { text: normaliseLineEnds(decodeUtf8(bytes)) };
    case 'pptx':
      return extractPptx(bytes, limits);
    case 'xlsx':
      return extractXlsx(bytes, limits);
    case 'csv': {
      const text = decodeUtf8(bytes);
      return extractDelimited(text, delimiterOf(text, true) === ';' ? ';' : ',', limits);
    }
    case 'tsv':
      return extractDelimited(decodeUtf8(bytes), '\t', limits);
    case 'epub':
      return extractEpub(bytes, limits);
    case 'odt':
    case 'odp':
    case 'ods':
      return extractOdf(bytes, kind, limits);
    case 'rtf':
      return extractRtf(bytes);
    case 'eml':
      return extractEml(bytes);
    case 'png':
    case 'jpeg':
    case 'tiff':
    case 'webp':
      return { text: '' };
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes);
  } catch (error) {
    throw new UnprocessableDocumentError('invalid_utf8', 'The document is not valid UTF-8 text.', {
      cause: error,
    });
  }
}

function normaliseLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}
