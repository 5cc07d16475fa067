// Refusals a careful attacker probed and found holding: tokens with forged headers, oversized
// and malformed request headers. Kept as regression tests through the running API.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { apiUrl, callApi } from '../support/api';
import { defaultTestUser, testWorkspace, tokenFor } from '../support/auth';

jest.setTimeout(60_000);

const secret = () => new TextEncoder().encode(process.env.CAIRN_AUTH_JWT_SECRET);
const user = defaultTestUser();

function claims(): SignJWT {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: user.email, role: 'authenticated' })
    .setSubject(user.id)
    .setIssuer(process.env.CAIRN_AUTH_ISSUER!)
    .setAudience('authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + 600);
}

async function documentsWith(token: string) {
  return callApi<{ message: string }>('GET', '/documents', {
    auth: false,
    headers: { authorization: `Bearer ${token}`, 'x-workspace-id': testWorkspace() },
  });
}

describe('tokens with forged headers get 401', () => {
  let jwks: Server;
  let jwksUrl: string;
  let jwksRequests = 0;
  let attackerKey: CryptoKey | import('jose').KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    attackerKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'attacker', alg: 'RS256', use: 'sig' };
    jwks = createServer((_request, response) => {
      jwksRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const address = jwks.address();
    jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

  it('a genuine token passes (the cases below differ from it only in their header)', async () => {
    expect((await documentsWith(await tokenFor(user))).status).toBe(200);
  });

  it('alg rewritten in a valid token, or another HMAC algorithm with the right secret', async () => {
    const [, payload, signature] = (await tokenFor(user)).split('.');
    for (const alg of ['HS512', 'HS384', 'none', 'hs256']) {
      const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
      expect((await documentsWith(`${header}.${payload}.${signature}`)).status).toBe(401);
    }
    const hs512 = await claims().setProtectedHeader({ alg: 'HS512' }).sign(secret());
    expect((await documentsWith(hs512)).status).toBe(401);
  });

  it('a critical header extension the verifier does not know (crit)', async () => {
    // Signed by hand: jose itself refuses to sign an extension it does not know.
    const [, payload] = (await tokenFor(user)).split('.');
    const header = Buffer.from(
      JSON.stringify({ alg: 'HS256', typ: 'JWT', crit: ['x-cairn-role'], 'x-cairn-role': 'owner' }),
    ).toString('base64url');
    const signature = createHmac('sha256', process.env.CAIRN_AUTH_JWT_SECRET!)
      .update(`${header}.${payload}`)
      .digest('base64url');
    const response = await documentsWith(`${header}.${payload}.${signature}`);
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('missing or invalid credentials');
  });

  it("jku/x5u pointing at the attacker's own keys: refused, and the keys are never fetched", async () => {
    const token = await claims()
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker', jku: jwksUrl, x5u: jwksUrl })
      .sign(attackerKey);
    expect((await documentsWith(token)).status).toBe(401);
    // The same claims, HS256 with the real secret but a jku: the header is ignored, not followed.
    const withJku = await claims()
      .setProtectedHeader({ alg: 'HS256', jku: jwksUrl })
      .sign(secret());
    expect((await documentsWith(withJku)).status).toBe(200);
    expect(jwksRequests).toBe(0);
  });
});

/** One request written byte for byte; resolves with the status code of the answer. */
function rawStatus(request: string): Promise<number> {
  const { hostname, port } = new URL(apiUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\r\n')) socket.destroy();
      resolve(Number(text.split(' ')[1]));
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(text.split(' ')[1]) || 0));
    socket.setTimeout(20_000, () => socket.destroy(new Error('no answer in 20 s')));
  });
}

describe('malformed and oversized request headers are refused before any route', () => {
  it('a 100 KB header → 431', async () => {
    const status = await rawStatus(
      `GET /health HTTP/1.1\r\nHost: cairn\r\nX-Filler: ${'a'.repeat(100 * 1024)}\r\n\r\n`,
    );
    expect(status).toBe(431);
  });

  it.each([
    ['a bare CR inside a value', 'X-Test: a\rInjected: b\r\n'],
    ['a bare LF inside a value', 'X-Test: a\nInjected: b\r\n'],
    ['a folded (obsolete) continuation line', 'X-Test: a\r\n Injected: b\r\n'],
    ['a NUL inside a value', 'X-Test: a\u0000b\r\n'],
    ['a CR LF in a header name', 'X-Te\r\nst: a\r\n'],
  ])('%s → 400', async (_name, header) => {
    const status = await rawStatus(`GET /health HTTP/1.1\r\nHost: cairn\r\n${header}\r\n`);
    expect(status).toBe(400);
  });

  it('the same request with clean headers → 200', async () => {
    expect(await rawStatus('GET /health HTTP/1.1\r\nHost: cairn\r\nX-Test: ab\r\n\r\n')).toBe(200);
  });
});
