import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { RedisStore } from '../../src/stores/redis/redis.store';
import {
  bumpContentVersion,
  contentVersionKey,
  readContentVersion,
} from '../../src/search/content-version';

jest.setTimeout(15_000);

describe('RedisStore (real Redis)', () => {
  const store = new RedisStore(loadConfig());

  afterAll(async () => {
    await store.onModuleDestroy();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('writes, reads back and deletes a key', async () => {
    const key = `cairn:test:${randomUUID()}`;
    await store.client.set(key, 'value', 'EX', 60);
    expect(await store.client.get(key)).toBe('value');
    expect(await store.client.del(key)).toBe(1);
    expect(await store.client.get(key)).toBeNull();
  });
});

describe('the content version (real Redis)', () => {
  const store = new RedisStore(loadConfig());

  afterAll(async () => {
    await store.onModuleDestroy();
  });

  it('starts from the clock, advances by one per change, and never repeats after a loss', async () => {
    const workspaceId = `version-${randomUUID()}`;
    const before = BigInt(Date.now()) * 1000n;
    const first = await readContentVersion(store.client, workspaceId);
    expect(BigInt(first)).toBeGreaterThanOrEqual(before - 1_000_000n);
    expect(await readContentVersion(store.client, workspaceId)).toBe(first);

    const bumped = await bumpContentVersion(store.client, workspaceId);
    expect(String(bumped)).toBe(String(BigInt(first) + 1n));
    expect(await readContentVersion(store.client, workspaceId)).toBe(String(bumped));

    // Redis lost the counter (a restart without persistence): the next life starts later.
    await store.client.del(contentVersionKey(workspaceId));
    const afterLoss = await bumpContentVersion(store.client, workspaceId);
    expect(BigInt(afterLoss)).toBeGreaterThan(BigInt(bumped));
    await store.client.del(contentVersionKey(workspaceId));
  });
});
