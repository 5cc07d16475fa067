import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ChannelSubscriber } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';
import { ImportsRepository } from './imports.repository';
import {
  FINAL_IMPORT_STATUSES,
  importEventsChannel,
  type ImportEvent,
  type ImportRecord,
} from './import.types';

// Proxies close connections that stay silent; a heartbeat every so often keeps them open.
const HEARTBEAT_MS = 15_000;
// Redis problems repeat while it is away: one warning per this interval is enough.
const PROBLEM_LOG_INTERVAL_MS = 10_000;

/**
 * Publishes import progress on Redis pub/sub and relays it to clients as Server-Sent Events.
 * Every stream of the process listens through one subscriber connection; the controller counts
 * each against its caller (EventStreamQuota): a stream also costs a Temporal check per heartbeat.
 */
@Injectable()
export class ImportEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(ImportEventsService.name);
  private readonly subscriber: ChannelSubscriber;
  private lastProblemLoggedAt = 0;

  constructor(
    private readonly redis: RedisStore,
    private readonly imports: ImportsRepository,
  ) {
    this.subscriber = new ChannelSubscriber(
      () => this.redis.subscriberConnection(),
      (message) => {
        const now = Date.now();
        if (now - this.lastProblemLoggedAt < PROBLEM_LOG_INTERVAL_MS) return;
        this.lastProblemLoggedAt = now;
        this.logger.warn(`import events subscriber: ${message}`);
      },
    );
  }

  async publish(record: ImportRecord): Promise<void> {
    await publishImportEvent(this.redis, record);
  }

  /** The import's current state, then each published change; completes after a final status. */
  stream(
    workspaceId: string,
    importId: string,
    /** Gives back the caller's place (EventStreamQuota) when the stream ends. */
    release: () => void,
    /** Runs with every heartbeat: a chance to notice a workflow that closed without saying so. */
    onHeartbeat: () => Promise<unknown> = async () => undefined,
  ): Observable<MessageEvent> {
    return new Observable<MessageEvent>((observer) => {
      let stopListening: (() => void) | undefined;
      let closed = false;
      let live = false;
      const early: ImportEvent[] = [];
      let latestAt = '';
      const emit = (event: ImportEvent) => {
        if (observer.closed || event.at < latestAt) return;
        latestAt = event.at;
        observer.next({ data: event });
        if (FINAL_IMPORT_STATUSES.includes(event.status)) observer.complete();
      };
      const heartbeat = setInterval(() => {
        observer.next({ type: 'heartbeat', data: { at: new Date().toISOString() } });
        onHeartbeat().catch((error: unknown) =>
          this.logger.warn(`import events heartbeat check: ${String(error)}`),
        );
      }, HEARTBEAT_MS);
      // Subscribe before reading the current state, so that no change falls between the two.
      void (async () => {
        stopListening = await this.subscriber.listen(
          importEventsChannel(workspaceId, importId),
          (message) => {
            let event: ImportEvent;
            try {
              event = JSON.parse(message) as ImportEvent;
            } catch {
              this.logger.warn('ignoring a malformed import event');
              return;
            }
            if (live) emit(event);
            else early.push(event);
          },
        );
        if (closed) return stopListening();
        const record = await this.imports.findById(workspaceId, importId);
        if (!record) return observer.complete();
        emit(eventOf(record));
        live = true;
        for (const event of early) emit(event);
      })().catch((error: unknown) => observer.error(error));
      return () => {
        closed = true;
        clearInterval(heartbeat);
        stopListening?.();
        release();
      };
    });
  }

  onModuleDestroy(): void {
    this.subscriber.close();
  }
}

export function eventOf(record: ImportRecord): ImportEvent {
  return {
    importId: record.id,
    workspaceId: record.workspaceId,
    status: record.status,
    total: record.total,
    done: record.done,
    failed: record.failed,
    error: record.error,
    at: record.updatedAt,
  };
}

/** One progress event on the import's channel (used by the API and by the import activities). */
export async function publishImportEvent(redis: RedisStore, record: ImportRecord): Promise<void> {
  await redis.client.publish(
    importEventsChannel(record.workspaceId, record.id),
    JSON.stringify(eventOf(record)),
  );
}
