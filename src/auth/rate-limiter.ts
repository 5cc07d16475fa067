import { Injectable } from '@nestjs/common';
import type { CairnConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { RedisStore } from '../stores/redis/redis.store';

export type RateLimitBucket = 'upload' | 'search';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until one more request would be allowed; 0 when allowed. */
  retryAfterSeconds: number;
}

// Token buckets, one per key, refilled continuously from Redis's own clock so that every API
// instance shares one budget. A request needs a token from each of its keys (the user's and the
// IP's) and takes them only when all have one, in one atomic step.
const TAKE_TOKENS = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local capacity = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local ttl = math.ceil(capacity / per_ms) + 1000
local levels = {}
local wait_ms = 0
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(state[1]) or capacity
  local at = tonumber(state[2]) or now
  tokens = math.min(capacity, tokens + math.max(0, now - at) * per_ms)
  levels[i] = tokens
  if tokens < 1 then wait_ms = math.max(wait_ms, math.ceil((1 - tokens) / per_ms)) end
end
local allowed = 0
if wait_ms == 0 then allowed = 1 end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'tokens', tostring(levels[i] - allowed), 'at', tostring(now))
  redis.call('PEXPIRE', key, ttl)
end
return {allowed, wait_ms}
`;

@Injectable()
export class RateLimiter {
  private readonly limits: Record<RateLimitBucket, { burst: number; perMinute: number }>;

  constructor(
    @InjectConfig() config: CairnConfig,
    private readonly redis: RedisStore,
  ) {
    this.limits = {
      upload: {
        burst: config.CAIRN_RATE_LIMIT_UPLOAD_BURST,
        perMinute: config.CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE,
      },
      search: {
        burst: config.CAIRN_RATE_LIMIT_SEARCH_BURST,
        perMinute: config.CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE,
      },
    };
  }

  /** Takes one token for the user and one for the IP; throws when Redis cannot answer. */
  async take(bucket: RateLimitBucket, userId: string, ip: string): Promise<RateLimitDecision> {
    const { burst, perMinute } = this.limits[bucket];
    const keys = [`cairn:rl:${bucket}:user:${userId}`, `cairn:rl:${bucket}:ip:${ip}`];
    const [allowed, waitMs] = (await this.redis.client.eval(
      TAKE_TOKENS,
      keys.length,
      ...keys,
      String(burst),
      String(perMinute / 60_000),
    )) as [number, number];
    if (allowed === 1) return { allowed: true, retryAfterSeconds: 0 };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
