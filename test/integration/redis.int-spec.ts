import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { RedisStore } from '../../src/stores/redis/redis.store';

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
