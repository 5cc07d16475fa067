import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ChannelSubscriber } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';

// Proxies close connections that stay silent; a heartbeat every so often keeps it open.
const HEARTBEAT_MS = 15_000;
const PROBLEM_LOG_INTERVAL_MS = 10_000;

/** The kinds of event the workspace stream carries, from the channel that carried them. */
export const WORKSPACE_EVENT_KINDS = [
  'document',
  'import',
  'domain',
  'watch',
  'connector',
] as const;
export type WorkspaceEventKind = (typeof WORKSPACE_EVENT_KINDS)[number];

// Every live channel of a workspace is `cairn:ws:<workspace>:<kind>[:<id>]:events` (documents,
// imports, domains, watches, connector runs): one pattern subscription follows them all.
const KIND_BY_SEGMENT: Record<string, WorkspaceEventKind> = {
  document: 'document',
  import: 'import',
  domains: 'domain',
  watch: 'watch',
  connector: 'connector',
};

export function workspaceEventsPattern(workspaceId: string): string {
  return `cairn:ws:${workspaceId}:*events`;
}

/** The kind of a workspace channel, or undefined for a channel the stream does not carry. */
export function kindOfChannel(
  workspaceId: string,
  channel: string,
): WorkspaceEventKind | undefined {
  const prefix = `cairn:ws:${workspaceId}:`;
  if (!channel.startsWith(prefix) || !channel.endsWith(':events')) return undefined;
  return KIND_BY_SEGMENT[channel.slice(prefix.length).split(':')[0] ?? ''];
}

/**
 * Everything that happens in a workspace, live, for Server-Sent Events: one Redis pattern
 * subscription per workspace and process, fanned out to every client following it.
 */
@Injectable()
export class WorkspaceEventsService implements OnModuleDestroy {
  private readonly logger = new Logger(WorkspaceEventsService.name);
  private readonly subscriber: ChannelSubscriber;
  private lastProblemLoggedAt = 0;

  constructor(private readonly redis: RedisStore) {
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
   * A `ready` event once subscribed (what is published after it is delivered), then each event
   * as `{ type: <kind>, data: <the event> }`, until the client goes away; then `release` (the
   * caller's place in EventStreamQuota) is called.
   */
  stream(workspaceId: string, release: () => void = () => undefined): Observable<MessageEvent> {
    return new Observable<MessageEvent>((observer) => {
      let stopListening: (() => void) | undefined;
      let closed = false;
      const heartbeat = setInterval(
        () => observer.next({ type: 'heartbeat', data: { at: new Date().toISOString() } }),
        HEARTBEAT_MS,
      );
      void this.subscriber
        .listenPattern(workspaceEventsPattern(workspaceId), (channel, message) => {
          const kind = kindOfChannel(workspaceId, channel);
          if (!kind || observer.closed) return;
          let data: unknown;
          try {
            data = JSON.parse(message);
          } catch {
            this.logger.warn(`ignoring a malformed event on ${channel}`);
            return;
          }
          observer.next({ type: kind, data: data as object });
        })
        .then((stop) => {
          stopListening = stop;
          if (closed) return stop();
          observer.next({ type: 'ready', data: { workspaceId, at: new Date().toISOString() } });
        })
        .catch((error: unknown) => {
          this.logger.warn(`event stream of workspace ${workspaceId} failed: ${String(error)}`);
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

  onModuleDestroy(): void {
    this.subscriber.close();
  }
}
