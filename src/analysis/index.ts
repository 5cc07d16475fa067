// The analysis library: pure functions over bytes and text, no Nest and no stores.
export { chunkDocument, type ChunkOptions, type TextChunk } from './chunk';
export {
  SNIFF_BYTES,
  detectDocumentType,
  detectDocumentTypeOfFile,
  looksLikeHtml,
  looksLikeMarkdown,
} from './detect-type';
export {
  DOCUMENT_KINDS,
  IMAGE_KINDS,
  MIME_BY_KIND,
  type DetectedType,
  type DocumentKind,
} from './document-kind';
export {
  DocumentRejectedError,
  UnprocessableDocumentError,
  type DocumentRejection,
  type DocumentRejectionCode,
  type UnprocessableDocumentCode,
} from './errors';
export {
  DEFAULT_EXTRACTION_LIMITS,
  extractText,
  type ExtractionLimits,
  type OcrInput,
} from './extract-text';
export { NeedsOcrError } from './ocr-pages';
export {
  assertOcrLanguages,
  ocrImage,
  ocrPdfPage,
  withTemporaryFile,
  type OcrOptions,
  type OcrPage,
} from './ocr';
export type { ExtractedDocument, PageSpan } from './extracted-document';
export { detectLanguage } from './language';
