import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ChannelSubscriber } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';
import { documentEventOf, documentEventsChannel, type DocumentEvent } from './document.types';
import { DocumentsRepository } from './documents.repository';

/** After these a document's stream has nothing more to say. */
const TERMINAL_STATUSES = new Set<DocumentEvent['status']>(['indexed', 'failed', 'deleted']);
// Proxies close connections that stay silent; a comment-like event every so often keeps it open.
const HEARTBEAT_MS = 15_000;
// Redis problems repeat while it is away: one warning per this interval is enough.
const PROBLEM_LOG_INTERVAL_MS = 10_000;

/**
 * Live document status for Server-Sent Events. One dedicated Redis subscriber connection per
 * process (a subscribed connection cannot run other commands), fanned out to every client.
 */
@Injectable()
export class DocumentEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(DocumentEventsService.name);
  private readonly subscriber: ChannelSubscriber;
  private lastProblemLoggedAt = 0;

  constructor(
    private readonly redis: RedisStore,
    private readonly documents: DocumentsRepository,
  ) {
    this.subscriber = new ChannelSubscriber(
      () => this.redis.subscriberConnection(),
      (message) => {
        const now = Date.now();
        if (now - this.lastProblemLoggedAt < PROBLEM_LOG_INTERVAL_MS) return;
        this.lastProblemLoggedAt = now;
        this.logger.warn(`Redis subscriber problem: ${message}`);
      },
    );
  }

  /**
   * The document's current state, then each published change, completing after a terminal
   * status. Unsubscribing (the client went away) releases the Redis subscription and calls
   * `release` (the caller's place in EventStreamQuota).
   */
  stream(
    workspaceId: string,
    documentId: string,
    release: () => void = () => undefined,
  ): Observable<MessageEvent> {
    return new Observable<MessageEvent>((observer) => {
      let stopListening: (() => void) | undefined;
      let closed = false;
      let live = false;
      const early: DocumentEvent[] = [];
      const emit = (event: DocumentEvent) => {
        if (observer.closed) return;
        observer.next({ data: event });
        if (TERMINAL_STATUSES.has(event.status)) observer.complete();
      };
      const heartbeat = setInterval(
        () => observer.next({ type: 'heartbeat', data: { at: new Date().toISOString() } }),
        HEARTBEAT_MS,
      );

      // Subscribe before reading the current state, so that no change falls between the two.
      void (async () => {
        stopListening = await this.listen(workspaceId, documentId, (event) =>
          live ? emit(event) : early.push(event),
        );
        if (closed) return stopListening();
        const record = await this.documents.findById(workspaceId, documentId);
        const current = record
          ? documentEventOf(record)
          : deletedEvent(workspaceId, documentId, new Date().toISOString());
        emit(current);
        live = true;
        for (const event of early) if (event.at >= current.at) emit(event);
      })().catch((error: unknown) => {
        this.logger.warn(`event stream of ${documentId} failed: ${String(error)}`);
        observer.error(error);
      });

      return () => {
        closed = true;
        clearInterval(heartbeat);
        stopListening?.();
        release();
      };
    });
  }

  /** Calls listener for each event of one document until the returned function is called. */
  listen(
    workspaceId: string,
    documentId: string,
    listener: (event: DocumentEvent) => void,
  ): Promise<() => void> {
    const channel = documentEventsChannel(workspaceId, documentId);
    return this.subscriber.listen(channel, (message) => {
      let event: DocumentEvent;
      try {
        event = JSON.parse(message) as DocumentEvent;
      } catch {
        this.logger.warn(`ignoring a malformed event on ${channel}`);
        return;
      }
      listener(event);
    });
  }

  onModuleDestroy(): void {
    this.subscriber.close();
  }
}

function deletedEvent(workspaceId: string, documentId: string, at: string): DocumentEvent {
  return { documentId, workspaceId, status: 'deleted', stage: null, at };
}
