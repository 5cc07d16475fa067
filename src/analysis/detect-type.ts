import { open } from 'node:fs/promises';
import { detectedType, type DetectedType, type DocumentKind } from './document-kind';
import { DocumentRejectedError } from './errors';
import { delimiterOf } from './extract-csv';
import { looksLikeEmail } from './extract-eml';
import { firstInvalidUtf8Offset, hasUtf8Bom } from './utf8';
import { listZipEntryNames } from './zip-inspect';

/** How many leading bytes detection looks at; pass at least this much (or the whole file). */
export const SNIFF_BYTES = 64 * 1024;

/** What the bytes turned out to be when they are not something Cairn can process. */
interface UnsupportedContent {
  description: string;
  /** Set when the rejection code is more specific than `unsupported_type` / `type_mismatch`. */
  code?: 'empty' | 'invalid_utf8';
}

type Finding = { kind: DocumentKind } | { unsupported: UnsupportedContent };

const KIND_LABELS: Record<DocumentKind, string> = {
  pdf: 'a PDF',
  docx: 'a DOCX document',
  html: 'an HTML page',
  markdown: 'a Markdown document',
  text: 'plain text',
  pptx: 'a PowerPoint (PPTX) presentation',
  xlsx: 'an Excel (XLSX) workbook',
  csv: 'a CSV table',
  tsv: 'a TSV table',
  epub: 'an EPUB book',
  odt: 'an OpenDocument text',
  odp: 'an OpenDocument presentation',
  ods: 'an OpenDocument spreadsheet',
  rtf: 'an RTF document',
  eml: 'an e-mail message',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  tiff: 'a TIFF image',
  webp: 'a WebP image',
};

const KIND_BY_EXTENSION: Record<string, DocumentKind> = {
  pdf: 'pdf',
  docx: 'docx',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  txt: 'text',
  text: 'text',
  pptx: 'pptx',
  xlsx: 'xlsx',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  epub: 'epub',
  odt: 'odt',
  odp: 'odp',
  ods: 'ods',
  rtf: 'rtf',
  eml: 'eml',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  tif: 'tiff',
  tiff: 'tiff',
  webp: 'webp',
};

/** Kinds whose name promises a binary structure: other content under such a name is refused. */
const BINARY_KINDS = new Set<DocumentKind>([
  'pdf',
  'docx',
  'pptx',
  'xlsx',
  'epub',
  'odt',
  'odp',
  'ods',
  'rtf',
  'png',
  'jpeg',
  'tiff',
  'webp',
]);

const ACCEPTED_TYPES =
  'Cairn accepts PDF, Word (DOCX), PowerPoint (PPTX), Excel (XLSX), CSV/TSV, OpenDocument (ODT, ODP, ODS), EPUB, RTF, e-mail (EML), HTML, Markdown, UTF-8 plain text, and scanned images (PNG, JPEG, TIFF, WebP) read by OCR';

/**
 * Detects the document type from the bytes alone; the file name only decides between Markdown
 * and plain text and words the error. Throws `DocumentRejectedError` for anything else.
 * `head` is the first `SNIFF_BYTES` of the file, or the whole file when it is smaller.
 */
export function detectDocumentType(head: Buffer, fileName?: string): DetectedType {
  return decide(sniff(head, fileName, undefined), fileName);
}

/**
 * Like `detectDocumentType`, for a file on disk: a ZIP is classified from its whole central
 * directory, so a DOCX is recognised wherever its parts sit in the archive.
 */
export async function detectDocumentTypeOfFile(
  path: string,
  fileName?: string,
): Promise<DetectedType> {
  const head = await readHead(path);
  let zipEntryNames: string[] | undefined;
  if (isZip(head)) {
    try {
      zipEntryNames = await listZipEntryNames(path);
    } catch {
      // A damaged central directory: judge from the head, and let extraction report the damage.
      zipEntryNames = undefined;
    }
  }
  return decide(sniff(head, fileName, zipEntryNames), fileName);
}

function decide(finding: Finding, fileName: string | undefined): DetectedType {
  const name = displayName(fileName);
  const claimed = kindFromFileName(fileName);
  if ('kind' in finding) {
    // A name promising a binary format over other content is a lie worth refusing.
    if (claimed !== undefined && BINARY_KINDS.has(claimed) && finding.kind !== claimed) {
      throw new DocumentRejectedError(
        'type_mismatch',
        `${name} is ${KIND_LABELS[finding.kind]}, not ${KIND_LABELS[claimed]}.`,
      );
    }
    return detectedType(finding.kind);
  }
  const { description, code } = finding.unsupported;
  if (code === 'empty') throw new DocumentRejectedError('empty', `${name} is ${description}.`);
  if (code === 'invalid_utf8') {
    throw new DocumentRejectedError(
      'invalid_utf8',
      `${name} is ${description}; save it as UTF-8 and upload it again.`,
    );
  }
  if (claimed !== undefined) {
    throw new DocumentRejectedError(
      'type_mismatch',
      `${name} is ${description}, not ${KIND_LABELS[claimed]}.`,
    );
  }
  throw new DocumentRejectedError(
    'unsupported_type',
    `${name} is ${description}. ${ACCEPTED_TYPES}.`,
  );
}

function sniff(head: Buffer, fileName: string | undefined, zipEntryNames?: string[]): Finding {
  if (head.length === 0) return { unsupported: { description: 'empty', code: 'empty' } };
  // The PDF specification lets readers find the header within the first 1024 bytes.
  if (head.subarray(0, 1024).includes('%PDF-')) return { kind: 'pdf' };
  if (isZip(head)) return classifyZip(head, zipEntryNames);
  if (head.subarray(0, 5).toString('latin1') === '{\\rtf') return { kind: 'rtf' };
  const image = imageKind(head);
  if (image) return { kind: image };

  const signature = matchSignature(head);
  if (signature) return { unsupported: { description: signature } };
  return sniffText(head, fileName);
}

interface Signature {
  bytes: number[];
  offset?: number;
  description: string;
  /** A further check for signatures short enough to begin ordinary text ("MZ", "BZh"). */
  confirm?: (head: Buffer) => boolean;
}

const SIGNATURES: Signature[] = [
  { bytes: [0x7f, 0x45, 0x4c, 0x46], description: 'an ELF executable' },
  { bytes: [0x4d, 0x5a], description: 'a Windows (PE/MZ) executable', confirm: isDosExecutable },
  { bytes: [0xfe, 0xed, 0xfa, 0xce], description: 'a Mach-O executable' },
  { bytes: [0xfe, 0xed, 0xfa, 0xcf], description: 'a Mach-O executable' },
  { bytes: [0xce, 0xfa, 0xed, 0xfe], description: 'a Mach-O executable' },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], description: 'a Mach-O executable' },
  { bytes: [0xca, 0xfe, 0xba, 0xbe], description: 'a Mach-O universal binary or Java class file' },
  { bytes: [0x23, 0x21], description: 'an executable script (it starts with #!)' },
  { bytes: [0x00, 0x61, 0x73, 0x6d], description: 'a WebAssembly module' },
  { bytes: [0x1f, 0x8b], description: 'a gzip archive' },
  {
    bytes: [0x42, 0x5a, 0x68],
    description: 'a bzip2 archive',
    // "BZh", the block size digit, then the block magic 0x314159265359.
    confirm: (head) => head[3] >= 0x31 && head[3] <= 0x39 && head[4] === 0x31 && head[5] === 0x41,
  },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], description: 'an xz archive' },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], description: 'a 7-Zip archive' },
  { bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], description: 'a RAR archive' },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], description: 'a Zstandard archive' },
  { bytes: [0x4d, 0x53, 0x43, 0x46], description: 'a Windows cabinet archive' },
  { bytes: [0x75, 0x73, 0x74, 0x61, 0x72], offset: 257, description: 'a tar archive' },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    description: 'a legacy Microsoft Office document (.doc, .xls or .ppt)',
  },
  { bytes: [0x25, 0x21, 0x50, 0x53], description: 'a PostScript file' },
  { bytes: [0x47, 0x49, 0x46, 0x38], description: 'a GIF image' },
  { bytes: [0xff, 0xfe], description: 'UTF-16 text (only UTF-8 is accepted)' },
  { bytes: [0xfe, 0xff], description: 'UTF-16 text (only UTF-8 is accepted)' },
];

function matchSignature(head: Buffer): string | undefined {
  const found = SIGNATURES.find(
    ({ bytes, offset = 0, confirm }) =>
      bytes.every((byte, index) => head[offset + index] === byte) && (confirm?.(head) ?? true),
  );
  return found?.description;
}

/** An MZ header has NULs in its first 64 bytes (text never does) or points at a PE header. */
function isDosExecutable(head: Buffer): boolean {
  if (head.subarray(0, 64).includes(0)) return true;
  if (head.length < 64) return false;
  const peOffset = head.readUInt32LE(0x3c);
  return head.subarray(peOffset, peOffset + 4).equals(Buffer.from('PE\0\0', 'latin1'));
}

function isZip(head: Buffer): boolean {
  // Local file header, or the end-of-central-directory record of an empty archive.
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06))
  );
}

/**
 * With the central directory (`entryNames`) the decision is exact; from a head alone it relies
 * on the part names appearing in the leading local file headers, where Word writes them.
 */
function classifyZip(head: Buffer, entryNames: string[] | undefined): Finding {
  const has = (name: string): boolean =>
    entryNames ? entryNames.includes(name) : head.includes(name, 0, 'latin1');
  const hasPrefix = (prefix: string): boolean =>
    entryNames ? entryNames.some((entry) => entry.startsWith(prefix)) : head.includes(prefix);

  if (has('word/document.xml') && (entryNames === undefined || has('[Content_Types].xml'))) {
    return { kind: 'docx' };
  }
  if (has('xl/workbook.xml')) return { kind: 'xlsx' };
  if (has('ppt/presentation.xml')) return { kind: 'pptx' };
  if (hasPrefix('xl/')) return { unsupported: { description: 'a damaged Excel workbook' } };
  if (hasPrefix('ppt/')) return { unsupported: { description: 'a damaged PowerPoint file' } };
  // OpenDocument and EPUB packages start with a stored "mimetype" entry naming their type.
  const mimetype = storedMimetype(head);
  if (mimetype === 'application/vnd.oasis.opendocument.text') return { kind: 'odt' };
  if (mimetype === 'application/vnd.oasis.opendocument.presentation') return { kind: 'odp' };
  if (mimetype === 'application/vnd.oasis.opendocument.spreadsheet') return { kind: 'ods' };
  if (
    mimetype === 'application/epub+zip' ||
    (head.includes('application/epub+zip') && has('META-INF/container.xml'))
  ) {
    return { kind: 'epub' };
  }
  if (mimetype?.startsWith('application/vnd.oasis.opendocument')) {
    return {
      unsupported: {
        description: `an OpenDocument file of a kind Cairn does not read (${mimetype})`,
      },
    };
  }
  return { unsupported: { description: 'a ZIP archive' } };
}

/** Raster images that OCR reads, by their signatures. */
function imageKind(head: Buffer): DocumentKind | undefined {
  const starts = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff';
  if (starts(0x52, 0x49, 0x46, 0x46) && head.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'webp';
  }
  return undefined;
}

/** The content of a first entry named "mimetype" stored uncompressed, as ODF and EPUB write it. */
function storedMimetype(head: Buffer): string | undefined {
  if (head.length < 30 || head.readUInt32LE(0) !== 0x04034b50) return undefined;
  const method = head.readUInt16LE(8);
  const size = head.readUInt32LE(18);
  const nameLength = head.readUInt16LE(26);
  const extraLength = head.readUInt16LE(28);
  const name = head.subarray(30, 30 + nameLength).toString('latin1');
  if (method !== 0 || name !== 'mimetype' || size > 128) return undefined;
  const start = 30 + nameLength + extraLength;
  return head
    .subarray(start, start + size)
    .toString('latin1')
    .trim();
}

function sniffText(head: Buffer, fileName: string | undefined): Finding {
  const bom = hasUtf8Bom(head) ? 3 : 0;
  const body = head.subarray(bom);
  // NUL never occurs in text and is the surest sign of binary data.
  if (body.subarray(0, 8192).includes(0)) return { unsupported: { description: 'binary data' } };
  const controlShare = shareOfControlBytes(body.subarray(0, 8192));
  const invalidAt = firstInvalidUtf8Offset(body, head.length >= SNIFF_BYTES);
  if (controlShare > 0.02 || (invalidAt >= 0 && controlShare > 0.005)) {
    return { unsupported: { description: 'binary data' } };
  }
  if (invalidAt >= 0) {
    const byte = body[invalidAt].toString(16).toUpperCase().padStart(2, '0');
    return {
      unsupported: {
        description: `not valid UTF-8 text (byte 0x${byte} at offset ${invalidAt + bom})`,
        code: 'invalid_utf8',
      },
    };
  }
  // The head may end inside a character; decoding without `fatal` only replaces that tail.
  const text = body.toString('utf8');
  if (text.trim() === '' && head.length < SNIFF_BYTES) {
    return { unsupported: { description: 'empty (it holds only whitespace)', code: 'empty' } };
  }
  const claimed = kindFromFileName(fileName);
  if (looksLikeEmail(text)) return { kind: 'eml' };
  if (looksLikeHtml(text, claimed === 'html')) return { kind: 'html' };
  if (claimed !== 'text' && claimed !== 'markdown') {
    const delimiter = delimiterOf(text, claimed === 'csv' || claimed === 'tsv');
    if (delimiter === '\t') return { kind: 'tsv' };
    if (delimiter !== undefined) return { kind: 'csv' };
  }
  if (claimed === 'markdown' || looksLikeMarkdown(text)) return { kind: 'markdown' };
  return { kind: 'text' };
}

function shareOfControlBytes(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  let controls = 0;
  for (const byte of bytes) {
    // Tab, line feed, vertical tab, form feed, carriage return and escape occur in real text.
    if ((byte < 0x20 && (byte < 0x09 || byte > 0x0d) && byte !== 0x1b) || byte === 0x7f) {
      controls += 1;
    }
  }
  return controls / bytes.length;
}

const HTML_START =
  /^(?:\s|<!--[\s\S]*?-->|<\?xml[^>]*\?>)*<(?:!doctype\s+html|html|head|body)[\s>/]/i;

/** Whether text is an HTML page: it must start with the doctype or an html/head/body tag. */
export function looksLikeHtml(text: string, namedHtml = false): boolean {
  const start = text.slice(0, 4096);
  if (HTML_START.test(start)) return true;
  // A fragment saved as .html (no <html> wrapper) still starts with a tag and closes one.
  return namedHtml && /^\s*</.test(start) && /<\/[a-z][a-z0-9]*\s*>/i.test(start);
}

const MARKDOWN_SIGNALS: Record<string, RegExp> = {
  heading: /^ {0,3}#{1,6}[ \t]+\S/gm,
  setextHeading: /^\S[^\n]*\n {0,3}(?:=+|-{2,})[ \t]*$/gm,
  list: /^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S/gm,
  link: /!?\[[^\]\n]+\]\([^)\s]+(?:\s+"[^"\n]*")?\)/g,
  fence: /^ {0,3}(?:```|~~~)/gm,
  quote: /^ {0,3}>[ \t]?\S/gm,
  emphasis: /(?:\*\*|__)\S[^\n]*?\S(?:\*\*|__)|`[^`\n]+`/g,
};

/**
 * Whether text has clear Markdown structure: two kinds of Markdown syntax, or several headings.
 * A lone bulleted list or a stray asterisk in plain text is not enough.
 */
export function looksLikeMarkdown(text: string): boolean {
  const sample = text.slice(0, 16_384);
  let kinds = 0;
  for (const [kind, pattern] of Object.entries(MARKDOWN_SIGNALS)) {
    const matches = sample.match(pattern)?.length ?? 0;
    if (matches === 0) continue;
    if (kind === 'heading' && matches >= 2) return true;
    kinds += 1;
  }
  return kinds >= 2;
}

function kindFromFileName(fileName: string | undefined): DocumentKind | undefined {
  const extension = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  return extension === undefined ? undefined : KIND_BY_EXTENSION[extension];
}

function displayName(fileName: string | undefined): string {
  // The name is user input that ends up in an error message: no control characters, bounded.
  // eslint-disable-next-line no-control-regex
  const cleaned = fileName?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!cleaned) return 'The file';
  return cleaned.length > 120 ? `${cleaned.slice(0, 117)}...` : cleaned;
}

async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    let filled = 0;
    while (filled < SNIFF_BYTES) {
      const { bytesRead } = await file.read(buffer, filled, SNIFF_BYTES - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await file.close();
  }
}
