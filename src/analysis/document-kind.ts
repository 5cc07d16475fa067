export type DocumentKind =
  | 'pdf'
  | 'docx'
  | 'html'
  | 'markdown'
  | 'text'
  | 'pptx'
  | 'xlsx'
  | 'csv'
  | 'tsv'
  | 'epub'
  | 'odt'
  | 'odp'
  | 'ods'
  | 'rtf'
  | 'eml'
  | 'png'
  | 'jpeg'
  | 'tiff'
  | 'webp';

export const MIME_BY_KIND: Readonly<Record<DocumentKind, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  epub: 'application/epub+zip',
  odt: 'application/vnd.oasis.opendocument.text',
  odp: 'application/vnd.oasis.opendocument.presentation',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  rtf: 'application/rtf',
  eml: 'message/rfc822',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
  webp: 'image/webp',
};

/** Kinds whose text comes from OCR alone. */
export const IMAGE_KINDS: ReadonlySet<DocumentKind> = new Set(['png', 'jpeg', 'tiff', 'webp']);

export const DOCUMENT_KINDS = Object.keys(MIME_BY_KIND) as readonly DocumentKind[];

export interface DetectedType {
  mime: string;
  kind: DocumentKind;
}

export function detectedType(kind: DocumentKind): DetectedType {
  return { mime: MIME_BY_KIND[kind], kind };
}
