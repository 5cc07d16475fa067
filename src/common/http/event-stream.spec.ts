import type { MessageEvent } from '@nestjs/common';
import { HEARTBEAT_MS, liveEventStream, type EventSink } from './event-stream';

describe('liveEventStream', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const flush = async () => {
    for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
  };

  it('subscribes, then sends the current state, then live events and heartbeats', async () => {
    let deliver: ((data: string) => void) | undefined;
    const seen: MessageEvent[] = [];
    const stream = liveEventStream(() => ({
      subscribe: async (sink: EventSink) => {
        deliver = (data) => sink.next({ data });
        return () => undefined;
      },
      afterSubscribe: (sink) => sink.next({ type: 'ready', data: 'now' }),
    }));
    const subscription = stream.subscribe((event) => seen.push(event));
    await flush();
    deliver?.('first');
    jest.advanceTimersByTime(HEARTBEAT_MS);
    expect(seen.map((event) => event.type ?? event.data)).toEqual(['ready', 'first', 'heartbeat']);
    subscription.unsubscribe();
  });

  it('stops listening and releases the place once, when the client goes away', async () => {
    const stop = jest.fn();
    const release = jest.fn();
    const onHeartbeat = jest.fn();
    const subscription = liveEventStream(() => ({
      subscribe: async () => stop,
      release,
      onHeartbeat,
    })).subscribe(() => undefined);
    await flush();
    subscription.unsubscribe();
    jest.advanceTimersByTime(HEARTBEAT_MS * 3);
    expect(stop).toHaveBeenCalledTimes(1);
    expect(release).toHaveBeenCalledTimes(1);
    expect(onHeartbeat).not.toHaveBeenCalled();
  });

  it('stops a subscription that completes after the client has gone, without reading state', async () => {
    let subscribed: (stop: () => void) => void = () => undefined;
    const stop = jest.fn();
    const afterSubscribe = jest.fn();
    const subscription = liveEventStream(() => ({
      subscribe: () => new Promise<() => void>((resolve) => (subscribed = resolve)),
      afterSubscribe,
    })).subscribe(() => undefined);
    subscription.unsubscribe();
    subscribed(stop);
    await flush();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(afterSubscribe).not.toHaveBeenCalled();
  });

  it('ends the stream with the error when reading the state fails, and releases', async () => {
    const release = jest.fn();
    const onError = jest.fn();
    const failure = new Error('postgres away');
    let received: unknown;
    liveEventStream(() => ({
      subscribe: async () => () => undefined,
      afterSubscribe: async () => {
        throw failure;
      },
      release,
      onError,
    })).subscribe({ error: (error: unknown) => (received = error) });
    await flush();
    expect(received).toBe(failure);
    expect(onError).toHaveBeenCalledWith(failure);
    expect(release).toHaveBeenCalledTimes(1);
  });

  it('keeps the state of each client apart', async () => {
    let opened = 0;
    const stream = liveEventStream(() => {
      opened += 1;
      return { subscribe: async () => () => undefined };
    });
    stream.subscribe(() => undefined).unsubscribe();
    stream.subscribe(() => undefined).unsubscribe();
    expect(opened).toBe(2);
  });
});
