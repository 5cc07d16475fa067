#!/usr/bin/env bash
# What `npm start` and `npm test` run.
#
#   bash infra/cairn.sh start          stack up, build, run the API and the workers until Ctrl-C
#   bash infra/cairn.sh test [jest…]   typecheck, lint, stack up, build, own API + workers, jest
#
# Both install node_modules when missing or when package-lock.json changed, bring the engines up
# (infra/stack.sh up) and, on the way out, stop what they started: API, workers, and the engines
# if the stack was not already running before. Settings come from infra/env.sh.
# Functions are also called by composed names ("start_$engine"), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/env.sh
source "$INFRA_DIR/env.sh"
# shellcheck source=infra/lib/common.sh
source "$INFRA_DIR/lib/common.sh"
CAIRN_LOG_TAG=cairn
cd "$CAIRN_ROOT"

STACK=(bash "$INFRA_DIR/stack.sh")
APPS=()              # names (pid-file names) of the API and worker processes this run started
WORKER_READY_URLS=() # each started worker process's GET /ready (200 once polling)
ENGINES_STARTED=()   # engines that were not running before this run
TAIL_PID=""
CLEANED=0

# --- preparation ------------------------------------------------------------------------------

# npm ci when node_modules is missing or package-lock.json changed since the last install.
# The stamp holds the lock file's hash. A tree installed by hand (`npm install`) is trusted too
# when npm's own record of it (node_modules/.package-lock.json) is not older than package-lock.json.
ensure_node_modules() {
  local stamp=node_modules/.cairn-lock-hash want
  want=$(files_hash package-lock.json)
  if [[ -d node_modules && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    return 0
  fi
  if [[ -d node_modules && -f node_modules/.package-lock.json ]] &&
    ! [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
    printf '%s\n' "$want" >"$stamp"
    return 0
  fi
  # npm ci empties node_modules first; through a symlink that would empty someone else's tree.
  [[ ! -L node_modules ]] || die "node_modules is a symlink; refusing to run npm ci through it"
  say "installing node modules (npm ci)"
  # The same lock as every other npm install in this checkout, so two never run at once.
  flock /tmp/cairn-npm.lock npm ci --no-audit --no-fund
  printf '%s\n' "$want" >"$stamp"
}

# Bring the engines up, remembering which ones were not running before, so only those are
# stopped on the way out (a stack that was already up stays up).
stack_up() {
  local before e
  before=" $("${STACK[@]}" running | tr '\n' ' ') "
  # Every engine of infra/stack.sh (its ENGINES), so that each one this run started is stopped.
  for e in postgres redis temporal weaviate neo4j minio prometheus jaeger alertmanager; do
    [[ $before == *" $e "* ]] || ENGINES_STARTED+=("$e")
  done
  "${STACK[@]}" up
}

build() {
  say "building (tsc -p tsconfig.build.json)"
  npx tsc -p tsconfig.build.json
  local f
  for f in dist/src/main.js dist/workers/main.js; do
    [[ -f $f ]] || die "the build did not produce $f"
  done
  build_console
}

# The web console (web/ → dist/web, served by the API), built with Vite unless its sources, the
# typed client and the lock file are those of the last build (the stamp holds their hash).
build_console() {
  local stamp=dist/web/.cairn-sources-hash want
  want=$(find web client package-lock.json -type f -not -path '*/node_modules/*' -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
  if [[ -f dist/web/index.html && -f $stamp && $(cat "$stamp") == "$want" ]]; then
    say "console: up to date (dist/web)"
    return 0
  fi
  say "building the console (vite build → dist/web)"
  npx vite build --config web/vite.config.mts --logLevel warn
  [[ -f dist/web/index.html ]] || die "the console build did not produce dist/web/index.html"
  printf '%s\n' "$want" >"$stamp"
}

# --- API and workers --------------------------------------------------------------------------

# start_app <name> <VAR=value…> -- <command…>: detached, logged to $CAIRN_LOG_DIR/<name>.log.
start_app() {
  local name=$1
  shift
  local envs=()
  while [[ $1 != -- ]]; do
    envs+=("$1")
    shift
  done
  shift
  local pid
  pid=$(read_pid "$name" || true)
  if [[ -n $pid ]] && pid_runs "$pid" node; then
    die "$name is already running (pid $pid, from another npm start/test?); stop it first"
  fi
  : >"$CAIRN_LOG_DIR/$name.log"
  spawn_detached "$name" "$CAIRN_LOG_DIR/$name.log" env "${envs[@]}" "$@"
  APPS+=("$name")
  say "$name started (pid $(read_pid "$name"), log $CAIRN_LOG_DIR/$name.log)"
}

# Workers: one process for every queue (CAIRN_WORKER_MODE=single) or one per queue (separate).
# Each process serves /metrics on its own port, two apart from the next (see infra/env.sh).
# Further VAR=value arguments are passed to every worker process.
start_workers() {
  local prefix=$1 mode=$2 queues=$3 metrics_port=$4
  shift 4
  case $mode in
    single)
      start_app "$prefix-all" "$@" CAIRN_WORKER_QUEUES="$queues" \
        CAIRN_WORKER_METRICS_PORT="$metrics_port" -- node dist/workers/main.js
      add_worker_ready_url "$metrics_port"
      ;;
    separate)
      local q
      for q in ${queues//,/ }; do
        start_app "$prefix-$q" "$@" CAIRN_WORKER_QUEUES="$q" \
          CAIRN_WORKER_METRICS_PORT="$metrics_port" -- node dist/workers/main.js
        add_worker_ready_url "$metrics_port"
        metrics_port=$((metrics_port + 2))
      done
      ;;
    *) die "CAIRN_WORKER_MODE must be single or separate, not '$mode'" ;;
  esac
}

# A worker serves GET /ready on its metrics port; with the port 0 it serves nothing to wait for.
add_worker_ready_url() {
  (($1 == 0)) || WORKER_READY_URLS+=("http://$CAIRN_WORKER_METRICS_HOST:$1/ready")
}

check_port_free() {
  local port=$1 var=$2 owner
  if port_listening "$port"; then
    owner=$(port_owner "$port")
    die "port $port for the API is already in use${owner:+ by $owner}; stop it or choose another port: export $var=<free port>"
  fi
}

# Wait for the API's GET /health/ready, then each worker's GET /ready, to answer 200; fail early
# when an app process died.
wait_ready() {
  local url
  for url in "$@"; do wait_url_ready "$url"; done
}

wait_url_ready() {
  local url=$1 deadline=$((SECONDS + CAIRN_READY_TIMEOUT)) name pid
  say "waiting for $url"
  until http_ok "$url" 5; do
    for name in "${APPS[@]}"; do
      pid=$(read_pid "$name" || true)
      if ! pid_alive "$pid"; then
        show_app_logs
        die "$name exited while starting (log: $CAIRN_LOG_DIR/$name.log)"
      fi
    done
    if ((SECONDS >= deadline)); then
      show_app_logs
      curl -sS --max-time 5 "$url" >&2 || true
      die "not ready after ${CAIRN_READY_TIMEOUT}s (CAIRN_READY_TIMEOUT): $url"
    fi
    sleep 1
  done
}

show_app_logs() {
  local name
  for name in "${APPS[@]}"; do log_tail "$CAIRN_LOG_DIR/$name.log" 40; done
}

stop_apps() {
  local name pid
  for name in "${APPS[@]}"; do
    pid=$(read_pid "$name" || true)
    if [[ -n $pid ]] && pid_runs "$pid" node; then
      say "stopping $name (pid $pid)"
      stop_group "$pid" "$CAIRN_STOP_TIMEOUT" "$name" || true
    fi
    rm -f "$(pid_file "$name")"
  done
  APPS=()
}

# Runs once, on every way out (normal end, error, Ctrl-C, SIGTERM).
cleanup() {
  ((CLEANED)) && return 0
  CLEANED=1
  [[ -n $TAIL_PID ]] && kill "$TAIL_PID" 2>/dev/null
  stop_apps
  if ((${#ENGINES_STARTED[@]})); then
    say "stopping the engines this run started: ${ENGINES_STARTED[*]}"
    "${STACK[@]}" down "${ENGINES_STARTED[@]}" || true
  fi
}

on_signal() {
  say "stopping (signal)"
  cleanup
  exit 130
}

# --- commands ---------------------------------------------------------------------------------

cmd_start() {
  trap cleanup EXIT
  trap on_signal INT TERM
  ensure_node_modules
  check_port_free "$CAIRN_API_PORT" CAIRN_API_PORT
  stack_up
  build
  mkdir -p "$CAIRN_LOG_DIR" "$CAIRN_RUN_DIR"
  local tracing=()
  jaeger_tracing_env tracing
  # One API process per core unless told otherwise (docs/deployment.md, "API processes").
  start_app api "${tracing[@]}" CAIRN_API_PROCESSES="${CAIRN_API_PROCESSES:-0}" -- node dist/src/main.js
  start_workers worker "$CAIRN_WORKER_MODE" "$CAIRN_WORKER_QUEUES" "$CAIRN_WORKER_METRICS_PORT" \
    "${tracing[@]}"
  # Stream the logs to the terminal too; tail stops with us.
  local logs=() name
  for name in "${APPS[@]}"; do logs+=("$CAIRN_LOG_DIR/$name.log"); done
  tail -n +1 -F "${logs[@]}" &
  TAIL_PID=$!
  local base="http://$CAIRN_API_HOST:$CAIRN_API_PORT"
  wait_ready "$base/health/ready" "${WORKER_READY_URLS[@]}"
  cat <<EOF

Cairn is running (Ctrl-C stops the API and workers$( ((${#ENGINES_STARTED[@]})) && echo " and the engines this run started")):
  Console        $base/
  API            $base   (OpenAPI: $base/docs, readiness: $base/health/ready)
  Temporal UI    $TEMPORAL_UI_URL/namespaces/$TEMPORAL_NAMESPACE/workflows
  Neo4j Bolt     $NEO4J_URL
  Weaviate       $WEAVIATE_URL
  MinIO console  http://127.0.0.1:$CAIRN_MINIO_CONSOLE_PORT
  Metrics        $base/metrics, workers from http://127.0.0.1:$CAIRN_WORKER_METRICS_PORT/metrics (every 2nd port)
  Prometheus     http://127.0.0.1:$CAIRN_PROMETHEUS_PORT   (alerts → Alertmanager http://127.0.0.1:$CAIRN_ALERTMANAGER_PORT → $CAIRN_ALERT_WEBHOOK_URL)
  Traces         ${CAIRN_JAEGER_UI_URL:-(no links)}/trace/<X-Trace-Id>, Jaeger's query API $CAIRN_JAEGER_QUERY_URL   ($( ((${#tracing[@]})) && echo "the API's and workers' traces" || echo "not receiving Cairn's traces: CAIRN_TRACES_TO_JAEGER=0 or OTEL_* set"))
  Logs           $CAIRN_LOG_DIR/{api,worker-*,<engine>}.log

EOF
  print_sign_in_link "$base"
  # Keep running until a signal, or until the API or a worker dies on its own.
  local pid
  while true; do
    for name in "${APPS[@]}"; do
      pid=$(read_pid "$name" || true)
      if ! pid_alive "$pid"; then
        log_tail "$CAIRN_LOG_DIR/$name.log" 40
        die "$name exited; stopping the rest"
      fi
    done
    sleep 1 &
    wait $! || true
  done
}

# The OTEL_* settings that send the API's and workers' spans to the stack's Jaeger (OTLP/HTTP),
# into the array named by $1; none when CAIRN_TRACES_TO_JAEGER=0 or when an exporter or endpoint
# was chosen explicitly (infra/env.sh passes those on to every process by itself).
jaeger_tracing_env() {
  local -n into=$1
  into=()
  [[ $CAIRN_TRACES_TO_JAEGER == 1 ]] || return 0
  [[ -z ${OTEL_TRACES_EXPORTER:-}${OTEL_EXPORTER_OTLP_ENDPOINT:-}${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-} ]] || return 0
  into=(
    OTEL_TRACES_EXPORTER=otlp
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$CAIRN_JAEGER_OTLP_HTTP_PORT/v1/traces"
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf
  )
}

# A sign-in link for the local user (CAIRN_LOCAL_USER_EMAIL): the console reads the token from
# the link's fragment. Not with an identity provider's JWKS: its users sign in there.
print_sign_in_link() {
  local base=$1 link
  [[ -z ${CAIRN_AUTH_JWKS_URL:-} ]] || return 0
  if link=$(npx tsx infra/token.ts --link "$CAIRN_LOCAL_USER_EMAIL" --base "$base" 2>/dev/null); then
    printf 'Sign in to the console as %s (valid 12 h; npm run token -- --link <e-mail> for others):\n  %s\n\n' \
      "$CAIRN_LOCAL_USER_EMAIL" "$link"
  else
    warn "could not make a sign-in link (npm run token -- --link $CAIRN_LOCAL_USER_EMAIL)"
  fi
}

# run_jest <jest args…>: one jest run, its JSON results kept for the closing count line.
run_jest() {
  local results="$CAIRN_LOG_DIR/jest-results-${#JEST_RESULTS[@]}.json"
  JEST_RESULTS+=("$results")
  rm -f "$results"
  say "jest --runInBand $*"
  npx jest --runInBand --json --outputFile="$results" "$@" || JEST_CODE=$?
}

cmd_test() {
  trap cleanup EXIT
  trap on_signal INT TERM
  # Two test runs in one checkout would share the test port and the dist/ build: the second
  # waits for the first instead of failing.
  exec 8>"${TMPDIR:-/tmp}/cairn-test-$(printf '%s' "$CAIRN_ROOT" | cksum | cut -d' ' -f1).lock"
  if ! flock -n 8; then
    say "another npm test runs in this checkout; waiting for it"
    flock 8
  fi
  ensure_node_modules
  # Cheap checks first, so a type or lint error fails in seconds, before any engine starts.
  # CAIRN_TEST_SKIP_CHECKS=1 skips them for a quick local run of a few suites (never in CI).
  if [[ ${CAIRN_TEST_SKIP_CHECKS:-0} == 1 && ${CI:-} != true ]]; then
    warn "CAIRN_TEST_SKIP_CHECKS=1: typecheck, lint and format checks skipped"
  else
    say "typecheck (tsc --noEmit: the API, workers, tests; the console with its own tsconfig)"
    npx tsc --noEmit -p tsconfig.json
    npx tsc --noEmit -p web/tsconfig.json
    say "lint (eslint) and format (prettier --check)"
    npx eslint .
    npx prettier --check --log-level warn .
    say "imports (dependency-cruiser: no cycles, .dependency-cruiser.cjs)"
    npm run --silent lint:deps
  fi
  check_port_free "$CAIRN_TEST_API_PORT" CAIRN_TEST_API_PORT
  stack_up
  # The tests' own Temporal namespace, so that an `npm start` running beside `npm test` (same
  # server, same task-queue names) never takes a test's workflow, nor a test one of its own.
  export TEMPORAL_NAMESPACE="${CAIRN_TEST_TEMPORAL_NAMESPACE:-$TEMPORAL_NAMESPACE-test}"
  "${STACK[@]}" temporal-namespace "$TEMPORAL_NAMESPACE"
  build
  mkdir -p "$CAIRN_LOG_DIR" "$CAIRN_RUN_DIR"
  # The tests' own API and workers, on the test port, beside any `npm start` on the normal one.
  # One worker process per queue (test-worker-{general,ai,storage}.pid/.log), so that the crash
  # test can SIGKILL the ai or storage worker and start a replacement; it rewrites the pid file,
  # and cleanup stops whatever process the pid file names at the end.
  # Their spans go to the stack's Jaeger, flushed often: test/e2e/tracing.e2e-spec.ts reads
  # them back from Jaeger's query API.
  local tracing=(
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://127.0.0.1:$CAIRN_JAEGER_OTLP_HTTP_PORT/v1/traces"
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf
    OTEL_TRACES_EXPORTER=otlp
    OTEL_BSP_SCHEDULE_DELAY=200
  )
  # Rate budgets the suites never reach (they upload and search in bursts); the rate-limit test
  # starts API processes of its own with small ones.
  local budgets=(
    CAIRN_RATE_LIMIT_UPLOAD_BURST=100000 CAIRN_RATE_LIMIT_SEARCH_BURST=100000
    CAIRN_RATE_LIMIT_UPLOAD_PER_MINUTE=1000000 CAIRN_RATE_LIMIT_SEARCH_PER_MINUTE=1000000
  )
  # The webhook tests' receivers listen on loopback, which webhook URLs may not reach by default.
  local outbound=(CAIRN_OUTBOUND_ALLOWED_NETWORKS=127.0.0.0/8)
  start_app test-api "${tracing[@]}" "${budgets[@]}" "${outbound[@]}" \
    CAIRN_API_PORT="$CAIRN_TEST_API_PORT" -- node dist/src/main.js
  start_workers test-worker separate general,ai,storage "$CAIRN_TEST_WORKER_METRICS_PORT" \
    "${tracing[@]}" "${outbound[@]}"
  export CAIRN_API_URL="http://127.0.0.1:$CAIRN_TEST_API_PORT"
  wait_ready "$CAIRN_API_URL/health/ready" "${WORKER_READY_URLS[@]}"
  JEST_CODE=0
  JEST_RESULTS=()
  if (($#)); then
    run_jest "$@"
  else
    # The whole suite: the browser journeys last (slowest, and they build on every API feature).
    run_jest --selectProjects unit integration e2e
    run_jest --selectProjects browser
  fi
  local code=$JEST_CODE
  # One plain closing line with the counts of every run, whatever reporter jest used.
  node -e '
    const fs = require("node:fs");
    const runs = process.argv.slice(1).filter((file) => fs.existsSync(file)).map((file) => require(file));
    const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
    if (runs.length) console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
  ' "${JEST_RESULTS[@]}"
  if ((code != 0)); then
    warn "jest failed (exit $code); the API and worker logs end with:"
    show_app_logs
  fi
  cleanup
  exit "$code"
}

main() {
  case ${1:-} in
    start) cmd_start ;;
    test)
      shift
      cmd_test "$@"
      ;;
    *)
      echo "usage: bash infra/cairn.sh start | test [jest args…]" >&2
      exit 2
      ;;
  esac
}

# On one line with exit, so editing this file while it runs cannot make bash read on.
{ main "$@"; exit $?; }
