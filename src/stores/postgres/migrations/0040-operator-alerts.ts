/**
 * Alerts Alertmanager delivered to POST /operator/alerts. Not workspace data (they are about the
 * platform), so no row-level security: only operators read them (GET /operator/alerts).
 * One row per firing of an alert: Alertmanager's fingerprint (a hash of the labels) and the time
 * it started firing. Repeated notifications of the same firing update that row (deduplicated),
 * and its resolution closes it.
 */
export const operatorAlerts = `
CREATE TABLE operator_alerts (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  fingerprint       text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{1,64}$'),
  starts_at         timestamptz NOT NULL,
  ends_at           timestamptz,
  status            text NOT NULL CHECK (status IN ('firing', 'resolved')),
  alertname         text NOT NULL,
  severity          text,
  labels            jsonb NOT NULL,
  annotations       jsonb NOT NULL,
  generator_url     text,
  notifications     integer NOT NULL DEFAULT 1,
  first_received_at timestamptz NOT NULL DEFAULT now(),
  last_received_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (fingerprint, starts_at)
);
CREATE INDEX operator_alerts_recent_idx ON operator_alerts (last_received_at DESC);
CREATE INDEX operator_alerts_firing_idx ON operator_alerts (status) WHERE status = 'firing';
`;
