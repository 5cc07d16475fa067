/**
 * Row-level security on the tables access control is decided on (workspaces, memberships, API
 * keys, invitations, users), the cross-workspace read moved from a setting any transaction could
 * set to a role of its own, and the few reads that come before a request's workspace is known
 * done by narrow SECURITY DEFINER functions. Needs the roles of infra/postgres/cairn-roles.sql;
 * runs as their owner (see docs/architecture.md, "Database roles and row-level security").
 *
 * These tables ENABLE row-level security without FORCE: the app role (which owns nothing) is
 * always subject to it, while the functions below, which run as the owner, read across
 * workspaces for exactly one question each.
 */
export const isolationEverywhere = `
DO $$
DECLARE owned text;
BEGIN
  FOREACH owned IN ARRAY ARRAY['workspace_members', 'api_keys', 'workspace_invitations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', owned);
    EXECUTE format(
      'CREATE POLICY workspace_isolation ON %I USING (workspace_id = current_setting(''cairn.workspace_id'', true)) WITH CHECK (workspace_id = current_setting(''cairn.workspace_id'', true))',
      owned);
  END LOOP;
END $$;

ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON workspaces
  USING (id = current_setting('cairn.workspace_id', true))
  WITH CHECK (id = current_setting('cairn.workspace_id', true));

-- A user row is seen by the user themself (cairn.user_id) and by the workspace they are a member
-- of (its member list shows e-mails); users are written only through cairn_record_user.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_fellow_member ON users FOR SELECT USING (
  id::text = current_setting('cairn.user_id', true)
  OR EXISTS (SELECT 1 FROM workspace_members m
             WHERE m.user_id = users.id
               AND m.workspace_id = current_setting('cairn.workspace_id', true)));

-- The cross-workspace read is the metrics role's, and only for what the figures need.
DO $$
DECLARE owned text;
BEGIN
  FOREACH owned IN ARRAY ARRAY['documents', 'imports', 'audit_log', 'smoke_records'] LOOP
    EXECUTE format('DROP POLICY cross_workspace_read ON %I', owned);
  END LOOP;
END $$;
GRANT SELECT (workspace_id, status) ON documents TO cairn_metrics;
CREATE POLICY metrics_read ON documents FOR SELECT TO cairn_metrics USING (true);

-- The app reads which migrations ran (to wait for them) and changes none.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM cairn_app;

-- Before a request's workspace is known. Each answers one question about one key, user or
-- address; search_path is pinned so no caller's objects can stand in for the tables.

-- Authentication: an active API key by id, with its creator's current role in the key's
-- workspace. The caller still checks the secret against secret_hash.
CREATE FUNCTION cairn_api_key_for_auth(key_id uuid)
RETURNS TABLE (id uuid, workspace_id text, name text, role text, secret_hash text, created_by uuid,
               created_at timestamptz, last_used_at timestamptz, revoked_at timestamptz,
               creator_role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
  SELECT k.id, k.workspace_id, k.name, k.role, k.secret_hash, k.created_by, k.created_at,
         k.last_used_at, k.revoked_at, m.role
  FROM api_keys k
  LEFT JOIN workspace_members m ON m.workspace_id = k.workspace_id AND m.user_id = k.created_by
  WHERE k.id = key_id AND k.revoked_at IS NULL
$fn$;

-- GET /workspaces: the workspaces one user is a member of, with the role in each.
CREATE FUNCTION cairn_workspaces_of(member uuid)
RETURNS TABLE (id text, name text, role text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
  SELECT w.id, w.name, m.role, w.created_at FROM workspace_members m
  JOIN workspaces w ON w.id = m.workspace_id
  WHERE m.user_id = member ORDER BY w.created_at, w.id
$fn$;

-- GET /invitations: the pending invitations of one address (the token's), oldest first.
CREATE FUNCTION cairn_invitations_for(address text)
RETURNS TABLE (workspace_id text, workspace_name text, email text, role text, invited_by uuid,
               created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
  SELECT i.workspace_id, w.name, i.email, i.role, i.invited_by, i.created_at
  FROM workspace_invitations i JOIN workspaces w ON w.id = i.workspace_id
  WHERE i.email = lower(address) ORDER BY i.created_at, i.workspace_id
$fn$;

-- Sign-in: records the user a token vouched for. An address belongs to one account: when the auth
-- server re-creates an account, the address moves to the new id.
CREATE FUNCTION cairn_record_user(user_id uuid, address text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
  IF address IS NOT NULL THEN
    UPDATE users SET email = NULL WHERE lower(email) = lower(address) AND id <> user_id;
  END IF;
  INSERT INTO users (id, email) VALUES (user_id, address)
  ON CONFLICT (id) DO UPDATE SET email = COALESCE(EXCLUDED.email, users.email), last_seen_at = now();
END
$fn$;

REVOKE ALL ON FUNCTION cairn_api_key_for_auth(uuid), cairn_workspaces_of(uuid),
  cairn_invitations_for(text), cairn_record_user(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cairn_api_key_for_auth(uuid), cairn_workspaces_of(uuid),
  cairn_invitations_for(text), cairn_record_user(uuid, text) TO cairn_app;
`;
