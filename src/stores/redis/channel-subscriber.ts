import type Redis from 'ioredis';

type Listener = (message: string) => void;
type PatternListener = (channel: string, message: string) => void;

interface Channel {
  listeners: Set<Listener>;
  /** Resolves once Redis confirmed the subscription, so nothing published after it is lost. */
  subscribed: Promise<unknown>;
}

/**
 * One Redis subscriber connection shared by every listener of a process (a subscribed
 * connection can run nothing else), subscribing to a channel while it has listeners. Opened on
 * first use; ioredis resubscribes by itself after a reconnect.
 */
export class ChannelSubscriber {
  private connection?: Redis;
  private readonly channels = new Map<string, Channel>();
  private readonly patterns = new Map<
    string,
    { listeners: Set<PatternListener>; subscribed: Promise<unknown> }
  >();

  constructor(
    private readonly open: () => Redis,
    private readonly onProblem: (message: string) => void,
  ) {}

  /** Calls listener with each message on the channel until the returned function is called. */
  async listen(channel: string, listener: Listener): Promise<() => void> {
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { listeners: new Set(), subscribed: this.subscriber().subscribe(channel) };
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

  /**
   * Calls listener with each message on any channel matching the glob pattern (PSUBSCRIBE) until
   * the returned function is called.
   */
  async listenPattern(pattern: string, listener: PatternListener): Promise<() => void> {
    let entry = this.patterns.get(pattern);
    if (!entry) {
      entry = { listeners: new Set(), subscribed: this.subscriber().psubscribe(pattern) };
      this.patterns.set(pattern, entry);
    }
    const current = entry;
    current.listeners.add(listener);
    const release = () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0 || this.patterns.get(pattern) !== current) return;
      this.patterns.delete(pattern);
      this.connection?.punsubscribe(pattern).catch((error: unknown) => {
        this.onProblem(`could not unsubscribe from ${pattern}: ${String(error)}`);
      });
    };
    try {
      await current.subscribed;
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /** Channels with at least one listener (for tests and metrics). */
  get channelCount(): number {
    return this.channels.size;
  }

  close(): void {
    this.channels.clear();
    this.patterns.clear();
    this.connection?.disconnect();
    this.connection = undefined;
  }

  private release(channel: string, entry: Channel, listener: Listener): void {
    entry.listeners.delete(listener);
    if (entry.listeners.size > 0 || this.channels.get(channel) !== entry) return;
    this.channels.delete(channel);
    this.connection?.unsubscribe(channel).catch((error: unknown) => {
      this.onProblem(`could not unsubscribe from ${channel}: ${String(error)}`);
    });
  }

  private subscriber(): Redis {
    if (this.connection) return this.connection;
    const connection = this.open();
    connection.on('message', (channel: string, message: string) => {
      for (const listener of [...(this.channels.get(channel)?.listeners ?? [])]) listener(message);
    });
    connection.on('pmessage', (pattern: string, channel: string, message: string) => {
      for (const listener of [...(this.patterns.get(pattern)?.listeners ?? [])]) {
        listener(channel, message);
      }
    });
    connection.on('error', (error: Error) => this.onProblem(error.message));
    this.connection = connection;
    return connection;
  }
}

/**
 * A ChannelSubscriber's onProblem that passes on at most one message per interval: Redis
 * problems repeat for as long as it is away.
 */
export function throttledProblems(
  warn: (message: string) => void,
  intervalMs = 10_000,
): (message: string) => void {
  let lastPassedAt = 0;
  return (message) => {
    const now = Date.now();
    if (now - lastPassedAt < intervalMs) return;
    lastPassedAt = now;
    warn(message);
  };
}
