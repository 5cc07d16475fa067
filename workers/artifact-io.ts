import type { S3BlobStore } from '../src/stores/s3/s3-blob.store';

export async function writeJsonArtifact(blobs: S3BlobStore, key: string, value: unknown) {
  const body = Buffer.from(JSON.stringify(value));
  await blobs.put(key, body, body.length, 'application/json');
}

export async function readJsonArtifact<T>(blobs: S3BlobStore, key: string): Promise<T> {
  return JSON.parse((await blobs.get(key)).toString('utf8')) as T;
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
