import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import * as yauzl from 'yauzl';
import { DocumentRejectedError, detectDocumentType } from '../analysis';
import { UNSAFE_DISPLAY_CHARACTERS } from '../common/display-text';
import { CairnError } from '../common/errors/cairn-error';
import { textUploadSchema } from '../documents/upload/text-upload';
import type { ImportFormat } from './import.types';

// Reading a bulk-import source, shared by the API (which walks it once to validate it before
// anything is stored) and the expand activity (which walks it again to create the documents).
// Container-level problems throw a CairnError (400/413); a single bad entry is yielded as
// `rejected` and the import goes on without it.

export interface ImportLimits {
  /** Files in an archive. */
  maxEntries: number;
  /** Lines of a JSONL source. */
  maxRecords: number;
  /** Sum of an archive's uncompressed entries (and of a gzip stream's output). */
  maxUncompressedBytes: number;
  /** One document; the same limit as a single upload. */
  maxDocumentBytes: number;
  /** Uncompressed / compressed for any zip entry over 1 MiB: beyond it, a zip bomb. */
  maxCompressionRatio: number;
}

export function importLimits(maxImportBytes: number, maxDocumentBytes: number): ImportLimits {
  return {
    maxEntries: 10_000,
    maxRecords: 100_000,
    // Text compresses 3-5x; four times the upload limit leaves room for that and no more.
    maxUncompressedBytes: 4 * maxImportBytes,
    maxDocumentBytes,
    maxCompressionRatio: 100,
  };
}

export type ImportItem =
  | { kind: 'document'; entry: string; title: string; mime: string; bytes: Buffer }
  | { kind: 'rejected'; entry: string; reason: string };

const MAX_TITLE_LENGTH = 500;
const RATIO_CHECK_MIN_ENTRY_BYTES = 1024 * 1024;
// Tar headers and padding are mostly zeros: a small archive of small files may well expand more
// than 100 times, so a gzip stream's ratio counts only once it has produced this much.
const GZIP_RATIO_CHECK_MIN_BYTES = 16 * 1024 * 1024;

/** The source's format from its first bytes (never from a name or header), or undefined. */
export function sniffImportFormat(head: Buffer): ImportFormat | undefined {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    if ((head[2] === 0x03 && head[3] === 0x04) || (head[2] === 0x05 && head[3] === 0x06)) {
      return 'zip';
    }
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  // JSONL: the first non-blank character (after an optional BOM) opens an object.
  const text = head
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (/^\s*\{/.test(text)) return 'jsonl';
  return undefined;
}

export async function readHead(path: string, bytes = 4096): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Every entry of the source in order: documents with their bytes, or rejections with reasons. */
export function readImportItems(
  path: string,
  format: ImportFormat,
  limits: ImportLimits,
): AsyncGenerator<ImportItem> {
  switch (format) {
    case 'jsonl':
      return readJsonl(path, limits);
    case 'zip':
      return readZip(path, limits);
    case 'tar':
    case 'tar.gz':
      return readTar(path, format === 'tar.gz', limits);
  }
}

/** Walks the whole source once; throws on any container-level problem. */
export async function validateImportSource(
  path: string,
  format: ImportFormat,
  limits: ImportLimits,
): Promise<{ entries: number; rejected: number }> {
  let entries = 0;
  let rejected = 0;
  for await (const item of readImportItems(path, format, limits)) {
    entries += 1;
    if (item.kind === 'rejected') rejected += 1;
  }
  if (entries === 0) {
    throw new CairnError(
      'invalid_input',
      format === 'jsonl' ? 'The JSONL file has no records.' : 'The archive has no files to import.',
    );
  }
  return { entries, rejected };
}

// ---- JSONL ----

async function* readJsonl(path: string, limits: ImportLimits): AsyncGenerator<ImportItem> {
  const maxLineLength = maxJsonlLineLength(limits);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  // The unfinished line, as the pieces it arrived in: each character is looked at once when
  // searching for newlines and copied once when the line is complete, so time stays linear
  // however long a line is (appending to one string and searching it again was quadratic).
  let pieces: string[] = [];
  let pendingLength = 0;
  let lineNumber = 0;
  let records = 0;

  function* completeLine(line: string): Generator<ImportItem> {
    lineNumber += 1;
    if (line.trim() === '') return;
    records += 1;
    if (records > limits.maxRecords) {
      throw new CairnError(
        'invalid_input',
        `The JSONL file has more than ${limits.maxRecords} records; split it into several imports.`,
      );
    }
    yield parseJsonlLine(line, lineNumber);
  }

  function* parseText(text: string): Generator<ImportItem> {
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf('\n', start)) >= 0) {
      assertLineLength(pendingLength + newline - start);
      pieces.push(text.slice(start, newline));
      const line = pieces.join('');
      pieces = [];
      pendingLength = 0;
      start = newline + 1;
      yield* completeLine(line);
    }
    if (start < text.length) {
      pendingLength += text.length - start;
      assertLineLength(pendingLength);
      pieces.push(text.slice(start));
    }
  }

  function assertLineLength(length: number): void {
    if (length <= maxLineLength) return;
    throw new CairnError(
      'invalid_input',
      `Line ${lineNumber + 1} of the JSONL file is longer than ${maxLineLength} characters; one document may have at most ${limits.maxDocumentBytes} bytes.`,
    );
  }

  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new CairnError(
        'invalid_input',
        `The JSONL file is not valid UTF-8 (after line ${lineNumber}).`,
      );
    }
    yield* parseText(text);
  }
  let tail: string;
  try {
    tail = decoder.decode();
  } catch {
    throw new CairnError(
      'invalid_input',
      'The JSONL file is not valid UTF-8 (it ends mid-character).',
    );
  }
  yield* parseText(tail);
  if (pendingLength > 0) yield* completeLine(pieces.join(''));
}

/** The longest JSONL line read: one document's text, plus room for JSON escaping and a title. */
export function maxJsonlLineLength(limits: ImportLimits): number {
  return Math.ceil(limits.maxDocumentBytes * 1.1) + 64 * 1024;
}

function parseJsonlLine(line: string, lineNumber: number): ImportItem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CairnError('invalid_input', `Line ${lineNumber} is not valid JSON: ${reason}`);
  }
  const result = textUploadSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')} ${issue.message}` : issue.message,
    );
    throw new CairnError(
      'invalid_input',
      `Line ${lineNumber} is not a {"title", "text"} record: ${problems.join('; ')}.`,
    );
  }
  return {
    kind: 'document',
    entry: `line ${lineNumber}`,
    title: result.data.title,
    mime: 'text/plain',
    bytes: Buffer.from(result.data.text, 'utf8'),
  };
}

// ---- archives ----

/** Why an entry name is refused outright (the whole archive is), or null. */
function entryNameProblem(name: string): string | null {
  // Entry names become titles: control and bidirectional control characters are refused.
  if (UNSAFE_DISPLAY_CHARACTERS.test(name)) {
    return 'has control or bidirectional control characters in its name';
  }
  const normalized = name.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[A-Za-z]:/.test(normalized)) return 'has an absolute path';
  if (normalized.split('/').includes('..')) return 'climbs out of the archive (path traversal)';
  return null;
}

function assertEntryName(name: string): void {
  const problem = entryNameProblem(name);
  if (problem) {
    throw new CairnError(
      'invalid_input',
      `The archive entry ${JSON.stringify(name.slice(0, 200))} ${problem}; nothing was imported.`,
    );
  }
}

/** Directories and the files operating systems add on their own are not documents. */
function isIgnoredEntry(name: string): boolean {
  const normalized = name.replace(/\\/g, '/');
  if (normalized.endsWith('/')) return true;
  if (normalized.split('/').includes('__MACOSX')) return true;
  return basename(normalized).startsWith('.');
}

/** Type detection from the bytes; the name only words the error and tells Markdown from text. */
function archiveItem(name: string, bytes: Buffer): ImportItem {
  const fileName = basename(name.replace(/\\/g, '/'));
  try {
    const type = detectDocumentType(bytes, fileName);
    return {
      kind: 'document',
      entry: name,
      title: fileName.slice(0, MAX_TITLE_LENGTH),
      mime: type.mime,
      bytes,
    };
  } catch (error) {
    if (error instanceof DocumentRejectedError) {
      return { kind: 'rejected', entry: name, reason: error.message };
    }
    throw error;
  }
}

function tooLarge(name: string, limits: ImportLimits): ImportItem {
  return {
    kind: 'rejected',
    entry: name,
    reason: `${basename(name)} is larger than the limit of ${limits.maxDocumentBytes} bytes per document.`,
  };
}

function tooManyEntries(limits: ImportLimits): CairnError {
  return new CairnError(
    'invalid_input',
    `The archive has more than ${limits.maxEntries} files; split it into several imports.`,
  );
}

function expandsTooMuch(limits: ImportLimits): CairnError {
  return new CairnError(
    'payload_too_large',
    `The archive expands to more than ${limits.maxUncompressedBytes} bytes; nothing was imported.`,
  );
}

function gzipBomb(limits: ImportLimits): CairnError {
  return new CairnError(
    'payload_too_large',
    `The archive looks like a gzip bomb: it expands more than ${limits.maxCompressionRatio} times; nothing was imported.`,
  );
}

async function* readZip(path: string, limits: ImportLimits): AsyncGenerator<ImportItem> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      // Names are checked below, with a clearer message than yauzl's.
      strictFileNames: false,
    });
  } catch (error) {
    throw corruptArchive('zip', error);
  }
  try {
    if (zip.entryCount > limits.maxEntries) throw tooManyEntries(limits);
    // First the central directory only: names, counts and declared sizes, before inflating.
    const entries: yauzl.Entry[] = [];
    let declaredBytes = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        assertEntryName(entry.fileName);
        if (isIgnoredEntry(entry.fileName)) continue;
        if (entry.isEncrypted()) {
          throw new CairnError(
            'invalid_input',
            `The archive entry ${JSON.stringify(entry.fileName)} is encrypted.`,
          );
        }
        if (
          entry.uncompressedSize >= RATIO_CHECK_MIN_ENTRY_BYTES &&
          entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio
        ) {
          throw new CairnError(
            'invalid_input',
            `The archive looks like a zip bomb: ${JSON.stringify(entry.fileName)} expands more than ${limits.maxCompressionRatio} times.`,
          );
        }
        declaredBytes += Math.min(entry.uncompressedSize, limits.maxDocumentBytes + 1);
        entries.push(entry);
      }
    } catch (error) {
      if (error instanceof CairnError) throw error;
      // yauzl refuses some names on its own ("invalid relative path", "absolute path").
      const message = error instanceof Error ? error.message : String(error);
      if (/relative path|absolute path|invalid characters/i.test(message)) {
        throw new CairnError('invalid_input', `The archive has an unsafe entry name: ${message}.`);
      }
      throw corruptArchive('zip', error);
    }
    if (declaredBytes > limits.maxUncompressedBytes) throw expandsTooMuch(limits);

    for (const entry of entries) {
      if (entry.uncompressedSize > limits.maxDocumentBytes) {
        yield tooLarge(entry.fileName, limits);
        continue;
      }
      yield archiveItem(entry.fileName, await inflateZipEntry(zip, entry));
    }
  } finally {
    zip.close();
  }
}

async function inflateZipEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  try {
    // yauzl fails the stream as soon as it yields more bytes than the entry declared.
    const stream = await zip.openReadStreamPromise(entry);
    const parts: Buffer[] = [];
    for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
    return Buffer.concat(parts);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/too many bytes/i.test(message)) {
      throw new CairnError(
        'invalid_input',
        `The archive looks like a zip bomb: ${JSON.stringify(entry.fileName)} inflates past its declared size.`,
      );
    }
    throw corruptArchive('zip', error);
  }
}

async function* readTar(
  path: string,
  gzipped: boolean,
  limits: ImportLimits,
): AsyncGenerator<ImportItem> {
  let expandedBytes = 0;
  let compressedBytes = 0;
  // Counts what gunzip produces, so a gzip bomb stops at the limit instead of filling memory,
  // and compares it with what gunzip was fed so far: past the ratio a zip entry may have, the
  // stream stops at once instead of inflating up to the total limit.
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      expandedBytes += chunk.length;
      if (expandedBytes > limits.maxUncompressedBytes) return done(expandsTooMuch(limits));
      if (
        gzipped &&
        expandedBytes > GZIP_RATIO_CHECK_MIN_BYTES &&
        expandedBytes > compressedBytes * limits.maxCompressionRatio
      ) {
        return done(gzipBomb(limits));
      }
      done(null, chunk);
    },
  });
  const file = createReadStream(path);
  file.on('data', (chunk: Buffer | string) => (compressedBytes += chunk.length));
  const extract = tar.extract();
  let source: Readable = file;
  if (gzipped) source = source.pipe(createGunzip()).on('error', (error) => guard.destroy(error));
  source.pipe(guard).pipe(extract);
  file.on('error', (error) => guard.destroy(error));
  guard.on('error', (error) => extract.destroy(error));

  let files = 0;
  try {
    for await (const entry of extract) {
      const { name, type, size = 0 } = entry.header;
      assertEntryName(name);
      const isFile = type === 'file' || type === 'contiguous-file';
      if (!isFile || isIgnoredEntry(name)) {
        entry.resume();
        if (isFile || type === 'directory') continue;
        files += 1;
        if (files > limits.maxEntries) throw tooManyEntries(limits);
        yield {
          kind: 'rejected',
          entry: name,
          reason: `${basename(name)} is a ${type}, not a file.`,
        };
        continue;
      }
      files += 1;
      if (files > limits.maxEntries) throw tooManyEntries(limits);
      if (size > limits.maxDocumentBytes) {
        entry.resume();
        yield tooLarge(name, limits);
        continue;
      }
      const parts: Buffer[] = [];
      for await (const part of entry as AsyncIterable<Buffer>) parts.push(part);
      yield archiveItem(name, Buffer.concat(parts));
    }
  } catch (error) {
    if (error instanceof CairnError) throw error;
    throw corruptArchive(gzipped ? 'tar.gz' : 'tar', error);
  } finally {
    extract.destroy();
    file.destroy();
  }
}

function corruptArchive(format: string, error: unknown): CairnError {
  const detail = error instanceof Error ? error.message : String(error);
  return new CairnError(
    'invalid_input',
    `The ${format} archive is damaged or not a valid ${format} file (${detail}).`,
    { cause: error },
  );
}
