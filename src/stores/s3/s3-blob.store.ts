import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'minio';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
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

/** Object storage over any S3-compatible server (MinIO locally, AWS S3, Garage). */
@Injectable()
export class S3BlobStore implements OnModuleDestroy {
  readonly client: Client;
  readonly bucket: string;
  private readonly region: string;
  private readonly agent: HttpAgent;

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
