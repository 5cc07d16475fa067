import { Injectable, Logger, type MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
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

/** Publishes import progress on Redis pub/sub and relays it to clients as Server-Sent Events. */
@Injectable()
export class ImportEventsService {
  private readonly logger = new Logger(ImportEventsService.name);

  constructor(
    private readonly redis: RedisStore,
    private readonly imports: ImportsRepository,
  ) {}

  async publish(record: ImportRecord): Promise<void> {
    await publishImportEvent(this.redis, record);
  }

  /**
   * The import's current state, then each published change; completes after a final status.
   * Imports are few and long, so each stream has its own subscriber connection.
   */
  stream(
    workspaceId: string,
    importId: string,
    /** Runs with every heartbeat: a chance to notice a workflow that closed without saying so. */
    onHeartbeat: () => Promise<unknown> = async () => undefined,
  ): Observable<MessageEvent> {
    return new Observable<MessageEvent>((observer) => {
      const subscriber = this.redis.client.duplicate();
      subscriber.on('error', (error: Error) =>
        this.logger.warn(`import events subscriber: ${error.message}`),
      );
      let live = false;
      const early: ImportEvent[] = [];
      let latestAt = '';
      const emit = (event: ImportEvent) => {
        if (observer.closed || event.at < latestAt) return;
        latestAt = event.at;
        observer.next({ data: event });
        if (FINAL_IMPORT_STATUSES.includes(event.status)) observer.complete();
      };
      subscriber.on('message', (_channel: string, message: string) => {
        try {
          const event = JSON.parse(message) as ImportEvent;
          if (live) emit(event);
          else early.push(event);
        } catch {
          this.logger.warn('ignoring a malformed import event');
        }
      });
      const heartbeat = setInterval(() => {
        observer.next({ type: 'heartbeat', data: { at: new Date().toISOString() } });
        onHeartbeat().catch((error: unknown) =>
          this.logger.warn(`import events heartbeat check: ${String(error)}`),
        );
      }, HEARTBEAT_MS);
      // Subscribe before reading the current state, so that no change falls between the two.
      void (async () => {
        await subscriber.subscribe(importEventsChannel(workspaceId, importId));
        const record = await this.imports.findById(workspaceId, importId);
        if (!record) return observer.complete();
        emit(eventOf(record));
        live = true;
        for (const event of early) emit(event);
      })().catch((error: unknown) => observer.error(error));
      return () => {
        clearInterval(heartbeat);
        subscriber.disconnect();
      };
    });
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
