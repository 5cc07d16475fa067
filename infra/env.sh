# Cairn's local settings, the one place their defaults live. Sourced by infra/*.sh and by the tests.
# Every value can be overridden from the environment before running a command.
# shellcheck shell=bash

CAIRN_ROOT="${CAIRN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${CAIRN_DATA_DIR:=$CAIRN_ROOT/.data}"
: "${CAIRN_CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/cairn}"
: "${CAIRN_LOG_DIR:=$CAIRN_DATA_DIR/logs}"
: "${CAIRN_RUN_DIR:=$CAIRN_DATA_DIR/run}"

# Engine ports on 127.0.0.1. PostgreSQL and Redis get dedicated ports so that a system
# instance on 5432/6379 does not clash with Cairn's own.
: "${CAIRN_PG_PORT:=55432}"
: "${CAIRN_REDIS_PORT:=56379}"
: "${CAIRN_TEMPORAL_PORT:=7233}"
: "${CAIRN_TEMPORAL_UI_PORT:=8233}"
: "${CAIRN_WEAVIATE_PORT:=8080}"
: "${CAIRN_WEAVIATE_GRPC_PORT:=50051}"
# Weaviate's internal cluster ports (memberlist gossip/data, Raft, Raft RPC), also on 127.0.0.1.
: "${CAIRN_WEAVIATE_GOSSIP_PORT:=7946}"
: "${CAIRN_WEAVIATE_DATA_PORT:=7947}"
: "${CAIRN_WEAVIATE_RAFT_PORT:=8300}"
: "${CAIRN_WEAVIATE_RAFT_RPC_PORT:=8301}"
: "${CAIRN_MINIO_PORT:=9000}"
: "${CAIRN_MINIO_CONSOLE_PORT:=9001}"
: "${CAIRN_NEO4J_PORT:=7687}"
# Temporal's own Prometheus endpoint (temporal server start-dev --metrics-port) and the
# Prometheus server of the stack, which scrapes it, the API and the workers.
: "${CAIRN_TEMPORAL_METRICS_PORT:=9233}"
: "${CAIRN_PROMETHEUS_PORT:=9090}"
# Jaeger (traces): its UI and query API, its query gRPC port, and OTLP in over gRPC and HTTP, all
# on 127.0.0.1. The UI is served under a path prefix so that Caddy can put it beside the API
# (operators only, like the Temporal UI). Traces are kept in memory, the oldest dropped first.
: "${CAIRN_JAEGER_UI_PORT:=16686}"
: "${CAIRN_JAEGER_QUERY_GRPC_PORT:=16685}"
: "${CAIRN_JAEGER_OTLP_GRPC_PORT:=4317}"
: "${CAIRN_JAEGER_OTLP_HTTP_PORT:=4318}"
: "${CAIRN_JAEGER_MAX_TRACES:=20000}"
: "${CAIRN_JAEGER_UI_PUBLIC_PATH:=/jaeger}"
# Alertmanager: Prometheus sends it the firing alerts; it groups them and posts them to the API
# (POST /operator/alerts), authenticated with CAIRN_ALERT_WEBHOOK_SECRET (a local-only default).
: "${CAIRN_ALERTMANAGER_PORT:=9093}"
: "${CAIRN_ALERT_WEBHOOK_URL:=http://127.0.0.1:${CAIRN_API_PORT:-3000}/operator/alerts}"
: "${CAIRN_ALERT_WEBHOOK_SECRET:=cairn-local-alert-webhook-secret-0123456789}"
# The web console: Prometheus as it links to it, and the local user `npm start` prints a
# sign-in link for (Supabase Auth settings, when it runs: CAIRN_SUPABASE_URL and _ANON_KEY).
: "${CAIRN_PROMETHEUS_URL:=http://127.0.0.1:$CAIRN_PROMETHEUS_PORT}"
: "${CAIRN_LOCAL_USER_EMAIL:=admin@cairn.local}"

# Caddy (the Caddyfile reads these): its HTTPS, HTTP (redirects only) and admin ports on this
# machine, the site's host name (empty: any name, internal CA), and the upstreams it proxies.
# The Temporal UI is served under a path prefix so that Caddy can put it beside the API.
: "${CAIRN_CADDY_HTTPS_PORT:=8443}"
: "${CAIRN_CADDY_HTTP_PORT:=8480}"
: "${CAIRN_CADDY_ADMIN_PORT:=2019}"
: "${CAIRN_SITE_HOST:=}"
: "${CAIRN_TEMPORAL_UI_PUBLIC_PATH:=/temporal}"
: "${CAIRN_API_UPSTREAM:=127.0.0.1:${CAIRN_API_PORT:-3000}}"
: "${CAIRN_AUTH_UPSTREAM:=127.0.0.1:${CAIRN_AUTH_PORT:-9999}}"
: "${CAIRN_TEMPORAL_UI_UPSTREAM:=127.0.0.1:$CAIRN_TEMPORAL_UI_PORT}"
: "${CAIRN_JAEGER_UI_UPSTREAM:=127.0.0.1:$CAIRN_JAEGER_UI_PORT}"
# The Caddy that test/integration/caddy.int-spec.ts starts in front of the tests' API.
: "${CAIRN_TEST_CADDY_HTTPS_PORT:=$((CAIRN_CADDY_HTTPS_PORT + 1))}"
: "${CAIRN_TEST_CADDY_HTTP_PORT:=$((CAIRN_CADDY_HTTP_PORT + 1))}"
: "${CAIRN_TEST_CADDY_ADMIN_PORT:=$((CAIRN_CADDY_ADMIN_PORT + 1))}"

# Pinned engine versions (see README: how each is installed).
: "${CAIRN_TEMPORAL_CLI_VERSION:=v1.5.1}"
: "${CAIRN_WEAVIATE_VERSION:=v1.39.0}"
: "${CAIRN_MINIO_COMMIT:=7aac2a2c5b7c}"
# The Go module proxy no longer resolves the bare commit (403 "not available"), only its full
# pseudo-version; it must end with CAIRN_MINIO_COMMIT (which names the cache folder).
: "${CAIRN_MINIO_VERSION:=v0.0.0-20260212201848-$CAIRN_MINIO_COMMIT}"
: "${CAIRN_NEO4J_VERSION:=5.26.30}"
# Jaeger v2 (one binary: OTLP receiver, in-memory storage, query API and UI) from the Go module
# proxy, built from infra/jaeger/go.mod (newer tags are served but are not approved releases).
: "${CAIRN_JAEGER_VERSION:=v1.75.0}"
# MinIO's background scanner walks every object each minute at its default speed: during the
# ingest benchmark that was 16 of MinIO's 40 CPU seconds. Cairn uses nothing it maintains
# (lifecycle, replication, quotas) and a single drive needs no healing, so it runs slowest.
: "${CAIRN_MINIO_SCANNER_SPEED:=slowest}"

# How infra/stack.sh and infra/cairn.sh run things: seconds to wait for an engine (or the API)
# to become ready and for a process to stop before SIGKILL; the JVM options of the Neo4j launcher.
: "${CAIRN_READY_TIMEOUT:=180}"
: "${CAIRN_STOP_TIMEOUT:=20}"
# Only the quick JIT (C1): a fresh JVM's optimising compiler spent ~28 CPU s on the first
# corpus import (ahead of 13 s of Neo4j's actual work), while C1 alone costs ~2 s more per
# import once warm and searches were no slower. The throughput collector with one thread: G1's
# barriers and concurrent threads cost more on two shared cores; replaying the corpus's graph
# writes took Neo4j 1.0-3.0 CPU s less on a fresh JVM and 0.9-1.4 s less warm (three rounds).
# See the README's figures.
: "${CAIRN_NEO4J_JAVA_OPTS:=-Xms256m -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseParallelGC -XX:ParallelGCThreads=1}"
# onnxruntime-node's install script would download CUDA binaries from outside the package
# registries (unreachable here, and not needed: the CPU build is in the npm package).
: "${ONNXRUNTIME_NODE_INSTALL:=skip}"

# What the API and the workers read (validated at boot by src/config/config.ts).
: "${CAIRN_API_HOST:=127.0.0.1}"
: "${CAIRN_API_PORT:=3000}"
: "${CAIRN_DEFAULT_WORKSPACE:=default}"
: "${LOG_LEVEL:=info}"
: "${DATABASE_URL:=postgres://cairn_app:cairn_app@127.0.0.1:$CAIRN_PG_PORT/cairn}"
: "${DATABASE_OWNER_URL:=postgres://cairn:cairn@127.0.0.1:$CAIRN_PG_PORT/cairn}"
: "${DATABASE_METRICS_URL:=postgres://cairn_metrics:cairn_metrics@127.0.0.1:$CAIRN_PG_PORT/cairn}"
: "${REDIS_URL:=redis://127.0.0.1:$CAIRN_REDIS_PORT}"
: "${TEMPORAL_ADDRESS:=127.0.0.1:$CAIRN_TEMPORAL_PORT}"
: "${TEMPORAL_NAMESPACE:=cairn}"
: "${TEMPORAL_UI_URL:=http://127.0.0.1:$CAIRN_TEMPORAL_UI_PORT$CAIRN_TEMPORAL_UI_PUBLIC_PATH}"
# Where the API, the console and the CLI link a trace ({url}/trace/<trace id>); empty: no links.
# Jaeger built from the Go module proxy has no UI assets (only a placeholder page), so the link
# is the console's own trace view (/app/trace/<id>, operators only), which reads Jaeger's query
# API (CAIRN_JAEGER_QUERY_URL) through GET /operator/traces. A Jaeger with its UI: point this at
# it, e.g. http://127.0.0.1:16686/jaeger.
: "${CAIRN_JAEGER_UI_URL:=http://127.0.0.1:$CAIRN_API_PORT/app}"
: "${CAIRN_JAEGER_QUERY_URL:=http://127.0.0.1:$CAIRN_JAEGER_UI_PORT$CAIRN_JAEGER_UI_PUBLIC_PATH}"
# npm start sends the API's and the workers' spans to the stack's Jaeger unless this is 0 or an
# OTLP endpoint or exporter is set explicitly (OTEL_* below).
: "${CAIRN_TRACES_TO_JAEGER:=1}"
: "${NEO4J_URL:=bolt://127.0.0.1:$CAIRN_NEO4J_PORT}"
: "${NEO4J_USER:=neo4j}"
: "${NEO4J_PASSWORD:=}"
: "${WEAVIATE_URL:=http://127.0.0.1:$CAIRN_WEAVIATE_PORT}"
: "${WEAVIATE_GRPC_URL:=127.0.0.1:$CAIRN_WEAVIATE_GRPC_PORT}"
: "${S3_ENDPOINT:=http://127.0.0.1:$CAIRN_MINIO_PORT}"
: "${S3_ACCESS_KEY:=cairn-admin}"
: "${S3_SECRET_KEY:=cairn-secret-key}"
: "${S3_BUCKET:=cairn}"
: "${S3_REGION:=us-east-1}"
: "${CAIRN_MAX_UPLOAD_BYTES:=52428800}"
: "${CAIRN_MAX_IMPORT_BYTES:=524288000}"
: "${CAIRN_EXTRACTOR:=nlp}"
# Embedding passes the ai worker runs side by side, one thread each (0: one per core).
: "${CAIRN_EMBEDDING_PARALLEL_PASSES:=0}"
: "${CAIRN_LLM_BASE_URL:=}"
: "${CAIRN_LLM_MODEL:=}"
: "${CAIRN_LLM_API_KEY:=}"
# Webhook signing secrets are sealed at rest to this X25519 key pair (local-only defaults; make
# your own: docs/webhooks.md). The API needs the public half, the workers the private half.
: "${CAIRN_SECRETS_PUBLIC_KEY:=9hcOSfv2kjoP7nOtKqBoP9129m_AJt0RhBjDq3LUrxQ}"
: "${CAIRN_SECRETS_PRIVATE_KEY:=kM3g_Fqe0CcT_L5t-ZQPE1fnrpjNEO_xmu7QJMXqXEw}"
# Private networks webhook URLs may reach (CIDRs, comma-separated); empty: public addresses only.
: "${CAIRN_OUTBOUND_ALLOWED_NETWORKS:=}"
: "${CAIRN_DOMAIN_REVIEW_REMINDER:=24h}"
: "${CAIRN_DOMAIN_REVIEW_TIMEOUT:=7d}"
: "${CAIRN_WORKER_QUEUES:=general,ai,storage}"
# Auth: Supabase Auth's port, and how the API checks its tokens. The secret is a local-only
# default (GoTrue's GOTRUE_JWT_SECRET must match); production sets its own or a JWKS URL.
: "${CAIRN_AUTH_PORT:=9999}"
: "${CAIRN_AUTH_JWT_SECRET:=cairn-local-development-jwt-secret-0123456789}"
: "${CAIRN_AUTH_JWKS_URL:=}"
: "${CAIRN_AUTH_ISSUER:=http://127.0.0.1:$CAIRN_AUTH_PORT/auth/v1}"
: "${CAIRN_AUTH_AUDIENCE:=authenticated}"
: "${CAIRN_RATE_LIMIT_UPLOAD_BURST:=30}"
: "${CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE:=120}"
: "${CAIRN_RATE_LIMIT_SEARCH_BURST:=60}"
: "${CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE:=600}"
# Proxies whose X-Forwarded-For the API believes: Caddy on this machine.
: "${CAIRN_TRUSTED_PROXIES:=loopback}"
# Operators (user ids, comma-separated) who may open the Temporal UI through Caddy, and the key
# that signs their session cookies (a local-only default). Empty: nobody through Caddy; locally
# the UI is still at http://127.0.0.1:$CAIRN_TEMPORAL_UI_PORT.
: "${CAIRN_OPERATOR_USER_IDS:=}"
: "${CAIRN_OPERATOR_SESSION_SECRET:=cairn-local-operator-session-secret-0123456789}"
# 0: the API serves GET /metrics on its own port (production moves it to a port of its own).
: "${CAIRN_API_METRICS_PORT:=0}"
# Event streams (documents' and imports' SSE) one user or API key may hold open at once, per API process.
: "${CAIRN_MAX_EVENT_STREAMS_PER_USER:=20}"
: "${CAIRN_WORKER_MODE:=separate}"
# Worker processes serve GET /metrics from this port up, two ports each (the second is the
# Temporal SDK's exporter): with CAIRN_WORKER_MODE=separate general takes base, ai base+2,
# storage base+4 (infra/cairn.sh sets each process's CAIRN_WORKER_METRICS_PORT); the tests'
# workers do the same from CAIRN_TEST_WORKER_METRICS_PORT.
: "${CAIRN_WORKER_METRICS_PORT:=9464}"
: "${CAIRN_WORKER_METRICS_HOST:=127.0.0.1}"
: "${CAIRN_TEST_WORKER_METRICS_PORT:=$((CAIRN_WORKER_METRICS_PORT + 20))}"
: "${CAIRN_TEST_API_PORT:=3100}"
: "${CAIRN_EMBEDDING_MODEL_DIR:=$CAIRN_CACHE_DIR/models/all-minilm-l6-v2-int8}"

# Tracing (OpenTelemetry, read by its SDK; see README "Tracing"). Without an exporter or an
# endpoint, trace ids are made for headers and logs but spans go nowhere.
: "${OTEL_SDK_DISABLED:=false}"
: "${OTEL_SERVICE_NAME:=}" # empty: cairn-api for the API, cairn-worker for the workers
: "${OTEL_TRACES_EXPORTER:=}" # otlp, console or none; empty: otlp when an endpoint is set
: "${OTEL_EXPORTER_OTLP_ENDPOINT:=}" # e.g. http://127.0.0.1:4318 (a collector, Jaeger, Tempo)
: "${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:=}"
: "${OTEL_EXPORTER_OTLP_PROTOCOL:=http/protobuf}" # or http/json
: "${OTEL_TRACES_SAMPLER:=parentbased_always_on}" # e.g. parentbased_traceidratio
: "${OTEL_TRACES_SAMPLER_ARG:=}" # the ratio for *_traceidratio, e.g. 0.1

export CAIRN_ROOT CAIRN_DATA_DIR CAIRN_CACHE_DIR CAIRN_LOG_DIR CAIRN_RUN_DIR \
  CAIRN_PG_PORT CAIRN_REDIS_PORT CAIRN_TEMPORAL_PORT CAIRN_TEMPORAL_UI_PORT \
  CAIRN_WEAVIATE_PORT CAIRN_WEAVIATE_GRPC_PORT CAIRN_MINIO_PORT CAIRN_MINIO_CONSOLE_PORT \
  CAIRN_NEO4J_PORT CAIRN_TEMPORAL_CLI_VERSION CAIRN_WEAVIATE_VERSION CAIRN_MINIO_COMMIT \
  CAIRN_MINIO_VERSION CAIRN_MINIO_SCANNER_SPEED CAIRN_WEAVIATE_GOSSIP_PORT CAIRN_WEAVIATE_DATA_PORT CAIRN_WEAVIATE_RAFT_PORT \
  CAIRN_WEAVIATE_RAFT_RPC_PORT \
  CAIRN_CADDY_HTTPS_PORT CAIRN_CADDY_HTTP_PORT CAIRN_CADDY_ADMIN_PORT CAIRN_SITE_HOST \
  CAIRN_TEMPORAL_UI_PUBLIC_PATH CAIRN_API_UPSTREAM CAIRN_AUTH_UPSTREAM CAIRN_TEMPORAL_UI_UPSTREAM \
  CAIRN_TEST_CADDY_HTTPS_PORT CAIRN_TEST_CADDY_HTTP_PORT CAIRN_TEST_CADDY_ADMIN_PORT \
  CAIRN_NEO4J_VERSION CAIRN_API_HOST CAIRN_API_PORT CAIRN_DEFAULT_WORKSPACE LOG_LEVEL \
  DATABASE_URL DATABASE_OWNER_URL DATABASE_METRICS_URL REDIS_URL TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_UI_URL NEO4J_URL \
  NEO4J_USER NEO4J_PASSWORD WEAVIATE_URL WEAVIATE_GRPC_URL S3_ENDPOINT S3_ACCESS_KEY \
  S3_SECRET_KEY S3_BUCKET S3_REGION CAIRN_WORKER_QUEUES CAIRN_WORKER_MODE \
  CAIRN_EXTRACTOR CAIRN_LLM_BASE_URL CAIRN_LLM_MODEL CAIRN_LLM_API_KEY CAIRN_SECRETS_PUBLIC_KEY CAIRN_SECRETS_PRIVATE_KEY \
  CAIRN_OUTBOUND_ALLOWED_NETWORKS CAIRN_TEST_API_PORT \
  CAIRN_MAX_UPLOAD_BYTES CAIRN_MAX_IMPORT_BYTES CAIRN_EMBEDDING_PARALLEL_PASSES CAIRN_DOMAIN_REVIEW_REMINDER CAIRN_DOMAIN_REVIEW_TIMEOUT \
  CAIRN_TEMPORAL_METRICS_PORT CAIRN_PROMETHEUS_PORT CAIRN_WORKER_METRICS_PORT \
  CAIRN_WORKER_METRICS_HOST CAIRN_TEST_WORKER_METRICS_PORT \
  CAIRN_EMBEDDING_MODEL_DIR CAIRN_READY_TIMEOUT CAIRN_STOP_TIMEOUT CAIRN_NEO4J_JAVA_OPTS \
  ONNXRUNTIME_NODE_INSTALL OTEL_SDK_DISABLED OTEL_SERVICE_NAME \
  OTEL_TRACES_EXPORTER OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_TRACES_ENDPOINT \
  OTEL_EXPORTER_OTLP_PROTOCOL OTEL_TRACES_SAMPLER OTEL_TRACES_SAMPLER_ARG
# An empty OTEL_* variable is not the same as an absent one to every reader (the Temporal
# server refuses OTEL_TRACES_EXPORTER=""): pass on only the ones that have a value.
for otel_var in OTEL_SERVICE_NAME OTEL_TRACES_EXPORTER OTEL_EXPORTER_OTLP_ENDPOINT \
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT OTEL_TRACES_SAMPLER_ARG; do
  [[ -n ${!otel_var:-} ]] || unset "$otel_var"
done
unset otel_var
export CAIRN_AUTH_PORT CAIRN_AUTH_JWT_SECRET CAIRN_AUTH_JWKS_URL CAIRN_AUTH_ISSUER CAIRN_AUTH_AUDIENCE \
  CAIRN_RATE_LIMIT_UPLOAD_BURST CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE \
  CAIRN_RATE_LIMIT_SEARCH_BURST CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE CAIRN_TRUSTED_PROXIES \
  CAIRN_OPERATOR_USER_IDS CAIRN_OPERATOR_SESSION_SECRET CAIRN_API_METRICS_PORT \
  CAIRN_MAX_EVENT_STREAMS_PER_USER
export CAIRN_PROMETHEUS_URL CAIRN_LOCAL_USER_EMAIL
export CAIRN_JAEGER_UI_PORT CAIRN_JAEGER_QUERY_GRPC_PORT CAIRN_JAEGER_OTLP_GRPC_PORT \
  CAIRN_JAEGER_OTLP_HTTP_PORT CAIRN_JAEGER_MAX_TRACES CAIRN_JAEGER_UI_PUBLIC_PATH \
  CAIRN_JAEGER_UI_UPSTREAM CAIRN_JAEGER_VERSION CAIRN_JAEGER_UI_URL CAIRN_JAEGER_QUERY_URL \
  CAIRN_TRACES_TO_JAEGER \
  CAIRN_ALERTMANAGER_PORT CAIRN_ALERT_WEBHOOK_URL CAIRN_ALERT_WEBHOOK_SECRET
