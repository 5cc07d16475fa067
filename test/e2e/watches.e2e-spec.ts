import { randomBytes } from 'node:crypto';
import { readJsonEvents } from '../../client';
import type { DocumentAcceptedDto } from '../../src/documents/documents.dto';
import type { WatchDto, WatchMatchListDto } from '../../src/watches/watches.dto';
import type { WatchMatchEvent } from '../../src/watches/watch.types';
import type { CreatedWebhookDto } from '../../src/webhooks/webhooks.dto';
import { verifyWebhook } from '../../src/webhooks/webhook-signature';
import type { WebhookEvent } from '../../src/webhooks/webhook.types';
import { apiUrl, callApi } from '../support/api';
import { ensureWorkspace, testUser, tokenFor } from '../support/auth';
import { connectTemporal } from '../support/temporal';
import { WebhookReceiver } from '../support/webhook-receiver';

// Watches through the HTTP API against the running workers: documents indexed after a watch is
// made are checked against it by a workflow; a match is recorded, published on GET /events and
// delivered to the workspace's webhooks (a receiver this test runs on loopback).

jest.setTimeout(300_000);

const run = randomBytes(4).toString('hex');
const workspaceId = `watch-${run}`;
const owner = testUser('watches-owner');
let token = '';
const receiver = new WebhookReceiver();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const headers = () => ({ authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId });

const texts = {
  matching: `Voltara Industries opened a sodium battery factory near Oslo in Norway ${run}. The plant builds sodium-ion cells for grid storage.`,
  other: `Mirela Fontaine grows heirloom tomatoes in her garden in Lyon ${run}. She writes about compost and summer rain.`,
};

interface StreamedEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Follows GET /events until stopped, keeping every event. */
async function followEvents(): Promise<{
  events: StreamedEvent[];
  stop: () => void;
  ready: Promise<void>;
}> {
  const controller = new AbortController();
  const events: StreamedEvent[] = [];
  const response = await fetch(`${apiUrl}/events`, {
    headers: headers(),
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  void (async () => {
    for await (const message of readJsonEvents<Record<string, unknown>>(response)) {
      events.push({ event: message.event, data: message.data });
      if (message.event === 'ready') markReady();
    }
  })().catch(() => undefined);
  return { events, stop: () => controller.abort(), ready };
}

async function upload(title: string, text: string): Promise<string> {
  const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
    headers: headers(),
    json: { title, text },
  });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function waitIndexed(id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const response = await callApi<{ status: string }>('GET', `/documents/${id}`, {
      headers: headers(),
    });
    if (response.body.status === 'indexed') return;
    if (response.body.status === 'failed' || Date.now() > deadline) {
      throw new Error(`document ${id} is ${response.body.status}`);
    }
    await sleep(300);
  }
}

/** The watch-check workflows of this workspace that completed. */
async function completedChecks(): Promise<number> {
  const temporal = await connectTemporal();
  try {
    let completed = 0;
    for await (const execution of temporal.client.workflow.list({
      query: `WorkflowType = 'checkWatchesWorkflow'`,
    })) {
      if (
        execution.workflowId.startsWith(`watch-check:${workspaceId}:`) &&
        execution.status.name === 'COMPLETED'
      ) {
        completed += 1;
      }
    }
    return completed;
  } finally {
    await temporal.close();
  }
}

beforeAll(async () => {
  token = await tokenFor(owner);
  await ensureWorkspace(token, workspaceId, 'Watches');
});

afterAll(async () => {
  await receiver.stop();
});

describe('watches', () => {
  it('refuses a bad watch with a 400 and stores nothing', async () => {
    for (const json of [
      { name: 'x', query: '   ' },
      { name: '', query: 'batteries' },
      { name: 'x', query: 'batteries', mode: 'psychic' },
      { name: 'x', query: 'batteries', minScore: 2 },
      { name: 'x', query: 'batteries', filters: { types: ['planet'] } },
      { name: 'x', query: 'batteries', colour: 'red' },
    ]) {
      const response = await callApi('POST', '/watches', { headers: headers(), json });
      expect([json, response.status]).toEqual([json, 400]);
    }
    const listed = await callApi<{ items: WatchDto[] }>('GET', '/watches', { headers: headers() });
    expect(listed.body.items).toEqual([]);
  });

  it('records exactly the matching chunk, publishes it on /events and delivers it to the webhooks', async () => {
    const receiverUrl = await receiver.start();
    const hook = await callApi<CreatedWebhookDto>('POST', '/webhooks', {
      headers: headers(),
      json: { url: receiverUrl, events: ['watch.matched'] },
    });
    expect(hook.status).toBe(201);
    const secret = hook.body.secret!;

    const created = await callApi<WatchDto>('POST', '/watches', {
      headers: headers(),
      json: { name: 'Sodium batteries', query: 'sodium battery factory in Norway' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: 'hybrid', minScore: 0.45, filters: {} });
    const watch = created.body;

    const stream = await followEvents();
    await stream.ready;
    const otherId = await upload(`Garden ${run}`, texts.other);
    const matchingId = await upload(`Batteries ${run}`, texts.matching);
    await Promise.all([waitIndexed(otherId), waitIndexed(matchingId)]);

    // Both documents' checks ran (one workflow each) before the matches are counted.
    const deadline = Date.now() + 120_000;
    while ((await completedChecks()) < 2) {
      if (Date.now() > deadline) throw new Error('the watch checks did not complete');
      await sleep(1_000);
    }
    const matches = await callApi<WatchMatchListDto>('GET', `/watches/${watch.id}/matches`, {
      headers: headers(),
    });
    expect(matches.status).toBe(200);
    expect(matches.body.total).toBe(1);
    const [match] = matches.body.items;
    expect(match).toMatchObject({ watchId: watch.id, documentId: matchingId });
    expect(match.text).toContain('sodium battery factory');
    expect(match.score).toBeGreaterThanOrEqual(0.45);

    // Published on the workspace stream, once, beside the documents' own events.
    for (let waited = 0; waited < 10_000; waited += 200) {
      if (stream.events.some((event) => event.event === 'watch')) break;
      await sleep(200);
    }
    stream.stop();
    const watchEvents = stream.events.filter((event) => event.event === 'watch');
    expect(watchEvents).toHaveLength(1);
    expect(watchEvents[0].data as unknown as WatchMatchEvent).toMatchObject({
      id: match.id,
      watchName: 'Sodium batteries',
      documentId: matchingId,
      workspaceId,
    });
    const indexedDocuments = stream.events
      .filter((event) => event.event === 'document' && event.data.status === 'indexed')
      .map((event) => event.data.documentId);
    expect(indexedDocuments.sort()).toEqual([matchingId, otherId].sort());

    // Delivered, signed, once.
    const [delivery] = await receiver.waitFor((event) => event.type === 'watch.matched');
    await sleep(2_000);
    expect(receiver.requests).toHaveLength(1);
    const event = JSON.parse(delivery.body) as WebhookEvent;
    expect(event).toMatchObject({
      type: 'watch.matched',
      workspaceId,
      data: { id: match.id, documentId: matchingId },
    });
    expect(
      verifyWebhook(
        secret,
        {
          signature: delivery.headers['x-cairn-signature'] as string,
          timestamp: delivery.headers['x-cairn-timestamp'] as string,
        },
        delivery.body,
      ),
    ).toBe(true);
  });

  it('deletes a watch with its matches', async () => {
    const listed = await callApi<{ items: WatchDto[] }>('GET', '/watches', { headers: headers() });
    expect(listed.body.items).toHaveLength(1);
    const id = listed.body.items[0].id;
    expect((await callApi('DELETE', `/watches/${id}`, { headers: headers() })).status).toBe(204);
    expect((await callApi('GET', `/watches/${id}/matches`, { headers: headers() })).status).toBe(
      404,
    );
    expect((await callApi('DELETE', `/watches/${id}`, { headers: headers() })).status).toBe(404);
    const audit = await callApi<{ items: { action: string }[] }>('GET', '/audit?limit=50', {
      headers: headers(),
    });
    expect(audit.body.items.map((item) => item.action)).toEqual(
      expect.arrayContaining(['watch.created', 'watch.deleted', 'webhook.created']),
    );
  });
});
