// The Caddyfile served for real: Caddy from Debian's package in front of the running test API, on
// its own ports, over HTTPS trusted through the root of Caddy's internal CA (no skipped checks).
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
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

/**
 * This machine's first non-loopback IPv4 address. Caddy reaches the API there, so the API sees
 * a proxy that is not on loopback, as behind a Kubernetes ingress.
 */
function lanAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
  if (!address) throw new Error('this test needs a non-loopback IPv4 interface');
  return address;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

describe('Caddy in front of the API', () => {
  let home: string;
  let caddy: ChildProcess | undefined;
  let caddyLog = '';
  let rootCa: string;

  /** One HTTPS request to Caddy, verified against its internal root, for the name "localhost". */
  function viaCaddy(
    method: string,
    path: string,
    options: {
      headers?: Record<string, string | number>;
      body?: Buffer;
      /** The client's own address (any of 127.0.0.0/8), as Caddy sees it. */
      from?: string;
    } = {},
  ): Promise<Reply> {
    return new Promise((resolveReply, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port: httpsPort,
          method,
          path,
          ca: rootCa,
          localAddress: options.from,
          headers: { host: `localhost:${httpsPort}`, ...options.headers },
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
  }

  async function waitForCaddy(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (caddy?.exitCode !== null) throw new Error(`caddy exited early:\n${caddyLog}`);
      try {
        const config = await fetch(`http://127.0.0.1:${adminPort}/config/`);
        if (config.ok && existsSync(rootCaPath())) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`caddy did not start in 30 s:\n${caddyLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const rootCaPath = () => join(home, 'caddy', 'pki', 'authorities', 'local', 'root.crt');

  // The API behind this Caddy: the built API with operators, a small upload budget, the metrics
  // on a port of their own, and Caddy's address (not loopback) as its trusted proxy.
  let api: ApiProcess;
  let apiUrl: string;
  let metricsPort: number;

  beforeAll(async () => {
    // Its CA, certificates and state live in a throwaway folder, never in the user's home.
    home = mkdtempSync(join(tmpdir(), 'cairn-caddy-run-'));
    const proxyAddress = lanAddress();
    metricsPort = await freePort();
    api = await startApiProcess({
      CAIRN_API_HOST: '0.0.0.0',
      CAIRN_OPERATOR_USER_IDS: operator.id,
      CAIRN_OPERATOR_SESSION_SECRET: `caddy-test-operator-secret-${run}-0123456789`,
      CAIRN_TRUSTED_PROXIES: `${proxyAddress}/32`,
      CAIRN_API_METRICS_PORT: String(metricsPort),
      CAIRN_RATE_LIMIT_UPLOAD_BURST: String(uploadBurst),
      CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '0.001',
    });
    apiUrl = api.url;
    const upstream = `${proxyAddress}:${new URL(api.url).port}`;
    caddy = spawn('caddy', ['run', '--config', 'Caddyfile', '--adapter', 'caddyfile'], {
      cwd: root,
      env: {
        ...process.env,
        HOME: home,
        XDG_DATA_HOME: home,
        XDG_CONFIG_HOME: home,
        CAIRN_CADDY_HTTPS_PORT: String(httpsPort),
        CAIRN_CADDY_HTTP_PORT: process.env.CAIRN_TEST_CADDY_HTTP_PORT,
        CAIRN_CADDY_ADMIN_PORT: String(adminPort),
        CAIRN_SITE_HOST: '',
        CAIRN_API_UPSTREAM: upstream,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stdout?.on('data', (d: Buffer) => (caddyLog += d.toString()));
    caddy.stderr?.on('data', (d: Buffer) => (caddyLog += d.toString()));
    await waitForCaddy();
    rootCa = readFileSync(rootCaPath(), 'utf8');
  }, 100_000);

  afterAll(async () => {
    await api?.stop();
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((r) => caddy!.once('exit', r));
      caddy.kill('SIGTERM');
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
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

  it('gives each forwarded client its own per-IP budget behind a proxy that is not on loopback', async () => {
    // Four users upload from four addresses (127.0.0.2-5 as Caddy sees them), each with a
    // budget of uploadBurst per user and per address. A body without a title is refused after the
    // budget is drawn: each request costs one token and stores nothing.
    const previousUrl = process.env.CAIRN_API_URL;
    process.env.CAIRN_API_URL = apiUrl;
    const users = await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map(async (name) => {
        const token = await tokenFor(testUser(`caddy-rate-${name}-${run}`));
        const workspaceId = `caddy-rate-${name}-${run}`;
        await ensureWorkspace(token, workspaceId);
        return { authorization: `Bearer ${token}`, 'x-workspace-id': workspaceId };
      }),
    ).finally(() => (process.env.CAIRN_API_URL = previousUrl));
    const upload = (from: string, headers: Record<string, string>) =>
      viaCaddy('POST', '/documents', {
        from,
        headers: { ...headers, 'content-type': 'application/json' },
        body: Buffer.from('{}'),
      });
    const clients = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
    const statuses: number[] = [];
    for (let round = 0; round < uploadBurst; round += 1) {
      for (const [index, from] of clients.entries()) {
        statuses.push((await upload(from, users[index])).status);
      }
    }
    // Behind a proxy the API did not trust, all twelve would share the proxy's one address.
    expect(statuses).toEqual(new Array(clients.length * uploadBurst).fill(400));
    // Each address's budget is its own and is spent: a fresh user from 127.0.0.2 waits...
    const spent = await upload(clients[0], users[4]);
    expect(spent.status).toBe(429);
    // ...and cannot borrow another address by claiming one: Caddy replaces X-Forwarded-For.
    const spoofed = await upload(clients[0], { ...users[5], 'x-forwarded-for': '198.51.100.7' });
    expect(spoofed.status).toBe(429);
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
