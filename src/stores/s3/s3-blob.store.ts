import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'minio';
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import * as tar from 'tar-stream';
import { mapWithConcurrency } from '../../common/concurrency';
import { CairnConfig } from '../../config/config';
import { InjectConfig } from '../../config/config.module';
import { assertListPrefix, assertObjectKey } from './blob-keys';

export { artifactKey, blobKey, workspacePrefix } from './blob-keys';

export interface BlobStat {
  size: number;
  etag: string;
}

// S3 DeleteObjects accepts at most 1000 keys per request.
const DELETE_BATCH_SIZE = 1000;
/** PUTs in flight when putMany writes object by object. */
const PUT_CONCURRENCY = 16;

export interface BlobToPut {
  key: string;
  body: Buffer;
}

/** Object storage over any S3-compatible server (MinIO locally, AWS S3, Garage). */
@Injectable()
export class S3BlobStore implements OnModuleDestroy {
  readonly client: Client;
  readonly bucket: string;
  private readonly region: string;
  private readonly agent: HttpAgent;
  /** Whether the server unpacks tar uploads (putMany); unknown until the first one. */
  private unpacksTars: boolean | undefined;
  /** MinIO's request to store a tar's entries as objects instead of the tar itself. */
  protected readonly unpackTarMetadata: Record<string, string> = {
    'X-Amz-Meta-Snowball-Auto-Extract': 'true',
  };

  constructor(@InjectConfig() config: CairnConfig) {
    const endpoint = new URL(config.S3_ENDPOINT);
    const useSSL = endpoint.protocol === 'https:';
    // Our own agent, so shutdown can close its keep-alive sockets.
    this.agent = useSSL ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.client = new Client({
      endPoint: endpoint.hostname,
      port: Number(endpoint.port || (useSSL ? 443 : 80)),
      useSSL,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      region: config.S3_REGION,
      // MinIO and Garage serve buckets as paths, not as subdomains.
      pathStyle: true,
      transportAgent: this.agent,
    });
    this.bucket = config.S3_BUCKET;
    this.region = config.S3_REGION;
  }

  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket, this.region);
    } catch (error) {
      // Another Cairn process won the race.
      if (!(await this.client.bucketExists(this.bucket))) throw error;
    }
  }

  async put(
    key: string,
    body: Buffer | Readable,
    size?: number,
    contentType?: string,
  ): Promise<{ etag: string }> {
    assertObjectKey(key);
    const metadata = contentType ? { 'Content-Type': contentType } : undefined;
    const length = size ?? (Buffer.isBuffer(body) ? body.length : undefined);
    const result = await this.client.putObject(this.bucket, key, body, length, metadata);
    return { etag: result.etag };
  }

  /**
   * Writes many objects, stored as application/octet-stream. MinIO takes them as one tar upload
   * that it unpacks into objects: one request instead of one per object, which for 1,890 import
   * passages of ~600 bytes cut the client's CPU from 1.3 to 0.1 s and MinIO's from 2.3 to 1.5 s.
   * A server that does not unpack tars (plain S3) stores the tar itself: the first call finds it,
   * removes it and writes object by object from then on.
   */
  async putMany(blobs: BlobToPut[]): Promise<void> {
    blobs.forEach(({ key }) => assertObjectKey(key));
    if (blobs.length > 1 && this.unpacksTars !== false) {
      const pack = tar.pack();
      for (const { key, body } of blobs) pack.entry({ name: key, size: body.length }, body);
      pack.finalize();
      const archive = await buffer(pack);
      // Beside the first object, so that it stays inside that object's workspace.
      const archiveKey = `${blobs[0].key.slice(0, blobs[0].key.lastIndexOf('/'))}/upload-${randomUUID()}.tar`;
      await this.client.putObject(
        this.bucket,
        archiveKey,
        archive,
        archive.length,
        this.unpackTarMetadata,
      );
      if (this.unpacksTars === undefined) {
        const kept = (await this.stat(archiveKey)) !== null;
        if (kept) await this.remove(archiveKey);
        this.unpacksTars = !kept;
      }
      if (this.unpacksTars) return;
    }
    await mapWithConcurrency(blobs, PUT_CONCURRENCY, ({ key, body }) =>
      this.put(key, body, body.length),
    );
  }

  async get(key: string): Promise<Buffer> {
    const stream = await this.getStream(key);
    const parts: Buffer[] = [];
    for await (const part of stream)
      parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string));
    return Buffer.concat(parts);
  }

  /** The object's bytes, or null when it does not exist. */
  async getIfExists(key: string): Promise<Buffer | null> {
    try {
      return await this.get(key);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable> {
    assertObjectKey(key);
    return this.client.getObject(this.bucket, key);
  }

  /** Size and etag of an object, or null when it does not exist. */
  async stat(key: string): Promise<BlobStat | null> {
    assertObjectKey(key);
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return { size: stat.size, etag: stat.etag };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Removing a missing object is not an error (S3 semantics), which keeps deletes idempotent. */
  async remove(key: string): Promise<void> {
    assertObjectKey(key);
    await this.client.removeObject(this.bucket, key);
  }

  async removeMany(keys: string[]): Promise<void> {
    keys.forEach(assertObjectKey);
    for (let start = 0; start < keys.length; start += DELETE_BATCH_SIZE) {
      const batch = keys.slice(start, start + DELETE_BATCH_SIZE);
      const results = await this.client.removeObjects(this.bucket, batch);
      const failures = results.filter((result) => result?.Error);
      if (failures.length > 0) {
        const first = failures[0]?.Error;
        throw new Error(
          `Failed to remove ${failures.length} objects, first ${first?.Key}: ${first?.Message}`,
        );
      }
    }
  }

  /** Every key under prefix (recursively), which must lie inside a workspace: ws/{workspace}/… */
  async list(prefix: string): Promise<string[]> {
    assertListPrefix(prefix);
    const keys: string[] = [];
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    for await (const item of stream as AsyncIterable<{ name?: string }>) {
      if (item.name) keys.push(item.name);
    }
    return keys;
  }

  async ping(): Promise<void> {
    // Proves the server answers, the credentials work and the bucket exists.
    if (!(await this.client.bucketExists(this.bucket)))
      throw new Error(`bucket ${this.bucket} is missing`);
  }

  async onModuleDestroy(): Promise<void> {
    this.agent.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
