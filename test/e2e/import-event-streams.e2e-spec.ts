// Live event streams (GET /imports/:id/events, GET /documents/:id/events): one Redis subscriber
// connection per API process and kind however many streams are open, and a cap on the streams
// one caller holds, kinds together (429).
import { randomBytes, randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { ensureWorkspace, testUser, tokenFor } from '../support/auth';
import { queryInWorkspace } from '../support/document-stores';
import { uniqueToken } from '../support/fixtures';

jest.setTimeout(120_000);

const run = uniqueToken();
const maxStreams = 3;

describe('event streams', () => {
  let api: ApiProcess;
  let redis: Redis;
  let postgres: Pool;
  let headers: Record<string, string>;
  const workspaceId = `streams-${run}`;
  const opened: AbortController[] = [];

  /** Subscribed connections on the Redis server (every process's). */
  async function subscriberConnections(): Promise<number> {
    const list = (await redis.call('CLIENT', 'LIST')) as string;
    return list.split('\n').filter((line) => /\bsub=[1-9]/.test(line)).length;
  }

  /** An import that stays running: its workflow never existed, which counts as not yet started. */
  async function runningImport(): Promise<string> {
    const id = randomUUID();
    await queryInWorkspace(
      postgres,
      workspaceId,
      `INSERT INTO imports (id, workspace_id, status, source, workflow_id)
       VALUES ($1, $2, 'running', 'jsonl', $3)`,
      [id, workspaceId, `import-never-started-${id}`],
    );
    return id;
  }

  /** A document that stays processing: inserted as the pipeline would, with no workflow behind it. */
  async function processingDocument(): Promise<string> {
    const id = randomUUID();
    await queryInWorkspace(
      postgres,
      workspaceId,
      `INSERT INTO documents (id, workspace_id, sha256, title, mime, size_bytes, status)
       VALUES ($1, $2, $3, 'held open', 'text/plain', 1, 'processing')`,
      [id, workspaceId, randomBytes(32).toString('hex')],
    );
    return id;
  }

  async function openStream(importId: string, kind = 'imports'): Promise<Response> {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/${kind}/${importId}/events`, {
      headers,
      signal: controller.signal,
    });
    if (response.status === 200) opened.push(controller);
    return response;
  }

  beforeAll(async () => {
    api = await startApiProcess({ CAIRN_MAX_EVENT_STREAMS_PER_USER: String(maxStreams) });
    redis = new Redis(process.env.REDIS_URL!);
    postgres = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    const token = await tokenFor(testUser(`streams-${run}`));
    const previousUrl = process.env.CAIRN_API_URL;
    process.env.CAIRN_API_URL = api.url;
    await ensureWorkspace(token, workspaceId).finally(() => {
      process.env.CAIRN_API_URL = previousUrl;
    });
    headers = { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
  });

  afterAll(async () => {
    for (const controller of opened) controller.abort();
    await api?.stop();
    redis?.disconnect();
    await postgres?.end();
  });

  it('share one subscriber connection per kind, and a caller holds at most the cap at once (429)', async () => {
    const before = await subscriberConnections();
    const imports = [await runningImport(), await runningImport()];
    const document = await processingDocument();
    for (const [id, kind] of [
      [imports[0], 'imports'],
      [imports[1], 'imports'],
      [document, 'documents'],
    ]) {
      const response = await openStream(id, kind);
      expect({ kind, status: response.status }).toEqual({ kind, status: 200 });
      expect(response.headers.get('content-type')).toContain('text/event-stream');
    }
    // Three streams on three channels: one connection for imports, one for documents.
    expect((await subscriberConnections()) - before).toBeLessThanOrEqual(2);

    for (const [id, kind] of [
      [imports[0], 'imports'],
      [document, 'documents'],
    ]) {
      const refused = await openStream(id, kind);
      expect({ kind, status: refused.status }).toEqual({ kind, status: 429 });
      expect(((await refused.json()) as { message: string }).message).toMatch(
        /at most 3 event streams at once/,
      );
    }
    // Closing one gives its place back.
    opened.shift()!.abort();
    const deadline = Date.now() + 10_000;
    let again = await openStream(document, 'documents');
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      again = await openStream(document, 'documents');
    }
    expect(again.status).toBe(200);
  });
});
