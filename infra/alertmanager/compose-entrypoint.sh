#!/usr/bin/env bash
# Alertmanager's start inside docker compose: renders alertmanager.yml.tmpl (the local stack's
# routing, inhibition and receiver) with the API's webhook URL and a file holding the shared
# secret, checks it with amtool, then runs Alertmanager as the container's process.
set -euo pipefail
: "${CAIRN_ALERT_WEBHOOK_URL:?the URL of the API POST /operator/alerts}"
: "${CAIRN_ALERT_WEBHOOK_SECRET:?the shared secret the API expects (32+ characters)}"
template=${CAIRN_ALERTMANAGER_TEMPLATE:-/etc/cairn-alertmanager/alertmanager.yml.tmpl}
data=${CAIRN_ALERTMANAGER_DATA:-/alertmanager}
mkdir -p "$data/storage"
(umask 077 && printf '%s' "$CAIRN_ALERT_WEBHOOK_SECRET" >"$data/webhook-secret")
unset CAIRN_ALERT_WEBHOOK_SECRET
text=$(<"$template")
text=${text//'${CAIRN_ALERT_WEBHOOK_URL}'/$CAIRN_ALERT_WEBHOOK_URL}
text=${text//'${CAIRN_ALERT_WEBHOOK_SECRET_FILE}'/$data/webhook-secret}
# shellcheck disable=SC2016 # a literal dollar and brace: a placeholder left unreplaced
placeholder='${'
if [[ $text == *"$placeholder"* ]]; then
  echo "alertmanager: a placeholder was left unreplaced in the configuration" >&2
  exit 1
fi
printf '%s\n' "$text" >"$data/alertmanager.yml"
amtool check-config "$data/alertmanager.yml"
[[ ${1:-} == --check ]] && exit 0
# One instance: no cluster listener.
exec prometheus-alertmanager --config.file "$data/alertmanager.yml" \
  --storage.path "$data/storage" --web.listen-address ":9093" --cluster.listen-address "" \
  --web.external-url "${CAIRN_ALERTMANAGER_EXTERNAL_URL:-http://127.0.0.1:9093}"
