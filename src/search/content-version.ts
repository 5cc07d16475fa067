import type Redis from 'ioredis';

/**
 * A per-workspace version the document pipeline advances whenever searchable content changes
 * (documents indexed, failed or deleted). Search caches include it in their keys, so a change
 * makes every cached answer of the workspace unreachable at once, with no scan or delete.
 *
 * A missing counter starts from Redis's clock in microseconds rather than from 0, so a Redis
 * that lost its data never hands out a version an earlier life of the counter already used
 * (an in-process graph cached under it would otherwise be taken for current).
 */
export const contentVersionKey = (workspaceId: string): string =>
  `cairn:ws:${workspaceId}:content-version`;

const SEED_FROM_CLOCK = `if redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end`;

const BUMP = `${SEED_FROM_CLOCK}
return redis.call('INCR', KEYS[1])`;

const READ = `${SEED_FROM_CLOCK}
return redis.call('GET', KEYS[1])`;

export async function bumpContentVersion(redis: Redis, workspaceId: string): Promise<number> {
  return Number(await redis.eval(BUMP, 1, contentVersionKey(workspaceId)));
}

/** The workspace's current version (one round trip; seeds the counter when it is missing). */
export async function readContentVersion(redis: Redis, workspaceId: string): Promise<string> {
  return String(await redis.eval(READ, 1, contentVersionKey(workspaceId)));
}
