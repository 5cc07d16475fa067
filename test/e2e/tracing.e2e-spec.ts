// One trace from an upload request through the Temporal workflow, its activities and their store
// calls, and one for a search, read back from the stack's Jaeger through its query API: `npm test`
// sends the API's and the workers' spans there (OTLP/HTTP). Both act in a workspace of their own,
// so that the processes meet its Weaviate tenant for the first time and call Weaviate's REST API
// (tenants) inside the trace. Also: the trace id is in the response headers and in the API's and
// the workers' log lines.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentAcceptedDto, DocumentDto } from '../../src/documents/documents.dto';
import { callApi } from '../support/api';
import { ensureWorkspace, testUser, tokenFor } from '../support/auth';
import { jaegerTrace, type TraceSpan as ReceivedSpan } from '../support/jaeger';

const INDEX_TIMEOUT_MS = Number(process.env.CAIRN_TEST_INDEX_TIMEOUT_MS ?? 60_000);
jest.setTimeout(2 * INDEX_TIMEOUT_MS + 60_000);

// OTLP span kinds.
const SERVER = 2;
const CLIENT = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A workspace of this run, owned by a user of its own.
let headers: Record<string, string>;

beforeAll(async () => {
  const token = await tokenFor(testUser('tracing-owner'));
  const workspaceId = `tracing-${randomBytes(4).toString('hex')}`;
  await ensureWorkspace(token, workspaceId, 'Tracing');
  headers = { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
});

async function waitUntilIndexed(id: string): Promise<void> {
  const deadline = Date.now() + INDEX_TIMEOUT_MS;
  for (;;) {
    const response = await callApi<DocumentDto>('GET', `/documents/${id}`, { headers });
    expect(response.status).toBe(200);
    if (response.body.status === 'indexed') return;
    if (response.body.status === 'failed' || Date.now() > deadline) {
      throw new Error(`document ${id} is ${response.body.status} (stage ${response.body.stage})`);
    }
    await sleep(250);
  }
}

/** Polls Jaeger until the trace holds spans passing every check, or the time is up. */
async function eventuallyTrace(
  traceId: string,
  complete: (spans: ReceivedSpan[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReceivedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = await jaegerTrace(traceId);
    if (complete(spans) || Date.now() > deadline) return spans;
    await sleep(500);
  }
}

const isWeaviateRest = (span: ReceivedSpan) =>
  span.kind === CLIENT &&
  span.attributes['db.system'] === 'weaviate' &&
  span.attributes['weaviate.api'] === 'rest';

/** The span's ancestors within the trace, nearest first. */
function ancestorsOf(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((candidate) => [candidate.spanId, candidate]));
  const chain: ReceivedSpan[] = [];
  for (let parent = byId.get(span.parentSpanId ?? ''); parent;) {
    chain.push(parent);
    parent = byId.get(parent.parentSpanId ?? '');
  }
  return chain;
}

function logLines(file: string): Record<string, unknown>[] {
  const logDir = process.env.CAIRN_LOG_DIR as string;
  return readFileSync(join(logDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tracing', () => {
  it('follows an upload in one trace: API → workflow → activities → store calls', async () => {
    const token = randomBytes(6).toString('hex');
    const response = await callApi<DocumentAcceptedDto>('POST', '/documents', {
      headers,
      json: {
        title: `Tracing ${token}`,
        text: `Ada Lovelace wrote about the Analytical Engine in London. Marker ${token}.`,
      },
    });
    expect(response.status).toBe(202);
    const documentId = response.body.id;

    // The trace id in both response headers, naming the API's server span.
    const traceId = response.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(
      response.headers.get('traceparent') ?? '',
    );
    expect(traceparent?.[1]).toBe(traceId);
    const serverSpanId = traceparent?.[2];

    await waitUntilIndexed(documentId);
    const isActivity = (span: ReceivedSpan, type: string) =>
      span.service === 'cairn-worker' && span.name === `RunActivity:${type}`;
    const isWorkerStoreCall = (span: ReceivedSpan, system: string) =>
      span.service === 'cairn-worker' && span.attributes['db.system'] === system;
    // MinIO is reached over plain HTTP, seen by the http instrumentation.
    const isBlobCall = (span: ReceivedSpan) => {
      const url = span.attributes['http.url'];
      return (
        span.kind === CLIENT &&
        typeof url === 'string' &&
        url.startsWith(process.env.S3_ENDPOINT as string)
      );
    };
    const spans = await eventuallyTrace(
      traceId,
      (received) =>
        received.some((span) => span.name === 'RunWorkflow:processDocumentWorkflow') &&
        ['analyseDocuments', 'writeGraph', 'indexVectors', 'markIndexed'].every((type) =>
          received.some((span) => isActivity(span, type)),
        ) &&
        ['postgresql', 'redis', 'neo4j', 'weaviate'].every((system) =>
          received.some((span) => isWorkerStoreCall(span, system)),
        ) &&
        received.some((span) => span.service === 'cairn-worker' && isBlobCall(span)) &&
        received.some((span) => span.service === 'cairn-worker' && isWeaviateRest(span)),
    );
    const names = [...new Set(spans.map((span) => `${span.service} ${span.name}`))].sort();

    // The API: its server span (the one traceparent names) and the workflow start under it.
    const server = spans.find((span) => span.spanId === serverSpanId);
    expect(server).toMatchObject({ service: 'cairn-api', kind: SERVER, traceId });
    expect(server?.name).toMatch(/^POST/);
    const apiCalls = spans.filter(
      (span) => span.service === 'cairn-api' && ancestorsOf(span, spans).includes(server!),
    );
    expect(apiCalls.some((span) => span.attributes['db.system'] === 'postgresql')).toBe(true);
    expect(apiCalls.some(isBlobCall)).toBe(true);
    const start = spans.find((span) => span.name === 'StartWorkflow:processDocumentWorkflow');
    expect(start?.service).toBe('cairn-api');
    expect(ancestorsOf(start!, spans)).toContainEqual(server);

    // The workflow, run by a worker, continues the trace under the start.
    const workflow = spans.find((span) => span.name === 'RunWorkflow:processDocumentWorkflow');
    expect({ workflow: workflow?.service, names }).toMatchObject({ workflow: 'cairn-worker' });
    expect(ancestorsOf(workflow!, spans)).toContainEqual(start);

    // Each activity below the workflow, and the store calls each made below the activity.
    for (const type of ['analyseDocuments', 'writeGraph', 'indexVectors', 'markIndexed']) {
      const activity = spans.find((span) => isActivity(span, type));
      expect({ type, found: activity !== undefined, names }).toMatchObject({ found: true });
      expect(ancestorsOf(activity!, spans)).toContainEqual(workflow);
    }
    const activityOf = (span: ReceivedSpan) =>
      ancestorsOf(span, spans).find((ancestor) => ancestor.name.startsWith('RunActivity:'))?.name;
    // writeGraph writes the graph; indexVectors also reads the chunks' entity keys from it.
    const graphCalls = spans.filter((span) => isWorkerStoreCall(span, 'neo4j'));
    expect(graphCalls.map(activityOf)).toContain('RunActivity:writeGraph');
    expect(graphCalls.filter((call) => activityOf(call) === undefined)).toEqual([]);
    const vectorWrite = spans.find(
      (span) => isWorkerStoreCall(span, 'weaviate') && span.name === 'weaviate.insertMany',
    );
    expect(vectorWrite && activityOf(vectorWrite)).toBe('RunActivity:indexVectors');
    // Weaviate's REST API (the workspace's tenant, new to the worker: looked up, then created)
    // inside an activity too.
    const tenantCalls = spans.filter(
      (span) => span.service === 'cairn-worker' && isWeaviateRest(span),
    );
    expect(tenantCalls.map((span) => span.name)).toContain('weaviate.getTenant');
    for (const call of tenantCalls) {
      expect(call.attributes).toMatchObject({
        'url.template': expect.stringMatching(/^\/v1\/schema\/Chunk\/tenants/) as unknown,
        'cairn.workspace_id': headers['x-workspace-id'],
      });
      expect(activityOf(call)).toMatch(/^RunActivity:/);
    }
    for (const call of [
      spans.find((span) => isWorkerStoreCall(span, 'postgresql')),
      spans.find((span) => isWorkerStoreCall(span, 'redis')),
      spans.find((span) => span.service === 'cairn-worker' && isBlobCall(span)),
    ]) {
      expect(call && activityOf(call)).toMatch(/^RunActivity:/);
    }

    // The API's request log line and the workflow's replay-safe log lines carry the trace.
    const requestLine = logLines('test-api.log').find(
      (line) => line.requestId === response.headers.get('x-request-id'),
    );
    expect(requestLine).toMatchObject({ traceId, path: '/documents', status: 202 });
    const workspaceId = requestLine?.workspaceId;
    expect(typeof workspaceId).toBe('string');
    const stageLines = logLines('test-worker-general.log').filter(
      (line) =>
        line.msg === 'document stage' &&
        Array.isArray(line.documentIds) &&
        line.documentIds.includes(documentId),
    );
    expect(stageLines.map((line) => line.stage)).toContain('graph');
    for (const line of stageLines) expect(line).toMatchObject({ traceId, workspaceId });
  });

  it('follows a search in one trace: API → Weaviate (REST and gRPC) and Postgres', async () => {
    const token = randomBytes(6).toString('hex');
    const upload = await callApi<DocumentAcceptedDto>('POST', '/documents', {
      headers,
      json: { title: `Search trace ${token}`, text: `The Quillmoor${token} bridge spans a river.` },
    });
    expect(upload.status).toBe(202);
    await waitUntilIndexed(upload.body.id);

    const search = await callApi<{ hits: { documentId: string }[] }>('POST', '/search', {
      headers,
      json: { query: `Quillmoor${token} bridge` },
    });
    expect(search.status).toBe(200);
    expect(search.body.hits.map((hit) => hit.documentId)).toContain(upload.body.id);
    const traceId = search.headers.get('x-trace-id') ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // The link the console and the CLI show: the trace's page in the stack's Jaeger.
    expect(search.headers.get('x-trace-url')).toBe(
      `${process.env.CAIRN_JAEGER_UI_URL}/trace/${traceId}`,
    );

    const spans = await eventuallyTrace(
      traceId,
      (received) =>
        received.some((span) => span.kind === SERVER) &&
        received.some((span) => isWeaviateRest(span)) &&
        received.some(
          (span) => span.attributes['db.system'] === 'weaviate' && !isWeaviateRest(span),
        ),
    );
    const names = [...new Set(spans.map((span) => `${span.service} ${span.name}`))].sort();
    const server = spans.find((span) => span.kind === SERVER && span.parentSpanId === undefined);
    expect({ server: server?.name, names }).toMatchObject({
      server: expect.stringMatching(/^POST/) as unknown,
    });
    // Every span of the search hangs below the API's server span, all in one process.
    for (const span of spans.filter((candidate) => candidate !== server)) {
      expect({ span: span.name, under: ancestorsOf(span, spans).includes(server!) }).toEqual({
        span: span.name,
        under: true,
      });
      expect(span.service).toBe('cairn-api');
    }
    const systems = new Set(spans.map((span) => span.attributes['db.system']));
    expect({ systems: [...systems].sort(), names }).toMatchObject({
      systems: expect.arrayContaining(['postgresql', 'weaviate']),
    });
  });

  it('puts a fresh trace id on every response, errors included', async () => {
    const first = await callApi('GET', '/documents/does-not-exist');
    const second = await callApi('GET', '/health');
    const ids = [first, second].map((response) => response.headers.get('x-trace-id'));
    expect(first.status).toBeGreaterThanOrEqual(400);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });
});
