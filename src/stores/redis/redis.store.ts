import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { CairnConfig } from '../../config/config';
import { InjectConfig } from '../../config/config.module';
import { withTimeout } from '../../common/timeout';

@Injectable()
export class RedisStore implements OnModuleDestroy {
  private readonly logger = new Logger(RedisStore.name);
  readonly client: Redis;
  private lastErrorLoggedAt = 0;

  constructor(@InjectConfig() config: CairnConfig) {
    this.client = new Redis(config.REDIS_URL, {
      // Fail a command quickly while Redis is away instead of queueing it forever...
      maxRetriesPerRequest: 1,
      commandTimeout: 2_000,
      connectTimeout: 2_000,
      // ...but keep reconnecting in the background, so Redis coming back needs no restart.
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      // After a failover the old primary answers READONLY: reconnect to find the new one.
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    });
    // Without a listener, ioredis reports every failed reconnect as an unhandled 'error' event.
    this.client.on('error', (error: Error) => {
      const now = Date.now();
      if (now - this.lastErrorLoggedAt < 10_000) return;
      this.lastErrorLoggedAt = now;
      this.logger.warn(`Redis connection problem: ${error.message}`);
    });
  }

  /**
   * A new connection for SUBSCRIBE, with this client's settings. Without the ready check: ioredis
   * would send INFO once connected, and a SUBSCRIBE that reached the socket first (listeners
   * arriving a few milliseconds apart) puts the connection in subscriber mode, where INFO fails
   * and takes the waiting subscriptions with it.
   */
  subscriberConnection(): Redis {
    return this.client.duplicate({ enableReadyCheck: false });
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onModuleDestroy(): Promise<void> {
    // quit() waits for pending replies; disconnect() is the fallback when Redis is unreachable.
    await withTimeout(this.client.quit(), 1_000, 'Redis quit').catch(() =>
      this.client.disconnect(),
    );
  }
}
