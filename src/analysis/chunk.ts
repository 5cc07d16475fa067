import type { ExtractedDocument, PageSpan, SectionSpan } from './extracted-document';
import { sentenceSpans } from './sentences';

export interface TextChunk {
  /** 0-based position of the chunk in the document. */
  ord: number;
  /** Exactly `document.text.slice(start, end)`. */
  text: string;
  start: number;
  end: number;
  /** The page the chunk lies on, when the document has pages. */
  page?: number;
  /** Where the chunk sits, in words: "page 4", "slide 3", "sheet Sales, rows 2–9", "chapter 2". */
  locator?: string;
}

export interface ChunkOptions {
  /** Sentences are packed into a chunk while it stays within this many characters. */
  targetChars?: number;
  /** A single sentence longer than this is cut on whitespace; no chunk is ever longer. */
  maxChars?: number;
}

const DEFAULT_TARGET_CHARS = 1_000;

interface Region {
  start: number;
  end: number;
  page?: number;
  label?: string;
  /** The numbered rows of a sheet region, in order. */
  rows?: SectionSpan[];
}

/**
 * Splits a document into chunks of whole sentences of about `targetChars` characters. Spans are
 * trimmed of surrounding whitespace, never overlap, and never cross a page boundary.
 */
export function chunkDocument(
  document: ExtractedDocument,
  options: ChunkOptions = {},
): TextChunk[] {
  const targetChars = options.targetChars ?? DEFAULT_TARGET_CHARS;
  const maxChars = options.maxChars ?? Math.max(2 * targetChars, targetChars);
  if (!(targetChars > 0) || maxChars < targetChars) {
    throw new RangeError(`Invalid chunk sizes: target ${targetChars}, max ${maxChars}`);
  }

  const { text } = document;
  const chunks: TextChunk[] = [];
  let region: Region = { start: 0, end: 0 };
  const emit = (start: number, end: number): void => {
    const chunk: TextChunk = { ord: chunks.length, text: text.slice(start, end), start, end };
    if (region.page !== undefined) chunk.page = region.page;
    const locator = locatorOf(region, start, end);
    if (locator !== undefined) chunk.locator = locator;
    chunks.push(chunk);
  };

  for (region of regionsOf(document)) {
    // The chunk being packed: [chunkStart, chunkEnd), empty while chunkStart < 0.
    let chunkStart = -1;
    let chunkEnd = -1;
    const flush = (): void => {
      if (chunkStart >= 0) emit(chunkStart, chunkEnd);
      chunkStart = -1;
    };

    for (const [sentenceStart, sentenceEnd] of sentenceSpans(text, region.start, region.end)) {
      const [start, end] = trimmedSpan(text, sentenceStart, sentenceEnd);
      if (start === end) continue;

      if (end - start > maxChars) {
        flush();
        const pieces = splitOnWhitespace(text, start, end, maxChars);
        // Whole pieces become chunks; the last one may still take the following sentences.
        for (const [pieceStart, pieceEnd] of pieces.slice(0, -1)) emit(pieceStart, pieceEnd);
        [chunkStart, chunkEnd] = pieces[pieces.length - 1];
        continue;
      }
      if (chunkStart >= 0 && end - chunkStart > targetChars) flush();
      if (chunkStart < 0) chunkStart = start;
      chunkEnd = end;
    }
    flush();
  }
  return chunks;
}

/** The page spans, the sections (rows of one label merged), or the whole text. */
function regionsOf(document: ExtractedDocument): Region[] {
  if (document.pages?.length) {
    return document.pages
      .filter(({ start, end }) => end > start)
      .map((page) => ({
        start: page.start,
        end: page.end,
        page: page.number,
        label: pageLabel(page),
      }));
  }
  if (!document.sections?.length) return [{ start: 0, end: document.text.length }];
  const regions: Region[] = [];
  for (const section of document.sections) {
    if (section.end <= section.start) continue;
    const last = regions[regions.length - 1];
    if (last?.rows && section.row !== undefined && last.label === section.label) {
      last.end = section.end;
      last.rows.push(section);
      continue;
    }
    regions.push({
      start: section.start,
      end: section.end,
      label: section.label,
      ...(section.row !== undefined ? { rows: [section] } : {}),
    });
  }
  return regions;
}

function pageLabel(page: PageSpan): string {
  if (!page.ocr) return `page ${page.number}`;
  return `page ${page.number} (OCR, ${Math.round(page.ocr.confidence)}% confidence)`;
}

/** The region's label, with the first and last row the span [start, end) touches. */
function locatorOf(region: Region, start: number, end: number): string | undefined {
  if (!region.rows) return region.label || undefined;
  const touched = region.rows.filter((row) => row.start < end && row.end > start);
  if (touched.length === 0) return region.label || undefined;
  const first = touched[0].row;
  const last = touched[touched.length - 1].row;
  const rows = first === last ? `row ${first}` : `rows ${first}–${last}`;
  return region.label ? `${region.label}, ${rows}` : rows;
}

function trimmedSpan(text: string, start: number, end: number): [number, number] {
  while (start < end && isWhitespace(text.charCodeAt(start))) start += 1;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end -= 1;
  return [start, end];
}

/**
 * Cuts an over-long sentence into trimmed pieces of at most `maxChars`, at the last whitespace
 * before the limit; a run without any whitespace is cut hard, never inside a surrogate pair.
 */
function splitOnWhitespace(
  text: string,
  start: number,
  end: number,
  maxChars: number,
): [number, number][] {
  const pieces: [number, number][] = [];
  let pieceStart = start;
  while (end - pieceStart > maxChars) {
    let cut = pieceStart + maxChars;
    while (cut > pieceStart && !isWhitespace(text.charCodeAt(cut))) cut -= 1;
    if (cut === pieceStart) {
      cut = pieceStart + maxChars;
      if (isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
    }
    const [trimmedStart, trimmedEnd] = trimmedSpan(text, pieceStart, cut);
    if (trimmedEnd > trimmedStart) pieces.push([trimmedStart, trimmedEnd]);
    [pieceStart] = trimmedSpan(text, cut, end);
  }
  if (end > pieceStart) pieces.push([pieceStart, end]);
  return pieces;
}

function isWhitespace(code: number): boolean {
  // ASCII whitespace, NBSP, the Unicode spaces, line/paragraph separators, ideographic space, BOM.
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
