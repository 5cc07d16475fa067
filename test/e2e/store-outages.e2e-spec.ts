// Store outages, injected: a MinIO and a Redis of this test's own (infra/stack.sh up|down with a
// data folder and ports of the test's own), an API process and a worker process pointed at them,
// in a Temporal namespace of their own. The stack's engines, which the other tests and an
// `npm start` use, are never stopped. Postgres, Neo4j, Weaviate and the Temporal server are the
// stack's (shared) and are not stopped here.
//
// While an engine is down the API answers 503 with Retry-After (never 500) for what needs it;
// documents accepted just before the outage are processed once it is back (the workflow's
// activities retry), each exactly once; the API and worker recover without a restart.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { testUser, tokenFor } from '../support/auth';

jest.setTimeout(15 * 60_000);

const repository = resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const OUTAGE_MS = 30_000;
const DOCUMENTS = 6;

interface DocumentView {
  id: string;
  title: string;
  status: string;
  error: string | null;
  counts: { chunks: number; entities: number };
}

describe('store outages: 503 while a store is down, nothing lost or doubled once it is back', () => {
  const run = randomUUID().slice(0, 8);
  const folder = mkdtempSync(join(tmpdir(), 'cairn-outages-'));
  const namespace = 'cairn-outages';
  let ownEnv: Record<string, string>;
  let api: ApiProcess;
  let worker: ChildProcess | undefined;
  let workerOutput = '';
  let headers: Record<string, string>;

  /** infra/stack.sh on this test's own folder and ports: never the stack's engines. */
  function stack(command: 'up' | 'down', engine: 'minio' | 'redis'): void {
    const result = spawnSync('bash', [join(repository, 'infra/stack.sh'), command, engine], {
      env: { ...process.env, ...ownEnv },
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (result.status !== 0) {
      throw new Error(`stack.sh ${command} ${engine}: ${result.stdout}\n${result.stderr}`);
    }
  }

  async function call<T>(method: string, path: string, json?: unknown) {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // content of a document
    }
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: body as T,
    };
  }

  const upload = (title: string, text: string) =>
    call<{ id: string; message?: string }>('POST', '/documents', { title, text });

  async function settled(id: string, timeoutMs: number): Promise<DocumentView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { status, body } = await call<DocumentView>('GET', `/documents/${id}`);
      if (status === 200 && (body.status === 'indexed' || body.status === 'failed')) return body;
      if (Date.now() > deadline) {
        throw new Error(`document ${id} not settled: ${JSON.stringify(body)}\n${workerOutput}`);
      }
      await sleep(1_000);
    }
  }

  /** A 503 with Retry-After, never a 500 (asserted together so a failure shows both). */
  function expectUnavailable(answer: { status: number; retryAfter: string | null }): void {
    expect({ status: answer.status, retryAfter: answer.retryAfter }).toEqual({
      status: 503,
      retryAfter: expect.stringMatching(/^\d+$/),
    });
  }

  const texts = Array.from({ length: DOCUMENTS }, (_, index) => ({
    title: `Outage ${index + 1} (${run})`,
    text: `Ottilie Brandvold ${index + 1} inspected the Sundsvall pumping station number ${index + 1} in March. The station serves the harbour district (${run}).`,
  }));

  beforeAll(async () => {
    const [minio, minioConsole, redis] = await Promise.all([freePort(), freePort(), freePort()]);
    ownEnv = {
      CAIRN_DATA_DIR: folder,
      CAIRN_LOG_DIR: join(folder, 'logs'),
      CAIRN_RUN_DIR: join(folder, 'run'),
      CAIRN_MINIO_PORT: String(minio),
      CAIRN_MINIO_CONSOLE_PORT: String(minioConsole),
      CAIRN_REDIS_PORT: String(redis),
    };
    stack('up', 'minio');
    stack('up', 'redis');
    const namespaced = spawnSync(
      'bash',
      [join(repository, 'infra/stack.sh'), 'temporal-namespace', namespace],
      { env: process.env, encoding: 'utf8', timeout: 180_000 },
    );
    if (namespaced.status !== 0) throw new Error(`namespace: ${namespaced.stderr}`);

    const pointedAtOwn = {
      S3_ENDPOINT: `http://127.0.0.1:${minio}`,
      REDIS_URL: `redis://127.0.0.1:${redis}`,
      TEMPORAL_NAMESPACE: namespace,
    };
    worker = spawn(process.execPath, [join(repository, 'dist/workers/main.js')], {
      cwd: repository,
      env: {
        ...process.env,
        ...pointedAtOwn,
        LOG_LEVEL: 'warn',
        CAIRN_WORKER_METRICS_PORT: '0',
        CAIRN_WORKER_WARM_UP_DOCUMENTS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) =>
      (workerOutput = (workerOutput + chunk.toString()).slice(-20_000));
    worker.stdout?.on('data', keep);
    worker.stderr?.on('data', keep);
    api = await startApiProcess(pointedAtOwn, 300_000);

    const token = await tokenFor(testUser(`outages-${run}`));
    const workspaceId = `outages-${run}`;
    const created = await fetch(`${api.url}/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: workspaceId, name: workspaceId }),
    });
    expect(created.status).toBe(201);
    headers = { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
  }, 10 * 60_000);

  afterAll(async () => {
    await api?.stop();
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise<void>((done) => worker?.once('exit', () => done()));
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    for (const engine of ['minio', 'redis'] as const) {
      try {
        stack('down', engine);
      } catch {
        // already down
      }
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('MinIO down: uploads and content answer 503; documents accepted before it are indexed once it is back', async () => {
    const accepted: string[] = [];
    for (const { title, text } of texts) {
      const answer = await upload(title, text);
      expect(answer.status).toBe(202);
      accepted.push(answer.body.id);
    }

    stack('down', 'minio');
    const outageEnds = Date.now() + OUTAGE_MS;
    expectUnavailable(await upload(`During ${run}`, `Written while MinIO is down (${run}).`));
    expectUnavailable(await call('GET', `/documents/${accepted[0]}/content`));
    const ready = await call<{ down: string[] }>('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.down).toEqual(['minio']);
    await sleep(Math.max(0, outageEnds - Date.now()));
    stack('up', 'minio');

    // Recovered without a restart: the same API takes uploads again.
    const after = await upload(`After ${run}`, `Written once MinIO is back (${run}).`);
    expect(after.status).toBe(202);
    accepted.push(after.body.id);

    const documents = await Promise.all(accepted.map((id) => settled(id, 10 * 60_000)));
    for (const document of documents) {
      expect({ title: document.title, status: document.status, error: document.error }).toEqual({
        title: document.title,
        status: 'indexed',
        error: null,
      });
      expect(document.counts.chunks).toBeGreaterThan(0);
    }
    // Nothing doubled: one row per upload, and each text stored once.
    const listed = await call<{ items: { id: string }[]; total: number }>(
      'GET',
      '/documents?limit=100',
    );
    expect(listed.body.total).toBe(accepted.length);
    expect(listed.body.items.map((item) => item.id).sort()).toEqual([...accepted].sort());
    const content = await call<string>('GET', `/documents/${accepted[0]}/content`);
    expect(content.status).toBe(200);
    expect(content.body).toBe(texts[0].text);
  });

  it('Redis down: uploads (their rate budget is in Redis) answer 503; back without a restart', async () => {
    stack('down', 'redis');
    try {
      expectUnavailable(await upload(`No Redis ${run}`, `Written while Redis is down (${run}).`));
      const ready = await call<{ down: string[] }>('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.down).toEqual(['redis']);
    } finally {
      stack('up', 'redis');
    }
    const deadline = Date.now() + 60_000;
    let back = await upload(`Redis back ${run}`, `Written once Redis is back (${run}).`);
    while (back.status === 503 && Date.now() < deadline) {
      await sleep(1_000);
      back = await upload(`Redis back ${run}`, `Written once Redis is back (${run}).`);
    }
    expect(back.status).toBe(202);
    expect((await settled(back.body.id, 10 * 60_000)).status).toBe('indexed');
  });
});
