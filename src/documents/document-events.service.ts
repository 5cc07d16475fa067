import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import type Redis from 'ioredis';
import { Observable } from 'rxjs';
import { RedisStore } from '../stores/redis/redis.store';
import { documentEventOf, documentEventsChannel, type DocumentEvent } from './document.types';
import { DocumentsRepository } from './documents.repository';

type Listener = (event: DocumentEvent) => void;

interface ChannelListeners {
  listeners: Set<Listener>;
  /** Resolves once Redis confirmed the subscription, so no event published after it is lost. */
  subscribed: Promise<unknown>;
}

/** After these a document's stream has nothing more to say. */
const TERMINAL_STATUSES = new Set<DocumentEvent['status']>(['indexed', 'failed', 'deleted']);
// Proxies close connections that stay silent; a comment-like event every so often keeps it open.
const HEARTBEAT_MS = 15_000;

/**
 * Live document status for Server-Sent Events. One dedicated Redis subscriber connection per
 * process (a subscribed connection cannot run other commands), fanned out to every client.
 */
@Injectable()
export class DocumentEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(DocumentEventsService.name);
  private subscriber?: Redis;
  private readonly channels = new Map<string, ChannelListeners>();
  private lastErrorLoggedAt = 0;

  constructor(
    private readonly redis: RedisStore,
    private readonly documents: DocumentsRepository,
  ) {}

  /**
   * The document's current state, then each published change, completing after a terminal
   * status. Unsubscribing (the client went away) releases the Redis subscription.
   */
  stream(workspaceId: string, documentId: string): Observable<MessageEvent> {
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
      };
    });
  }

  /** Calls listener for each event of one document until the returned function is called. */
  async listen(workspaceId: string, documentId: string, listener: Listener): Promise<() => void> {
    const channel = documentEventsChannel(workspaceId, documentId);
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { listeners: new Set(), subscribed: this.connection().subscribe(channel) };
      this.channels.set(channel, entry);
    }
    const current = entry;
    current.listeners.add(listener);
    try {
      await current.subscribed;
    } catch (error) {
      this.release(channel, current, listener);
      throw error;
    }
    return () => this.release(channel, current, listener);
  }

  private release(channel: string, entry: ChannelListeners, listener: Listener): void {
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0 || this.channels.get(channel) !== entry) return;
    this.channels.delete(channel);
    this.subscriber?.unsubscribe(channel).catch((error: unknown) => {
      this.logger.warn(`could not unsubscribe from ${channel}: ${String(error)}`);
    });
  }

  private connection(): Redis {
    if (this.subscriber) return this.subscriber;
    // Same settings as the shared client; ioredis resubscribes by itself after a reconnect.
    const subscriber = this.redis.client.duplicate();
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    subscriber.on('error', (error: Error) => {
      const now = Date.now();
      if (now - this.lastErrorLoggedAt < 10_000) return;
      this.lastErrorLoggedAt = now;
      this.logger.warn(`Redis subscriber problem: ${error.message}`);
    });
    this.subscriber = subscriber;
    return subscriber;
  }

  private dispatch(channel: string, message: string): void {
    const entry = this.channels.get(channel);
    if (!entry) return;
    let event: DocumentEvent;
    try {
      event = JSON.parse(message) as DocumentEvent;
    } catch {
      this.logger.warn(`ignoring a malformed event on ${channel}`);
      return;
    }
    for (const listener of [...entry.listeners]) listener(event);
  }

  async onModuleDestroy(): Promise<void> {
    this.channels.clear();
    this.subscriber?.disconnect();
  }
}

function deletedEvent(workspaceId: string, documentId: string, at: string): DocumentEvent {
  return { documentId, workspaceId, status: 'deleted', stage: null, at };
}
