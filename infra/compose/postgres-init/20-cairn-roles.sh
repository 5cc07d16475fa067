#!/bin/sh
# Docker's postgres image runs this once, on an empty data volume: Cairn's owner, app and metrics
# roles, through the same script the local stack and the k8s db-setup step run.
set -eu
PGOPTIONS="-c cairn.owner_password=$CAIRN_DB_OWNER_PASSWORD -c cairn.app_password=$CAIRN_DB_APP_PASSWORD -c cairn.metrics_password=$CAIRN_DB_METRICS_PASSWORD" \
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -f /cairn/cairn-roles.sql
