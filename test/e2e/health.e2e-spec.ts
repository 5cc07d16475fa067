import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { freePort, startApiProcess } from '../support/api-process';

// Drives the running API over HTTP (npm test starts it and sets CAIRN_API_URL).
const apiUrl = (process.env.CAIRN_API_URL ?? 'http://127.0.0.1:3100').replace(/\/+$/, '');
const dependencies = ['postgres', 'redis', 'temporal', 'neo4j', 'weaviate', 'minio'];

jest.setTimeout(30_000);

interface Readiness {
  status: 'ok' | 'error';
  checks: Record<string, { status: 'ok' | 'down'; latencyMs: number; error?: string }>;
  down: string[];
}

async function get(path: string, headers: Record<string, string> = {}, base = apiUrl) {
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (Swagger UI's HTML)
  }
  return { status: response.status, headers: response.headers, body };
}

/** Polls an API's /health/ready until `accept` holds or the time is up; returns the last answer. */
async function pollReadiness(
  base: string,
  accept: (status: number, body: Readiness) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await get('/health/ready', {}, base);
    if (accept(status, body as Readiness) || Date.now() > deadline)
      return { status, body: body as Readiness };
    await new Promise((done) => setTimeout(done, 500));
  }
}

/** A throwaway Redis (Debian's redis-server, as the stack's) on a port of its own, no files. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const answered = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end('PING\r\n');
        socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
      });
      socket.once('error', () => done(false));
    });
    if (answered) return child;
    await new Promise((done) => setTimeout(done, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on ${port} did not answer within 10 s`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  await exited;
}

describe('health and API basics (e2e)', () => {
  it('GET /health answers 200 without touching dependencies, with a request id', async () => {
    const { status, headers, body } = await get('/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
    expect(headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a caller-supplied X-Request-Id', async () => {
    const { headers } = await get('/health', { 'X-Request-Id': 'e2e-trace-42' });
    expect(headers.get('x-request-id')).toBe('e2e-trace-42');
  });

  it('GET /health/ready answers 200 with all six dependencies ok', async () => {
    const { status, body } = await get('/health/ready');
    const readiness = body as Readiness;
    expect(status).toBe(200);
    expect(readiness.status).toBe('ok');
    expect(readiness.down).toEqual([]);
    expect(Object.keys(readiness.checks).sort()).toEqual([...dependencies].sort());
    for (const name of dependencies) {
      expect(readiness.checks[name]).toMatchObject({ status: 'ok', latencyMs: expect.any(Number) });
    }
  });

  it('serves the OpenAPI document at /docs-json and Swagger UI at /docs', async () => {
    const { status, body } = await get('/docs-json');
    expect(status).toBe(200);
    const document = body as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/health/ready']),
    );
    const ui = await get('/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('swagger');
  });

  it('answers an unknown route with a 404 JSON error carrying the request id', async () => {
    const { status, headers, body } = await get('/no-such-route', { 'X-Request-Id': 'e2e-404' });
    expect(status).toBe(404);
    expect(headers.get('content-type')).toContain('application/json');
    expect(body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
      requestId: 'e2e-404',
    });
  });

  it('refuses to start with an invalid configuration, listing every bad key, before connecting', () => {
    const repository = resolve(__dirname, '../..');
    const result = spawnSync(resolve(repository, 'node_modules/.bin/tsx'), ['src/main.ts'], {
      cwd: repository,
      env: {
        ...process.env,
        DATABASE_URL: 'mysql://nope',
        S3_SECRET_KEY: 'short',
        TEMPORAL_NAMESPACE: '',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    for (const key of ['DATABASE_URL', 'S3_SECRET_KEY', 'TEMPORAL_NAMESPACE'])
      expect(result.stderr).toContain(key);
    expect(result.stdout).not.toContain('Starting Nest application');
  });

  // The outage is of a Redis of the test's own, behind an API process of its own: the engines
  // of the stack, which an `npm start` beside the tests may be using, are never stopped.
  it('reports Redis down (503) while it is stopped and ok again once it is back', async () => {
    const redisPort = await freePort();
    const redis = await startRedis(redisPort);
    const api = await startApiProcess({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    let restarted: ChildProcess | undefined;
    try {
      const before = await pollReadiness(api.url, (status) => status === 200, 20_000);
      expect(before.status).toBe(200);

      await stopProcess(redis);
      const whileDown = await pollReadiness(api.url, (status) => status === 503, 15_000);
      expect(whileDown.status).toBe(503);
      expect(whileDown.body.status).toBe('error');
      expect(whileDown.body.down).toEqual(['redis']);
      expect(whileDown.body.checks.redis).toMatchObject({
        status: 'down',
        error: expect.any(String),
      });
      // A dead engine must not make the probe hang: each check gives up after ~2 s.
      expect(whileDown.body.checks.redis.latencyMs).toBeLessThan(3_000);
      for (const name of dependencies.filter((dependency) => dependency !== 'redis')) {
        expect(whileDown.body.checks[name].status).toBe('ok');
      }

      // Back on the same port: the API reconnects by itself, without a restart.
      restarted = await startRedis(redisPort);
      const afterRestart = await pollReadiness(api.url, (status) => status === 200, 20_000);
      expect(afterRestart.status).toBe(200);
      expect(afterRestart.body.checks.redis.status).toBe('ok');
    } finally {
      await api.stop();
      await stopProcess(redis);
      if (restarted) await stopProcess(restarted);
    }
  }, 120_000);
});
