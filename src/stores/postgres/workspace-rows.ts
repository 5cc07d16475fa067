import type { PoolClient, QueryResultRow } from 'pg';
import type { PostgresStore } from './postgres.store';

/**
 * The reads and the delete every workspace-owned table keyed by `id` has (watches, webhooks):
 * all of a workspace's rows in creation order, one row by id, and delete by id inside the
 * caller's transaction (so its audit entry commits with it). Each query is scoped to the
 * workspace twice: by its WHERE and by row level security.
 */
export class WorkspaceRows<Row extends QueryResultRow, Item> {
  constructor(
    private readonly postgres: PostgresStore,
    /** A table name written in code, never from input. */
    private readonly table: string,
    private readonly columns: string,
    private readonly toItem: (row: Row) => Item,
  ) {}

  async list(workspaceId: string): Promise<Item[]> {
    const rows = await this.postgres.queryInWorkspace<Row>(
      workspaceId,
      `SELECT ${this.columns} FROM ${this.table} WHERE workspace_id = $1 ORDER BY created_at, id`,
      [workspaceId],
    );
    return rows.map(this.toItem);
  }

  async find(workspaceId: string, id: string): Promise<Item | undefined> {
    const rows = await this.postgres.queryInWorkspace<Row>(
      workspaceId,
      `SELECT ${this.columns} FROM ${this.table} WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] && this.toItem(rows[0]);
  }

  /** True when the row was there (and is gone now). */
  async remove(client: PoolClient, workspaceId: string, id: string): Promise<boolean> {
    const result = await client.query(
      `DELETE FROM ${this.table} WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
