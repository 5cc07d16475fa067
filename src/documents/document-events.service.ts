import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { type EventSink, liveEventStream, parseEvent } from '../common/http/event-stream';
import { ChannelSubscriber, throttledProblems } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';
import { documentEventOf, documentEventsChannel, type DocumentEvent } from './document.types';
import { DocumentsRepository } from './documents.repository';

/** After these a document's stream has nothing more to say. */
const TERMINAL_STATUSES = new Set<DocumentEvent['status']>(['indexed', 'failed', 'deleted']);

/**
 * Live document status for Server-Sent Events. One dedicated Redis subscriber connection per
 * process (a subscribed connection cannot run other commands), fanned out to every client.
 */
@Injectable()
export class DocumentEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(DocumentEventsService.name);
  private readonly subscriber: ChannelSubscriber;

  constructor(
    private readonly redis: RedisStore,
    private readonly documents: DocumentsRepository,
  ) {
    this.subscriber = new ChannelSubscriber(
      () => this.redis.subscriberConnection(),
      throttledProblems((message) => this.logger.warn(`Redis subscriber problem: ${message}`)),
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
    return liveEventStream(() => {
      let live = false;
      const early: DocumentEvent[] = [];
      const emit = (sink: EventSink, event: DocumentEvent) => {
        if (sink.closed) return;
        sink.next({ data: event });
        if (TERMINAL_STATUSES.has(event.status)) sink.complete();
      };
      return {
        subscribe: (sink) =>
          this.listen(workspaceId, documentId, (event) =>
            live ? emit(sink, event) : early.push(event),
          ),
        afterSubscribe: async (sink) => {
          const record = await this.documents.findById(workspaceId, documentId);
          const current = record
            ? documentEventOf(record)
            : deletedEvent(workspaceId, documentId, new Date().toISOString());
          emit(sink, current);
          live = true;
          for (const event of early) if (event.at >= current.at) emit(sink, event);
        },
        release,
        onError: (error) =>
          this.logger.warn(`event stream of ${documentId} failed: ${String(error)}`),
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
      const event = parseEvent<DocumentEvent>(message, this.logger, channel);
      if (event) listener(event);
    });
  }

  onModuleDestroy(): void {
    this.subscriber.close();
  }
}

function deletedEvent(workspaceId: string, documentId: string, at: string): DocumentEvent {
  return { documentId, workspaceId, status: 'deleted', stage: null, at };
}
