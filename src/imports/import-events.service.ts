import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { type EventSink, liveEventStream, parseEvent } from '../common/http/event-stream';
import { ChannelSubscriber, throttledProblems } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';
import { ImportsRepository } from './imports.repository';
import {
  FINAL_IMPORT_STATUSES,
  importEventsChannel,
  type ImportEvent,
  type ImportRecord,
} from './import.types';

/**
 * Publishes import progress on Redis pub/sub and relays it to clients as Server-Sent Events.
 * Every stream of the process listens through one subscriber connection; the controller counts
 * each against its caller (EventStreamQuota): a stream also costs a Temporal check per heartbeat.
 */
@Injectable()
export class ImportEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(ImportEventsService.name);
  private readonly subscriber: ChannelSubscriber;

  constructor(
    private readonly redis: RedisStore,
    private readonly imports: ImportsRepository,
  ) {
    this.subscriber = new ChannelSubscriber(
      () => this.redis.subscriberConnection(),
      throttledProblems((message) => this.logger.warn(`import events subscriber: ${message}`)),
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
    const channel = importEventsChannel(workspaceId, importId);
    return liveEventStream(() => {
      let live = false;
      const early: ImportEvent[] = [];
      let latestAt = '';
      const emit = (sink: EventSink, event: ImportEvent) => {
        if (sink.closed || event.at < latestAt) return;
        latestAt = event.at;
        sink.next({ data: event });
        if (FINAL_IMPORT_STATUSES.includes(event.status)) sink.complete();
      };
      return {
        subscribe: (sink) =>
          this.subscriber.listen(channel, (message) => {
            const event = parseEvent<ImportEvent>(message, this.logger, channel);
            if (!event) return;
            if (live) emit(sink, event);
            else early.push(event);
          }),
        afterSubscribe: async (sink) => {
          const record = await this.imports.findById(workspaceId, importId);
          if (!record) return sink.complete();
          emit(sink, eventOf(record));
          live = true;
          for (const event of early) emit(sink, event);
        },
        release,
        onHeartbeat: () => {
          onHeartbeat().catch((error: unknown) =>
            this.logger.warn(`import events heartbeat check: ${String(error)}`),
          );
        },
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
