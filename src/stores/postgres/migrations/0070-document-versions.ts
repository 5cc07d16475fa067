/**
 * Versions by source (issue 32.1). An upload may name its source (`source_key`: a path, URL or
 * external id, unique per workspace). Every version of a source is a row of `documents` of its
 * own while it lives (the pipeline, the graph and the vectors key on that row's id), and all of
 * them answer to one stable document id, `source_document_id`. At most one version per source is
 * current (the one searches see; a unique index) and at most one other is in flight (being
 * indexed, or being withdrawn after it was replaced: uploads under one key take an advisory lock
 * and check, as a switch briefly has two rows that are not current). `document_versions` keeps the history once rows are gone.
 */
export const documentVersions = `
ALTER TABLE documents ADD COLUMN source_key text
  CHECK (source_key IS NULL OR length(source_key) BETWEEN 1 AND 2048);
ALTER TABLE documents ADD COLUMN source_document_id uuid;
ALTER TABLE documents ADD COLUMN version integer CHECK (version IS NULL OR version >= 1);
ALTER TABLE documents ADD COLUMN is_current boolean NOT NULL DEFAULT true;
ALTER TABLE documents ADD CONSTRAINT documents_source_complete CHECK (
  (source_key IS NULL AND source_document_id IS NULL AND version IS NULL AND is_current)
  OR (source_key IS NOT NULL AND source_document_id IS NOT NULL AND version IS NOT NULL));

-- The same bytes are one document only among uploads without a source; a source may hold bytes
-- another source (or an upload without one) also holds.
ALTER TABLE documents DROP CONSTRAINT documents_workspace_id_sha256_key;
CREATE UNIQUE INDEX documents_unsourced_sha_key ON documents (workspace_id, sha256)
  WHERE source_key IS NULL;
CREATE INDEX documents_workspace_sha_idx ON documents (workspace_id, sha256);
CREATE UNIQUE INDEX documents_source_sha_key ON documents (workspace_id, source_key, sha256)
  WHERE source_key IS NOT NULL;
CREATE UNIQUE INDEX documents_source_current_key ON documents (workspace_id, source_key)
  WHERE source_key IS NOT NULL AND is_current;
CREATE INDEX documents_source_document_idx ON documents (workspace_id, source_document_id)
  WHERE source_document_id IS NOT NULL;

CREATE TABLE document_versions (
  workspace_id       text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  source_document_id uuid NOT NULL,
  version            integer NOT NULL CHECK (version >= 1),
  source_key         text NOT NULL,
  -- The documents row that indexes (indexed) this version, while it exists.
  version_id         uuid NOT NULL,
  sha256             text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  title              text NOT NULL,
  mime               text NOT NULL,
  size_bytes         bigint NOT NULL CHECK (size_bytes >= 0),
  created_at         timestamptz NOT NULL DEFAULT now(),
  current_from       timestamptz,
  replaced_at        timestamptz,
  -- Set when the version failed and a later upload took its place.
  error              text,
  PRIMARY KEY (workspace_id, source_document_id, version)
);

ALTER TABLE document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE document_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON document_versions
  USING (workspace_id = current_setting('cairn.workspace_id', true))
  WITH CHECK (workspace_id = current_setting('cairn.workspace_id', true));
`;
