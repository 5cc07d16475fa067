-- Cairn's database roles: the ONE script every deployment runs (docker compose's postgres init,
-- the k8s db-init Job, the local stack's `infra/stack.sh up postgres`), so the tests run against
-- the same setup as production. Idempotent: run it again to change a password.
--
-- Run as a superuser (or a role with CREATEROLE that may change the database's owner), connected
-- to Cairn's database. Passwords come from settings, so nothing secret sits in the file:
--   PGOPTIONS="-c cairn.owner_password=… -c cairn.app_password=… -c cairn.metrics_password=…" \
--     psql -v ON_ERROR_STOP=1 -d cairn -f infra/postgres/cairn-roles.sql
-- An empty or missing password leaves that role's password as it is.
--
--   cairn          owns the schema and runs the migrations (PostgresStore.migrate via
--                  DATABASE_OWNER_URL); no superuser, no BYPASSRLS. Never used to serve requests.
--   cairn_app      the API and the workers (DATABASE_URL): no superuser, no BYPASSRLS, owns
--                  nothing, so row-level security applies to every statement it runs.
--   cairn_metrics  the operators' figures across workspaces (DATABASE_METRICS_URL): SELECT only,
--                  on what the migrations grant it (counts by status), nothing else.
DO $roles$
DECLARE
  wanted record;
  password text;
BEGIN
  FOR wanted IN
    SELECT * FROM (VALUES ('cairn', 'cairn.owner_password'),
                          ('cairn_app', 'cairn.app_password'),
                          ('cairn_metrics', 'cairn.metrics_password')) AS r (name, setting)
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted.name) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', wanted.name);
    END IF;
    -- Also undoes what an older setup may have given (docker's POSTGRES_USER=cairn was a superuser).
    EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION',
                   wanted.name);
    password := coalesce(current_setting(wanted.setting, true), '');
    IF password <> '' THEN
      EXECUTE format('ALTER ROLE %I PASSWORD %L', wanted.name, password);
    END IF;
  END LOOP;

  -- The owner owns the database (hence, from PostgreSQL 15, its public schema) so it can migrate.
  EXECUTE format('ALTER DATABASE %I OWNER TO cairn', current_database());
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO cairn_app, cairn_metrics',
                 current_database());
END
$roles$;

ALTER SCHEMA public OWNER TO cairn;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO cairn_app, cairn_metrics;
-- Tables created from now on by the owner: the app reads and writes them (row-level security
-- decides which rows), the metrics role gets nothing unless a migration grants it.
ALTER DEFAULT PRIVILEGES FOR ROLE cairn IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cairn_app;
ALTER DEFAULT PRIVILEGES FOR ROLE cairn IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO cairn_app;
-- Tables that already exist (a database from before this script): the same.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO cairn_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO cairn_app;
