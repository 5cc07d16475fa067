// The Caddyfile served for real: Caddy from Debian's package in front of the running test API, on
// its own ports, over HTTPS trusted through the root of Caddy's internal CA (no skipped checks).
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { apiUrl } from '../support/api';

const root = resolve(__dirname, '../..');
const httpsPort = Number(process.env.CAIRN_TEST_CADDY_HTTPS_PORT);
const adminPort = Number(process.env.CAIRN_TEST_CADDY_ADMIN_PORT);
const maxUploadBytes = Number(process.env.CAIRN_MAX_UPLOAD_BYTES);
const maxImportBytes = Number(process.env.CAIRN_MAX_IMPORT_BYTES);

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
    options: { headers?: Record<string, string | number>; body?: Buffer } = {},
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

  beforeAll(async () => {
    // Its CA, certificates and state live in a throwaway folder, never in the user's home.
    home = mkdtempSync(join(tmpdir(), 'cairn-caddy-run-'));
    const api = new URL(apiUrl);
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
        CAIRN_API_UPSTREAM: api.host,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stdout?.on('data', (d: Buffer) => (caddyLog += d.toString()));
    caddy.stderr?.on('data', (d: Buffer) => (caddyLog += d.toString()));
    await waitForCaddy();
    rootCa = readFileSync(rootCaPath(), 'utf8');
  }, 40_000);

  afterAll(async () => {
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

  it('redirects /temporal to the Temporal UI under its path prefix, and serves the UI there', async () => {
    const redirect = await viaCaddy('GET', '/temporal');
    expect(redirect.status).toBe(308);
    expect(redirect.headers['location']).toBe('/temporal/');
    const ui = await viaCaddy('GET', '/temporal/');
    expect(ui.status).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
    // The UI's assets are linked under the prefix, so they too come through Caddy.
    expect(ui.body.toString()).toContain('/temporal/_app/');
  });
});
