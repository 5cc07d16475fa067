import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { RedisStore } from '../stores/redis/redis.store';
import { readContentVersion } from './content-version';

const EMBEDDING_TTL_SECONDS = 24 * 3600;
/** A backstop only: answers are invalidated by the content version, not by time. */
const RESULT_TTL_SECONDS = 600;

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Redis caches of search: query embeddings (a pure function of the text and the model) and
 * whole answers, keyed by the workspace's content stamp so that any indexed or deleted
 * document retires every cached answer at once. Redis trouble never fails a search: the cache
 * is skipped and the search computed.
 */
@Injectable()
export class SearchCache {
  private readonly logger = new Logger(SearchCache.name);
  private lastWarningAt = 0;

  constructor(private readonly redis: RedisStore) {}

  /**
   * What the workspace's searchable content looks like now, as a short string: the version the
   * pipeline advances whenever documents are indexed, fail or are deleted (one Redis round
   * trip). Undefined when unknown.
   */
  async contentStamp(workspaceId: string): Promise<string | undefined> {
    try {
      return await readContentVersion(this.redis.client, workspaceId);
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  async embedding(
    workspaceId: string,
    modelId: string,
    query: string,
    compute: () => Promise<Float32Array>,
  ): Promise<{ vector: Float32Array; cached: boolean }> {
    const key = `cairn:ws:${workspaceId}:query-embedding:${digest(`${modelId}\n${query}`)}`;
    try {
      const stored = await this.redis.client.getBuffer(key);
      if (stored !== null && stored.length % 4 === 0) {
        const copy = new Uint8Array(stored);
        return { vector: new Float32Array(copy.buffer, 0, copy.length / 4), cached: true };
      }
    } catch (error) {
      this.warn(error);
    }
    const vector = await compute();
    this.redis.client
      .set(
        key,
        Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
        'EX',
        EMBEDDING_TTL_SECONDS,
      )
      .catch((error: unknown) => this.warn(error));
    return { vector, cached: false };
  }

  resultKey(workspaceId: string, stamp: string, request: unknown): string {
    return `cairn:ws:${workspaceId}:search:${stamp}:${digest(JSON.stringify(request))}`;
  }

  async readResult<T>(key: string): Promise<T | undefined> {
    try {
      const stored = await this.redis.client.get(key);
      return stored === null ? undefined : (JSON.parse(stored) as T);
    } catch (error) {
      this.warn(error);
      return undefined;
    }
  }

  writeResult(key: string, value: unknown): void {
    this.redis.client
      .set(key, JSON.stringify(value), 'EX', RESULT_TTL_SECONDS)
      .catch((error: unknown) => this.warn(error));
  }

  private warn(error: unknown): void {
    if (Date.now() - this.lastWarningAt < 10_000) return;
    this.lastWarningAt = Date.now();
    this.logger.warn(`search cache unavailable: ${String(error)}`);
  }
}
