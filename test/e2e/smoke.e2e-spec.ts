import { testWorkspace } from '../support/auth';
import type { Client } from '@temporalio/client';
import { callApi } from '../support/api';
import { connectTemporal } from '../support/temporal';
import type { SmokeResponse } from '../../src/smoke/smoke.controller';

jest.setTimeout(60_000);

describe('smoke workflow through the API', () => {
  let temporal: { client: Client; close: () => Promise<void> };
  let smoke: SmokeResponse;

  beforeAll(async () => {
    temporal = await connectTemporal();
    const response = await callApi<SmokeResponse>('POST', '/smoke');
    expect(response.status).toBe(200);
    smoke = response.body;
  });
  afterAll(() => temporal.close());

  it('writes and reads back one record in every engine, on every task queue', () => {
    const engines = smoke.checks.map((check) => check.engine).sort();
    expect(engines).toEqual(['ai', 'minio', 'neo4j', 'postgres', 'redis', 'weaviate']);
    expect(smoke.checks.every((check) => check.ok)).toBe(true);
    expect(new Set(smoke.checks.map((check) => check.taskQueue))).toEqual(
      new Set(['general', 'ai', 'storage']),
    );
  });

  it('leaves a completed workflow with its workspace search attribute, linked to the Web UI', async () => {
    const description = await temporal.client.workflow.getHandle(smoke.workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes.WorkspaceId).toEqual([testWorkspace()]);
    expect(smoke.temporalUiUrl).toBe(
      `${process.env.TEMPORAL_UI_URL}/namespaces/${process.env.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(smoke.workflowId)}`,
    );
    const page = await fetch(process.env.TEMPORAL_UI_URL!);
    expect(page.status).toBe(200);
  });

  it('is found by operators filtering on WorkspaceId in visibility', async () => {
    const query = `WorkflowType = 'smokeWorkflow' AND WorkspaceId = '${testWorkspace()}' AND WorkflowId = '${smoke.workflowId}'`;
    let found: string[] = [];
    // Visibility is eventually consistent; give it a few seconds.
    for (let attempt = 0; attempt < 20 && found.length === 0; attempt++) {
      found = [];
      for await (const execution of temporal.client.workflow.list({ query })) {
        found.push(execution.workflowId);
      }
      if (found.length === 0) await new Promise((done) => setTimeout(done, 250));
    }
    expect(found).toEqual([smoke.workflowId]);
  });
});
