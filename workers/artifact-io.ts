import { ApplicationFailure } from '@temporalio/common';
import type { S3BlobStore } from '../src/stores/s3/s3-blob.store';
import {
  chunksHandoffKey,
  type ChunksArtifact,
  type ChunksHandoff,
} from '../src/documents/artifacts';
import { HANDOFF_MISSING } from '../src/pipeline/handoffs';

/** Stores the value as JSON; returns the JSON text written. */
export async function writeJsonArtifact(
  blobs: S3BlobStore,
  key: string,
  value: unknown,
): Promise<string> {
  const json = JSON.stringify(value);
  const body = Buffer.from(json);
  await blobs.put(key, body, body.length, 'application/json');
  return json;
}

export async function readJsonArtifact<T>(blobs: S3BlobStore, key: string): Promise<T> {
  return JSON.parse((await blobs.get(key)).toString('utf8')) as T;
}

/**
 * Chunk artifacts this process wrote or read lately, as JSON text, least recently used first.
 * A document's chunks are a pure function of its bytes (its id is their hash) and of this
 * process's code, so an entry never goes stale: re-analysis writes the same text. Three later
 * stages read the chunks; on a worker that serves more than one of them this saves MinIO reads.
 */
class RecentChunkArtifacts {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly budgetChars: number) {}

  get(key: string): string | undefined {
    const json = this.entries.get(key);
    if (json !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, json);
    }
    return json;
  }

  set(key: string, json: string): void {
    this.delete(key);
    if (json.length > this.budgetChars / 8) return;
    this.entries.set(key, json);
    this.chars += json.length;
    for (const [oldest, text] of this.entries) {
      if (this.chars <= this.budgetChars) break;
      this.entries.delete(oldest);
      this.chars -= text.length;
    }
  }

  delete(key: string): void {
    const json = this.entries.get(key);
    if (json === undefined) return;
    this.entries.delete(key);
    this.chars -= json.length;
  }
}

/** 32 million characters (up to 64 MB): some 15,000 passage-sized documents. */
const recentChunks = new RecentChunkArtifacts(32 * 1024 * 1024);
const recentKey = (workspaceId: string, documentId: string) => `${workspaceId}/${documentId}`;

/** Hands the batch's chunks to the later steps: one object in MinIO, and this process's memory. */
export async function writeChunksHandoff(
  blobs: S3BlobStore,
  workspaceId: string,
  artifacts: ChunksArtifact[],
): Promise<void> {
  const handoff: ChunksHandoff = { documents: artifacts };
  await writeJsonArtifact(
    blobs,
    chunksHandoffKey(
      workspaceId,
      artifacts.map((artifact) => artifact.documentId),
    ),
    handoff,
  );
  for (const artifact of artifacts) rememberChunksArtifact(workspaceId, artifact);
}

/**
 * The chunks of the batch's documents, in order, from this process's memory or else the batch's
 * hand-off. A hand-off that is gone (the run released it, then a reset re-ran a later step)
 * fails the step as a missing hand-off.
 */
export async function readBatchChunks(
  blobs: S3BlobStore,
  workspaceId: string,
  documentIds: readonly string[],
): Promise<ChunksArtifact[]> {
  const remembered = documentIds.map((documentId) =>
    recentChunks.get(recentKey(workspaceId, documentId)),
  );
  if (remembered.every((json) => json !== undefined)) {
    return remembered.map((json) => JSON.parse(json) as ChunksArtifact);
  }
  const json = (await readHandoff(blobs, chunksHandoffKey(workspaceId, documentIds))).toString(
    'utf8',
  );
  const byDocument = new Map(
    (JSON.parse(json) as ChunksHandoff).documents.map((artifact) => [
      artifact.documentId,
      artifact,
    ]),
  );
  return documentIds.map((documentId) => {
    const artifact = byDocument.get(documentId);
    if (!artifact) throw new Error(`the batch's chunks hand-off has no document ${documentId}`);
    rememberChunksArtifact(workspaceId, artifact);
    return artifact;
  });
}

/** Keeps a document's chunks, so later steps on this process need not read them again. */
function rememberChunksArtifact(workspaceId: string, artifact: ChunksArtifact): void {
  recentChunks.set(recentKey(workspaceId, artifact.documentId), JSON.stringify(artifact));
}

/** What an earlier step of the run wrote for this one; gone means the run must start over. */
export async function readHandoff(blobs: S3BlobStore, key: string): Promise<Buffer> {
  const bytes = await blobs.getIfExists(key);
  if (bytes) return bytes;
  throw ApplicationFailure.nonRetryable(
    `${key} is gone: the step that wrote it must run again`,
    HANDOFF_MISSING,
  );
}

/**
 * The vectors of a batch as one object: a little-endian uint32 header length, the JSON header
 * (dimensions and each document's chunk count, in order), padding to four bytes, then float32
 * values, `dimensions` per chunk, document after document.
 */
export function encodeVectorsHandoff(
  dimensions: number,
  documents: { documentId: string; vectors: Float32Array[] }[],
): Buffer {
  const header = Buffer.from(
    JSON.stringify({
      dimensions,
      documents: documents.map(({ documentId, vectors }) => ({
        documentId,
        chunks: vectors.length,
      })),
    }),
  );
  const dataOffset = align4(4 + header.length);
  const chunkCount = documents.reduce((total, { vectors }) => total + vectors.length, 0);
  const bytes = Buffer.alloc(dataOffset + chunkCount * dimensions * 4);
  bytes.writeUInt32LE(header.length, 0);
  header.copy(bytes, 4);
  let offset = dataOffset;
  for (const { vectors } of documents) {
    for (const vector of vectors) {
      if (vector.length !== dimensions) {
        throw new Error(`a vector of ${vector.length} values, expected ${dimensions}`);
      }
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(bytes, offset);
      offset += dimensions * 4;
    }
  }
  return bytes;
}

/** The vectors of each document of a batch hand-off, by document id. */
export function decodeVectorsHandoff(bytes: Buffer): Map<string, Float32Array[]> {
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as {
    dimensions: number;
    documents: { documentId: string; chunks: number }[];
  };
  const values = splitVectors(bytes.subarray(align4(4 + headerLength)), header.dimensions);
  const byDocument = new Map<string, Float32Array[]>();
  let next = 0;
  for (const { documentId, chunks } of header.documents) {
    byDocument.set(documentId, values.slice(next, next + chunks));
    next += chunks;
  }
  if (next !== values.length) {
    throw new Error(`vectors hand-off: ${values.length} vectors for ${next} chunks`);
  }
  return byDocument;
}

const align4 = (length: number) => Math.ceil(length / 4) * 4;

/** Forgets a document's chunks when its artifacts are removed (a later upload writes them anew). */
export function forgetChunksArtifact(workspaceId: string, documentId: string): void {
  recentChunks.delete(recentKey(workspaceId, documentId));
}

/** Splits a vectors.f32 artifact into one Float32Array per chunk. */
export function splitVectors(bytes: Buffer, dimensions: number): Float32Array[] {
  const copy = new Float32Array(bytes.length / 4);
  Buffer.from(copy.buffer).set(bytes);
  const vectors: Float32Array[] = [];
  for (let offset = 0; offset < copy.length; offset += dimensions) {
    vectors.push(copy.subarray(offset, offset + dimensions));
  }
  return vectors;
}
