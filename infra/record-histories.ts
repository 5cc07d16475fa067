/**
 * Records one real history of every workflow type for the replay test
 * (test/integration/workflow-replay.int-spec.ts): `npx tsx infra/record-histories.ts`.
 * Drives the running API (CAIRN_API_URL, default http://127.0.0.1:$CAIRN_API_PORT; signed in as
 * the local test user, with a token signed by the stack's JWT secret) and its workers: a smoke run, an upload, a
 * second version under a source key, a bulk import, a delete, and domains through review (request changes, then approve), expiry (reminder, timeout),
 * auto mode and a later addition of documents. Then it fetches each workflow's history from
 * Temporal (with the pinned Temporal CLI's `workflow show --output json`, the proto JSON form
 * that historyFromJSON reads) and writes it to test/replay-histories/<name>.json. Re-record after an intended change
 * of workflow code (and say so in the commit): the old histories are what running workflows have.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import '../test/support/load-stack-env';
import { defaultAuthHeaders } from '../test/support/auth';

const apiUrl = (
  process.env.CAIRN_API_URL ?? `http://127.0.0.1:${process.env.CAIRN_API_PORT ?? 3000}`
).replace(/\/+$/, '');
// The auth helpers talk to the same API (they sign tokens with the stack's local secret).
process.env.CAIRN_API_URL = apiUrl;
const outputDir = resolve(__dirname, '../test/replay-histories');
const run = randomBytes(4).toString('hex');
const temporalCli = resolve(
  process.env.CAIRN_CACHE_DIR ?? resolve(process.env.HOME ?? '/root', '.cache/cairn'),
  'engines',
  `temporal-cli-${process.env.CAIRN_TEMPORAL_CLI_VERSION ?? 'v1.5.1'}`,
  'temporal',
);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function api<T>(method: string, path: string, body?: unknown, raw?: BodyInit, type?: string) {
  const headers: Record<string, string> = { ...(await defaultAuthHeaders()) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (type) headers['content-type'] = type;
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers,
    body: body !== undefined ? JSON.stringify(body) : raw,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

interface Domain {
  status: string;
  workflow: { pendingReview: { revision: number } | null } | null;
}
const domainState = (id: string) => api<Domain>('GET', `/domains/${id}`);
const awaiting = (revision: number) => (domain: Domain) =>
  domain.status === 'awaiting_review' && domain.workflow?.pendingReview?.revision === revision;

async function main() {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE });
  const recorded: Record<string, string> = {};
  const settle = async (name: string, workflowId: string) => {
    await client.workflow.getHandle(workflowId).result();
    recorded[name] = workflowId;
  };

  const smoke = await api<{ workflowId: string }>('POST', '/smoke');
  await settle('smokeWorkflow', smoke.workflowId);

  const text = (topic: string) =>
    `${topic} ${run}. Amalia Ferreira founded Tidewater Batteries in Porto. Tidewater Batteries supplies cells to Brightline Grid, a utility in Lisbon. The European Commission regulates battery recycling.`;
  const upload = await api<{ id: string; workflowId: string }>('POST', '/documents', {
    title: `replay upload ${run}`,
    text: text('Replay upload'),
  });
  await settle('processDocumentWorkflow', upload.workflowId);

  // A new version under a source key: its run indexes it, makes it current and withdraws the old.
  const sourceKey = `replay://versions/${run}`;
  const firstVersion = await api<{ workflowId: string }>('POST', '/documents', {
    title: `replay versions ${run}`,
    text: text('Replay version one'),
    sourceKey,
  });
  await client.workflow.getHandle(firstVersion.workflowId).result();
  const secondVersion = await api<{ workflowId: string }>('POST', '/documents', {
    title: `replay versions ${run}`,
    text: text('Replay version two'),
    sourceKey,
  });
  await settle('processDocumentWorkflow-version-switch', secondVersion.workflowId);

  const jsonl = [1, 2]
    .map((n) => JSON.stringify({ title: `replay import ${n} ${run}`, text: text(`Import ${n}`) }))
    .join('\n');
  const imported = await api<{ workflowId: string }>(
    'POST',
    '/imports',
    undefined,
    jsonl,
    'application/x-ndjson',
  );
  await settle('importWorkflow', imported.workflowId);
  // The import's first batch ran as a child processDocumentsWorkflow.
  await settle('processDocumentsWorkflow', `${imported.workflowId}:batch:0`);

  const doomed = await api<{ id: string; workflowId: string }>('POST', '/documents', {
    title: `replay delete ${run}`,
    text: text('Replay delete'),
  });
  await client.workflow.getHandle(doomed.workflowId).result();
  const deleted = await api<{ workflowId: string }>('DELETE', `/documents/${doomed.id}`);
  await settle('deleteDocumentWorkflow', deleted.workflowId);

  const reviewed = await api<{ domain: { id: string }; workflowId: string }>('POST', '/domains', {
    name: `Replay reviewed ${run}`,
    seedDocumentIds: [upload.id],
    seedTopics: ['Tidewater Batteries'],
    review: { reminderSeconds: 3_600, timeoutSeconds: 7_200 },
  });
  await until('first draft', () => domainState(reviewed.domain.id), awaiting(1));
  await api('POST', `/domains/${reviewed.domain.id}/review`, {
    decision: 'request_changes',
    comment: 'More on recycling.',
  });
  await until('second draft', () => domainState(reviewed.domain.id), awaiting(2));
  await api('POST', `/domains/${reviewed.domain.id}/review`, { decision: 'approve' });
  await settle('domainBootstrapWorkflow-review', reviewed.workflowId);

  const expiring = await api<{ workflowId: string }>('POST', '/domains', {
    name: `Replay expired ${run}`,
    seedDocumentIds: [upload.id],
    review: { reminderSeconds: 1, timeoutSeconds: 3 },
  });
  await settle('domainBootstrapWorkflow-expired', expiring.workflowId);

  const auto = await api<{ domain: { id: string }; workflowId: string }>('POST', '/domains', {
    name: `Replay auto ${run}`,
    seedDocumentIds: [upload.id],
    mode: 'auto',
  });
  await settle('domainBootstrapWorkflow-auto', auto.workflowId);

  const more = await api<{ workflowId: string }>('POST', `/domains/${auto.domain.id}/documents`, {
    documentIds: [upload.id],
  });
  await settle('addDomainDocumentsWorkflow', more.workflowId);

  mkdirSync(outputDir, { recursive: true });
  for (const [name, workflowId] of Object.entries(recorded)) {
    const shown = execFileSync(
      temporalCli,
      [
        'workflow',
        'show',
        '--workflow-id',
        workflowId,
        '--output',
        'json',
        '--address',
        process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
        '--namespace',
        process.env.TEMPORAL_NAMESPACE ?? 'cairn',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const history = JSON.parse(shown) as { events: unknown[] };
    const file = resolve(outputDir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify({ workflowId, history }, null, 1)}\n`);
    console.log(`recorded ${name}: ${history.events.length} events → ${file}`);
  }
  await connection.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
