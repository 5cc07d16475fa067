/**
 * Webhooks (endpoints, the workspace's sealed signing secret, one row per delivery of an event to
 * an endpoint) and watches (standing searches, and the chunks that matched them). Every table is
 * the workspace's own: row-level security, forced.
 */
export const webhooksAndWatches = `
CREATE TABLE webhooks (
  id           uuid PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  url          text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  -- NULL: every event type.
  events       text[],
  created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at);

-- Sealed to the workers' public key (src/common/sealed-secrets.ts): only a signer opens it.
CREATE TABLE webhook_secrets (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  sealed       text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- The id is derived from the event and the endpoint, so an event is never delivered twice under
-- two ids, however often its emitter is retried.
CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY,
  workspace_id     text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  webhook_id       uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_id         uuid NOT NULL,
  event_type       text NOT NULL,
  payload          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (workspace_id, webhook_id, created_at DESC);

CREATE TABLE watches (
  id           uuid PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  query        text NOT NULL,
  mode         text NOT NULL,
  filters      jsonb NOT NULL DEFAULT '{}'::jsonb,
  min_score    double precision NOT NULL,
  created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX watches_workspace_idx ON watches (workspace_id, created_at);

-- A match goes with its document: deleting the document leaves no match behind.
CREATE TABLE watch_matches (
  id           uuid PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  watch_id     uuid NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  document_id  uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  chunk_id     text NOT NULL,
  score        double precision NOT NULL,
  title        text NOT NULL,
  text         text NOT NULL,
  matched_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (watch_id, chunk_id)
);
CREATE INDEX watch_matches_watch_idx ON watch_matches (workspace_id, watch_id, matched_at DESC);

DO $$
DECLARE owned text;
BEGIN
  FOREACH owned IN ARRAY ARRAY['webhooks', 'webhook_secrets', 'webhook_deliveries', 'watches', 'watch_matches'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned);
    EXECUTE format(
      'CREATE POLICY workspace_isolation ON %I USING (workspace_id = current_setting(''cairn.workspace_id'', true)) WITH CHECK (workspace_id = current_setting(''cairn.workspace_id'', true))',
      owned);
  END LOOP;
END $$;
`;
