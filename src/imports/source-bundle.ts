import { createHash } from 'node:crypto';

/**
 * The sources of one import batch in one object, so that analysis reads a batch with one request
 * instead of one per document (1,890 GETs for MuSiQue-100's passages). Each document's own blob
 * stays where it is; this is a copy for the batch's run, removed when the import ends.
 *
 * Layout: one line of JSON, `[[sha256, length], ...]`, then the entries' bytes in that order.
 */
export interface SourceEntry {
  sha256: string;
  bytes: Buffer;
}

export function encodeSourceBundle(entries: readonly SourceEntry[]): Buffer {
  const header = JSON.stringify(entries.map(({ sha256, bytes }) => [sha256, bytes.length]));
  return Buffer.concat([Buffer.from(`${header}\n`, 'utf8'), ...entries.map(({ bytes }) => bytes)]);
}

/**
 * The bundle's entries by content hash. An entry whose bytes do not hash to its name is left out
 * (the caller then reads the document's own blob): a bundle can only ever save a request, never
 * hand analysis other bytes than the document's. A bundle that does not parse gives no entries.
 */
export function decodeSourceBundle(bundle: Buffer): Map<string, Buffer> {
  const entries = new Map<string, Buffer>();
  const newline = bundle.indexOf(0x0a);
  if (newline < 0) return entries;
  let header: unknown;
  try {
    header = JSON.parse(bundle.subarray(0, newline).toString('utf8'));
  } catch {
    return entries;
  }
  if (!Array.isArray(header)) return entries;
  let offset = newline + 1;
  for (const item of header as unknown[]) {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Number.isInteger(item[1])) break;
    const [sha256, length] = item as [string, number];
    if (length < 0 || offset + length > bundle.length) break;
    const bytes = bundle.subarray(offset, offset + length);
    offset += length;
    if (createHash('sha256').update(bytes).digest('hex') === sha256) entries.set(sha256, bytes);
  }
  return entries;
}

/** The import-relative name of batch `batch`'s bundle when batches hold `batchSize` documents. */
export function sourceBundleName(batchSize: number, batch: number): string {
  return `${SOURCE_BUNDLES_DIR}/${batchSize}-${batch}`;
}

/** Where an import's source bundles live, relative to the import's own prefix. */
export const SOURCE_BUNDLES_DIR = 'batch-sources';
