// The Caddyfile served for real: Caddy from Debian's package in front of a built API the test starts, on
// its own ports, over HTTPS trusted through the root of Caddy's internal CA (no skipped checks).
import { ChildProcess, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Redis from 'ioredis';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { ensureWorkspace, testUser, tokenFor } from '../support/auth';
import { uniqueToken } from '../support/fixtures';

const root = resolve(__dirname, '../..');
const httpsPort = Number(process.env.CAIRN_TEST_CADDY_HTTPS_PORT);
const adminPort = Number(process.env.CAIRN_TEST_CADDY_ADMIN_PORT);
const maxUploadBytes = Number(process.env.CAIRN_MAX_UPLOAD_BYTES);
const maxImportBytes = Number(process.env.CAIRN_MAX_IMPORT_BYTES);
const run = uniqueToken();
const operator = testUser(`temporal-operator-${run}`);
const stranger = testUser(`temporal-stranger-${run}`);
const uploadBurst = 3;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface RequestOptions {
  headers?: Record<string, string | number>;
  body?: Buffer;
  /** The client's own address (any of 127.0.0.0/8), as Caddy sees it. */
  from?: string;
}

interface RunningCaddy {
  /** One HTTPS request to this Caddy, verified against its internal root, for "localhost". */
  request: (method: string, path: string, options?: RequestOptions) => Promise<Reply>;
  stop: () => Promise<void>;
}

/**
 * Runs the repository's Caddyfile in front of `apiUpstream` on the given ports. Its CA,
 * certificates and state live in a throwaway folder, never in the user's home.
 */
async function startCaddy(
  apiUpstream: string,
  ports: { https: number; http: number; admin: number },
): Promise<RunningCaddy> {
  const home = mkdtempSync(join(tmpdir(), 'cairn-caddy-run-'));
  const rootCaPath = join(home, 'caddy', 'pki', 'authorities', 'local', 'root.crt');
  let log = '';
  const caddy: ChildProcess = spawn(
    'caddy',
    ['run', '--config', 'Caddyfile', '--adapter', 'caddyfile'],
    {
      cwd: root,
      env: {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: home,
        XDG_CONFIG_HOME: home,
        CAIRN_CADDY_HTTPS_PORT: String(ports.https),
        CAIRN_CADDY_HTTP_PORT: String(ports.http),
        CAIRN_CADDY_ADMIN_PORT: String(ports.admin),
        CAIRN_SITE_HOST: '',
        CAIRN_API_UPSTREAM: apiUpstream,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  caddy.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  caddy.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (caddy.exitCode === null) {
      const exited = new Promise((r) => caddy.once('exit', r));
      caddy.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (caddy.exitCode !== null) throw new Error(`caddy exited early:\n${log}`);
    try {
      const config = await fetch(`http://127.0.0.1:${ports.admin}/config/`);
      if (config.ok && existsSync(rootCaPath)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`caddy did not start in 30 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const rootCa = readFileSync(rootCaPath, 'utf8');

  const request = (method: string, path: string, options: RequestOptions = {}) =>
    new Promise<Reply>((resolveReply, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: ports.https,
          method,
          path,
          ca: rootCa,
          localAddress: options.from,
          headers: { host: `localhost:${ports.https}`, ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolveReply({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
          res.on('error', reject);
        },
      );
      // Caddy answers 413 and closes while the body is still being sent: that reply is what counts.
      req.on('error', reject);
      req.end(options.body);
    });
  return { request, stop };
}

/** Runs fn with CAIRN_API_URL pointing at another API (the auth helpers call it). */
async function withApiUrl<T>(url: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.CAIRN_API_URL;
  process.env.CAIRN_API_URL = url;
  try {
    return await fn();
  } finally {
    process.env.CAIRN_API_URL = previous;
  }
}

describe('Caddy in front of the API', () => {
  // The API behind this Caddy: the built API (on 127.0.0.1) with operators, a small upload
  // budget and the metrics on a port of their own; it trusts Caddy's X-Forwarded-For (loopback,
  // the default of CAIRN_TRUSTED_PROXIES).
  let api: ApiProcess;
  let apiUrl: string;
  let metricsPort: number;
  let caddy: RunningCaddy;
  const viaCaddy = (method: string, path: string, options?: RequestOptions) =>
    caddy.request(method, path, options);

  beforeAll(async () => {
    metricsPort = await freePort();
    api = await startApiProcess({
      CAIRN_OPERATOR_USER_IDS: operator.id,
      CAIRN_OPERATOR_SESSION_SECRET: `caddy-test-operator-secret-${run}-0123456789`,
      CAIRN_API_METRICS_PORT: String(metricsPort),
      CAIRN_RATE_LIMIT_UPLOAD_BURST: String(uploadBurst),
      CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '0.001',
    });
    apiUrl = api.url;
    caddy = await startCaddy(new URL(api.url).host, {
      https: httpsPort,
      http: Number(process.env.CAIRN_TEST_CADDY_HTTP_PORT),
      admin: adminPort,
    });
  }, 100_000);

  afterAll(async () => {
    await caddy?.stop();
    await api?.stop();
  });

  it('serves the API over HTTPS with a certificate from its internal CA', async () => {
    const direct = await fetch(`${apiUrl}/health`);
    const proxied = await viaCaddy('GET', '/health');
    expect(proxied.status).toBe(200);
    expect(JSON.parse(proxied.body.toString())).toEqual(await direct.json());
  });

  it('sets the security headers and hides the server', async () => {
    const reply = await viaCaddy('GET', '/health');
    expect(reply.headers).toMatchObject({
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
    });
    expect(reply.headers['server']).toBeUndefined();
    expect(reply.headers['x-powered-by']).toBeUndefined();
  });

  it('compresses responses with gzip or zstd, as the client accepts', async () => {
    const direct = await (await fetch(`${apiUrl}/docs-json`)).text();
    expect(direct.length).toBeGreaterThan(1024); // large enough for Caddy to bother
    const gzip = await viaCaddy('GET', '/docs-json', { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(direct);
    expect(gzip.body.length).toBeLessThan(direct.length);
    const zstd = await viaCaddy('GET', '/docs-json', { headers: { 'accept-encoding': 'zstd' } });
    expect(zstd.headers['content-encoding']).toBe('zstd');
    // Node 20 has no zstd decoder: check the frame's magic number and that it is smaller.
    expect(zstd.body.subarray(0, 4).toString('hex')).toBe('28b52ffd');
    expect(zstd.body.length).toBeLessThan(direct.length);
  });

  it('refuses a body over the upload limit with 413 before it reaches the API', async () => {
    const tooBig = Buffer.alloc(maxUploadBytes + 1, 'a');
    const reply = await viaCaddy('POST', '/documents', {
      headers: { 'content-type': 'text/plain', 'content-length': tooBig.length },
      body: tooBig,
    });
    expect(reply.status).toBe(413);
    // Caddy's own refusal, not the API's JSON error.
    expect(reply.headers['content-type'] ?? '').not.toContain('json');
  });

  it('lets bodies over the upload limit through to /imports, whose own limit is larger', async () => {
    expect(maxImportBytes).toBeGreaterThan(maxUploadBytes);
    const overUploadLimit = Buffer.alloc(maxUploadBytes + 1, 'a');
    const reply = await viaCaddy('POST', '/imports', {
      headers: { 'content-type': 'application/x-ndjson', 'content-length': overUploadLimit.length },
      body: overUploadLimit,
    });
    // The API judges it (it is not valid JSONL): a JSON 4xx from the API, not Caddy's 413.
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(reply.status).not.toBe(413);
    expect(reply.headers['content-type']).toContain('json');
  });

  it('redirects /temporal to the Temporal UI under its path prefix', async () => {
    const redirect = await viaCaddy('GET', '/temporal');
    expect(redirect.status).toBe(308);
    expect(redirect.headers['location']).toBe('/temporal/');
  });

  describe('the Temporal UI is for operators only', () => {
    const uiPaths = [
      '/temporal/',
      '/temporal/namespaces/cairn/workflows',
      '/temporal/api/v1/namespaces',
    ];

    it.each(uiPaths)(
      'GET %s without credentials → 401, and the UI is not reached',
      async (path) => {
        const reply = await viaCaddy('GET', path);
        expect(reply.status).toBe(401);
        expect(reply.body.toString()).not.toContain('/temporal/_app/');
      },
    );

    it('a signed-in user who is not an operator → 403, with a token or a forged cookie', async () => {
      const token = await tokenFor(stranger);
      const withToken = await viaCaddy('GET', '/temporal/', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(withToken.status).toBe(403);
      // Nobody but an operator gets a session...
      const session = await viaCaddy('POST', '/operator/session', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(session.status).toBe(403);
      expect(session.headers['set-cookie']).toBeUndefined();
      // ...and a session made up or re-signed without the key is worth nothing.
      const claims = Buffer.from(
        JSON.stringify({ sub: operator.id, exp: Math.floor(Date.now() / 1000) + 600 }),
      ).toString('base64url');
      const forged = await viaCaddy('GET', '/temporal/', {
        headers: { cookie: `cairn_operator=${claims}.${'A'.repeat(43)}` },
      });
      expect(forged.status).toBe(401);
    });

    it("an operator opens a session with their token; the browser's cookie then reaches the UI", async () => {
      const token = await tokenFor(operator);
      const session = await viaCaddy('POST', '/operator/session', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(session.status).toBe(204);
      const cookie = String(session.headers['set-cookie']);
      expect(cookie).toMatch(/^cairn_operator=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43};/);
      for (const attribute of [
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
        'Path=/temporal',
        'Max-Age=1800',
      ]) {
        expect(cookie).toContain(attribute);
      }
      const ui = await viaCaddy('GET', '/temporal/', {
        headers: { cookie: cookie.split(';')[0] },
      });
      expect(ui.status).toBe(200);
      expect(ui.headers['content-type']).toContain('text/html');
      // The UI's assets are linked under the prefix, so they too come through Caddy.
      expect(ui.body.toString()).toContain('/temporal/_app/');
      // Scripts may send the operator's token itself.
      const withToken = await viaCaddy('GET', '/temporal/', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(withToken.status).toBe(200);
    });
  });

  describe("Jaeger's UI and query API under /jaeger are for operators only, like the Temporal UI", () => {
    it('401 without credentials, 403 for a user who is not an operator', async () => {
      const anonymous = await viaCaddy('GET', '/jaeger/api/services');
      expect(anonymous.status).toBe(401);
      const notOperator = await viaCaddy('GET', '/jaeger/api/services', {
        headers: { authorization: `Bearer ${await tokenFor(stranger)}` },
      });
      expect(notOperator.status).toBe(403);
    });

    it("an operator's session cookie (set for /jaeger too) reaches Jaeger", async () => {
      const session = await viaCaddy('POST', '/operator/session', {
        headers: { authorization: `Bearer ${await tokenFor(operator)}` },
      });
      expect(session.status).toBe(204);
      const cookies = ([] as string[]).concat(session.headers['set-cookie'] ?? []);
      const forJaeger = cookies.find((cookie) => cookie.includes('Path=/jaeger'));
      expect(forJaeger).toMatch(/^cairn_operator=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43};/);
      const services = await viaCaddy('GET', '/jaeger/api/services', {
        headers: { cookie: forJaeger!.split(';')[0] },
      });
      expect(services.status).toBe(200);
      expect(JSON.parse(services.body.toString())).toHaveProperty('data');
      const page = await viaCaddy('GET', '/jaeger/', {
        headers: { cookie: forJaeger!.split(';')[0] },
      });
      expect(page.status).toBe(200);
      // Served under its prefix (query.base_path), so its links come through Caddy.
      expect(page.body.toString()).toContain('<base href="/jaeger/"');
    });
  });

  describe('per-IP rate budgets through Caddy follow CAIRN_TRUSTED_PROXIES', () => {
    // Six users, each with a workspace, upload from four loopback client addresses (as Caddy
    // sees them; Caddy puts each in X-Forwarded-For). Each user and each address has a budget of
    // uploadBurst; a body without a title is refused after the budget is drawn, so each request
    // costs one token and stores nothing.
    // Fresh loopback addresses each run: a spent per-IP bucket lives on in Redis for hours.
    const subnet = `127.${1 + randomInt(254)}.${1 + randomInt(254)}`;
    const clients = [2, 3, 4, 5].map((host) => `${subnet}.${host}`);

    async function usersOn(url: string, label: string): Promise<Record<string, string>[]> {
      return withApiUrl(url, () =>
        Promise.all(
          ['a', 'b', 'c', 'd', 'e', 'f'].map(async (name) => {
            const token = await tokenFor(testUser(`caddy-rate-${label}-${name}-${run}`));
            const workspaceId = `caddy-rate-${label}-${name}-${run}`;
            await ensureWorkspace(token, workspaceId);
            return { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
          }),
        ),
      );
    }

    const upload = (through: RunningCaddy, from: string, headers: Record<string, string>) =>
      through.request('POST', '/documents', {
        from,
        headers: { ...headers, 'content-type': 'application/json' },
        body: Buffer.from('{}'),
      });

    /** uploadBurst rounds of one upload per client, each client its own user. */
    async function rounds(through: RunningCaddy, users: Record<string, string>[]) {
      const statuses: number[] = [];
      for (let round = 0; round < uploadBurst; round += 1) {
        for (const [index, from] of clients.entries()) {
          statuses.push((await upload(through, from, users[index])).status);
        }
      }
      return statuses;
    }

    it('trusting Caddy (loopback, the default): each forwarded client has its own budget', async () => {
      const users = await usersOn(apiUrl, 'trusted');
      expect(await rounds(caddy, users)).toEqual(new Array(clients.length * uploadBurst).fill(400));
      // Each address's budget is its own and is spent: a fresh user from the first address waits...
      expect((await upload(caddy, clients[0], users[4])).status).toBe(429);
      // ...and cannot borrow another address by claiming one: Caddy replaces X-Forwarded-For.
      const spoofed = await upload(caddy, clients[0], {
        ...users[5],
        'x-forwarded-for': '198.51.100.7',
      });
      expect(spoofed.status).toBe(429);
    });

    it('not trusting Caddy (CAIRN_TRUSTED_PROXIES=10.0.0.0/8): every client shares the proxy address', async () => {
      const untrusting = await startApiProcess({
        CAIRN_TRUSTED_PROXIES: '10.0.0.0/8',
        CAIRN_RATE_LIMIT_UPLOAD_BURST: String(uploadBurst),
        CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '0.001',
      });
      let second: RunningCaddy | undefined;
      try {
        second = await startCaddy(new URL(untrusting.url).host, {
          https: await freePort(),
          http: await freePort(),
          admin: await freePort(),
        });
        const users = await usersOn(untrusting.url, 'untrusted');
        // Every request now counts against Caddy's own address: start it from a full budget.
        const redis = new Redis(process.env.REDIS_URL!);
        await redis.del('cairn:rl:upload:ip:127.0.0.1').finally(() => redis.disconnect());
        const statuses = await rounds(second, users);
        // The one address behind every request (Caddy's) has uploadBurst tokens in all.
        expect(statuses.filter((status) => status === 400)).toHaveLength(uploadBurst);
        expect(statuses.filter((status) => status === 429)).toHaveLength(
          clients.length * uploadBurst - uploadBurst,
        );
      } finally {
        await second?.stop();
        await untrusting.stop();
      }
    }, 120_000);
  });

  it('serves /metrics only on the metrics port, never through Caddy', async () => {
    const proxied = await viaCaddy('GET', '/metrics');
    expect(proxied.status).toBe(404);
    expect(proxied.body.toString()).not.toContain('cairn_');
    const direct = await fetch(`${apiUrl}/metrics`);
    expect(direct.status).toBe(404);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('cairn_http_requests_total');
  });
});
