import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { callApi } from '../support/api';
import { ensureWorkspace, testUser, tokenFor, type TestUser } from '../support/auth';

jest.setTimeout(240_000);

interface AuditItem {
  action: string;
  actor: { userId: string | null; apiKeyId: string | null };
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

/**
 * Every audited action through the API, each entry read back with GET /audit; and the entry
 * cannot be lost: when its insert fails (a trigger this test installs for its own workspace
 * only), the change it records fails with it.
 */
describe('audit log: one entry per change, committed with the change', () => {
  const workspaceId = `audit-${randomUUID().slice(0, 8)}`;
  const run = randomUUID().slice(0, 8);
  let owner: { user: TestUser; token: string };
  const as = (token: string) => ({
    authorization: `Bearer ${token}`,
    'x-workspace-id': workspaceId,
  });
  const person = async (name: string) => {
    const user = testUser(`audit-${name}-${run}`);
    return { user, token: await tokenFor(user) };
  };

  async function entries(): Promise<AuditItem[]> {
    const page = await callApi<{ items: AuditItem[] }>('GET', '/audit?limit=200', {
      headers: as(owner.token),
    });
    expect(page.status).toBe(200);
    return page.body.items;
  }
  async function entryFor(action: string, targetId: string): Promise<AuditItem> {
    const found = (await entries()).filter(
      (item) => item.action === action && item.targetId === targetId,
    );
    expect({ action, targetId, count: found.length }).toEqual({ action, targetId, count: 1 });
    return found[0];
  }
  async function waitForStatus(documentId: string, wanted: string[]): Promise<string> {
    for (let attempt = 0; attempt < 240; attempt++) {
      const document = await callApi<{ status: string }>('GET', `/documents/${documentId}`, {
        headers: as(owner.token),
      });
      if (wanted.includes(document.body.status)) return document.body.status;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`document ${documentId} never reached ${wanted.join('/')}`);
  }

  beforeAll(async () => {
    owner = await person('owner');
    await ensureWorkspace(owner.token, workspaceId, 'Audit');
  });

  it('records workspace, invitation, member and API key changes', async () => {
    const created = await entryFor('workspace.created', workspaceId);
    expect(created.actor.userId).toBe(owner.user.id);
    expect(created.details).toEqual({ name: 'Audit' });

    const member = await person('member');
    const invite = (email: string, role: string) =>
      callApi('POST', `/workspaces/${workspaceId}/members`, {
        headers: as(owner.token),
        json: { email, role },
      });
    expect((await invite(member.user.email, 'editor')).status).toBe(201);
    expect((await entryFor('member.invited', member.user.email)).details).toEqual({
      email: member.user.email,
      role: 'editor',
    });
    const accepted = await callApi('POST', `/invitations/${workspaceId}/accept`, {
      headers: { authorization: `Bearer ${member.token}` },
    });
    expect(accepted.status).toBe(200);
    const added = await entryFor('member.added', member.user.id);
    expect(added.actor.userId).toBe(member.user.id);
    expect(added.details).toMatchObject({ email: member.user.email, role: 'editor' });

    const withdrawnEmail = `withdrawn-${run}@cairn.test`;
    expect((await invite(withdrawnEmail, 'viewer')).status).toBe(201);
    const withdrawn = await callApi(
      'DELETE',
      `/workspaces/${workspaceId}/invitations/${encodeURIComponent(withdrawnEmail)}`,
      { headers: as(owner.token) },
    );
    expect(withdrawn.status).toBe(204);
    expect((await entryFor('invitation.withdrawn', withdrawnEmail)).actor.userId).toBe(
      owner.user.id,
    );

    const decliner = await person('decliner');
    expect((await invite(decliner.user.email, 'viewer')).status).toBe(201);
    const declined = await callApi('POST', `/invitations/${workspaceId}/decline`, {
      headers: { authorization: `Bearer ${decliner.token}` },
    });
    expect(declined.status).toBe(204);
    expect((await entryFor('invitation.declined', decliner.user.email)).actor.userId).toBe(
      decliner.user.id,
    );

    const changed = await callApi('PATCH', `/workspaces/${workspaceId}/members/${member.user.id}`, {
      headers: as(owner.token),
      json: { role: 'viewer' },
    });
    expect(changed.status).toBe(200);
    expect((await entryFor('member.role_changed', member.user.id)).details).toEqual({
      from: 'editor',
      to: 'viewer',
    });

    const key = await callApi<{ id: string }>('POST', `/workspaces/${workspaceId}/api-keys`, {
      headers: as(owner.token),
      json: { name: 'audited', role: 'viewer' },
    });
    expect(key.status).toBe(201);
    expect((await entryFor('api_key.created', key.body.id)).details).toEqual({
      name: 'audited',
      role: 'viewer',
    });
    const revoked = await callApi('DELETE', `/workspaces/${workspaceId}/api-keys/${key.body.id}`, {
      headers: as(owner.token),
    });
    expect(revoked.status).toBe(204);
    expect((await entryFor('api_key.revoked', key.body.id)).actor.userId).toBe(owner.user.id);

    const removed = await callApi(
      'DELETE',
      `/workspaces/${workspaceId}/members/${member.user.id}`,
      {
        headers: as(owner.token),
      },
    );
    expect(removed.status).toBe(204);
    expect((await entryFor('member.removed', member.user.id)).details).toEqual({ role: 'viewer' });
  });

  it('records document uploads, re-processing and deletes, imports and domain changes', async () => {
    const upload = await callApi<{ id: string }>('POST', '/documents', {
      headers: as(owner.token),
      json: {
        title: `Audited ${run}`,
        text: `Marta Lindqvist audited the ledger in Uppsala (${run}).`,
      },
    });
    expect(upload.status).toBe(202);
    const documentId = upload.body.id;
    const uploaded = await entryFor('document.uploaded', documentId);
    expect(uploaded.actor.userId).toBe(owner.user.id);
    expect(uploaded.requestId).toEqual(expect.any(String));
    expect(await waitForStatus(documentId, ['indexed', 'failed'])).toBe('indexed');

    // The row says indexed a moment before its run closes; re-processing waits for the close.
    let reprocessed = await callApi('POST', `/documents/${documentId}/reprocess`, {
      headers: as(owner.token),
    });
    for (let attempt = 0; reprocessed.status === 409 && attempt < 60; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      reprocessed = await callApi('POST', `/documents/${documentId}/reprocess`, {
        headers: as(owner.token),
      });
    }
    expect(reprocessed.status).toBe(202);
    await entryFor('document.reprocessed', documentId);
    expect(await waitForStatus(documentId, ['indexed', 'failed'])).toBe('indexed');

    const imported = await callApi<{ id: string }>('POST', '/imports', {
      headers: { ...as(owner.token), 'content-type': 'application/x-ndjson' },
      body: `${JSON.stringify({ title: `Imported ${run}`, text: `An imported note (${run}).` })}\n`,
    });
    expect(imported.status).toBe(202);
    await entryFor('import.started', imported.body.id);

    const domain = await callApi<{ domain: { id: string } }>('POST', '/domains', {
      headers: as(owner.token),
      json: { name: `Audit ${run}`, mode: 'auto', seedDocumentIds: [documentId] },
    });
    expect(domain.status).toBe(202);
    const domainId = domain.body.domain.id;
    expect((await entryFor('domain.created', domainId)).details).toEqual({
      name: `Audit ${run}`,
      mode: 'auto',
    });
    const second = await callApi<{ id: string }>('POST', '/documents', {
      headers: as(owner.token),
      json: { title: `Second ${run}`, text: `Another note for the domain (${run}).` },
    });
    const addedToDomain = await callApi('POST', `/domains/${domainId}/documents`, {
      headers: as(owner.token),
      json: { documentIds: [second.body.id] },
    });
    expect(addedToDomain.status).toBe(202);
    expect((await entryFor('domain.documents_added', domainId)).details).toEqual({
      documentIds: [second.body.id],
    });
    const archived = await callApi('DELETE', `/domains/${domainId}`, { headers: as(owner.token) });
    expect(archived.status).toBe(200);
    await entryFor('domain.archived', domainId);

    const deleted = await callApi('DELETE', `/documents/${documentId}`, {
      headers: as(owner.token),
    });
    expect(deleted.status).toBe(202);
    await entryFor('document.deleted', documentId);
  });

  describe('when the audit insert fails', () => {
    const owned = new Client({ connectionString: process.env.DATABASE_OWNER_URL });
    const guard = `audit_refused_${run}`;

    beforeAll(async () => {
      await owned.connect();
      // Only this test's workspace: every other workspace's entries go on being written.
      await owned.query(
        `CREATE FUNCTION ${guard}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'audit insert refused by the test'; END $$`,
      );
      await owned.query(
        `CREATE TRIGGER ${guard} BEFORE INSERT ON audit_log FOR EACH ROW
         WHEN (NEW.workspace_id = '${workspaceId}') EXECUTE FUNCTION ${guard}()`,
      );
    });
    afterAll(async () => {
      await owned.query(`DROP TRIGGER IF EXISTS ${guard} ON audit_log`);
      await owned.query(`DROP FUNCTION IF EXISTS ${guard}()`);
      await owned.end();
    });

    it('fails the change too: no key, no invitation, no document without its entry', async () => {
      const before = (await entries()).length;

      const key = await callApi('POST', `/workspaces/${workspaceId}/api-keys`, {
        headers: as(owner.token),
        json: { name: 'never', role: 'viewer' },
      });
      expect(key.status).toBe(500);
      const keys = await callApi<{ items: { name: string }[] }>(
        'GET',
        `/workspaces/${workspaceId}/api-keys`,
        { headers: as(owner.token) },
      );
      expect(keys.body.items.map((item) => item.name)).not.toContain('never');

      const invited = await callApi('POST', `/workspaces/${workspaceId}/members`, {
        headers: as(owner.token),
        json: { email: `never-${run}@cairn.test`, role: 'viewer' },
      });
      expect(invited.status).toBe(500);
      const invitations = await callApi<{ items: { email: string }[] }>(
        'GET',
        `/workspaces/${workspaceId}/invitations`,
        { headers: as(owner.token) },
      );
      expect(invitations.body.items.map((item) => item.email)).not.toContain(
        `never-${run}@cairn.test`,
      );

      const text = `Never stored (${run}) ${randomUUID()}`;
      const upload = await callApi('POST', '/documents', {
        headers: as(owner.token),
        json: { title: `Never ${run}`, text },
      });
      expect(upload.status).toBe(500);
      const documents = await callApi<{ items: { title: string }[] }>(
        'GET',
        '/documents?limit=100',
        {
          headers: as(owner.token),
        },
      );
      expect(documents.body.items.map((item) => item.title)).not.toContain(`Never ${run}`);

      expect((await entries()).length).toBe(before);
    });
  });
});
