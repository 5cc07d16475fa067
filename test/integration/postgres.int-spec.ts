import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/config';
import { migrations } from '../../src/stores/postgres/migrations';
import { PostgresStore } from '../../src/stores/postgres/postgres.store';

jest.setTimeout(30_000);

const config = loadConfig();
const workspaceId = config.CAIRN_DEFAULT_WORKSPACE;

function ownerUrl(): string {
  if (!config.DATABASE_OWNER_URL)
    throw new Error('the tests need DATABASE_OWNER_URL (infra/env.sh)');
  return config.DATABASE_OWNER_URL;
}

/** A store whose connections see only `schema`, so migrations can be tried on a blank slate. */
function storeInSchema(schema: string): PostgresStore {
  const inSchema = (value: string) => {
    const url = new URL(value);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };
  return new PostgresStore({
    ...config,
    DATABASE_URL: inSchema(ownerUrl()),
    DATABASE_OWNER_URL: inSchema(ownerUrl()),
  });
}

describe('PostgresStore (real PostgreSQL)', () => {
  const store = new PostgresStore(config);

  beforeAll(async () => {
    await store.ensureSchema();
  });
  afterAll(async () => {
    await store.onModuleDestroy();
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('applies every migration once and keeps the default workspace', async () => {
    const applied = await store.query<{ id: string }>(
      'SELECT id FROM schema_migrations ORDER BY id',
    );
    expect(applied.map((row) => row.id)).toEqual(migrations.map((migration) => migration.id));
    expect(await store.migrate()).toEqual([]);
    const workspaces = await store.queryInWorkspace<{ id: string }>(
      workspaceId,
      'SELECT id FROM workspaces WHERE id = $1',
      [workspaceId],
    );
    expect(workspaces).toHaveLength(1);
  });

  it('writes, reads back and deletes a smoke record', async () => {
    const id = `int-${randomUUID()}`;
    await store.queryInWorkspace(
      workspaceId,
      'INSERT INTO smoke_records (workspace_id, id, value) VALUES ($1, $2, $3)',
      [workspaceId, id, 'hello'],
    );
    const rows = await store.queryInWorkspace<{ value: string }>(
      workspaceId,
      'SELECT value FROM smoke_records WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    expect(rows).toEqual([{ value: 'hello' }]);
    await store.queryInWorkspace(
      workspaceId,
      'DELETE FROM smoke_records WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    const count = await store.queryInWorkspace<{ n: number }>(
      workspaceId,
      'SELECT count(*) AS n FROM smoke_records WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    // int8 comes back as a JS number
    expect(count).toEqual([{ n: 0 }]);
  });

  it('enforces one document per (workspace, sha256) and stores jsonb counts', async () => {
    const sha256 = randomUUID().replace(/-/g, '').padEnd(64, '0');
    const insert = () =>
      store.queryInWorkspace<{ id: string; size_bytes: number; counts: Record<string, number> }>(
        workspaceId,
        `INSERT INTO documents (workspace_id, sha256, title, mime, size_bytes, counts)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, size_bytes, counts`,
        [workspaceId, sha256, 'A title', 'text/plain', 12, { chunks: 3 }],
      );
    try {
      const [row] = await insert();
      expect(row.size_bytes).toBe(12);
      expect(row.counts).toEqual({ chunks: 3 });
      await expect(insert()).rejects.toMatchObject({ code: '23505' });
    } finally {
      await store.queryInWorkspace(
        workspaceId,
        'DELETE FROM documents WHERE workspace_id = $1 AND sha256 = $2',
        [workspaceId, sha256],
      );
    }
  });

  it('rolls a transaction back when its function throws', async () => {
    const id = `tx-${randomUUID()}`;
    await expect(
      store.withWorkspace(workspaceId, async (client) => {
        await client.query(
          'INSERT INTO smoke_records (workspace_id, id, value) VALUES ($1, $2, $3)',
          [workspaceId, id, 'x'],
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await store.queryInWorkspace(
      workspaceId,
      'SELECT 1 FROM smoke_records WHERE workspace_id = $1 AND id = $2',
      [workspaceId, id],
    );
    expect(rows).toHaveLength(0);
  });

  describe('row-level security under the application’s own scoping', () => {
    const other = `rls-${randomUUID().slice(0, 8)}`;
    const id = `rls-${randomUUID()}`;
    beforeAll(async () => {
      await store.ensureWorkspace(other);
      await store.queryInWorkspace(
        workspaceId,
        'INSERT INTO smoke_records (workspace_id, id, value) VALUES ($1, $2, $3)',
        [workspaceId, id, 'mine'],
      );
    });
    afterAll(async () => {
      await store.queryInWorkspace(workspaceId, 'DELETE FROM smoke_records WHERE id = $1', [id]);
      await store.queryInWorkspace(other, 'DELETE FROM workspaces WHERE id = $1', [other]);
    });

    it('a query that names no workspace sees no rows at all', async () => {
      expect(await store.query('SELECT 1 FROM smoke_records WHERE id = $1', [id])).toEqual([]);
    });

    it("a query scoped to another workspace neither sees nor changes this one's rows", async () => {
      // No WHERE on the workspace here on purpose: the policy alone keeps the rows apart.
      expect(
        await store.queryInWorkspace(other, 'SELECT 1 FROM smoke_records WHERE id = $1', [id]),
      ).toEqual([]);
      await store.queryInWorkspace(other, 'DELETE FROM smoke_records WHERE id = $1', [id]);
      expect(
        await store.queryInWorkspace(workspaceId, 'SELECT value FROM smoke_records WHERE id = $1', [
          id,
        ]),
      ).toEqual([{ value: 'mine' }]);
    });

    it('the metrics role counts documents across workspaces, reads nothing else and changes nothing', async () => {
      const sha256 = randomUUID().replace(/-/g, '').padEnd(64, '0');
      for (const workspace of [workspaceId, other]) {
        await store.queryInWorkspace(
          workspace,
          `INSERT INTO documents (workspace_id, sha256, title, mime, size_bytes, status)
           VALUES ($1, $2, 't', 'text/plain', 1, 'metrics-probe')`,
          [workspace, sha256],
        );
      }
      try {
        const rows = await store.queryAcrossWorkspaces<{ workspace_id: string }>(
          "SELECT workspace_id FROM documents WHERE status = 'metrics-probe' ORDER BY workspace_id",
        );
        expect(rows).toEqual(
          [workspaceId, other].sort().map((workspace) => ({ workspace_id: workspace })),
        );
        // Only the columns the figures need, only the documents table, and never a write.
        await expect(
          store.queryAcrossWorkspaces("SELECT title FROM documents WHERE status = 'metrics-probe'"),
        ).rejects.toMatchObject({ code: '42501' });
        await expect(
          store.queryAcrossWorkspaces('SELECT value FROM smoke_records WHERE id = $1', [id]),
        ).rejects.toMatchObject({ code: '42501' });
        await expect(
          store.queryAcrossWorkspaces("DELETE FROM documents WHERE status = 'metrics-probe'"),
        ).rejects.toMatchObject({ code: '25006' });
      } finally {
        for (const workspace of [workspaceId, other]) {
          await store.queryInWorkspace(workspace, 'DELETE FROM documents WHERE sha256 = $1', [
            sha256,
          ]);
        }
      }
    });

    it("refuses to write a row into a workspace other than the transaction's", async () => {
      await expect(
        store.queryInWorkspace(
          other,
          'INSERT INTO smoke_records (workspace_id, id, value) VALUES ($1, $2, $3)',
          [workspaceId, `rls-${randomUUID()}`, 'smuggled'],
        ),
      ).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('applies migrations exactly once when two processes migrate a blank database together', async () => {
    const schema = `migrate_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const owner = new PostgresStore({ ...config, DATABASE_URL: ownerUrl() });
    await owner.query(`CREATE SCHEMA ${schema}`);
    const first = storeInSchema(schema);
    const second = storeInSchema(schema);
    try {
      const [appliedByFirst, appliedBySecond] = await Promise.all([
        first.migrate(),
        second.migrate(),
      ]);
      const all = [...appliedByFirst, ...appliedBySecond].sort();
      expect(all).toEqual(migrations.map((migration) => migration.id));
      const recorded = await first.query<{ id: string }>(
        'SELECT id FROM schema_migrations ORDER BY id',
      );
      expect(recorded.map((row) => row.id)).toEqual(migrations.map((migration) => migration.id));
      const tables = await first.query<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [schema],
      );
      // Later migrations add tables of their own; the first one's must all be there.
      expect(tables.map((row) => row.table_name)).toEqual(
        expect.arrayContaining(['documents', 'schema_migrations', 'smoke_records', 'workspaces']),
      );
      // And a third run on an up-to-date schema changes nothing.
      expect(await second.migrate()).toEqual([]);
    } finally {
      await Promise.all([first.onModuleDestroy(), second.onModuleDestroy()]);
      await owner.query(`DROP SCHEMA ${schema} CASCADE`);
      await owner.onModuleDestroy();
    }
  });
});
