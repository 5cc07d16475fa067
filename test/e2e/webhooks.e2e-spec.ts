import { randomBytes } from 'node:crypto';
import type { DocumentAcceptedDto } from '../../src/documents/documents.dto';
import type {
  CreatedWebhookDto,
  WebhookDeliveryListDto,
  WebhookListDto,
  WebhookSecretDto,
} from '../../src/webhooks/webhooks.dto';
import { verifyWebhook } from '../../src/webhooks/webhook-signature';
import type { WebhookEvent } from '../../src/webhooks/webhook.types';
import { callApi } from '../support/api';
import { addMember, ensureWorkspace, testUser, tokenFor } from '../support/auth';
import { WebhookReceiver, type ReceivedRequest } from '../support/webhook-receiver';

// Webhooks through the HTTP API against the running workers: signed deliveries to a receiver
// this test runs on loopback (the tests' API and workers allow 127.0.0.0/8 by configuration).

jest.setTimeout(240_000);

const run = randomBytes(4).toString('hex');
const workspaceId = `hooks-${run}`;
const owner = testUser('webhooks-owner');
const editor = testUser('webhooks-editor');
let ownerToken = '';
const receiver = new WebhookReceiver();
let receiverUrl = '';
let secret = '';
let webhookId = '';

const asOwner = () => ({ authorization: `Bearer ${ownerToken}`, 'x-workspace-id': workspaceId });

const header = (request: ReceivedRequest, name: string) => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};
const verifies = (request: ReceivedRequest, withSecret: string) =>
  verifyWebhook(
    withSecret,
    {
      signature: header(request, 'X-Cairn-Signature'),
      timestamp: header(request, 'X-Cairn-Timestamp'),
    },
    request.body,
  );
const eventOf = (request: ReceivedRequest) => JSON.parse(request.body) as WebhookEvent;

async function upload(text: string): Promise<{ id: string; traceId: string }> {
  const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
    headers: asOwner(),
    json: { title: `Webhook note ${run}`, text },
  });
  expect(response.status).toBe(202);
  return { id: response.body.id, traceId: response.headers.get('x-trace-id') ?? '' };
}

const indexedOf =
  (documentId: string) => (event: { type: string; data: Record<string, unknown> }) =>
    event.type === 'documents.indexed' && (event.data.documentIds as string[]).includes(documentId);

beforeAll(async () => {
  ownerToken = await tokenFor(owner);
  await ensureWorkspace(ownerToken, workspaceId, 'Webhooks');
  receiverUrl = await receiver.start();
});

afterAll(async () => {
  await receiver.stop();
});

describe('webhooks', () => {
  it('refuses URLs that are not http(s) or reach private networks the configuration does not allow', async () => {
    for (const url of [
      'ftp://example.com/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest',
      'not a url',
    ]) {
      const response = await callApi<{ message: string }>('POST', '/webhooks', {
        headers: asOwner(),
        json: { url },
      });
      expect([url, response.status]).toEqual([url, 400]);
    }
    const unknownEvent = await callApi('POST', '/webhooks', {
      headers: asOwner(),
      json: { url: receiverUrl, events: ['document.exploded'] },
    });
    expect(unknownEvent.status).toBe(400);
    const listed = await callApi<WebhookListDto>('GET', '/webhooks', { headers: asOwner() });
    expect(listed.body.items).toEqual([]);
  });

  it('is for admins only', async () => {
    const editorToken = await tokenFor(editor);
    await addMember(workspaceId, ownerToken, { user: editor, token: editorToken }, 'editor');
    const headers = { authorization: `Bearer ${editorToken}`, 'x-workspace-id': workspaceId };
    expect((await callApi('GET', '/webhooks', { headers })).status).toBe(403);
    expect(
      (await callApi('POST', '/webhooks', { headers, json: { url: receiverUrl } })).status,
    ).toBe(403);
    expect((await callApi('POST', '/webhooks/secret', { headers })).status).toBe(403);
  });

  it('shows the signing secret once, when the first endpoint makes it', async () => {
    const created = await callApi<CreatedWebhookDto>('POST', '/webhooks', {
      headers: asOwner(),
      json: { url: receiverUrl },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: receiverUrl, events: null, workspaceId });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    secret = created.body.secret!;
    webhookId = created.body.id;

    const listed = await callApi<WebhookListDto>('GET', '/webhooks', { headers: asOwner() });
    expect(listed.body.items.map((item) => item.id)).toEqual([webhookId]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  });

  it('delivers a signed event in the trace of the upload that caused it', async () => {
    const { id, traceId } = await upload(
      `Osric Vellane charted the Calder estuary in 1871. ${run}-a`,
    );
    const [request] = await receiver.waitFor(indexedOf(id));
    expect(verifies(request, secret)).toBe(true);
    expect(verifies(request, `${secret}x`)).toBe(false);
    const event = eventOf(request);
    expect(event).toMatchObject({
      type: 'documents.indexed',
      workspaceId,
      data: { documentIds: [id] },
    });
    expect(header(request, 'X-Cairn-Event')).toBe('documents.indexed');
    expect(header(request, 'X-Cairn-Delivery')).toMatch(/^[0-9a-f-]{36}$/);
    expect(header(request, 'content-type')).toBe('application/json');
    // The delivery span's context reached the receiver, in the trace of the upload request.
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(header(request, 'traceparent')).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`),
    );
  });

  it('retries after 500s with the same delivery id until the receiver takes it', async () => {
    receiver.failNext = 2;
    const { id } = await upload(`Brannoch Tull surveyed the Ise moorland in 1902. ${run}-b`);
    const attempts = await receiver.waitFor(indexedOf(id), { count: 3 });
    expect(attempts.map((attempt) => attempt.answered)).toEqual([500, 500, 200]);
    const deliveryIds = new Set(attempts.map((attempt) => header(attempt, 'X-Cairn-Delivery')));
    expect(deliveryIds.size).toBe(1);
    // Each attempt is signed afresh, and each signature verifies.
    for (const attempt of attempts) expect(verifies(attempt, secret)).toBe(true);
    // Backoff: the second retry waited longer than the first.
    expect(attempts[2].at - attempts[1].at).toBeGreaterThan(attempts[1].at - attempts[0].at);

    const deliveries = await callApi<WebhookDeliveryListDto>(
      'GET',
      `/webhooks/${webhookId}/deliveries`,
      {
        headers: asOwner(),
      },
    );
    const delivery = deliveries.body.items.find((item) => deliveryIds.has(item.id));
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });
  });

  it('never delivers one event twice nor two events under one id', async () => {
    // Every event this receiver took, and every delivery the API lists.
    const taken = receiver.requests.filter((request) => request.answered === 200);
    const takenIds = taken.map((request) => header(request, 'X-Cairn-Delivery'));
    expect(new Set(takenIds).size).toBe(takenIds.length);
    const eventIds = taken.map((request) => eventOf(request).id);
    expect(new Set(eventIds).size).toBe(eventIds.length);
    const deliveries = await callApi<WebhookDeliveryListDto>(
      'GET',
      `/webhooks/${webhookId}/deliveries`,
      {
        headers: asOwner(),
      },
    );
    const listedIds = deliveries.body.items.map((item) => item.id);
    expect(new Set(listedIds).size).toBe(listedIds.length);
    expect(new Set(deliveries.body.items.map((item) => item.eventId)).size).toBe(listedIds.length);
    expect(listedIds.sort()).toEqual([...takenIds].sort());
  });

  it('rotates the secret: later deliveries verify with the new one only', async () => {
    const rotated = await callApi<WebhookSecretDto>('POST', '/webhooks/secret', {
      headers: asOwner(),
    });
    expect(rotated.status).toBe(201);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(secret);
    const { id } = await upload(`Idris Pemberton restored the Wexmoor mill in 1933. ${run}-c`);
    const [request] = await receiver.waitFor(indexedOf(id));
    expect(verifies(request, rotated.body.secret)).toBe(true);
    expect(verifies(request, secret)).toBe(false);
    secret = rotated.body.secret;
  });

  it('stops delivering to a removed endpoint, and audits each change', async () => {
    expect((await callApi('DELETE', `/webhooks/${webhookId}`, { headers: asOwner() })).status).toBe(
      204,
    );
    expect((await callApi('DELETE', `/webhooks/${webhookId}`, { headers: asOwner() })).status).toBe(
      404,
    );
    const before = receiver.requests.length;
    const { id } = await upload(`Tamsin Orley mapped the Harrow fens in 1956. ${run}-d`);
    // The document's own event stream says when it is indexed; no delivery follows.
    for (let waited = 0; waited < 90_000; waited += 500) {
      const document = await callApi<{ status: string }>('GET', `/documents/${id}`, {
        headers: asOwner(),
      });
      if (document.body.status === 'indexed') break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(receiver.requests.length).toBe(before);

    const audit = await callApi<{ items: { action: string; targetId: string | null }[] }>(
      'GET',
      '/audit?limit=50',
      { headers: asOwner() },
    );
    const actions = audit.body.items.map((item) => item.action);
    expect(actions).toEqual(
      expect.arrayContaining(['webhook.created', 'webhook.secret_rotated', 'webhook.deleted']),
    );
    expect(audit.body.items.find((item) => item.action === 'webhook.deleted')?.targetId).toBe(
      webhookId,
    );
  });
});
