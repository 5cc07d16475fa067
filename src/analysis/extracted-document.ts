/** A page of a paged format (PDF): its characters are `text.slice(start, end)`. */
export interface PageSpan {
  number: number;
  start: number;
  end: number;
  /** How the page's text was obtained when not from its text layer (OCR). */
  ocr?: { confidence: number };
}

/**
 * Where a stretch of text sits in its source, for formats whose places have names: a slide
 * ("slide 3"), a sheet's row ("sheet Sales", row 12), a chapter, a footnote. Chunks never cross
 * two sections of different `label`; consecutive rows of one label may share a chunk, whose
 * locator then names the range ("sheet Sales, rows 12–15").
 */
export interface SectionSpan {
  label: string;
  start: number;
  end: number;
  /** The row number as the source shows it (spreadsheets, CSV). */
  row?: number;
}

export interface ExtractedDocument {
  text: string;
  title?: string;
  /** Only for formats with pages; in page order, not overlapping. */
  pages?: PageSpan[];
  /** Only for formats with named places (and not pages); in text order, not overlapping. */
  sections?: SectionSpan[];
}
