import { Injectable } from '@nestjs/common';
import { writeAuditEntry, type AuditEntry } from '../auth/audit.service';
import { PostgresStore } from '../stores/postgres/postgres.store';
import type { ImportRecord, ImportStatus } from './import.types';

interface ImportRow {
  id: string;
  workspace_id: string;
  status: ImportStatus;
  source: string;
  total: number;
  done: number;
  failed: number;
  workflow_id: string;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, workspace_id, status, source, total, done, failed, workflow_id, error, created_at, updated_at';

/** Import rows in Postgres. Every statement is parametrised and scoped to one workspace. */
@Injectable()
export class ImportsRepository {
  constructor(private readonly postgres: PostgresStore) {}

  async insert(
    input: {
      id: string;
      workspaceId: string;
      source: string;
      total: number;
      workflowId: string;
    },
    audit: AuditEntry,
  ): Promise<ImportRecord> {
    return this.postgres.withWorkspace(input.workspaceId, async (client) => {
      const rows = await client.query<ImportRow>(
        `INSERT INTO imports (id, workspace_id, source, total, workflow_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING
         RETURNING ${COLUMNS}`,
        [input.id, input.workspaceId, input.source, input.total, input.workflowId],
      );
      // The id is new (random): a clash means another workspace's import.
      if (!rows.rows[0]) throw new Error(`import ${input.id} belongs to another workspace`);
      await writeAuditEntry(client, audit);
      return toRecord(rows.rows[0]);
    });
  }

  async findById(workspaceId: string, id: string): Promise<ImportRecord | null> {
    const rows = await this.postgres.queryInWorkspace<ImportRow>(
      workspaceId,
      `SELECT ${COLUMNS} FROM imports WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first, offset-paginated. */
  async list(
    workspaceId: string,
    options: { limit: number; offset: number },
  ): Promise<{ items: ImportRecord[]; total: number }> {
    const [rows, counted] = await Promise.all([
      this.postgres.queryInWorkspace<ImportRow>(
        workspaceId,
        `SELECT ${COLUMNS} FROM imports WHERE workspace_id = $1
         ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
        [workspaceId, options.limit, options.offset],
      ),
      this.postgres.queryInWorkspace<{ total: string }>(
        workspaceId,
        'SELECT count(*) AS total FROM imports WHERE workspace_id = $1',
        [workspaceId],
      ),
    ]);
    return { items: rows.map(toRecord), total: Number(counted[0]?.total ?? 0) };
  }

  /**
   * Records as failed an import that has not ended, with the reason; null when it had ended
   * (its own last update may land between our look at Temporal and this statement).
   */
  async markAbandoned(
    workspaceId: string,
    id: string,
    error: string,
  ): Promise<ImportRecord | null> {
    const rows = await this.postgres.queryInWorkspace<ImportRow>(
      workspaceId,
      `UPDATE imports SET status = 'failed', error = $3, updated_at = now()
       WHERE workspace_id = $1 AND id = $2
         AND status NOT IN ('completed', 'completed_with_errors', 'failed')
       RETURNING ${COLUMNS}`,
      [workspaceId, id, error],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Puts an import that ended with errors back to pending, its counts to zero, for a retry; null
   * when it had not (still running, completed without errors, or another retry won).
   */
  async restart(workspaceId: string, id: string, audit: AuditEntry): Promise<ImportRecord | null> {
    return this.postgres.withWorkspace(workspaceId, async (client) => {
      const rows = await client.query<ImportRow>(
        `UPDATE imports SET status = 'pending', done = 0, failed = 0, error = NULL, updated_at = now()
         WHERE workspace_id = $1 AND id = $2 AND status IN ('completed_with_errors', 'failed')
         RETURNING ${COLUMNS}`,
        [workspaceId, id],
      );
      if (!rows.rows[0]) return null;
      await writeAuditEntry(client, audit);
      return toRecord(rows.rows[0]);
    });
  }

  /**
   * Readies the documents an import created and did not index for its next run. By the
   * import's workflow id, not by claim: an expansion stopped midway leaves rows it never claimed.
   */
  async resetUnfinishedDocuments(workspaceId: string, workflowId: string): Promise<number> {
    const rows = await this.postgres.queryInWorkspace<{ id: string }>(
      workspaceId,
      `UPDATE documents SET status = 'pending', stage = NULL, error = NULL,
         stage_timings = '{}'::jsonb, updated_at = now()
       WHERE workspace_id = $1 AND workflow_id = $2
         AND status IN ('pending', 'processing', 'failed')
       RETURNING id`,
      [workspaceId, workflowId],
    );
    return rows.length;
  }

  /**
   * Sets status and progress. Counts only grow (GREATEST), so a late retry of an older
   * progress update cannot move the figures backwards; a final status is never left.
   */
  async update(
    workspaceId: string,
    id: string,
    change: {
      status?: ImportStatus;
      total?: number;
      done?: number;
      failed?: number;
      error?: string | null;
    },
  ): Promise<ImportRecord | null> {
    const rows = await this.postgres.queryInWorkspace<ImportRow>(
      workspaceId,
      `UPDATE imports SET
         status = CASE WHEN status IN ('completed', 'completed_with_errors', 'failed')
                       THEN status ELSE COALESCE($3, status) END,
         total = COALESCE($4, total),
         done = GREATEST(done, COALESCE($5, done)),
         failed = GREATEST(failed, COALESCE($6, failed)),
         error = CASE WHEN $7::boolean THEN $8 ELSE error END,
         updated_at = now()
       WHERE workspace_id = $1 AND id = $2
       RETURNING ${COLUMNS}`,
      [
        workspaceId,
        id,
        change.status ?? null,
        change.total ?? null,
        change.done ?? null,
        change.failed ?? null,
        change.error !== undefined,
        change.error ?? null,
      ],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * Links the documents this import created (their workflow_id is the import's) to it.
   * Rows that existed before the import keep their own import_id.
   */
  async claimDocuments(
    workspaceId: string,
    importId: string,
    workflowId: string,
    documentIds: string[],
  ): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE documents SET import_id = $2
       WHERE workspace_id = $1 AND id = ANY($4::uuid[]) AND workflow_id = $3
         AND import_id IS DISTINCT FROM $2`,
      [workspaceId, importId, workflowId, documentIds],
    );
  }

  /** How many documents this import created. */
  async countDocuments(workspaceId: string, importId: string): Promise<number> {
    const rows = await this.postgres.queryInWorkspace<{ total: string }>(
      workspaceId,
      'SELECT count(*) AS total FROM documents WHERE workspace_id = $1 AND import_id = $2',
      [workspaceId, importId],
    );
    return Number(rows[0]?.total ?? 0);
  }
}

function toRecord(row: ImportRow): ImportRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    status: row.status,
    source: row.source,
    total: row.total,
    done: row.done,
    failed: row.failed,
    workflowId: row.workflow_id,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
