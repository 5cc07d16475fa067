/** A page of a paged format (PDF): its characters are `text.slice(start, end)`. */
export interface PageSpan {
  number: number;
  start: number;
  end: number;
}

export interface ExtractedDocument {
  text: string;
  title?: string;
  /** Only for formats with pages; in page order, not overlapping. */
  pages?: PageSpan[];
}
