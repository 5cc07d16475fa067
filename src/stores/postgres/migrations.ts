import { isolationEverywhere } from './migrations/0006-isolation-everywhere';
import { webhooksAndWatches } from './migrations/0020-webhooks-and-watches';
import { operatorAlerts } from './migrations/0040-operator-alerts';
import { documentAttachments } from './migrations/0080-document-attachments';
import { documentVersions } from './migrations/0070-document-versions';

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

// Stage timings are kept in one jsonb per document: closing a stage stamps its end and duration.
const documentPipeline = `
CREATE FUNCTION close_stage(timings jsonb, stage text, at timestamptz) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN stage IS NULL OR NOT timings ? stage OR timings -> stage ? 'finishedAt' THEN timings
    ELSE jsonb_set(timings, ARRAY[stage], (timings -> stage) || jsonb_build_object(
      'finishedAt', at,
      'durationMs', round(extract(epoch FROM (at - (timings -> stage ->> 'startedAt')::timestamptz)) * 1000)
    ))
  END
$$;

CREATE TABLE imports (
  id           uuid PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  status       text NOT NULL DEFAULT 'pending',
  source       text NOT NULL,
  total        integer NOT NULL DEFAULT 0,
  done         integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  workflow_id  text NOT NULL,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_workspace_created_idx ON imports (workspace_id, created_at DESC);

ALTER TABLE documents ADD COLUMN import_id uuid REFERENCES imports(id) ON DELETE SET NULL;
ALTER TABLE documents ADD COLUMN language text;
`;

// Auth: users as Supabase Auth knows them (recorded on first sign-in), memberships with roles,
// hashed API keys, the audit log; and row-level security on every table a workspace owns, as
// defence in depth under the application's own scoping (PostgresStore.withWorkspace sets
// cairn.workspace_id for the transaction; a query that forgets it sees and changes nothing).
const authAndIsolation = `
CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email));

ALTER TABLE workspaces ADD COLUMN created_by uuid REFERENCES users(id) ON DELETE SET NULL;

CREATE TABLE workspace_members (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
  added_by     uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user_idx ON workspace_members (user_id);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
  secret_hash  text NOT NULL,
  created_by   uuid NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_workspace_idx ON api_keys (workspace_id, created_at DESC);

CREATE TABLE audit_log (
  id           bigserial PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  actor_user_id uuid,
  actor_api_key_id uuid,
  action       text NOT NULL,
  target_type  text NOT NULL,
  target_id    text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id   text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, id DESC);

DO $$
DECLARE owned text;
BEGIN
  FOREACH owned IN ARRAY ARRAY['documents', 'imports', 'audit_log', 'smoke_records'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned);
    EXECUTE format(
      'CREATE POLICY workspace_isolation ON %I USING (workspace_id = current_setting(''cairn.workspace_id'', true)) WITH CHECK (workspace_id = current_setting(''cairn.workspace_id'', true))',
      owned);
    -- Operators' figures across workspaces (metrics): reads only, in a READ ONLY transaction
    -- that asks for them explicitly (PostgresStore.queryAcrossWorkspaces).
    EXECUTE format(
      'CREATE POLICY cross_workspace_read ON %I FOR SELECT USING (current_setting(''cairn.cross_workspace_read'', true) = ''on'')',
      owned);
  END LOOP;
END $$;
`;

// Knowledge domains: one row per domain, its member documents (with why each was chosen) and
// the history of review decisions. Archived domains free their name for a new domain.
const knowledgeDomains = `
CREATE TABLE domains (
  id            uuid PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
  description   text NOT NULL DEFAULT '',
  mode          text NOT NULL CHECK (mode IN ('review', 'auto')),
  status        text NOT NULL DEFAULT 'bootstrapping' CHECK (status IN
                  ('bootstrapping', 'awaiting_review', 'active', 'rejected', 'expired', 'archived', 'failed')),
  stage         text,
  seed_topics   text[] NOT NULL DEFAULT '{}',
  reviewers     text[] NOT NULL DEFAULT '{}',
  created_by    text NOT NULL,
  workflow_id   text NOT NULL,
  overview_key  text,
  revision      integer NOT NULL DEFAULT 0,
  error         text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  activated_at  timestamptz,
  archived_at   timestamptz
);
CREATE UNIQUE INDEX domains_workspace_name_key ON domains (workspace_id, lower(btrim(name)))
  WHERE status <> 'archived';
CREATE INDEX domains_workspace_created_idx ON domains (workspace_id, created_at DESC);

CREATE TABLE domain_documents (
  workspace_id text NOT NULL,
  domain_id    uuid NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  document_id  uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  source       text NOT NULL CHECK (source IN ('seed', 'topic', 'added')),
  reason       text NOT NULL,
  added_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, domain_id, document_id)
);
CREATE INDEX domain_documents_document_idx ON domain_documents (workspace_id, document_id);

CREATE TABLE domain_reviews (
  id           bigserial PRIMARY KEY,
  workspace_id text NOT NULL,
  domain_id    uuid NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  revision     integer NOT NULL,
  decision     text NOT NULL CHECK (decision IN ('approve', 'reject', 'request_changes')),
  comment      text NOT NULL DEFAULT '',
  reviewer     text NOT NULL,
  decided_at   timestamptz NOT NULL,
  UNIQUE (workspace_id, domain_id, revision)
);

DO $$
DECLARE owned text;
BEGIN
  FOREACH owned IN ARRAY ARRAY['domains', 'domain_documents', 'domain_reviews'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', owned);
    EXECUTE format(
      'CREATE POLICY workspace_isolation ON %I USING (workspace_id = current_setting(''cairn.workspace_id'', true)) WITH CHECK (workspace_id = current_setting(''cairn.workspace_id'', true))',
      owned);
  END LOOP;
END $$;
`;

// Invitations: an admin invites an e-mail address; nothing changes for that person until they
// accept (GET /invitations, POST /invitations/:workspaceId/accept), whether or not the address
// has an account yet. Read before a request's workspace is known (the invitee's own list), so no
// row-level security, as for workspace_members.
const workspaceInvitations = `
CREATE TABLE workspace_invitations (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  email        text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
  invited_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, email)
);
CREATE INDEX workspace_invitations_email_idx ON workspace_invitations (email);
`;

export const migrations: readonly Migration[] = [
  { id: '0001_initial_schema', sql: initialSchema },
  { id: '0002_document_pipeline', sql: documentPipeline },
  { id: '0003_auth_and_isolation', sql: authAndIsolation },
  { id: '0004_knowledge_domains', sql: knowledgeDomains },
  { id: '0005_workspace_invitations', sql: workspaceInvitations },
  { id: '0006_isolation_everywhere', sql: isolationEverywhere },
  { id: '0020_webhooks_and_watches', sql: webhooksAndWatches },
  { id: '0040_operator_alerts', sql: operatorAlerts },
  { id: '0070_document_versions', sql: documentVersions },
  { id: '0080_document_attachments', sql: documentAttachments },
];
