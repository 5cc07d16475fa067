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

# Pinned engine versions (see README: how each is installed).
: "${CAIRN_TEMPORAL_CLI_VERSION:=v1.5.1}"
: "${CAIRN_WEAVIATE_VERSION:=v1.39.0}"
: "${CAIRN_MINIO_COMMIT:=7aac2a2c5b7c}"
# The Go module proxy no longer resolves the bare commit (403 "not available"), only its full
# pseudo-version; it must end with CAIRN_MINIO_COMMIT (which names the cache folder).
: "${CAIRN_MINIO_VERSION:=v0.0.0-20260212201848-$CAIRN_MINIO_COMMIT}"
: "${CAIRN_NEO4J_VERSION:=5.26.30}"

# How infra/stack.sh and infra/cairn.sh run things: seconds to wait for an engine (or the API)
# to become ready and for a process to stop before SIGKILL; the JVM options of the Neo4j launcher.
: "${CAIRN_READY_TIMEOUT:=180}"
: "${CAIRN_STOP_TIMEOUT:=20}"
: "${CAIRN_NEO4J_JAVA_OPTS:=-Xms256m -Xmx1g}"
# onnxruntime-node's install script would download CUDA binaries from outside the package
# registries (unreachable here, and not needed: the CPU build is in the npm package).
: "${ONNXRUNTIME_NODE_INSTALL:=skip}"

# What the API and the workers read (validated at boot by src/config/config.ts).
: "${CAIRN_API_HOST:=127.0.0.1}"
: "${CAIRN_API_PORT:=3000}"
: "${CAIRN_DEFAULT_WORKSPACE:=default}"
: "${LOG_LEVEL:=info}"
: "${DATABASE_URL:=postgres://cairn:cairn@127.0.0.1:$CAIRN_PG_PORT/cairn}"
: "${REDIS_URL:=redis://127.0.0.1:$CAIRN_REDIS_PORT}"
: "${TEMPORAL_ADDRESS:=127.0.0.1:$CAIRN_TEMPORAL_PORT}"
: "${TEMPORAL_NAMESPACE:=cairn}"
: "${TEMPORAL_UI_URL:=http://127.0.0.1:$CAIRN_TEMPORAL_UI_PORT}"
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
: "${CAIRN_LLM_BASE_URL:=}"
: "${CAIRN_LLM_MODEL:=}"
: "${CAIRN_LLM_API_KEY:=}"
: "${CAIRN_WEBHOOK_URL:=}"
: "${CAIRN_DOMAIN_REVIEW_REMINDER:=24h}"
: "${CAIRN_DOMAIN_REVIEW_TIMEOUT:=7d}"
: "${CAIRN_WORKER_QUEUES:=general,ai,storage}"
: "${CAIRN_WORKER_MODE:=separate}"
: "${CAIRN_TEST_API_PORT:=3100}"
: "${CAIRN_EMBEDDING_MODEL_DIR:=$CAIRN_CACHE_DIR/models/all-minilm-l6-v2-int8}"

export CAIRN_ROOT CAIRN_DATA_DIR CAIRN_CACHE_DIR CAIRN_LOG_DIR CAIRN_RUN_DIR \
  CAIRN_PG_PORT CAIRN_REDIS_PORT CAIRN_TEMPORAL_PORT CAIRN_TEMPORAL_UI_PORT \
  CAIRN_WEAVIATE_PORT CAIRN_WEAVIATE_GRPC_PORT CAIRN_MINIO_PORT CAIRN_MINIO_CONSOLE_PORT \
  CAIRN_NEO4J_PORT CAIRN_TEMPORAL_CLI_VERSION CAIRN_WEAVIATE_VERSION CAIRN_MINIO_COMMIT \
  CAIRN_MINIO_VERSION CAIRN_WEAVIATE_GOSSIP_PORT CAIRN_WEAVIATE_DATA_PORT CAIRN_WEAVIATE_RAFT_PORT \
  CAIRN_WEAVIATE_RAFT_RPC_PORT \
  CAIRN_NEO4J_VERSION CAIRN_API_HOST CAIRN_API_PORT CAIRN_DEFAULT_WORKSPACE LOG_LEVEL \
  DATABASE_URL REDIS_URL TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_UI_URL NEO4J_URL \
  NEO4J_USER NEO4J_PASSWORD WEAVIATE_URL WEAVIATE_GRPC_URL S3_ENDPOINT S3_ACCESS_KEY \
  S3_SECRET_KEY S3_BUCKET S3_REGION CAIRN_WORKER_QUEUES CAIRN_WORKER_MODE \
  CAIRN_EXTRACTOR CAIRN_LLM_BASE_URL CAIRN_LLM_MODEL CAIRN_LLM_API_KEY CAIRN_WEBHOOK_URL CAIRN_TEST_API_PORT \
  CAIRN_MAX_UPLOAD_BYTES CAIRN_MAX_IMPORT_BYTES CAIRN_DOMAIN_REVIEW_REMINDER CAIRN_DOMAIN_REVIEW_TIMEOUT \
  CAIRN_EMBEDDING_MODEL_DIR CAIRN_READY_TIMEOUT CAIRN_STOP_TIMEOUT CAIRN_NEO4J_JAVA_OPTS \
  ONNXRUNTIME_NODE_INSTALL
