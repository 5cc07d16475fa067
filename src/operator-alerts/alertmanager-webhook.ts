import { z } from 'zod';

// Alertmanager's webhook payload (version 4): one notification for one group of alerts. Only
// what Cairn records is checked; Alertmanager's other fields are accepted and ignored.

const labelSet = z.record(z.string().max(200), z.string().max(4_000));

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelSet.refine((labels) => typeof labels.alertname === 'string', {
    message: 'an alert needs an alertname label',
  }),
  annotations: labelSet.default({}),
  startsAt: z.string().datetime({ offset: true }),
  endsAt: z.string().datetime({ offset: true }).optional(),
  generatorURL: z.string().max(4_000).optional(),
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/, 'a hexadecimal fingerprint'),
});

export const alertmanagerWebhookSchema = z.object({
  version: z.literal('4'),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(200),
  groupKey: z.string().max(4_000),
  alerts: z.array(alertSchema).min(1).max(1_000),
});

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;

/** One alert as Cairn records it. */
export interface ReceivedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  alertname: string;
  severity: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  /** When it stopped firing; null while it fires. */
  endsAt: Date | null;
  generatorUrl: string | null;
}

/**
 * The alerts of one notification. A firing alert's endsAt is Alertmanager's guess of when it
 * lapses unless renewed (or the zero time), not an end: it is kept only for resolved ones.
 */
export function receivedAlerts(payload: AlertmanagerWebhook): ReceivedAlert[] {
  return payload.alerts.map((alert) => ({
    fingerprint: alert.fingerprint,
    status: alert.status,
    alertname: alert.labels.alertname,
    severity: alert.labels.severity ?? null,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: new Date(alert.startsAt),
    endsAt: alert.status === 'resolved' && alert.endsAt ? new Date(alert.endsAt) : null,
    generatorUrl: alert.generatorURL || null,
  }));
}
