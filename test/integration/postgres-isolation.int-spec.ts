import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { AuthRepository } from '../../src/auth/auth.repository';
import { loadConfig } from '../../src/config/config';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';

jest.setTimeout(30_000);

const config = loadConfig();
const root = join(__dirname, '..', '..');

/** The role a postgres:// URL logs in as. */
const roleOf = (url: string) => decodeURIComponent(new URL(url).username);

/**
 * The API and the workers connect as the app role made by infra/postgres/cairn-roles.sql, here as
 * under docker compose; these tests connect with the very DATABASE_URL the test API uses.
 */
describe('Postgres roles and row-level security (as the API connects)', () => {
  const store = new PostgresStore(config);
  const repository = new AuthRepository(store);
  const app = new Client({ connectionString: config.DATABASE_URL });
  const workspaceId = `iso-${randomUUID().slice(0, 8)}`;
  const userId = randomUUID();
  const email = `iso-${randomUUID().slice(0, 8)}@example.com`;

  beforeAll(async () => {
    await app.connect();
    await repository.upsertUser(userId, email);
    // The audit entries of these changes are the one row audit_log must show below.
    expect(await repository.createWorkspace(workspaceId, 'Isolation', userId, null)).toBe(true);
    await repository.invite(workspaceId, `invitee-${email}`, 'viewer', userId, {
      workspaceId,
      actor: { userId, via: 'token' },
      action: 'member.invited',
      targetType: 'invitation',
    });
    await repository.insertApiKey(
      {
        id: randomUUID(),
        workspaceId,
        name: 'isolation',
        role: 'viewer',
        secretHash: 'x'.repeat(64),
        createdBy: userId,
      },
      null,
    );
    await store.queryInWorkspace(
      workspaceId,
      `INSERT INTO documents (workspace_id, sha256, title, mime, size_bytes)
       VALUES ($1, $2, 'isolation', 'text/plain', 1)`,
      [workspaceId, randomUUID().replace(/-/g, '').padEnd(64, '0')],
    );
  });
  afterAll(async () => {
    await store.queryInWorkspace(workspaceId, 'DELETE FROM workspaces WHERE id = $1', [
      workspaceId,
    ]);
    await app.end();
    await store.onModuleDestroy();
  });

  it('uses the same app role as docker compose and k8s, and it is neither superuser nor BYPASSRLS', async () => {
    const compose = load(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), {
      schema: CORE_SCHEMA.withTags(mergeTag),
    }) as { 'x-cairn-env': Record<string, string> };
    expect(roleOf(compose['x-cairn-env'].DATABASE_URL)).toBe('cairn_app');
    expect(readFileSync(join(root, 'k8s/base/secret.yaml'), 'utf8')).toMatch(
      /^ {2}DATABASE_URL: postgres:\/\/cairn_app:/m,
    );
    const { rows } = await app.query<{
      user: string;
      rolsuper: boolean;
      rolbypassrls: boolean;
      owned: number;
    }>(
      `SELECT current_user AS user, r.rolsuper, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows).toEqual([{ user: 'cairn_app', rolsuper: false, rolbypassrls: false, owned: 0 }]);
  });

  it('every table with a workspace_id (and workspaces, users) has row-level security and a workspace policy', async () => {
    const { rows } = await app.query<{ table: string; rls: boolean; policies: string[] }>(
      `SELECT c.relname AS table, c.relrowsecurity AS rls,
              coalesce(array_agg(p.polname ORDER BY p.polname) FILTER (WHERE p.polname IS NOT NULL), '{}') AS policies
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_policy p ON p.polrelid = c.oid
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (c.relname IN ('workspaces', 'users') OR EXISTS (
           SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id'))
       GROUP BY c.relname, c.relrowsecurity ORDER BY c.relname`,
    );
    expect(rows.map((row) => row.table)).toEqual(
      expect.arrayContaining([
        'api_keys',
        'audit_log',
        'documents',
        'domains',
        'users',
        'workspace_invitations',
        'workspace_members',
        'workspaces',
      ]),
    );
    for (const row of rows) {
      expect({ table: row.table, rls: row.rls }).toEqual({ table: row.table, rls: true });
      expect(row.policies.length).toBeGreaterThan(0);
      expect(row.policies).not.toContain('cross_workspace_read');
    }
  });

  it('a query that forgets the workspace sees nothing, in every workspace table', async () => {
    const { rows: tables } = await app.query<{ table: string }>(
      `SELECT c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'
         AND (c.relname IN ('workspaces', 'users') OR EXISTS (
           SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id'))`,
    );
    const seeded = [
      'api_keys',
      'audit_log',
      'documents',
      'users',
      'workspace_invitations',
      'workspace_members',
      'workspaces',
    ];
    for (const { table } of tables) {
      const forgot = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
      expect({ table, rows: forgot.rows[0].n }).toEqual({ table, rows: 0 });
    }
    // The same statements, scoped to the workspace, do see what the setup wrote.
    await app.query('BEGIN');
    try {
      await app.query("SELECT set_config('cairn.workspace_id', $1, true)", [workspaceId]);
      for (const table of seeded) {
        const scoped = await app.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`);
        expect({ table, rows: scoped.rows[0].n }).toEqual({ table, rows: 1 });
      }
    } finally {
      await app.query('ROLLBACK');
    }
  });

  it('neither the old cross-workspace setting nor turning row security off reveals a row', async () => {
    await app.query('BEGIN READ ONLY');
    try {
      await app.query("SELECT set_config('cairn.cross_workspace_read', 'on', true)");
      const rows = await app.query('SELECT 1 FROM documents WHERE workspace_id = $1', [
        workspaceId,
      ]);
      expect(rows.rowCount).toBe(0);
      await app.query('SET LOCAL row_security = off');
      // With row security off, PostgreSQL refuses a query a policy would have filtered.
      await expect(app.query('SELECT 1 FROM documents')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await app.query('ROLLBACK');
    }
    await expect(
      app.query('ALTER TABLE documents DISABLE ROW LEVEL SECURITY'),
    ).rejects.toMatchObject({ code: '42501' });
  });

  it('cannot write a row into a workspace other than the one its transaction is scoped to', async () => {
    await app.query('BEGIN');
    try {
      await app.query("SELECT set_config('cairn.workspace_id', $1, true)", [
        config.CAIRN_DEFAULT_WORKSPACE,
      ]);
      await expect(
        app.query(
          `INSERT INTO api_keys (id, workspace_id, name, role, secret_hash, created_by)
           VALUES ($1, $2, 'smuggled', 'admin', 'x', $3)`,
          [randomUUID(), workspaceId, userId],
        ),
      ).rejects.toMatchObject({ code: '42501' });
    } finally {
      await app.query('ROLLBACK');
    }
  });

  it('answers the questions asked before a workspace is known, and only those', async () => {
    expect(await repository.workspacesOf(userId)).toEqual([
      expect.objectContaining({ workspaceId, role: 'owner' }),
    ]);
    expect((await repository.invitationsFor(`invitee-${email}`)).map((i) => i.workspaceId)).toEqual(
      [workspaceId],
    );
    const [key] = await repository.apiKeys(workspaceId);
    expect(await repository.activeApiKey(key.id)).toMatchObject({
      id: key.id,
      workspaceId,
      creatorRole: 'owner',
    });
    // Another user's list is empty; the functions take no workspace and return no other rows.
    expect(await repository.workspacesOf(randomUUID())).toEqual([]);
    expect(await repository.activeApiKey(randomUUID())).toBeNull();
    // The app cannot write users but through the function.
    await expect(
      app.query('UPDATE users SET email = NULL WHERE id = $1 RETURNING id', [userId]),
    ).resolves.toMatchObject({ rowCount: 0 });
  });
});
