import type { S3BlobStore } from '../src/stores/s3/s3-blob.store';
import { chunksArtifactKey, type ChunksArtifact } from '../src/documents/artifacts';

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

export async function writeChunksArtifact(
  blobs: S3BlobStore,
  workspaceId: string,
  artifact: ChunksArtifact,
): Promise<void> {
  const key = chunksArtifactKey(workspaceId, artifact.documentId);
  recentChunks.set(key, await writeJsonArtifact(blobs, key, artifact));
}

export async function readChunksArtifact(
  blobs: S3BlobStore,
  workspaceId: string,
  documentId: string,
): Promise<ChunksArtifact> {
  const key = chunksArtifactKey(workspaceId, documentId);
  let json = recentChunks.get(key);
  if (json === undefined) {
    json = (await blobs.get(key)).toString('utf8');
    recentChunks.set(key, json);
  }
  return JSON.parse(json) as ChunksArtifact;
}

/** Forgets a document's chunks when its artifacts are removed (a later upload writes them anew). */
export function forgetChunksArtifact(workspaceId: string, documentId: string): void {
  recentChunks.delete(chunksArtifactKey(workspaceId, documentId));
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
