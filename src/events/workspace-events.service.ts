import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { liveEventStream, parseEvent } from '../common/http/event-stream';
import { ChannelSubscriber, throttledProblems } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';

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

  constructor(private readonly redis: RedisStore) {
    this.subscriber = new ChannelSubscriber(
      () => this.redis.subscriberConnection(),
      throttledProblems((message) => this.logger.warn(`Redis subscriber problem: ${message}`)),
    );
  }

  /**
   * A `ready` event once subscribed (what is published after it is delivered), then each event
   * as `{ type: <kind>, data: <the event> }`, until the client goes away; then `release` (the
   * caller's place in EventStreamQuota) is called.
   */
  stream(workspaceId: string, release: () => void = () => undefined): Observable<MessageEvent> {
    return liveEventStream(() => ({
      subscribe: (sink) =>
        this.subscriber.listenPattern(workspaceEventsPattern(workspaceId), (channel, message) => {
          const kind = kindOfChannel(workspaceId, channel);
          if (!kind || sink.closed) return;
          const data = parseEvent<object>(message, this.logger, channel);
          if (data !== undefined) sink.next({ type: kind, data });
        }),
      afterSubscribe: (sink) =>
        sink.next({ type: 'ready', data: { workspaceId, at: new Date().toISOString() } }),
      release,
      onError: (error) =>
        this.logger.warn(`event stream of workspace ${workspaceId} failed: ${String(error)}`),
    }));
  }

  onModuleDestroy(): void {
    this.subscriber.close();
  }
}
