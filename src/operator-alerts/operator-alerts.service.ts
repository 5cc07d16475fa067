import { Injectable, Logger, type MessageEvent, type OnModuleDestroy } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { liveEventStream, parseEvent } from '../common/http/event-stream';
import { PostgresStore } from '../stores/postgres/postgres.store';
import { ChannelSubscriber, throttledProblems } from '../stores/redis/channel-subscriber';
import { RedisStore } from '../stores/redis/redis.store';
import type { ReceivedAlert } from './alertmanager-webhook';
import {
  OPERATOR_ALERTS_CHANNEL,
  type OperatorAlertDto,
  type OperatorAlertEvent,
} from './operator-alerts.dto';

type AlertRow = {
  id: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  alertname: string;
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: Date;
  ends_at: Date | null;
  generator_url: string | null;
  notifications: number;
  first_received_at: Date;
  last_received_at: Date;
};

const COLUMNS = `id, fingerprint, status, alertname, severity, labels, annotations, starts_at,
  ends_at, generator_url, notifications, first_received_at, last_received_at`;

/**
 * Alerts from Alertmanager: recorded in Postgres (one row per firing, repeats counted), published
 * on Redis for the operators' event stream, listed newest first.
 */
@Injectable()
export class OperatorAlertsService implements OnModuleDestroy {
  private readonly logger = new Logger(OperatorAlertsService.name);
  private readonly subscriber: ChannelSubscriber;

  constructor(
    private readonly postgres: PostgresStore,
    private readonly redis: RedisStore,
  ) {
    this.subscriber = new ChannelSubscriber(
      () => this.redis.subscriberConnection(),
      throttledProblems((message) => this.logger.warn(`Redis subscriber problem: ${message}`)),
    );
  }

  async record(alerts: ReceivedAlert[]): Promise<OperatorAlertEvent[]> {
    const events: OperatorAlertEvent[] = [];
    for (const alert of alerts) {
      // xmax is 0 on a freshly inserted row: tells a new firing from a repeat of a known one.
      const [row] = await this.postgres.query<AlertRow & { inserted: boolean; was: string }>(
        `WITH previous AS (
           SELECT status FROM operator_alerts WHERE fingerprint = $1 AND starts_at = $7
         )
         INSERT INTO operator_alerts (fingerprint, status, alertname, severity, labels,
             annotations, starts_at, ends_at, generator_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (fingerprint, starts_at) DO UPDATE SET
           status = EXCLUDED.status,
           ends_at = EXCLUDED.ends_at,
           annotations = EXCLUDED.annotations,
           notifications = operator_alerts.notifications + 1,
           last_received_at = now()
         RETURNING ${COLUMNS}, (xmax = 0) AS inserted,
           coalesce((SELECT status FROM previous), '') AS was`,
        [
          alert.fingerprint,
          alert.status,
          alert.alertname,
          alert.severity,
          JSON.stringify(alert.labels),
          JSON.stringify(alert.annotations),
          alert.startsAt,
          alert.endsAt,
          alert.generatorUrl,
        ],
      );
      const change: OperatorAlertEvent['change'] =
        row.status === 'resolved'
          ? 'resolved'
          : row.inserted || row.was !== 'firing'
            ? 'new'
            : 'repeat';
      events.push({ type: 'alert', change, alert: alertOf(row) });
    }
    if (events.length > 0) {
      const pipeline = this.redis.client.pipeline();
      for (const event of events) pipeline.publish(OPERATOR_ALERTS_CHANNEL, JSON.stringify(event));
      await pipeline.exec();
    }
    return events;
  }

  /** Newest first (by the last notification), optionally only those in one state. */
  async list(options: {
    status?: 'firing' | 'resolved';
    limit: number;
  }): Promise<OperatorAlertDto[]> {
    const rows = await this.postgres.query<AlertRow>(
      `SELECT ${COLUMNS} FROM operator_alerts
       WHERE ($1::text IS NULL OR status = $1)
       ORDER BY last_received_at DESC, id
       LIMIT $2`,
      [options.status ?? null, options.limit],
    );
    return rows.map(alertOf);
  }

  /** Each alert recorded from now on (by any API process), as Server-Sent Events. */
  stream(): Observable<MessageEvent> {
    return liveEventStream(() => ({
      subscribe: (sink) =>
        this.subscriber.listen(OPERATOR_ALERTS_CHANNEL, (message) => {
          const event = parseEvent<OperatorAlertEvent>(
            message,
            this.logger,
            OPERATOR_ALERTS_CHANNEL,
          );
          if (event) sink.next({ data: event });
        }),
    }));
  }

  onModuleDestroy(): void {
    this.subscriber.close();
  }
}

function alertOf(row: AlertRow): OperatorAlertDto {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    status: row.status,
    alertname: row.alertname,
    severity: row.severity,
    labels: row.labels,
    annotations: row.annotations,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at?.toISOString() ?? null,
    generatorUrl: row.generator_url,
    notifications: row.notifications,
    firstReceivedAt: row.first_received_at.toISOString(),
    lastReceivedAt: row.last_received_at.toISOString(),
  };
}
