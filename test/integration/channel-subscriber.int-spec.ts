import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { ChannelSubscriber } from '../../src/stores/redis/channel-subscriber';
import { RedisStore } from '../../src/stores/redis/redis.store';

jest.setTimeout(20_000);

describe('ChannelSubscriber (real Redis)', () => {
  const store = new RedisStore(loadConfig());

  afterAll(async () => {
    await store.onModuleDestroy();
  });

  // A console or the CLI uploading several files follows each one's stream: the process's
  // first subscriptions arrive, a few milliseconds apart, while its subscriber connection is
  // still being opened. Each spacing is tried on a fresh subscriber.
  it.each([0, 1, 2, 3, 5, 8])(
    'delivers on every channel when the first listeners come %i ms apart',
    async (spacingMs) => {
      const problems: string[] = [];
      const subscriber = new ChannelSubscriber(
        () => store.subscriberConnection(),
        (message) => problems.push(message),
      );
      try {
        const channels = Array.from({ length: 6 }, () => `cairn:test:subscriber:${randomUUID()}`);
        const received = new Map<string, string[]>(channels.map((channel) => [channel, []]));
        const listening: Promise<() => void>[] = [];
        for (const channel of channels) {
          listening.push(
            subscriber.listen(channel, (message) => received.get(channel)!.push(message)),
          );
          if (spacingMs > 0) await new Promise((resolve) => setTimeout(resolve, spacingMs));
        }
        const stops = await Promise.all(listening);
        expect(subscriber.channelCount).toBe(channels.length);
        for (const channel of channels) await store.client.publish(channel, `hello ${channel}`);
        const deadline = Date.now() + 5_000;
        while ([...received.values()].some((messages) => messages.length === 0)) {
          if (Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(Object.fromEntries(received)).toEqual(
          Object.fromEntries(channels.map((channel) => [channel, [`hello ${channel}`]])),
        );
        expect(problems).toEqual([]);
        for (const stop of stops) stop();
        expect(subscriber.channelCount).toBe(0);
      } finally {
        subscriber.close();
      }
    },
  );
});
