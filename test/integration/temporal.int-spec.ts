import { randomUUID } from 'node:crypto';
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

  it('gives a client bound to Cairn namespace that can start, count and terminate workflows', async () => {
    const client = await service.client();
    expect(client.options.namespace).toBe(config.TEMPORAL_NAMESPACE);
    // A workflow no worker polls for: it stays running until terminated below.
    const workflowId = `temporal-int-probe:${randomUUID()}`;
    const handle = await client.workflow.start('noSuchWorkflowType', {
      workflowId,
      taskQueue: `temporal-int-probe-${randomUUID()}`,
      args: [],
    });
    try {
      const query = `WorkflowId = '${workflowId}'`;
      // Visibility is eventually consistent: the new run is counted within moments.
      const deadline = Date.now() + 10_000;
      let counted = (await client.workflow.count(query)).count;
      while (counted === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        counted = (await client.workflow.count(query)).count;
      }
      expect(counted).toBe(1);
      expect(
        (await client.workflow.count(`WorkflowId = 'temporal-int-probe:${randomUUID()}'`)).count,
      ).toBe(0);
    } finally {
      await handle.terminate('probe done');
    }
    expect((await handle.describe()).status.name).toBe('TERMINATED');
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
