#!/bin/sh
# Docker's postgres image runs this once, on an empty data volume: the role and schema that
# Supabase Auth (GoTrue) migrates into, inside Cairn's database. Its migrations also grant to a
# role named postgres, which this image does not create when POSTGRES_USER is someone else.
set -eu
psql -v ON_ERROR_STOP=1 -v pass="$POSTGRES_PASSWORD" --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE postgres NOLOGIN') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'postgres')\gexec
SELECT format('CREATE ROLE supabase_auth_admin LOGIN NOINHERIT CREATEROLE PASSWORD %L', :'pass')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_auth_admin')\gexec
CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_auth_admin;
GRANT CREATE, CONNECT ON DATABASE :"DBNAME" TO supabase_auth_admin;
ALTER ROLE supabase_auth_admin SET search_path = auth;
SQL
