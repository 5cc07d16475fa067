import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { WorkspaceRows } from '../stores/postgres/workspace-rows';
import type {
  DeliveryRecord,
  DeliveryStatus,
  WebhookEvent,
  WebhookEventType,
  WebhookRecord,
} from './webhook.types';

interface WebhookRow {
  id: string;
  workspace_id: string;
  url: string;
  events: WebhookEventType[] | null;
  created_by: string | null;
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: WebhookEventType;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  finished_at: Date | null;
}

const WEBHOOK_COLUMNS = 'id, workspace_id, url, events, created_by, created_at';
const DELIVERY_COLUMNS = `id, webhook_id, event_id, event_type, status, attempts, last_status_code,
  last_error, created_at, finished_at`;

/** A delivery as its worker needs it: where to, what, and the sealed secret to sign with. */
export interface PendingDelivery {
  id: string;
  url: string;
  eventType: WebhookEventType;
  payload: WebhookEvent;
  status: DeliveryStatus;
  sealedSecret: string | null;
}

/** Webhook endpoints, the workspace's sealed secret, deliveries. Scoped to one workspace each. */
@Injectable()
export class WebhooksRepository {
  private readonly rows: WorkspaceRows<WebhookRow, WebhookRecord>;

  constructor(private readonly postgres: PostgresStore) {
    this.rows = new WorkspaceRows(postgres, 'webhooks', WEBHOOK_COLUMNS, toWebhook);
  }

  async insert(
    client: PoolClient,
    webhook: {
      id: string;
      workspaceId: string;
      url: string;
      events: string[] | null;
      createdBy: string | null;
    },
  ): Promise<WebhookRecord> {
    const { rows } = await client.query<WebhookRow>(
      `INSERT INTO webhooks (id, workspace_id, url, events, created_by) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${WEBHOOK_COLUMNS}`,
      [webhook.id, webhook.workspaceId, webhook.url, webhook.events, webhook.createdBy],
    );
    return toWebhook(rows[0]);
  }

  list(workspaceId: string): Promise<WebhookRecord[]> {
    return this.rows.list(workspaceId);
  }

  find(workspaceId: string, id: string): Promise<WebhookRecord | undefined> {
    return this.rows.find(workspaceId, id);
  }

  remove(client: PoolClient, workspaceId: string, id: string): Promise<boolean> {
    return this.rows.remove(client, workspaceId, id);
  }

  async hasSecret(client: PoolClient, workspaceId: string): Promise<boolean> {
    const { rowCount } = await client.query(
      'SELECT 1 FROM webhook_secrets WHERE workspace_id = $1 FOR UPDATE',
      [workspaceId],
    );
    return (rowCount ?? 0) > 0;
  }

  async setSecret(client: PoolClient, workspaceId: string, sealed: string): Promise<Date> {
    const { rows } = await client.query<{ created_at: Date }>(
      `INSERT INTO webhook_secrets (workspace_id, sealed) VALUES ($1, $2)
       ON CONFLICT (workspace_id) DO UPDATE SET sealed = EXCLUDED.sealed, created_at = now()
       RETURNING created_at`,
      [workspaceId, sealed],
    );
    return rows[0].created_at;
  }

  /** Endpoints of the workspace that take this event type. */
  async endpointsFor(workspaceId: string, type: WebhookEventType): Promise<WebhookRecord[]> {
    const rows = await this.postgres.queryInWorkspace<WebhookRow>(
      workspaceId,
      `SELECT ${WEBHOOK_COLUMNS} FROM webhooks
       WHERE workspace_id = $1 AND (events IS NULL OR $2 = ANY(events)) ORDER BY id`,
      [workspaceId, type],
    );
    return rows.map(toWebhook);
  }

  /** One row per endpoint; an existing row (a retried emitter) is kept as it is. */
  async insertDeliveries(
    workspaceId: string,
    event: WebhookEvent,
    deliveries: { id: string; webhookId: string }[],
  ): Promise<void> {
    if (deliveries.length === 0) return;
    await this.postgres.queryInWorkspace(
      workspaceId,
      `INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event_id, event_type, payload)
       SELECT d.id, $1, d.webhook_id, $2, $3, $4
       FROM unnest($5::uuid[], $6::uuid[]) AS d(id, webhook_id)
       ON CONFLICT DO NOTHING`,
      [
        workspaceId,
        event.id,
        event.type,
        JSON.stringify(event),
        deliveries.map((delivery) => delivery.id),
        deliveries.map((delivery) => delivery.webhookId),
      ],
    );
  }

  async pendingDelivery(workspaceId: string, id: string): Promise<PendingDelivery | undefined> {
    const rows = await this.postgres.queryInWorkspace<{
      id: string;
      url: string;
      event_type: WebhookEventType;
      payload: WebhookEvent;
      status: DeliveryStatus;
      sealed: string | null;
    }>(
      workspaceId,
      `SELECT d.id, w.url, d.event_type, d.payload, d.status, s.sealed
       FROM webhook_deliveries d
       JOIN webhooks w ON w.id = d.webhook_id AND w.workspace_id = d.workspace_id
       LEFT JOIN webhook_secrets s ON s.workspace_id = d.workspace_id
       WHERE d.workspace_id = $1 AND d.id = $2`,
      [workspaceId, id],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      url: row.url,
      eventType: row.event_type,
      payload: row.payload,
      status: row.status,
      sealedSecret: row.sealed,
    };
  }

  /** Counts one attempt; a final outcome (delivered or failed) also closes the delivery. */
  async recordAttempt(
    workspaceId: string,
    id: string,
    outcome: { status: DeliveryStatus; statusCode?: number; error?: string },
  ): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE webhook_deliveries
       SET attempts = attempts + 1, status = $3, last_status_code = $4, last_error = $5,
           finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END
       WHERE workspace_id = $1 AND id = $2`,
      [workspaceId, id, outcome.status, outcome.statusCode ?? null, outcome.error ?? null],
    );
  }

  async markFailed(workspaceId: string, id: string, error: string): Promise<void> {
    await this.postgres.queryInWorkspace(
      workspaceId,
      `UPDATE webhook_deliveries SET status = 'failed', last_error = $3, finished_at = now()
       WHERE workspace_id = $1 AND id = $2 AND status = 'pending'`,
      [workspaceId, id, error],
    );
  }

  async deliveries(
    workspaceId: string,
    webhookId: string,
    limit: number,
  ): Promise<DeliveryRecord[]> {
    const rows = await this.postgres.queryInWorkspace<DeliveryRow>(
      workspaceId,
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
       WHERE workspace_id = $1 AND webhook_id = $2 ORDER BY created_at DESC, id LIMIT $3`,
      [workspaceId, webhookId, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      webhookId: row.webhook_id,
      eventId: row.event_id,
      eventType: row.event_type,
      status: row.status,
      attempts: row.attempts,
      lastStatusCode: row.last_status_code,
      lastError: row.last_error,
      createdAt: row.created_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
    }));
  }
}

function toWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    events: row.events,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}
