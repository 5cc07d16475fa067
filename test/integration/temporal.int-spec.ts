import { loadConfig } from '../../src/config/config';
import { TemporalClientService } from '../../src/temporal/temporal-client.service';

jest.setTimeout(20_000);

describe('TemporalClientService (real Temporal)', () => {
  const config = loadConfig();
  const service = new TemporalClientService(config);

  afterAll(async () => {
    await service.onModuleDestroy();
  });

  it('answers ping (server up, namespace present)', async () => {
    await expect(service.ping()).resolves.toBeUndefined();
  });

  it('gives a client bound to Cairn namespace that can list workflows', async () => {
    const client = await service.client();
    expect(client.options.namespace).toBe(config.TEMPORAL_NAMESPACE);
    const count = await client.workflow.count();
    expect(count.count).toBeGreaterThanOrEqual(0);
  });

  it('fails ping quickly for a namespace that does not exist', async () => {
    const stranger = new TemporalClientService({
      ...config,
      TEMPORAL_NAMESPACE: 'no-such-namespace',
    });
    try {
      await expect(stranger.ping()).rejects.toThrow(/not found|NotFound/i);
    } finally {
      await stranger.onModuleDestroy();
    }
  });
});
