import type Redis from 'ioredis';

/**
 * A per-workspace counter the document pipeline increments whenever searchable content changes
 * (documents indexed, failed or deleted). Search caches include it in their keys, so a change
 * makes every cached answer of the workspace unreachable at once, with no scan or delete.
 */
export const contentVersionKey = (workspaceId: string): string =>
  `cairn:ws:${workspaceId}:content-version`;

export async function bumpContentVersion(redis: Redis, workspaceId: string): Promise<number> {
  return redis.incr(contentVersionKey(workspaceId));
}

export async function readContentVersion(redis: Redis, workspaceId: string): Promise<number> {
  const value = await redis.get(contentVersionKey(workspaceId));
  return value === null ? 0 : Number(value);
}
