import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import * as yazl from 'yazl';
import { blobKey, importKey } from '../../src/stores/s3/blob-keys';
import { callApi } from '../support/api';
import { ensureWorkspace, testUser, tokenFor, type TestUser } from '../support/auth';
import { connectDocumentStores, objectKeys, type DocumentStores } from '../support/document-stores';
import { buildEncryptedPdf } from '../support/documents/document-fixtures';
import { fileForm } from '../support/fixtures';

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

  async function waitFor<T>(
    what: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
  ): Promise<T> {
    for (let attempt = 0; attempt < 360; attempt++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`${what}: not within 180 s`);
  }

  function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(files)) {
      zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
    }
    zip.end();
    return new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      zip.outputStream.on('data', (part: Buffer) => parts.push(part));
      zip.outputStream.on('end', () => resolve(Buffer.concat(parts)));
      zip.outputStream.on('error', reject);
    });
  }

  /** The import sources stored for the workspace (each import keeps its own under its id). */
  async function importSourceKeys(): Promise<string[]> {
    const prefix = importKey(workspaceId, randomUUID(), 'source').replace(/[^/]+\/source$/, '');
    return (await objectKeys(stores, prefix)).filter((key) => key.endsWith('/source')).sort();
  }

  let stores: DocumentStores;
  beforeAll(async () => {
    stores = connectDocumentStores();
    owner = await person('owner');
    await ensureWorkspace(owner.token, workspaceId, 'Audit');
  });
  afterAll(async () => {
    await stores.close();
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

  it('records a retried document, a retried import and a review decision', async () => {
    // A run that really fails (the pipeline cannot open an encrypted PDF), then a retry.
    const locked = await callApi<{ id: string }>('POST', '/documents', {
      headers: as(owner.token),
      body: fileForm({
        fileName: `locked-${run}.pdf`,
        mime: 'application/pdf',
        bytes: buildEncryptedPdf(run),
      }),
    });
    expect(locked.status).toBe(202);
    expect(await waitForStatus(locked.body.id, ['indexed', 'failed'])).toBe('failed');
    const retried = await callApi('POST', `/documents/${locked.body.id}/retry`, {
      headers: as(owner.token),
    });
    expect(retried.status).toBe(202);
    const documentRetried = await entryFor('document.retried', locked.body.id);
    expect(documentRetried.actor.userId).toBe(owner.user.id);
    expect(documentRetried.targetType).toBe('document');

    // An import with an entry Cairn cannot read ends completed_with_errors, and can be retried.
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), randomBytes(64)]);
    const imported = await callApi<{ id: string }>('POST', '/imports', {
      headers: { ...as(owner.token), 'content-type': 'application/zip' },
      body: new Uint8Array(
        await zipOf({ 'note.txt': `A note on the ledger (${run}).`, 'picture.gif': gif }),
      ),
    });
    expect(imported.status).toBe(202);
    const importId = imported.body.id;
    await waitFor(
      `import ${importId} ends`,
      async () =>
        (
          await callApi<{ status: string }>('GET', `/imports/${importId}`, {
            headers: as(owner.token),
          })
        ).body.status,
      (status) => status === 'completed_with_errors',
    );
    // Its last run records the end just before it closes: 409 until the close.
    const importRetried = await waitFor(
      `import ${importId} retried`,
      () => callApi('POST', `/imports/${importId}/retry`, { headers: as(owner.token) }),
      (response) => response.status !== 409,
    );
    expect(importRetried.status).toBe(202);
    expect((await entryFor('import.retried', importId)).actor.userId).toBe(owner.user.id);

    // A domain in review mode waits for a decision; the decision is audited with its comment.
    const seed = await callApi<{ id: string }>('POST', '/documents', {
      headers: as(owner.token),
      json: {
        title: `Seed ${run}`,
        text: `Ingrid Sjoberg keeps the ledger of the Uppsala cooperative (${run}).`,
      },
    });
    expect(seed.status).toBe(202);
    expect(await waitForStatus(seed.body.id, ['indexed', 'failed'])).toBe('indexed');
    const domain = await callApi<{ domain: { id: string } }>('POST', '/domains', {
      headers: as(owner.token),
      json: {
        name: `Reviewed ${run}`,
        mode: 'review',
        seedDocumentIds: [seed.body.id],
        review: { timeoutSeconds: 3_600 },
      },
    });
    expect(domain.status).toBe(202);
    const domainId = domain.body.domain.id;
    await waitFor(
      `domain ${domainId} awaits review`,
      async () =>
        (
          await callApi<{ status: string; workflow?: { pendingReview?: unknown } }>(
            'GET',
            `/domains/${domainId}`,
            { headers: as(owner.token) },
          )
        ).body,
      (body) => body.status === 'awaiting_review' && Boolean(body.workflow?.pendingReview),
    );
    const reviewed = await callApi('POST', `/domains/${domainId}/review`, {
      headers: as(owner.token),
      json: { decision: 'reject', comment: `Not needed (${run}).` },
    });
    expect(reviewed.status).toBe(200);
    const reviewEntry = await entryFor('domain.reviewed', domainId);
    expect(reviewEntry.actor.userId).toBe(owner.user.id);
    expect(reviewEntry.details).toEqual({ decision: 'reject', comment: `Not needed (${run}).` });
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
      // Nor its blob: the upload wrote it before the row, and takes it back.
      const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
      expect(await objectKeys(stores, blobKey(workspaceId, sha256))).toEqual([]);
      const documents = await callApi<{ items: { title: string }[] }>(
        'GET',
        '/documents?limit=100',
        {
          headers: as(owner.token),
        },
      );
      expect(documents.body.items.map((item) => item.title)).not.toContain(`Never ${run}`);

      const importsBefore = await importSourceKeys();
      const refusedImport = await callApi('POST', '/imports', {
        headers: { ...as(owner.token), 'content-type': 'application/x-ndjson' },
        body: `${JSON.stringify({ title: `Never imported ${run}`, text: 'Nothing stays.' })}\n`,
      });
      expect(refusedImport.status).toBe(500);
      expect(await importSourceKeys()).toEqual(importsBefore);

      expect((await entries()).length).toBe(before);
    });
  });
});
