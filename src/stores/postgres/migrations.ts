/**
 * Schema changes, applied in order, each exactly once (see PostgresStore.migrate).
 * Never edit a migration that has shipped: append a new one.
 */
export interface Migration {
  /** Sortable, unique and stable: recorded in schema_migrations. */
  id: string;
  sql: string;
}

const initialSchema = `
CREATE TABLE workspaces (
  id         text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id  text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  title         text NOT NULL,
  mime          text NOT NULL,
  size_bytes    bigint NOT NULL CHECK (size_bytes >= 0),
  status        text NOT NULL DEFAULT 'pending',
  stage         text,
  error         text,
  workflow_id   text,
  counts        jsonb NOT NULL DEFAULT '{}'::jsonb,
  stage_timings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, sha256)
);
CREATE INDEX documents_workspace_created_idx ON documents (workspace_id, created_at DESC);
CREATE INDEX documents_workspace_status_idx ON documents (workspace_id, status);

CREATE TABLE smoke_records (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id           text NOT NULL,
  value        text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
`;

export const migrations: readonly Migration[] = [{ id: '0001_initial_schema', sql: initialSchema }];
