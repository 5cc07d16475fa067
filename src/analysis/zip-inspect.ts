import * as yauzl from 'yauzl';
import { UnprocessableDocumentError, parserDetail } from './errors';

export interface ZipLimits {
  /** More entries than this is refused outright (a DOCX has a few dozen). */
  maxEntries: number;
  /** Sum of the entries' uncompressed sizes. */
  maxUncompressedBytes: number;
  /** Uncompressed / compressed, for the whole archive and for any entry over 1 MiB. */
  maxCompressionRatio: number;
  /** One XML part (a slide, a sheet, a chapter) once inflated. */
  maxPartBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1_000,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxCompressionRatio: 100,
  maxPartBytes: 64 * 1024 * 1024,
};

// Small entries (XML full of repeated whitespace) legitimately compress very well.
const RATIO_CHECK_MIN_ENTRY_BYTES = 1024 * 1024;

/**
 * Reads the central directory and then inflates every entry into nothing, before any parser
 * touches the archive. The declared sizes are checked first (cheap); inflating afterwards proves
 * they were not forged, because yauzl fails a stream that yields more bytes than declared.
 */
export async function assertZipIsSafe(archive: Buffer, limits: ZipLimits): Promise<void> {
  const zip = await openZip(archive);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new UnprocessableDocumentError(
        'too_many_entries',
        `The archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted.`,
      );
    }
    const entries: yauzl.Entry[] = [];
    let declaredBytes = 0;
    let compressedBytes = 0;
    for await (const entry of zip.eachEntry()) {
      entries.push(entry);
      declaredBytes += entry.uncompressedSize;
      compressedBytes += entry.compressedSize;
      if (entry.isEncrypted()) {
        throw new UnprocessableDocumentError(
          'corrupt_document',
          'The archive has encrypted entries.',
        );
      }
      if (
        entry.uncompressedSize >= RATIO_CHECK_MIN_ENTRY_BYTES &&
        entry.uncompressedSize > entry.compressedSize * limits.maxCompressionRatio
      ) {
        throw zipBomb(
          `its entry ${entry.fileName} expands ${ratio(entry.uncompressedSize, entry.compressedSize)} times`,
        );
      }
    }
    if (declaredBytes > limits.maxUncompressedBytes) {
      throw zipBomb(
        `it expands to ${formatBytes(declaredBytes)} (limit ${formatBytes(limits.maxUncompressedBytes)})`,
      );
    }
    if (
      declaredBytes >= RATIO_CHECK_MIN_ENTRY_BYTES &&
      declaredBytes > compressedBytes * limits.maxCompressionRatio
    ) {
      throw zipBomb(`it expands ${ratio(declaredBytes, compressedBytes)} times`);
    }
    for (const entry of entries) await drainEntry(zip, entry);
  } catch (error) {
    throw asUnprocessable(error);
  } finally {
    zip.close();
  }
}

/** Entry names from the central directory only (nothing is inflated), up to `maxNames`. */
export async function listZipEntryNames(
  source: Buffer | string,
  maxNames = 100_000,
): Promise<string[]> {
  const zip = await openZip(source);
  try {
    const names: string[] = [];
    for await (const entry of zip.eachEntry()) {
      names.push(entry.fileName);
      if (names.length >= maxNames) break;
    }
    return names;
  } finally {
    zip.close();
  }
}

/** One entry's bytes, or undefined when absent or larger than `maxBytes` once inflated. */
export async function readZipEntry(
  archive: Buffer,
  name: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const zip = await openZip(archive);
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== name) continue;
      if (entry.uncompressedSize > maxBytes) return undefined;
      const parts: Buffer[] = [];
      const stream = await zip.openReadStreamPromise(entry);
      for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
      return Buffer.concat(parts);
    }
    return undefined;
  } finally {
    zip.close();
  }
}

/**
 * Every entry `wanted` accepts, inflated, in one pass over the archive (call after
 * `assertZipIsSafe`). An entry larger than `maxBytes` once inflated is refused as too large.
 */
export async function readZipEntries(
  archive: Buffer,
  wanted: (name: string) => boolean,
  maxBytes: number,
): Promise<Map<string, Buffer>> {
  const zip = await openZip(archive);
  try {
    const entries = new Map<string, Buffer>();
    for await (const entry of zip.eachEntry()) {
      if (!wanted(entry.fileName) || entry.fileName.endsWith('/')) continue;
      if (entry.uncompressedSize > maxBytes) {
        throw new UnprocessableDocumentError(
          'too_large',
          `The document's part ${entry.fileName} is ${formatBytes(entry.uncompressedSize)}; at most ${formatBytes(maxBytes)} per part are accepted.`,
        );
      }
      const parts: Buffer[] = [];
      const stream = await zip.openReadStreamPromise(entry);
      for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
      entries.set(entry.fileName, Buffer.concat(parts));
    }
    return entries;
  } catch (error) {
    throw asUnprocessable(error);
  } finally {
    zip.close();
  }
}

async function openZip(source: Buffer | string): Promise<yauzl.ZipFile> {
  const options: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };
  try {
    return typeof source === 'string'
      ? await yauzl.openPromise(source, options)
      : await yauzl.fromBufferPromise(source, options);
  } catch (error) {
    throw asUnprocessable(error);
  }
}

async function drainEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<number> {
  const stream = await zip.openReadStreamPromise(entry);
  try {
    // Reading is enough: yauzl errors as soon as the inflated bytes exceed the declared size.
    let inflatedBytes = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) inflatedBytes += chunk.length;
    return inflatedBytes;
  } catch (error) {
    if (error instanceof Error && /too many bytes/i.test(error.message)) {
      throw zipBomb(`its entry ${entry.fileName} inflates to more than its declared size`);
    }
    throw error;
  }
}

function zipBomb(reason: string): UnprocessableDocumentError {
  return new UnprocessableDocumentError(
    'zip_bomb',
    `The archive looks like a zip bomb: ${reason}.`,
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function ratio(uncompressed: number, compressed: number): string {
  return compressed === 0 ? 'infinitely many' : Math.round(uncompressed / compressed).toString();
}

function asUnprocessable(error: unknown): UnprocessableDocumentError {
  if (error instanceof UnprocessableDocumentError) return error;
  return new UnprocessableDocumentError(
    'corrupt_document',
    `The archive is damaged or not a valid ZIP file (${parserDetail(error)}).`,
    { cause: error },
  );
}
