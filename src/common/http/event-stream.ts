import type { Logger, MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';

// Proxies close connections that stay silent; a heartbeat every so often keeps them open.
export const HEARTBEAT_MS = 15_000;

/** What a stream's source writes to: the client, while it is still there. */
export interface EventSink {
  next(event: MessageEvent): void;
  complete(): void;
  /** The client went away or the stream completed: nothing more will be delivered. */
  readonly closed: boolean;
}

export interface LiveStreamSource {
  /** Starts listening (e.g. a Redis subscription); resolves with the function that stops it. */
  subscribe(sink: EventSink): Promise<() => void>;
  /**
   * Runs once listening, unless the client has gone already: reads and sends the current state
   * (or a `ready` event). Subscribing first means no change falls between the two.
   */
  afterSubscribe?(sink: EventSink): Promise<void> | void;
  /** Gives back the caller's place (EventStreamQuota) when the stream ends, once. */
  release?: () => void;
  /** Runs with every heartbeat (e.g. to notice a workflow that closed without saying so). */
  onHeartbeat?: () => void;
  /** Sees the error that ends the stream (subscribing or reading the state failed). */
  onError?: (error: unknown) => void;
}

/**
 * The plumbing every Server-Sent Events stream of Cairn shares: a heartbeat, subscribe then
 * read, and on close (client gone, completed, failed) stop listening and release the place.
 * `open` runs once per subscriber, so the state it keeps belongs to one client.
 */
export function liveEventStream(open: () => LiveStreamSource): Observable<MessageEvent> {
  return new Observable<MessageEvent>((observer) => {
    const source = open();
    let stopListening: (() => void) | undefined;
    let closed = false;
    const sink: EventSink = {
      next: (event) => observer.next(event),
      complete: () => observer.complete(),
      get closed() {
        return closed || observer.closed;
      },
    };
    const heartbeat = setInterval(() => {
      observer.next({ type: 'heartbeat', data: { at: new Date().toISOString() } });
      source.onHeartbeat?.();
    }, HEARTBEAT_MS);
    void (async () => {
      stopListening = await source.subscribe(sink);
      if (closed) return stopListening();
      await source.afterSubscribe?.(sink);
    })().catch((error: unknown) => {
      source.onError?.(error);
      observer.error(error);
    });
    return () => {
      closed = true;
      clearInterval(heartbeat);
      stopListening?.();
      source.release?.();
    };
  });
}

/** A published event's JSON, or undefined (with a warning) when it is not JSON. */
export function parseEvent<T>(message: string, logger: Logger, where: string): T | undefined {
  try {
    return JSON.parse(message) as T;
  } catch {
    logger.warn(`ignoring a malformed event on ${where}`);
    return undefined;
  }
}
