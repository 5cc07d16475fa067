/** Why an upload was refused before anything was stored; the API maps these to 415 / 400. */
export type DocumentRejectionCode = 'unsupported_type' | 'type_mismatch' | 'empty' | 'invalid_utf8';

export interface DocumentRejection {
  code: DocumentRejectionCode;
  message: string;
}

/** Thrown by type detection: the bytes are not a document Cairn can process. */
export class DocumentRejectedError extends Error implements DocumentRejection {
  override readonly name = 'DocumentRejectedError';

  constructor(
    readonly code: DocumentRejectionCode,
    message: string,
  ) {
    super(message);
  }

  toJSON(): DocumentRejection {
    return { code: this.code, message: this.message };
  }
}

/** Why a document that passed type detection still could not be turned into text. */
export type UnprocessableDocumentCode =
  | 'encrypted_pdf'
  | 'corrupt_document'
  | 'zip_bomb'
  | 'xml_entities'
  | 'too_many_entries'
  | 'invalid_utf8'
  | 'too_large'
  | 'no_text'
  | 'too_deep'
  | 'parse_timeout';

/**
 * Thrown by text extraction. Retrying cannot help (the bytes will not change), so the workflow
 * treats it as non-retryable and fails the document with `message` as its readable reason.
 */
export class UnprocessableDocumentError extends Error {
  override readonly name = 'UnprocessableDocumentError';

  constructor(
    readonly code: UnprocessableDocumentCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A parser's own error message, fit to quote in a reason shown to users: one line, without the
 * XML parser's position markers (which read "line:undefined" when unknown), and bounded.
 */
export function parserDetail(error: unknown): string {
  // A TypeError or RangeError is the parser tripping over its own state on damaged input
  // ("Cannot read properties of undefined"): it says nothing a reader can use.
  if (error instanceof TypeError || error instanceof RangeError) return 'unreadable content';
  const raw = error instanceof Error ? error.message : String(error);
  const detail = raw
    .replace(/\[xmldom (?:error|warning|fatalError)\]/gi, '')
    .replace(/@#\[line:[^\]]*\]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.$/, '');
  if (detail === '') return 'unreadable content';
  return detail.length > 200 ? `${detail.slice(0, 197)}...` : detail;
}
