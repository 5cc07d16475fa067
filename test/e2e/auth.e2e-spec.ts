// Authentication, roles, API keys, audit and isolation between workspaces, through the HTTP API
// of the running stack. Tokens are signed the way Supabase Auth signs them (see support/auth).
import { createServer, type Server } from 'node:http';
import { exportJWK, exportSPKI, generateKeyPair, type KeyLike, SignJWT, UnsecuredJWT } from 'jose';
import { uuidV5 } from '../../src/common/uuid';
import { callApi } from '../support/api';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { addMember, ensureWorkspace, testUser, type TestUser, tokenFor } from '../support/auth';
import { uniqueToken } from '../support/fixtures';

jest.setTimeout(240_000);

type Headers = Record<string, string>;
interface ErrorBody {
  statusCode: number;
  message: string | string[];
}

const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const run = uniqueToken();

async function signedIn(name: string): Promise<{ user: TestUser; token: string }> {
  const user = testUser(`${name}-${run}`);
  const token = await tokenFor(user);
  // The API records a user the first time it sees their token; invitations need that.
  expect((await callApi('GET', '/workspaces', { headers: bearer(token) })).status).toBe(200);
  return { user, token };
}

async function uploadText(headers: Headers, title: string, text: string): Promise<string> {
  const response = await callApi<{ id: string }>('POST', '/documents', {
    json: { title, text },
    headers,
  });
  expect(response.status).toBe(202);
  return response.body.id;
}

async function waitIndexed(headers: Headers, id: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const response = await callApi<{ status: string; error?: string }>('GET', `/documents/${id}`, {
      headers,
    });
    if (response.body.status === 'indexed') return;
    if (response.body.status === 'failed')
      throw new Error(`document failed: ${response.body.error}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`document ${id} not indexed in time`);
}

describe('bad credentials get 401 and say nothing about why', () => {
  let rsaPrivate: KeyLike;
  beforeAll(async () => {
    ({ privateKey: rsaPrivate } = await generateKeyPair('RS256'));
  });

  const user = testUser(`token-probe-${run}`);
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<Headers>][] = [
    ['no credentials', async () => ({})],
    ['a malformed bearer token', async () => bearer('not-a-jwt')],
    ['three dots of nothing', async () => bearer('a.b.c')],
    ['a Basic authorization', async () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    [
      'alg: none',
      async () =>
        bearer(
          new UnsecuredJWT({ email: user.email })
            .setSubject(user.id)
            .setIssuer(process.env.CAIRN_AUTH_ISSUER!)
            .setAudience('authenticated')
            .setExpirationTime(now() + 600)
            .encode(),
        ),
    ],
    [
      'RS256 where HS256 is configured',
      async () =>
        bearer(
          await new SignJWT({ email: user.email })
            .setProtectedHeader({ alg: 'RS256' })
            .setSubject(user.id)
            .setIssuer(process.env.CAIRN_AUTH_ISSUER!)
            .setAudience('authenticated')
            .setExpirationTime(now() + 600)
            .sign(rsaPrivate),
        ),
    ],
    [
      'a wrong signature',
      async () =>
        bearer(await tokenFor(user, { secret: 'another-secret-another-secret-0123456789' })),
    ],
    ['an expired token', async () => bearer(await tokenFor(user, { expiresIn: -120 }))],
    ['a token not valid yet', async () => bearer(await tokenFor(user, { notBefore: 600 }))],
    ['a wrong audience', async () => bearer(await tokenFor(user, { audience: 'anon' }))],
    [
      'a wrong issuer',
      async () => bearer(await tokenFor(user, { issuer: 'https://elsewhere.example/auth/v1' })),
    ],
    [
      "another project's token",
      async () =>
        bearer(
          await tokenFor(user, {
            secret: 'other-project-jwt-secret-with-enough-length-42',
            issuer: 'https://other-project.example/auth/v1',
          }),
        ),
    ],
    [
      'an API key that does not exist',
      async () => ({ 'x-api-key': `ck_${'0'.repeat(32)}_${'A'.repeat(43)}` }),
    ],
  ];

  it.each(cases)('%s → 401', async (_name, headersOf) => {
    const response = await callApi<ErrorBody>('GET', '/documents', {
      auth: false,
      headers: { ...(await headersOf()), 'x-workspace-id': 'e2e-default' },
    });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('missing or invalid credentials');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('health, readiness and the API docs need no credentials', async () => {
    for (const path of ['/health', '/health/ready', '/docs-json']) {
      const response = await callApi('GET', path, { auth: false });
      // Every engine is up while this suite runs (the health suite checks the 503 side).
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });
});

describe('with a JWKS configured, only asymmetric tokens from its keys pass', () => {
  let jwksServer: Server;
  let api: ApiProcess;
  let rsaPrivate: KeyLike;
  let rsaPublicPem: string;
  const issuer = 'https://auth.jwks-test.example/auth/v1';
  const user = testUser(`jwks-${run}`);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    rsaPrivate = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    rsaPublicPem = await exportSPKI(pair.publicKey);
    jwksServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const address = jwksServer.address() as { port: number };
    api = await startApiProcess({
      CAIRN_AUTH_JWKS_URL: `http://127.0.0.1:${address.port}/.well-known/jwks.json`,
      CAIRN_AUTH_ISSUER: issuer,
    });
  });

  afterAll(async () => {
    await api?.stop();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const rs256 = (claims: { iss?: string; kid?: string } = {}) =>
    new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'RS256', kid: claims.kid ?? 'test-key' })
      .setSubject(user.id)
      .setIssuer(claims.iss ?? issuer)
      .setAudience('authenticated')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(rsaPrivate);

  const status = async (token: string) =>
    (await fetch(`${api.url}/workspaces`, { headers: bearer(token) })).status;

  it('accepts an RS256 token signed by the JWKS key', async () => {
    expect(await status(await rs256())).toBe(200);
  });

  it('refuses HS256 tokens, even ones signed with the public key as the HMAC secret', async () => {
    expect(await status(await tokenFor(user, { issuer }))).toBe(401);
    expect(await status(await tokenFor(user, { issuer, secret: rsaPublicPem }))).toBe(401);
  });

  it('refuses a wrong issuer and an unknown signing key', async () => {
    expect(await status(await rs256({ iss: 'https://other.example/auth/v1' }))).toBe(401);
    const stranger = await generateKeyPair('ES256');
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject(user.id)
      .setIssuer(issuer)
      .setAudience('authenticated')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(stranger.privateKey);
    expect(await status(foreign)).toBe(401);
  });
});

describe('workspaces, members, roles and API keys', () => {
  const workspaceId = `roles-${run}`;
  let owner: { user: TestUser; token: string };
  const members: Record<'admin' | 'editor' | 'viewer', { user: TestUser; token: string }> =
    {} as never;
  const as = (token: string): Headers => ({ ...bearer(token), 'x-workspace-id': workspaceId });

  beforeAll(async () => {
    owner = await signedIn('owner');
    await ensureWorkspace(owner.token, workspaceId, 'Roles');
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      members[role] = await signedIn(role);
      await addMember(workspaceId, owner.token, members[role], role);
    }
  });

  it('lists the caller’s workspaces with their role', async () => {
    const response = await callApi<{ items: { workspaceId: string; role: string }[] }>(
      'GET',
      '/workspaces',
      { headers: bearer(members.editor.token) },
    );
    expect(response.body.items).toContainEqual(
      expect.objectContaining({ workspaceId, role: 'editor' }),
    );
  });

  it('refuses bad workspace input, a taken id, and a request that names no workspace', async () => {
    const empty = await callApi<ErrorBody>('POST', '/workspaces', {
      json: { name: '  ' },
      headers: bearer(owner.token),
    });
    expect(empty.status).toBe(400);
    const taken = await callApi('POST', '/workspaces', {
      json: { id: workspaceId, name: 'again' },
      headers: bearer(members.viewer.token),
    });
    expect(taken.status).toBe(409);
    // The workers' former warm-up workspace is nobody's (src/common/ids.ts).
    const reserved = await callApi<ErrorBody>('POST', '/workspaces', {
      json: { id: 'cairn-warm-up', name: 'mine' },
      headers: bearer(owner.token),
    });
    expect(reserved.status).toBe(400);
    expect(JSON.stringify(reserved.body)).toMatch(/cairn-warm-up is reserved/);
    const unnamed = await callApi<ErrorBody>('GET', '/documents', {
      headers: bearer(owner.token),
      auth: false,
    });
    expect(unnamed.status).toBe(400);
    expect(String(unnamed.body.message)).toMatch(/X-Workspace-Id/);
  });

  it('an e-mail seen before under another account id moves to the new account', async () => {
    // The auth server gives a re-created account a new id for the same address.
    const email = `recreated-${run}@cairn.test`;
    const first = await tokenFor({ id: uuidV5(`first:${email}`), email });
    expect((await callApi('GET', '/workspaces', { headers: bearer(first) })).status).toBe(200);
    const recreated = { id: uuidV5(`second:${email}`), email };
    const second = await tokenFor(recreated);
    expect((await callApi('GET', '/workspaces', { headers: bearer(second) })).status).toBe(200);
    await addMember(workspaceId, owner.token, { user: recreated, token: second }, 'viewer');
    const listed = await callApi<{ items: { userId: string; email: string | null }[] }>(
      'GET',
      `/workspaces/${workspaceId}/members`,
      { headers: as(owner.token) },
    );
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ userId: recreated.id, email }),
    );
    expect(listed.body.items.map((item) => item.userId)).not.toContain(uuidV5(`first:${email}`));
  });

  it('invites any address the same way, and a member only once', async () => {
    const unknown = await callApi('POST', `/workspaces/${workspaceId}/members`, {
      json: { email: `nobody-${run}@cairn.test`, role: 'viewer' },
      headers: as(owner.token),
    });
    expect(unknown.status).toBe(201);
    const again = await callApi('POST', `/workspaces/${workspaceId}/members`, {
      json: { email: members.viewer.user.email, role: 'viewer' },
      headers: as(owner.token),
    });
    expect(again.status).toBe(409);
  });

  // Every write endpoint, with the least role it needs. Validation comes after the role check,
  // so an empty body still shows whether the role was enough (403 vs anything else).
  const writes: [string, string, 'editor' | 'admin'][] = [
    ['POST', '/documents', 'editor'],
    ['DELETE', '/documents/00000000-0000-4000-8000-000000000000', 'editor'],
    ['POST', '/documents/00000000-0000-4000-8000-000000000000/reprocess', 'editor'],
    ['POST', '/documents/00000000-0000-4000-8000-000000000000/retry', 'editor'],
    ['POST', '/imports', 'editor'],
    ['POST', '/smoke', 'editor'],
    ['POST', '/domains', 'editor'],
    ['POST', '/domains/00000000-0000-4000-8000-000000000000/review', 'editor'],
    ['POST', '/domains/00000000-0000-4000-8000-000000000000/documents', 'editor'],
    ['DELETE', '/domains/00000000-0000-4000-8000-000000000000', 'editor'],
    ['POST', '/workspaces/{ws}/members', 'admin'],
    ['PATCH', '/workspaces/{ws}/members/00000000-0000-4000-8000-000000000000', 'admin'],
    ['DELETE', '/workspaces/{ws}/members/00000000-0000-4000-8000-000000000000', 'admin'],
    ['POST', '/workspaces/{ws}/api-keys', 'admin'],
    ['GET', '/workspaces/{ws}/api-keys', 'admin'],
    ['DELETE', '/workspaces/{ws}/api-keys/00000000-0000-4000-8000-000000000000', 'admin'],
    ['GET', '/workspaces/{ws}/members', 'admin'],
    ['GET', '/workspaces/{ws}/invitations', 'admin'],
    ['DELETE', '/workspaces/{ws}/invitations/someone@cairn.test', 'admin'],
    ['GET', '/audit', 'admin'],
  ];
  const ranks = { viewer: 0, editor: 1, admin: 2, owner: 3 };

  it.each(writes)('%s %s needs %s', async (method, pathTemplate, needed) => {
    const path = pathTemplate.replace('{ws}', workspaceId);
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      const response = await callApi<ErrorBody>(method, path, {
        json: method === 'GET' || method === 'DELETE' ? undefined : {},
        headers: as(members[role].token),
      });
      if (ranks[role] < ranks[needed]) {
        expect({ role, status: response.status }).toEqual({ role, status: 403 });
      } else {
        // Allowed: the request reaches the route, which may refuse the empty body or the made-up
        // id (400, 404) but never answers as if the role were missing, nor fails.
        expect({ role, status: response.status }).not.toEqual({ role, status: 403 });
        expect(response.status).not.toBe(401);
        expect({ role, status: response.status, below500: response.status < 500 }).toEqual({
          role,
          status: response.status,
          below500: true,
        });
      }
    }
  });

  it('viewers read and search; editors upload', async () => {
    expect((await callApi('GET', '/documents', { headers: as(members.viewer.token) })).status).toBe(
      200,
    );
    const search = await callApi('POST', '/search', {
      json: { query: 'anything at all' },
      headers: as(members.viewer.token),
    });
    expect(search.status).toBe(200);
    await uploadText(as(members.editor.token), `Editor ${run}`, `Written by an editor in ${run}.`);
  });

  it('admins cannot make owners; the last owner cannot leave', async () => {
    const promote = await callApi(
      'PATCH',
      `/workspaces/${workspaceId}/members/${members.viewer.user.id}`,
      {
        json: { role: 'owner' },
        headers: as(members.admin.token),
      },
    );
    expect(promote.status).toBe(403);
    const demoteOwner = await callApi<ErrorBody>(
      'PATCH',
      `/workspaces/${workspaceId}/members/${owner.user.id}`,
      { json: { role: 'admin' }, headers: as(owner.token) },
    );
    expect(demoteOwner.status).toBe(409);
    const change = await callApi(
      'PATCH',
      `/workspaces/${workspaceId}/members/${members.viewer.user.id}`,
      {
        json: { role: 'editor' },
        headers: as(members.admin.token),
      },
    );
    expect(change.status).toBe(200);
    const back = await callApi(
      'PATCH',
      `/workspaces/${workspaceId}/members/${members.viewer.user.id}`,
      {
        json: { role: 'viewer' },
        headers: as(members.admin.token),
      },
    );
    expect(back.status).toBe(200);
  });

  it('API keys: shown once, stored hashed, usable both ways, scoped by role, revocable', async () => {
    const created = await callApi<{ id: string; key: string; role: string }>(
      'POST',
      `/workspaces/${workspaceId}/api-keys`,
      { json: { name: 'ingest bot', role: 'editor' }, headers: as(members.admin.token) },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ck_[0-9a-f]{32}_/);
    const listed = await callApi<{ items: Record<string, unknown>[] }>(
      'GET',
      `/workspaces/${workspaceId}/api-keys`,
      { headers: as(owner.token) },
    );
    const entry = listed.body.items.find((item) => item.id === created.body.id)!;
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key.split('_')[2]);
    expect(entry).not.toHaveProperty('secretHash');

    const viaBearer = { authorization: `Bearer ${created.body.key}` };
    const viaHeader = { 'x-api-key': created.body.key };
    for (const headers of [viaBearer, viaHeader]) {
      const listing = await callApi('GET', '/documents', { auth: false, headers });
      expect(listing.status).toBe(200);
    }
    await uploadText({ ...viaHeader }, `Key ${run}`, `Uploaded with an API key in ${run}.`);
    // A key acts only in its own workspace, and cannot list or create workspaces.
    const elsewhere = await callApi('GET', '/documents', {
      auth: false,
      headers: { ...viaHeader, 'x-workspace-id': 'e2e-default' },
    });
    expect(elsewhere.status).toBe(404);
    const admin = await callApi('GET', `/workspaces/${workspaceId}/members`, {
      auth: false,
      headers: viaHeader,
    });
    expect(admin.status).toBe(403);

    const viewerKey = await callApi<{ key: string }>(
      'POST',
      `/workspaces/${workspaceId}/api-keys`,
      {
        json: { name: 'reader', role: 'viewer' },
        headers: as(owner.token),
      },
    );
    const refused = await callApi('POST', '/documents', {
      auth: false,
      json: { title: 'x', text: 'y' },
      headers: { 'x-api-key': viewerKey.body.key },
    });
    expect(refused.status).toBe(403);

    const revoked = await callApi(
      'DELETE',
      `/workspaces/${workspaceId}/api-keys/${created.body.id}`,
      {
        headers: as(owner.token),
      },
    );
    expect(revoked.status).toBe(204);
    const after = await callApi('GET', '/documents', { auth: false, headers: viaHeader });
    expect(after.status).toBe(401);
  });

  it('the audit log records who did what, newest first, page by page', async () => {
    const first = await callApi<{
      items: { id: number; action: string; actor: { userId: string | null }; requestId: string }[];
      nextBefore: number | null;
    }>('GET', '/audit?limit=3', { headers: as(owner.token) });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextBefore).not.toBeNull();
    const ids = first.body.items.map((item) => item.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    const all = await callApi<{
      items: {
        action: string;
        actor: { userId: string | null; apiKeyId: string | null };
        requestId: string | null;
      }[];
    }>('GET', '/audit?limit=200', { headers: as(members.admin.token) });
    const actions = all.body.items.map((item) => item.action);
    for (const action of [
      'workspace.created',
      'member.added',
      'member.role_changed',
      'document.uploaded',
      'api_key.created',
      'api_key.revoked',
    ]) {
      expect(actions).toContain(action);
    }
    const upload = all.body.items.find(
      (item) => item.action === 'document.uploaded' && item.actor.userId === members.editor.user.id,
    );
    expect(upload?.requestId).toBeTruthy();
    expect(
      all.body.items.some((item) => item.action === 'document.uploaded' && item.actor.apiKeyId),
    ).toBe(true);
    const next = await callApi<{ items: { id: number }[] }>(
      'GET',
      `/audit?limit=3&before=${first.body.nextBefore}`,
      { headers: as(owner.token) },
    );
    expect(Math.max(...next.body.items.map((item) => item.id))).toBeLessThan(Math.min(...ids));
    const bad = await callApi('GET', '/audit?limit=0', { headers: as(owner.token) });
    expect(bad.status).toBe(400);
  });
});

describe('workspaces are isolated: another workspace’s ids answer 404', () => {
  const workspaceA = `iso-a-${run}`;
  const workspaceB = `iso-b-${run}`;
  let alice: { user: TestUser; token: string };
  let bob: { user: TestUser; token: string };
  const asAlice = (): Headers => ({ ...bearer(alice.token), 'x-workspace-id': workspaceA });
  const asBob = (): Headers => ({ ...bearer(bob.token), 'x-workspace-id': workspaceB });
  const secretPhrase = `Quillfeather Observatory ${run} keeps the zephyrine ledger`;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    alice = await signedIn('alice');
    bob = await signedIn('bob');
    await ensureWorkspace(alice.token, workspaceA, 'A');
    await ensureWorkspace(bob.token, workspaceB, 'B');
    ids.document = await uploadText(
      asBob(),
      `Bob's ledger ${run}`,
      `${secretPhrase}. Marguerite Holloway founded the Quillfeather Observatory in Tromsø.`,
    );
    await waitIndexed(asBob(), ids.document);
    const imported = await callApi<{ id: string }>('POST', '/imports', {
      body: JSON.stringify({ title: `Imported ${run}`, text: `Imported text ${run}.` }) + '\n',
      headers: { ...asBob(), 'content-type': 'application/x-ndjson' },
    });
    expect(imported.status).toBe(202);
    ids.import = imported.body.id;
    const entities = await callApi<{ entities: { key: string }[] }>(
      'GET',
      `/entities?query=${encodeURIComponent('Quillfeather Observatory')}`,
      { headers: asBob() },
    );
    expect(entities.body.entities.length).toBeGreaterThan(0);
    ids.entity = entities.body.entities[0].key;
    const key = await callApi<{ id: string }>('POST', `/workspaces/${workspaceB}/api-keys`, {
      json: { name: 'b key' },
      headers: asBob(),
    });
    ids.key = key.body.id;
    const domain = await callApi<{ domain: { id: string } }>('POST', '/domains', {
      json: { name: `Bob's domain ${run}`, seedDocumentIds: [ids.document] },
      headers: asBob(),
    });
    expect(domain.status).toBe(202);
    ids.domain = domain.body.domain.id;
  });

  const probes: [string, string, () => string][] = [
    ['GET', 'document', () => `/documents/${ids.document}`],
    ['GET', 'content', () => `/documents/${ids.document}/content`],
    ['GET', 'chunks', () => `/documents/${ids.document}/chunks`],
    ['GET', 'events', () => `/documents/${ids.document}/events`],
    ['DELETE', 'document delete', () => `/documents/${ids.document}`],
    ['POST', 'reprocess', () => `/documents/${ids.document}/reprocess`],
    ['POST', 'retry', () => `/documents/${ids.document}/retry`],
    ['GET', 'import', () => `/imports/${ids.import}`],
    ['GET', 'import events', () => `/imports/${ids.import}/events`],
    ['GET', 'entity', () => `/entities/${encodeURIComponent(ids.entity)}`],
    ['GET', 'neighborhood', () => `/graph/neighborhood?entityId=${encodeURIComponent(ids.entity)}`],
    ['GET', 'domain', () => `/domains/${ids.domain}`],
    ['GET', 'domain overview', () => `/domains/${ids.domain}/overview`],
    ['POST', 'domain review', () => `/domains/${ids.domain}/review`],
    ['POST', 'domain documents', () => `/domains/${ids.domain}/documents`],
    ['DELETE', 'domain archive', () => `/domains/${ids.domain}`],
    ['GET', 'members', () => `/workspaces/${workspaceB}/members`],
    ['GET', 'invitations', () => `/workspaces/${workspaceB}/invitations`],
    ['DELETE', 'member', () => `/workspaces/${workspaceB}/members/${bob.user.id}`],
    ['GET', 'keys', () => `/workspaces/${workspaceB}/api-keys`],
    ['DELETE', 'key', () => `/workspaces/${workspaceB}/api-keys/${ids.key}`],
  ];

  // Valid bodies, so that only the lookup in A's workspace can refuse them.
  const bodies: Record<string, unknown> = {
    'domain review': { decision: 'approve', comment: 'looks right' },
    'domain documents': { documentIds: [] as string[] },
  };

  it.each(probes)("%s %s of B with A's token → 404", async (method, name, pathOf) => {
    const json = name === 'domain documents' ? { documentIds: [ids.document] } : bodies[name];
    const response = await callApi(method, pathOf(), { headers: asAlice(), json });
    expect(response.status).toBe(404);
  });

  it("naming B's workspace with A's token → 404, for reads and the audit log alike", async () => {
    for (const path of ['/documents', '/audit', `/documents/${ids.document}`]) {
      const response = await callApi('GET', path, {
        headers: { ...bearer(alice.token), 'x-workspace-id': workspaceB },
      });
      expect(response.status).toBe(404);
    }
  });

  it("search with A's token never returns B's content, even for B's exact text", async () => {
    for (const mode of ['vector', 'keyword', 'hybrid', 'graph', 'auto']) {
      const response = await callApi<{ hits: { documentId: string; text: string }[] }>(
        'POST',
        '/search',
        { json: { query: secretPhrase, mode }, headers: asAlice() },
      );
      expect(response.status).toBe(200);
      expect(response.body.hits.filter((hit) => hit.documentId === ids.document)).toEqual([]);
      const { hits, linkedEntities, relatedEntities } = response.body as unknown as Record<
        string,
        unknown
      >;
      expect(JSON.stringify({ hits, linkedEntities, relatedEntities })).not.toMatch(
        /zephyrine|Quillfeather|Holloway/i,
      );
    }
    const own = await callApi<{ hits: { documentId: string }[] }>('POST', '/search', {
      json: { query: secretPhrase, mode: 'hybrid' },
      headers: asBob(),
    });
    expect(own.body.hits.map((hit) => hit.documentId)).toContain(ids.document);
  });

  it('B still has everything afterwards', async () => {
    const document = await callApi<{ status: string }>('GET', `/documents/${ids.document}`, {
      headers: asBob(),
    });
    expect(document.body.status).toBe('indexed');
    const domain = await callApi<{ status: string }>('GET', `/domains/${ids.domain}`, {
      headers: asBob(),
    });
    expect(domain.status).toBe(200);
    expect(domain.body.status).not.toBe('archived');
  });
});

describe('rate limits: token buckets per user and per IP shared by API instances', () => {
  let apis: ApiProcess[] = [];
  const burst = 40;

  beforeAll(async () => {
    const settings = {
      CAIRN_RATE_LIMIT_SEARCH_BURST: String(burst),
      CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE: '1',
      CAIRN_RATE_LIMIT_UPLOAD_BURST: '3',
      CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE: '1',
    };
    apis = await Promise.all([startApiProcess(settings), startApiProcess(settings)]);
  });
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
  });

  // A documentation address (RFC 3849) unique to this run as the client IP, so these buckets are
  // the run's own (buckets outlive a run in Redis until they refill).
  const clientIp = (suffix: number) => `2001:db8::${run.slice(0, 4)}:${run.slice(4, 8)}:${suffix}`;

  it('a burst of 1,000 searches from one user over two APIs: at most the budget passes', async () => {
    const { token } = await signedIn('burst');
    const workspaceId = `burst-${run}`;
    await ensureWorkspace(token, workspaceId);
    const headers = {
      ...bearer(token),
      'x-workspace-id': workspaceId,
      'content-type': 'application/json',
      'x-forwarded-for': clientIp(10),
    };
    const started = Date.now();
    const statuses: number[] = [];
    const retryAfter: string[] = [];
    let next = 0;
    // Eight at a time in all: each API process sheds a ninth concurrent search with a 503
    // (src/search), which this test of the rate budget must not meet.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 1000) {
          const index = next++;
          const response = await fetch(`${apis[index % 2].url}/search`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ query: `burst query ${index % 7}`, mode: 'keyword' }),
          });
          await response.arrayBuffer();
          statuses.push(response.status);
          if (response.status === 429) retryAfter.push(response.headers.get('retry-after') ?? '');
        }
      }),
    );
    const elapsedMinutes = (Date.now() - started) / 60_000;
    const accepted = statuses.filter((status) => status === 200).length;
    const limit = burst + Math.ceil(elapsedMinutes * 1);
    expect(statuses).toHaveLength(1000);
    expect(accepted).toBeGreaterThanOrEqual(burst);
    expect(accepted).toBeLessThanOrEqual(Math.floor(limit * 1.01));
    expect(statuses.filter((status) => status === 429)).toHaveLength(1000 - accepted);
    expect(retryAfter.every((value) => Number(value) >= 1)).toBe(true);
  });

  it('uploads have their own budget, and one IP shares it across users', async () => {
    const first = await signedIn('ip-one');
    const second = await signedIn('ip-two');
    const ip = clientIp(20);
    const results: number[] = [];
    for (const [index, caller] of [first, second, first, second, first].entries()) {
      const workspaceId = `ip-${index % 2}-${run}`;
      await ensureWorkspace(caller.token, workspaceId);
      const response = await fetch(`${apis[index % 2].url}/documents`, {
        method: 'POST',
        headers: {
          ...bearer(caller.token),
          'x-workspace-id': workspaceId,
          'content-type': 'application/json',
          'x-forwarded-for': ip,
        },
        body: JSON.stringify({ title: `ip ${index}`, text: `Budget probe ${index} of ${run}.` }),
      });
      await response.arrayBuffer();
      results.push(response.status);
    }
    // Three uploads from the IP pass (its burst), whoever sends them; the rest wait.
    expect(results).toEqual([202, 202, 202, 429, 429]);
    // Searches are a separate budget: the same IP still searches.
    const search = await fetch(`${apis[0].url}/search`, {
      method: 'POST',
      headers: {
        ...bearer(first.token),
        'x-workspace-id': `ip-0-${run}`,
        'content-type': 'application/json',
        'x-forwarded-for': ip,
      },
      body: JSON.stringify({ query: 'budget probe', mode: 'keyword' }),
    });
    expect(search.status).toBe(200);
  });
});

describe('when Redis is unreachable, uploads fail closed and reads go on', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApiProcess({ REDIS_URL: 'redis://127.0.0.1:9' });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('503 for an upload, 200 for listing and searching', async () => {
    const { token } = await signedIn('no-redis');
    const workspaceId = `no-redis-${run}`;
    await ensureWorkspace(token, workspaceId);
    const headers = { ...bearer(token), 'x-workspace-id': workspaceId };
    const upload = await fetch(`${api.url}/documents`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'blocked', text: 'Should not be stored.' }),
    });
    expect(upload.status).toBe(503);
    const listing = await fetch(`${api.url}/documents`, { headers });
    expect(listing.status).toBe(200);
    expect(((await listing.json()) as { total: number }).total).toBe(0);
    const search = await fetch(`${api.url}/search`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'anything', mode: 'keyword' }),
    });
    expect(search.status).toBe(200);
  });
});
