// API keys act for the member who created them: never beyond that member's current role, and not
// at all once the member left the workspace. Through the HTTP API of the running stack.
import { Pool } from 'pg';
import { callApi } from '../support/api';
import { addMember, ensureWorkspace, testUser, type TestUser, tokenFor } from '../support/auth';
import { uniqueToken } from '../support/fixtures';

jest.setTimeout(120_000);

type Headers = Record<string, string>;
const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });
const run = uniqueToken();

async function signedIn(name: string): Promise<{ user: TestUser; token: string }> {
  const user = testUser(`${name}-${run}`);
  const token = await tokenFor(user);
  expect((await callApi('GET', '/workspaces', { headers: bearer(token) })).status).toBe(200);
  return { user, token };
}

describe('an API key never holds more than its creator holds now', () => {
  const workspaceId = `keys-${run}`;
  let owner: { user: TestUser; token: string };
  let postgres: Pool;
  const asOwner = (): Headers => ({ ...bearer(owner.token), 'x-workspace-id': workspaceId });
  const withKey = (key: string): Headers => ({ 'x-api-key': key });

  async function keyOf(
    creator: { token: string },
    role: string,
  ): Promise<{ id: string; key: string }> {
    const created = await callApi<{ id: string; key: string }>(
      'POST',
      `/workspaces/${workspaceId}/api-keys`,
      {
        json: { name: `${role} key`, role },
        headers: { ...bearer(creator.token), 'x-workspace-id': workspaceId },
      },
    );
    expect(created.status).toBe(201);
    return created.body;
  }

  beforeAll(async () => {
    postgres = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    owner = await signedIn('keys-owner');
    await ensureWorkspace(owner.token, workspaceId, 'Keys');
  });
  afterAll(() => postgres.end());

  /** A statement as the app role runs it: scoped to the workspace (row-level security); one row. */
  async function changeInWorkspace(text: string, params: unknown[]): Promise<void> {
    const client = await postgres.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('cairn.workspace_id', $1, true)", [workspaceId]);
      const result = await client.query(text, params);
      expect(result.rowCount).toBe(1);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  it('removing the creator revokes their keys: the key cannot re-add its creator', async () => {
    const admin = await signedIn('keys-removed-admin');
    await addMember(workspaceId, owner.token, admin, 'admin');
    const key = await keyOf(admin, 'admin');
    const removed = await callApi('DELETE', `/workspaces/${workspaceId}/members/${admin.user.id}`, {
      headers: asOwner(),
    });
    expect(removed.status).toBe(204);
    const readdSelf = await callApi('POST', `/workspaces/${workspaceId}/members`, {
      auth: false,
      json: { email: admin.user.email, role: 'admin' },
      headers: withKey(key.key),
    });
    expect(readdSelf.status).toBe(401);
    const keys = await callApi<{ items: { id: string; revokedAt: string | null }[] }>(
      'GET',
      `/workspaces/${workspaceId}/api-keys`,
      { headers: asOwner() },
    );
    expect(keys.body.items.find((item) => item.id === key.id)?.revokedAt).toBeTruthy();
  });

  it('demoting the creator narrows their keys to the new role', async () => {
    const admin = await signedIn('keys-demoted-admin');
    await addMember(workspaceId, owner.token, admin, 'admin');
    const key = await keyOf(admin, 'admin');
    expect(
      (
        await callApi('GET', `/workspaces/${workspaceId}/members`, {
          auth: false,
          headers: withKey(key.key),
        })
      ).status,
    ).toBe(200);
    const demoted = await callApi('PATCH', `/workspaces/${workspaceId}/members/${admin.user.id}`, {
      json: { role: 'viewer' },
      headers: asOwner(),
    });
    expect(demoted.status).toBe(200);
    const keys = await callApi<{ items: { id: string; role: string }[] }>(
      'GET',
      `/workspaces/${workspaceId}/api-keys`,
      { headers: asOwner() },
    );
    expect(keys.body.items.find((item) => item.id === key.id)?.role).toBe('viewer');
    const members = await callApi('GET', `/workspaces/${workspaceId}/members`, {
      auth: false,
      headers: withKey(key.key),
    });
    expect(members.status).toBe(403);
    const upload = await callApi('POST', '/documents', {
      auth: false,
      json: { title: 'x', text: 'y' },
      headers: withKey(key.key),
    });
    expect(upload.status).toBe(403);
    const read = await callApi('GET', '/documents', { auth: false, headers: withKey(key.key) });
    expect(read.status).toBe(200);
  });

  it("each request checks the creator's current membership, whatever the key row says", async () => {
    // Memberships changed outside these endpoints (or keys stored before they narrowed keys).
    const member = await signedIn('keys-changed-directly');
    await addMember(workspaceId, owner.token, member, 'admin');
    const key = await keyOf(owner, 'editor');
    const own = await keyOf(member, 'editor');
    expect(
      (await callApi('POST', '/documents', { auth: false, json: {}, headers: withKey(own.key) }))
        .status,
    ).toBe(400);
    await changeInWorkspace(
      `UPDATE workspace_members SET role = 'viewer' WHERE workspace_id = $1 AND user_id = $2`,
      [workspaceId, member.user.id],
    );
    expect(
      (await callApi('POST', '/documents', { auth: false, json: {}, headers: withKey(own.key) }))
        .status,
    ).toBe(403);
    await changeInWorkspace(
      'DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2 RETURNING user_id',
      [workspaceId, member.user.id],
    );
    expect(
      (await callApi('GET', '/documents', { auth: false, headers: withKey(own.key) })).status,
    ).toBe(401);
    // The owner's key is untouched by someone else's membership.
    expect(
      (await callApi('POST', '/documents', { auth: false, json: {}, headers: withKey(key.key) }))
        .status,
    ).toBe(400);
  });
});
