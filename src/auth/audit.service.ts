import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PostgresStore } from '../stores/postgres/postgres.store';
import type { Principal } from './principal';

export type AuditAction =
  | 'document.uploaded'
  | 'document.deleted'
  | 'document.reprocessed'
  | 'document.retried'
  | 'import.started'
  | 'import.retried'
  | 'domain.created'
  | 'domain.reviewed'
  | 'domain.activated'
  | 'domain.archived'
  | 'domain.documents_added'
  | 'workspace.created'
  | 'member.invited'
  | 'member.added'
  | 'invitation.declined'
  | 'invitation.withdrawn'
  | 'member.role_changed'
  | 'member.removed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'webhook.created'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'watch.created'
  | 'watch.deleted';

export interface AuditEntry {
  workspaceId: string;
  actor: Pick<Principal, 'userId' | 'apiKeyId' | 'via'> | null;
  action: AuditAction;
  targetType: string;
  targetId?: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

export interface AuditRecord {
  id: number;
  action: string;
  actor: { userId: string | null; apiKeyId: string | null };
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  at: string;
}

/** Who did what, in which workspace, when: one row per change, read back by admins. */
@Injectable()
export class AuditService {
  constructor(private readonly postgres: PostgresStore) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.postgres.queryInWorkspace(
      entry.workspaceId,
      `INSERT INTO audit_log
         (workspace_id, actor_user_id, actor_api_key_id, action, target_type, target_id, details, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      auditValues(entry),
    );
  }

  /**
   * Records the entry in the caller's transaction (PostgresStore.withWorkspace of the entry's
   * workspace), the one that makes the change: both commit, or neither does.
   */
  async recordIn(client: PoolClient, entry: AuditEntry): Promise<void> {
    await writeAuditEntry(client, entry);
  }

  /**
   * Records an event that happens once per target (a domain's activation), written by an
   * activity that Temporal may retry: a second attempt finds the entry and adds nothing.
   */
  async recordOnce(entry: AuditEntry): Promise<void> {
    await this.postgres.withWorkspace(entry.workspaceId, async (client) => {
      // Serialises concurrent attempts on the same target.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${entry.workspaceId}:${entry.action}:${entry.targetId ?? ''}`,
      ]);
      const existing = await client.query(
        'SELECT 1 FROM audit_log WHERE workspace_id = $1 AND action = $2 AND target_id = $3',
        [entry.workspaceId, entry.action, entry.targetId ?? null],
      );
      if (existing.rowCount) return;
      await client.query(
        `INSERT INTO audit_log
           (workspace_id, actor_user_id, actor_api_key_id, action, target_type, target_id, details, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        auditValues(entry),
      );
    });
  }

  /** Newest first; `before` is the id of the last entry of the previous page. */
  async list(
    workspaceId: string,
    options: { limit: number; before?: number },
  ): Promise<{ items: AuditRecord[]; nextBefore: number | null }> {
    const rows = await this.postgres.queryInWorkspace<{
      id: string | number;
      action: string;
      actor_user_id: string | null;
      actor_api_key_id: string | null;
      target_type: string;
      target_id: string | null;
      details: Record<string, unknown>;
      request_id: string | null;
      created_at: Date;
    }>(
      workspaceId,
      `SELECT id, action, actor_user_id, actor_api_key_id, target_type, target_id, details,
              request_id, created_at
       FROM audit_log WHERE workspace_id = $1 AND ($2::bigint IS NULL OR id < $2)
       ORDER BY id DESC LIMIT $3`,
      [workspaceId, options.before ?? null, options.limit + 1],
    );
    const page = rows.slice(0, options.limit);
    return {
      items: page.map((row) => ({
        id: Number(row.id),
        action: row.action,
        actor: { userId: row.actor_user_id, apiKeyId: row.actor_api_key_id },
        targetType: row.target_type,
        targetId: row.target_id,
        details: row.details,
        requestId: row.request_id,
        at: row.created_at.toISOString(),
      })),
      nextBefore: rows.length > options.limit ? Number(page[page.length - 1].id) : null,
    };
  }
}

/**
 * Writes the entry with the caller's client: inside the transaction of the change it records
 * (PostgresStore.withWorkspace of the same workspace), so both commit or neither does.
 */
export async function writeAuditEntry(client: PoolClient, entry: AuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO audit_log
       (workspace_id, actor_user_id, actor_api_key_id, action, target_type, target_id, details, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    auditValues(entry),
  );
}

function auditValues(entry: AuditEntry): unknown[] {
  return [
    entry.workspaceId,
    entry.actor?.via === 'apiKey' ? null : (entry.actor?.userId ?? null),
    entry.actor?.apiKeyId ?? null,
    entry.action,
    entry.targetType,
    entry.targetId ?? null,
    JSON.stringify(entry.details ?? {}),
    entry.requestId ?? null,
  ];
}
