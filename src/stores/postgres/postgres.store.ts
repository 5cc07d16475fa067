import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CustomTypesConfig, Pool, PoolClient, QueryResultRow, types } from 'pg';
import { CairnConfig } from '../../config/config';
import { InjectConfig } from '../../config/config.module';
import { Migration, migrations as defaultMigrations } from './migrations';

// Any constant works, as long as every Cairn process uses the same one.
const MIGRATION_LOCK_KEY = 0x63_61_69_72; // "cair"

// bigint (int8) columns and count(*) come back as numbers: sizes and counts stay far below 2^53.
const INT8_OID = 20;
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text') =>
    oid === INT8_OID && format === 'text'
      ? (value: string) => Number(value)
      : (types.getTypeParser(oid, format) as (
          value: string,
        ) => unknown)) as CustomTypesConfig['getTypeParser'],
};

@Injectable()
export class PostgresStore implements OnModuleDestroy {
  private readonly logger = new Logger(PostgresStore.name);
  readonly pool: Pool;

  /** The metrics role's connection (DATABASE_METRICS_URL), opened on first use. */
  private metricsPool: Pool | null = null;

  constructor(@InjectConfig() private readonly config: CairnConfig) {
    this.pool = this.openPool(config.DATABASE_URL, 10);
  }

  private openPool(connectionString: string, max: number): Pool {
    const pool = new Pool({
      connectionString,
      max,
      // Fail fast when Postgres is down instead of waiting for a connection forever.
      connectionTimeoutMillis: 3_000,
      idleTimeoutMillis: 30_000,
      types: typeParsers,
      application_name: 'cairn',
    });
    // An idle client losing its connection (Postgres restarted) must not crash the process;
    // the pool drops that client and opens a new one on the next query.
    pool.on('error', (error) => this.logger.warn(`idle Postgres client failed: ${error.message}`));
    return pool;
  }

  async query<R extends QueryResultRow = Record<string, unknown>>(
    text: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    const result = await this.pool.query<R>(text, params);
    return result.rows;
  }

  /**
   * A query on tables a workspace owns. Row-level security lets it see and change only that
   * workspace's rows (see migration 0003), whatever its WHERE clause says.
   */
  async queryInWorkspace<R extends QueryResultRow = Record<string, unknown>>(
    workspaceId: string,
    text: string,
    params: unknown[] = [],
  ): Promise<R[]> {
    return this.withWorkspace(workspaceId, async (client) => {
      const result = await client.query<R>(text, params);
      return result.rows;
    });
  }

  /** Like withTransaction, with row-level security scoped to one workspace. */
  async withWorkspace<T>(workspaceId: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withTransaction(async (client) => {
      await client.query("SELECT set_config('cairn.workspace_id', $1, true)", [workspaceId]);
      return fn(client);
    });
  }

  /**
   * A read across every workspace, for operators' figures (metrics) only: a READ ONLY
   * transaction of the metrics role (DATABASE_METRICS_URL), the one role a policy lets read
   * across workspaces, and only the columns the migrations grant it. Null when that role is not
   * configured.
   */
  async queryAcrossWorkspaces<R extends QueryResultRow = Record<string, unknown>>(
    text: string,
    params: unknown[] = [],
  ): Promise<R[] | null> {
    if (!this.config.DATABASE_METRICS_URL) return null;
    this.metricsPool ??= this.openPool(this.config.DATABASE_METRICS_URL, 1);
    return this.withTransaction(async (client) => (await client.query<R>(text, params)).rows, {
      readOnly: true,
      pool: this.metricsPool,
    });
  }

  /** Runs fn inside BEGIN/COMMIT on one connection; rolls back when fn throws. */
  async withTransaction<T>(
    fn: (client: PoolClient) => Promise<T>,
    options: { readOnly?: boolean; pool?: Pool } = {},
  ): Promise<T> {
    const client = await (options.pool ?? this.pool).connect();
    try {
      await client.query(options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Applies pending migrations as the owner role (DATABASE_OWNER_URL). The advisory lock
   * serialises the API and the workers when they start together; whoever waits finds the work
   * done and applies nothing.
   */
  async migrate(migrations: readonly Migration[] = defaultMigrations): Promise<string[]> {
    if (!this.config.DATABASE_OWNER_URL) {
      throw new Error('DATABASE_OWNER_URL is not set: only the owner role migrates');
    }
    const ownerPool = this.openPool(this.config.DATABASE_OWNER_URL, 1);
    try {
      return await this.migrateWith(ownerPool, migrations);
    } finally {
      await ownerPool.end();
    }
  }

  private async migrateWith(pool: Pool, migrations: readonly Migration[]): Promise<string[]> {
    const client = await pool.connect();
    const applied: string[] = [];
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id text PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const done = await client.query<{ id: string }>('SELECT id FROM schema_migrations');
      const doneIds = new Set(done.rows.map((row) => row.id));
      for (const migration of migrations) {
        if (doneIds.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new Error(`Migration ${migration.id} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        applied.push(migration.id);
        this.logger.log(`applied migration ${migration.id}`);
      }
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
        .catch(() => undefined);
      client.release();
    }
    return applied;
  }

  /**
   * Throws unless every migration has been applied: a process without the owner's URL waits
   * (StoresBootstrapService retries) for the step that migrates.
   */
  async assertMigrated(migrations: readonly Migration[] = defaultMigrations): Promise<void> {
    const done = new Set(
      (await this.query<{ id: string }>('SELECT id FROM schema_migrations')).map((row) => row.id),
    );
    const pending = migrations.filter((migration) => !done.has(migration.id));
    if (pending.length > 0) {
      throw new Error(`waiting for migrations: ${pending.map((m) => m.id).join(', ')}`);
    }
  }

  /** Creates the workspace row if missing; the name is kept when it already exists. */
  async ensureWorkspace(workspaceId: string, name: string = workspaceId): Promise<void> {
    await this.queryInWorkspace(
      workspaceId,
      'INSERT INTO workspaces (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
      [workspaceId, name],
    );
  }

  /**
   * Migrations (when this process has the owner's URL, else waits for them) plus the default
   * workspace: everything Postgres needs before Cairn serves.
   */
  async ensureSchema(): Promise<void> {
    if (this.config.DATABASE_OWNER_URL) await this.migrate();
    else await this.assertMigrated();
    await this.ensureWorkspace(this.config.CAIRN_DEFAULT_WORKSPACE, 'Default workspace');
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.pool.end(), this.metricsPool?.end()]);
  }
}
