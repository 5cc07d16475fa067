#!/usr/bin/env bash
# Cairn's local stack of real engines, no Docker.
#
#   bash infra/stack.sh install [engine…]   build/install what is missing into $CAIRN_CACHE_DIR
#   bash infra/stack.sh up      [engine…]   install, start on 127.0.0.1, wait until ready
#   bash infra/stack.sh down    [engine…]   stop (SIGTERM, then SIGKILL after a timeout)
#   bash infra/stack.sh status              one line per engine
#   bash infra/stack.sh reset               down, then delete $CAIRN_DATA_DIR (never the cache)
#   bash infra/stack.sh logs <engine>       tail an engine's log
#   bash infra/stack.sh running             names of the running engines (for scripts)
#   bash infra/stack.sh validate-k8s <dir…> render kustomize dirs, validate them (infra/k8s-validate)
#   bash infra/stack.sh temporal-namespace <name>  create a namespace with Cairn's search attributes
#   bash infra/stack.sh render-alertmanager-config <out> <webhook url> <secret file>  (tests)
#
# Engines: postgres redis temporal weaviate neo4j minio prometheus jaeger alertmanager. Every setting (ports, folders,
# versions) comes from infra/env.sh. Data: $CAIRN_DATA_DIR/<engine>, logs: $CAIRN_LOG_DIR,
# pid files: $CAIRN_RUN_DIR.
# Functions are also called by composed names ("start_$engine"), which shellcheck cannot follow.
# shellcheck disable=SC2317
set -euo pipefail

INFRA_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/env.sh
source "$INFRA_DIR/env.sh"
# shellcheck source=infra/lib/common.sh
source "$INFRA_DIR/lib/common.sh"
CAIRN_LOG_TAG=stack

ENGINES=(postgres redis temporal weaviate neo4j minio prometheus jaeger alertmanager)
ENGINES_DIR="$CAIRN_CACHE_DIR/engines"
# The Go toolchain may not be on a non-interactive PATH (CI) even when installed.
PATH="$PATH:/usr/local/go/bin"

# ---------------------------------------------------------------------------------------------
# Where each engine lives
# ---------------------------------------------------------------------------------------------
temporal_bin() { printf '%s/temporal-cli-%s/temporal\n' "$ENGINES_DIR" "$CAIRN_TEMPORAL_CLI_VERSION"; }
weaviate_bin() { printf '%s/weaviate-%s/weaviate-server\n' "$ENGINES_DIR" "$CAIRN_WEAVIATE_VERSION"; }
minio_bin() { printf '%s/minio-%s/minio\n' "$ENGINES_DIR" "$CAIRN_MINIO_COMMIT"; }
jaeger_bin() { printf '%s/jaeger-%s/jaeger\n' "$ENGINES_DIR" "$CAIRN_JAEGER_VERSION"; }

# The launcher's cache folder is keyed by the Neo4j version and a hash of its sources, so an
# edited launcher gets rebuilt and an unchanged one never is.
neo4j_launcher_hash() {
  local src="$INFRA_DIR/neo4j-launcher"
  (cd "$src" && find pom.xml src -type f | LC_ALL=C sort | while read -r f; do
    printf '%s\n' "$f"
    cat "$f"
  done) | sha256sum | cut -c1-12
}
neo4j_dir() { printf '%s/neo4j-%s-%s\n' "$ENGINES_DIR" "$CAIRN_NEO4J_VERSION" "$(neo4j_launcher_hash)"; }
NEO4J_JAR=cairn-neo4j-launcher.jar

# The manifest validator is built from the checkout's own sources, so its folder is keyed by
# their hash like the Neo4j launcher: edited sources get a new build, unchanged ones never do.
k8s_validate_dir() {
  local src="$INFRA_DIR/k8s-validate" hash
  hash=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)
  printf '%s/k8s-validate-%s\n' "$ENGINES_DIR" "$hash"
}

pg_bin_dir() {
  local d
  d=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/postgres' 2>/dev/null | sort -V | tail -n1)
  [[ -n $d ]] && dirname "$d"
}

# Postgres refuses to run as root, so as root it runs as the `postgres` user, which must be able
# to reach its data folder. When the checkout is not traversable for that user (a clone under
# /root, say), its data and socket go under /var/lib/cairn instead, keyed by the data dir's path.
PG_BASE=""
pg_base() {
  if [[ -z $PG_BASE ]]; then
    PG_BASE="$CAIRN_DATA_DIR"
    if is_root; then
      mkdir -p "$CAIRN_DATA_DIR"
      if ! runuser -u postgres -- test -x "$CAIRN_DATA_DIR" 2>/dev/null; then
        PG_BASE="/var/lib/cairn/$(printf '%s' "$CAIRN_DATA_DIR" | sha256sum | cut -c1-12)"
      fi
    fi
  fi
  printf '%s\n' "$PG_BASE"
}
pg_data_dir() { printf '%s/postgres\n' "$(pg_base)"; }
pg_socket_dir() { printf '%s/postgres-socket\n' "$(pg_base)"; }

# Run a command as the postgres user when we are root (Postgres refuses root).
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

data_dir() { printf '%s/%s\n' "$CAIRN_DATA_DIR" "$1"; }
log_file() { printf '%s/%s.log\n' "$CAIRN_LOG_DIR" "$1"; }

# Ports each engine binds, as "VAR=port" pairs (the variable is named in error messages).
engine_ports() {
  case $1 in
    postgres) echo "CAIRN_PG_PORT=$CAIRN_PG_PORT" ;;
    redis) echo "CAIRN_REDIS_PORT=$CAIRN_REDIS_PORT" ;;
    temporal)
      echo "CAIRN_TEMPORAL_PORT=$CAIRN_TEMPORAL_PORT CAIRN_TEMPORAL_UI_PORT=$CAIRN_TEMPORAL_UI_PORT" \
        "CAIRN_TEMPORAL_METRICS_PORT=$CAIRN_TEMPORAL_METRICS_PORT"
      ;;
    weaviate)
      echo "CAIRN_WEAVIATE_PORT=$CAIRN_WEAVIATE_PORT CAIRN_WEAVIATE_GRPC_PORT=$CAIRN_WEAVIATE_GRPC_PORT" \
        "CAIRN_WEAVIATE_GOSSIP_PORT=$CAIRN_WEAVIATE_GOSSIP_PORT CAIRN_WEAVIATE_DATA_PORT=$CAIRN_WEAVIATE_DATA_PORT" \
        "CAIRN_WEAVIATE_RAFT_PORT=$CAIRN_WEAVIATE_RAFT_PORT CAIRN_WEAVIATE_RAFT_RPC_PORT=$CAIRN_WEAVIATE_RAFT_RPC_PORT"
      ;;
    neo4j) echo "CAIRN_NEO4J_PORT=$CAIRN_NEO4J_PORT" ;;
    minio) echo "CAIRN_MINIO_PORT=$CAIRN_MINIO_PORT CAIRN_MINIO_CONSOLE_PORT=$CAIRN_MINIO_CONSOLE_PORT" ;;
    prometheus) echo "CAIRN_PROMETHEUS_PORT=$CAIRN_PROMETHEUS_PORT" ;;
    jaeger)
      echo "CAIRN_JAEGER_UI_PORT=$CAIRN_JAEGER_UI_PORT CAIRN_JAEGER_OTLP_HTTP_PORT=$CAIRN_JAEGER_OTLP_HTTP_PORT" \
        "CAIRN_JAEGER_OTLP_GRPC_PORT=$CAIRN_JAEGER_OTLP_GRPC_PORT CAIRN_JAEGER_QUERY_GRPC_PORT=$CAIRN_JAEGER_QUERY_GRPC_PORT"
      ;;
    alertmanager) echo "CAIRN_ALERTMANAGER_PORT=$CAIRN_ALERTMANAGER_PORT" ;;
  esac
}

# Text that the command line of our engine process contains (see pid_runs).
engine_signature() {
  case $1 in
    postgres) echo "postgres" ;;
    redis) echo "redis-server" ;;
    temporal) echo "temporal" ;;
    weaviate) echo "weaviate-server" ;;
    neo4j) echo "$NEO4J_JAR" ;;
    minio) echo "minio" ;;
    prometheus) echo "prometheus" ;;
    jaeger) echo "jaeger" ;;
    alertmanager) echo "alertmanager" ;;
  esac
}

check_engine_names() {
  local e known
  for e in "$@"; do
    known=0
    for k in "${ENGINES[@]}"; do [[ $e == "$k" ]] && known=1; done
    ((known)) || die "unknown engine '$e' (known: ${ENGINES[*]})"
  done
}

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------

# apt-get install without letting Debian start the packages' system services (a system Redis or
# Postgres cluster would start on the default ports and stay there): policy-rc.d returning 101
# tells invoke-rc.d "do not start". An existing policy is left as it is.
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $*: no apt-get here; install them by hand"
  # One at a time, so one install never removes the policy file while another still needs it.
  with_lock apt apt_install_locked "$@"
}
apt_install_locked() {
  local policy=/usr/sbin/policy-rc.d created=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# Temporary, from Cairn infra/stack.sh: do not start services during install.\nexit 101\n' >"$policy"
    chmod +x "$policy"
    created=1
  fi
  local rc=0
  say "apt-get install $*"
  # dpkg allows one install at a time: wait for its lock instead of failing at once.
  local apt=(apt-get -q -o DPkg::Lock::Timeout=600)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
    { "${apt[@]}" update >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "$@" >/dev/null; } ||
    rc=$?
  ((created)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install $* failed"
}

require_go() {
  command -v go >/dev/null ||
    die "the Go toolchain (>= 1.26) is needed to build Temporal, Weaviate and MinIO, and 'go' is not on PATH (nor in /usr/local/go/bin)"
  local v
  v=$(go env GOVERSION 2>/dev/null || true)
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  if ! [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || ((major < 1 || (major == 1 && minor < 26))); then
    die "Go >= 1.26 is needed to build the engines, found '$(go version 2>/dev/null || echo none)' at $(command -v go)"
  fi
}

# Someone else's `go install` of the same module (e.g. a background build into <dir>.tmp):
# wait for it rather than building a second copy into the same folder.
wait_for_foreign_build() {
  local dir=$1 module=$2 version=$3 waited=0
  while pgrep -f "go install ${module}@[^ ]*${version}" >/dev/null 2>&1; do
    ((waited % 60 == 0)) && say "waiting for a running build of $module into $dir.tmp (${waited}s so far)"
    sleep 5
    waited=$((waited + 5))
  done
}

# Build one Go engine into $ENGINES_DIR/<name>-<version>/ with `go install`, atomically.
# module_version is what `go install` gets when it differs from the folder's version (MinIO).
install_go_engine() {
  local name=$1 version=$2 module=$3 binary=$4 module_version=${5:-$2}
  local dir="$ENGINES_DIR/$name-$version"
  if [[ -x $dir/$binary ]]; then
    say "$name $version: cached ($dir)"
    return 0
  fi
  wait_for_foreign_build "$dir" "$module" "$version"
  if [[ -x $dir/$binary ]]; then
    say "$name $version: built by the other build ($dir)"
    return 0
  fi
  require_go
  rm -rf "$dir.tmp"
  mkdir -p "$CAIRN_LOG_DIR"
  local log="$CAIRN_LOG_DIR/install-$name.log"
  say "$name $version: building with go install $module@$module_version (minutes on a cold cache; log: $log)"
  local start=$SECONDS
  if ! GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$dir.tmp" go install "$module@$module_version" >"$log" 2>&1; then
    log_tail "$log" 40
    rm -rf "$dir.tmp"
    die "building $name $version failed (full log: $log)"
  fi
  mv "$dir.tmp" "$dir"
  say "$name $version: built in $((SECONDS - start))s"
}

install_neo4j() {
  local dir
  dir=$(neo4j_dir)
  if [[ -f $dir/$NEO4J_JAR && -d $dir/lib ]]; then
    say "neo4j $CAIRN_NEO4J_VERSION launcher: cached ($dir)"
    return 0
  fi
  if ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
    apt_install openjdk-17-jdk-headless maven
  fi
  local jv
  jv=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if ! [[ ${jv%%.*} =~ ^[0-9]+$ ]] || ((${jv%%.*} < 17)); then
    die "Java >= 17 is needed for Neo4j, found '${jv:-none}'"
  fi

  # Build from a copy of the sources, so nothing lands in the checkout and a half-built
  # launcher never appears under its final name.
  local tmp="$dir.tmp" log="$CAIRN_LOG_DIR/install-neo4j.log"
  rm -rf "$tmp"
  mkdir -p "$tmp/build" "$CAIRN_LOG_DIR"
  cp -r "$INFRA_DIR/neo4j-launcher/pom.xml" "$INFRA_DIR/neo4j-launcher/src" "$tmp/build/"
  say "neo4j $CAIRN_NEO4J_VERSION launcher: building with Maven (log: $log)"
  local start=$SECONDS
  if ! mvn -q -B -f "$tmp/build/pom.xml" -Dneo4j.version="$CAIRN_NEO4J_VERSION" \
    package dependency:copy-dependencies -DoutputDirectory="$tmp/lib" >"$log" 2>&1; then
    log_tail "$log" 40
    rm -rf "$tmp"
    die "building the Neo4j launcher failed (full log: $log)"
  fi
  mv "$tmp/build/target/$NEO4J_JAR" "$tmp/$NEO4J_JAR"
  rm -rf "$tmp/build"
  mv "$tmp" "$dir"
  say "neo4j $CAIRN_NEO4J_VERSION launcher: built in $((SECONDS - start))s"
}

install_postgres() {
  if [[ -n $(pg_bin_dir) ]]; then
    say "postgres: installed ($(pg_bin_dir))"
  else
    apt_install postgresql
    [[ -n $(pg_bin_dir) ]] || die "postgresql installed but no /usr/lib/postgresql/*/bin/postgres found"
  fi
}

install_redis() {
  if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
    say "redis: installed ($(command -v redis-server))"
  else
    apt_install redis-server
  fi
}

# Prometheus 2.42 and promtool from Debian (its service is not started: policy-rc.d, above).
install_prometheus() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
    say "prometheus: installed ($(command -v prometheus))"
  else
    apt_install prometheus
  fi
}

# Alertmanager 0.25 and amtool from Debian (its service is not started: policy-rc.d, above).
install_alertmanager() {
  if command -v prometheus-alertmanager >/dev/null && command -v amtool >/dev/null; then
    say "alertmanager: installed ($(command -v prometheus-alertmanager))"
  else
    apt_install prometheus-alertmanager
  fi
}

# Jaeger v2 from the Go module proxy. Its module cannot be `go install`ed by version (replace
# directives), so infra/jaeger/go.mod names it as a tool and pins every dependency (go.sum); the
# build runs in a copy of that module. Jaeger's UI assets are not in the module: the binary serves
# the query API and a placeholder page (ui.assets_path in infra/jaeger/config.yaml takes a build).
install_jaeger() {
  local dir="$ENGINES_DIR/jaeger-$CAIRN_JAEGER_VERSION"
  if [[ -x $dir/jaeger ]]; then
    say "jaeger $CAIRN_JAEGER_VERSION: cached ($dir)"
    return 0
  fi
  grep -qE "github.com/jaegertracing/jaeger $CAIRN_JAEGER_VERSION( |\$)" "$INFRA_DIR/jaeger/go.mod" ||
    die "infra/jaeger/go.mod does not require github.com/jaegertracing/jaeger $CAIRN_JAEGER_VERSION (CAIRN_JAEGER_VERSION)"
  require_go
  rm -rf "$dir.tmp"
  mkdir -p "$CAIRN_LOG_DIR" "$dir.tmp/module"
  cp "$INFRA_DIR/jaeger/go.mod" "$INFRA_DIR/jaeger/go.sum" "$dir.tmp/module/"
  local log="$CAIRN_LOG_DIR/install-jaeger.log" start=$SECONDS
  say "jaeger $CAIRN_JAEGER_VERSION: building with go build (minutes on a cold cache; log: $log)"
  if ! (cd "$dir.tmp/module" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -mod=readonly \
    -o "$dir.tmp/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger) >"$log" 2>&1; then
    log_tail "$log" 40
    rm -rf "$dir.tmp"
    die "building jaeger $CAIRN_JAEGER_VERSION failed (full log: $log)"
  fi
  rm -rf "$dir.tmp/module"
  mv "$dir.tmp" "$dir"
  say "jaeger $CAIRN_JAEGER_VERSION: built in $((SECONDS - start))s"
}

# Tools the tests and the reverse proxy use (not engines: nothing to start).
install_tools() {
  if command -v caddy >/dev/null; then
    say "caddy: installed ($(command -v caddy))"
  else
    apt_install caddy
  fi
  # Debian's Chromium for the console's browser tests (playwright-core drives it; Playwright's own
  # browser downloads are never used), with a font so that pages and screenshots have text.
  if [[ -x /usr/bin/chromium ]]; then
    say "chromium: installed (/usr/bin/chromium)"
  else
    apt_install chromium fonts-dejavu-core
  fi
  # OCR for scanned PDFs and images (src/analysis/ocr.ts): Tesseract with its English data, and
  # poppler's pdftoppm to render PDF pages. More languages: apt-get install tesseract-ocr-<lang>.
  if command -v tesseract >/dev/null && command -v pdftoppm >/dev/null &&
    [[ -n $(compgen -G '/usr/share/tesseract-ocr/*/tessdata/eng.traineddata') ]]; then
    say "tesseract: installed ($(command -v tesseract))"
  else
    apt_install tesseract-ocr tesseract-ocr-eng poppler-utils
  fi
  # A font with Arabic and Hebrew glyphs: the right-to-left PDF tests typeset their fixtures in it.
  if [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]]; then
    say "fonts-dejavu-core: installed"
  else
    apt_install fonts-dejavu-core
  fi
}

# Render kustomize directories and decode every object strictly into the Kubernetes API types
# (k8s.io/api and the kustomize Go API, from the Go module proxy; no cluster, no kubectl).
install_k8s_validate() {
  local dir
  dir=$(k8s_validate_dir)
  if [[ -x $dir/cairn-k8s-validate ]]; then
    say "k8s-validate: cached ($dir)"
    return 0
  fi
  require_go
  rm -rf "$dir.tmp"
  mkdir -p "$CAIRN_LOG_DIR" "$dir.tmp"
  local log="$CAIRN_LOG_DIR/install-k8s-validate.log" start=$SECONDS
  say "k8s-validate: building infra/k8s-validate (minutes on a cold Go cache; log: $log)"
  if ! (cd "$INFRA_DIR/k8s-validate" && GOTOOLCHAIN=local CGO_ENABLED=0 go build -mod=readonly \
    -o "$dir.tmp/cairn-k8s-validate" .) >"$log" 2>&1; then
    log_tail "$log" 40
    rm -rf "$dir.tmp"
    die "building infra/k8s-validate failed (full log: $log)"
  fi
  mv "$dir.tmp" "$dir"
  say "k8s-validate: built in $((SECONDS - start))s"
}

cmd_validate_k8s() {
  (($#)) || die "usage: stack.sh validate-k8s <kustomization dir>..."
  mkdir -p "$ENGINES_DIR"
  with_lock install-k8s-validate install_k8s_validate >&2
  exec "$(k8s_validate_dir)/cairn-k8s-validate" "$@"
}

install_engine() {
  case $1 in
    postgres) install_postgres ;;
    redis) install_redis ;;
    temporal) install_go_engine temporal-cli "$CAIRN_TEMPORAL_CLI_VERSION" github.com/temporalio/cli/cmd/temporal temporal ;;
    weaviate) install_go_engine weaviate "$CAIRN_WEAVIATE_VERSION" github.com/weaviate/weaviate/cmd/weaviate-server weaviate-server ;;
    minio)
      [[ $CAIRN_MINIO_VERSION == *"-$CAIRN_MINIO_COMMIT" ]] ||
        die "CAIRN_MINIO_VERSION ($CAIRN_MINIO_VERSION) must be the pseudo-version of CAIRN_MINIO_COMMIT ($CAIRN_MINIO_COMMIT)"
      install_go_engine minio "$CAIRN_MINIO_COMMIT" github.com/minio/minio minio "$CAIRN_MINIO_VERSION"
      ;;
    neo4j) install_neo4j ;;
    prometheus) install_prometheus ;;
    jaeger) install_jaeger ;;
    alertmanager) install_alertmanager ;;
  esac
}

# Run a command under an exclusive lock in the cache dir, waiting (with a message) when another
# install (another terminal, another checkout sharing the cache) holds it. The lock's fd is
# opened in a subshell only, so no engine started later inherits it.
with_lock() {
  local name=$1
  shift
  mkdir -p "$CAIRN_CACHE_DIR/locks"
  (
    exec 9>"$CAIRN_CACHE_DIR/locks/$name.lock"
    if ! flock -n 9; then
      say "another install holds $CAIRN_CACHE_DIR/locks/$name.lock; waiting"
      flock 9
    fi
    "$@"
  )
}

# install [engine…]: all engines plus the embedding model, or only the named engines.
# One lock per engine, so installing Redis does not wait for a MinIO build elsewhere.
cmd_install() {
  check_engine_names "$@"
  local engines=("$@") e
  ((${#engines[@]})) || engines=("${ENGINES[@]}")
  mkdir -p "$ENGINES_DIR"
  for e in "${engines[@]}"; do with_lock "install-$e" install_engine "$e"; done
  if (($# == 0)); then
    with_lock install-tools install_tools
    with_lock install-k8s-validate install_k8s_validate
    [[ -f $INFRA_DIR/install-model.sh ]] && with_lock install-model bash "$INFRA_DIR/install-model.sh"
  fi
}

# ---------------------------------------------------------------------------------------------
# readiness checks (exit 0 when the engine answers)
# ---------------------------------------------------------------------------------------------
ready_postgres() {
  "$(pg_bin_dir)/pg_isready" -q -h 127.0.0.1 -p "$CAIRN_PG_PORT" -t 2 >/dev/null 2>&1
}
ready_redis() {
  [[ $(redis-cli -h 127.0.0.1 -p "$CAIRN_REDIS_PORT" ping 2>/dev/null) == PONG ]]
}
ready_temporal() {
  "$(temporal_bin)" operator cluster health --address "127.0.0.1:$CAIRN_TEMPORAL_PORT" \
    --command-timeout 3s 2>/dev/null | grep -q SERVING &&
    "$(temporal_bin)" operator namespace describe --namespace "$TEMPORAL_NAMESPACE" \
      --address "127.0.0.1:$CAIRN_TEMPORAL_PORT" --command-timeout 3s >/dev/null 2>&1 &&
    http_ok "http://127.0.0.1:$CAIRN_TEMPORAL_UI_PORT/"
}
ready_prometheus() { http_ok "http://127.0.0.1:$CAIRN_PROMETHEUS_PORT/-/ready"; }
ready_jaeger() { http_ok "http://127.0.0.1:$CAIRN_JAEGER_UI_PORT$CAIRN_JAEGER_UI_PUBLIC_PATH/api/services"; }
ready_alertmanager() { http_ok "http://127.0.0.1:$CAIRN_ALERTMANAGER_PORT/-/ready"; }
ready_weaviate() { http_ok "http://127.0.0.1:$CAIRN_WEAVIATE_PORT/v1/.well-known/ready"; }
ready_minio() { http_ok "http://127.0.0.1:$CAIRN_MINIO_PORT/minio/health/ready"; }
# The launcher writes its pid into the marker once the database is available.
ready_neo4j() {
  local marker="$CAIRN_RUN_DIR/neo4j.ready"
  [[ -s $marker ]] && [[ $(tr -dc '0-9' <"$marker") == "$(read_pid neo4j)" ]] &&
    (exec 3<>"/dev/tcp/127.0.0.1/$CAIRN_NEO4J_PORT") 2>/dev/null
}

# ---------------------------------------------------------------------------------------------
# starting each engine
# ---------------------------------------------------------------------------------------------
start_postgres() {
  local bin data sock log
  bin=$(pg_bin_dir)
  data=$(pg_data_dir)
  sock=$(pg_socket_dir)
  log=$(log_file postgres)
  mkdir -p "$data" "$sock"
  if is_root; then
    chown postgres: "$data" "$sock"
  fi
  chmod 700 "$data"
  if [[ ! -s $data/PG_VERSION ]]; then
    say "postgres: first run, initdb in $data"
    # Trust on the local socket only (for this script's setup); TCP clients use passwords.
    as_pg "$bin/initdb" -D "$data" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=scram-sha-256 >>"$log" 2>&1 ||
      { log_tail "$log"; die "postgres: initdb failed"; }
  fi
  local cmd=("$bin/postgres" -D "$data" -c listen_addresses=127.0.0.1 -c "port=$CAIRN_PG_PORT"
    -c "unix_socket_directories=$sock" -c logging_collector=off)
  if is_root; then
    spawn_detached postgres "$log" runuser -u postgres -- "${cmd[@]}"
  else
    spawn_detached postgres "$log" "${cmd[@]}"
  fi
}

# Cairn's database (named in DATABASE_URL) and its roles, through the same script docker compose
# and the k8s db-setup init container run (infra/postgres/cairn-roles.sql): the owner that migrates
# (DATABASE_OWNER_URL), the app role the API and workers use (DATABASE_URL), the metrics role
# (DATABASE_METRICS_URL). Passwords come from those URLs; running it again is harmless.
ensure_postgres_db() {
  local re='^postgres(ql)?://([^:@/]+):([^@/]*)@[^/]+/([^?]+)' name var url user setting pass db="" options=""
  for name in DATABASE_OWNER_URL:cairn:owner DATABASE_URL:cairn_app:app DATABASE_METRICS_URL:cairn_metrics:metrics; do
    IFS=: read -r var user setting <<<"$name"
    url=${!var}
    [[ $url =~ $re ]] || { warn "postgres: cannot parse $var; no roles/database created"; return 0; }
    [[ ${BASH_REMATCH[2]} == "$user" ]] || die "postgres: $var must name the role $user (infra/postgres/cairn-roles.sql)"
    pass=${BASH_REMATCH[3]} db=${BASH_REMATCH[4]}
    [[ $pass =~ ^[A-Za-z0-9._~-]*$ ]] || die "postgres: keep the password in $var to letters, digits and ._~-"
    options+=" -c cairn.${setting}_password=$pass"
  done
  local psql
  psql=("$(pg_bin_dir)/psql" -h "$(pg_socket_dir)" -p "$CAIRN_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [[ $(as_pg "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'") != 1 ]]; then
    say "postgres: creating database $db"
    as_pg "${psql[@]}" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  fi
  as_pg env PGOPTIONS="$options" "${psql[@]}" -d "$db" <"$INFRA_DIR/postgres/cairn-roles.sql" >/dev/null ||
    die "postgres: infra/postgres/cairn-roles.sql failed"
}

start_redis() {
  local data
  data=$(data_dir redis)
  mkdir -p "$data"
  spawn_detached redis "$(log_file redis)" redis-server --bind 127.0.0.1 --port "$CAIRN_REDIS_PORT" \
    --dir "$data" --daemonize no --protected-mode yes --save 60 1 --appendonly no --logfile ''
}

start_temporal() {
  local data
  data=$(data_dir temporal)
  mkdir -p "$data" # start-dev does not create the db file's folder
  # The OTEL_* settings are Cairn's own tracing; the Temporal server would read them too.
  local otel_unset=() name
  for name in $(compgen -e | grep '^OTEL_' || true); do otel_unset+=(-u "$name"); done
  # SQLite's default rollback journal syncs a journal file per transaction; in WAL mode with
  # synchronous=normal a commit survives a crash of the server (not of the machine) and the
  # server used ~40% less CPU during a bulk import.
  spawn_detached temporal "$(log_file temporal)" env "${otel_unset[@]}" "$(temporal_bin)" server start-dev \
    --db-filename "$data/temporal.db" --ip 127.0.0.1 \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --port "$CAIRN_TEMPORAL_PORT" --ui-port "$CAIRN_TEMPORAL_UI_PORT" \
    --ui-public-path "$CAIRN_TEMPORAL_UI_PUBLIC_PATH" \
    --metrics-port "$CAIRN_TEMPORAL_METRICS_PORT" \
    --namespace "$TEMPORAL_NAMESPACE" \
    --search-attribute WorkspaceId=Keyword --search-attribute DocumentId=Keyword \
    --search-attribute DomainId=Keyword --search-attribute Stage=Keyword \
    --log-level warn --color never
}

start_weaviate() {
  local data
  data=$(data_dir weaviate)
  mkdir -p "$data"
  # Without --scheme/--port it picks https and a random port; without the bind/advertise
  # address it stops with "No private IP address found". The pprof listener would bind :6060
  # on all interfaces, so it is switched off.
  spawn_detached weaviate "$(log_file weaviate)" env \
    PERSISTENCE_DATA_PATH="$data" \
    AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true \
    DEFAULT_VECTORIZER_MODULE=none ENABLE_MODULES= \
    CLUSTER_HOSTNAME=node1 CLUSTER_BIND_ADDR=127.0.0.1 CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
    CLUSTER_GOSSIP_BIND_PORT="$CAIRN_WEAVIATE_GOSSIP_PORT" CLUSTER_DATA_BIND_PORT="$CAIRN_WEAVIATE_DATA_PORT" \
    RAFT_PORT="$CAIRN_WEAVIATE_RAFT_PORT" RAFT_INTERNAL_RPC_PORT="$CAIRN_WEAVIATE_RAFT_RPC_PORT" \
    RAFT_JOIN="node1:$CAIRN_WEAVIATE_RAFT_PORT" \
    RAFT_BOOTSTRAP_EXPECT=1 GRPC_PORT="$CAIRN_WEAVIATE_GRPC_PORT" \
    DISABLE_TELEMETRY=true GO_PROFILING_DISABLE=true \
    "$(weaviate_bin)" --scheme http --host 127.0.0.1 --port "$CAIRN_WEAVIATE_PORT"
}

start_minio() {
  local data
  data=$(data_dir minio)
  mkdir -p "$data"
  spawn_detached minio "$(log_file minio)" env \
    MINIO_ROOT_USER="$S3_ACCESS_KEY" MINIO_ROOT_PASSWORD="$S3_SECRET_KEY" MINIO_UPDATE=off \
    MINIO_SCANNER_SPEED="$CAIRN_MINIO_SCANNER_SPEED" \
    "$(minio_bin)" server "$data" \
    --address "127.0.0.1:$CAIRN_MINIO_PORT" --console-address "127.0.0.1:$CAIRN_MINIO_CONSOLE_PORT"
}

# infra/prometheus/prometheus.yml.tmpl with this stack's ports, into the data folder. The
# worker targets follow infra/cairn.sh: one process per queue, two ports apart.
render_prometheus_config() {
  local out=$1 text name
  text=$(<"$INFRA_DIR/prometheus/prometheus.yml.tmpl")
  # shellcheck disable=SC2034 # read through ${!name} below
  local CAIRN_WORKER_METRICS_PORT_AI=$((CAIRN_WORKER_METRICS_PORT + 2)) \
    CAIRN_WORKER_METRICS_PORT_STORAGE=$((CAIRN_WORKER_METRICS_PORT + 4)) \
    CAIRN_TEST_WORKER_METRICS_PORT_AI=$((CAIRN_TEST_WORKER_METRICS_PORT + 2)) \
    CAIRN_TEST_WORKER_METRICS_PORT_STORAGE=$((CAIRN_TEST_WORKER_METRICS_PORT + 4))
  for name in CAIRN_ROOT CAIRN_API_PORT CAIRN_TEST_API_PORT CAIRN_WORKER_METRICS_PORT \
    CAIRN_WORKER_METRICS_PORT_AI CAIRN_WORKER_METRICS_PORT_STORAGE CAIRN_TEST_WORKER_METRICS_PORT \
    CAIRN_TEST_WORKER_METRICS_PORT_AI CAIRN_TEST_WORKER_METRICS_PORT_STORAGE \
    CAIRN_TEMPORAL_METRICS_PORT CAIRN_PROMETHEUS_PORT CAIRN_ALERTMANAGER_PORT; do
    text=${text//"\${$name}"/${!name}}
  done
  # shellcheck disable=SC2016 # a literal "${", left if a placeholder was not replaced
  [[ $text != *'${'* ]] || die "prometheus: unreplaced \${…} left in $out"
  printf '%s\n' "$text" >"$out.tmp" && mv "$out.tmp" "$out"
}

start_prometheus() {
  local data
  data=$(data_dir prometheus)
  mkdir -p "$data/tsdb"
  render_prometheus_config "$data/prometheus.yml"
  promtool check config "$data/prometheus.yml" >>"$(log_file prometheus)" 2>&1 ||
    { log_tail "$(log_file prometheus)"; die "prometheus: the rendered configuration is invalid"; }
  spawn_detached prometheus "$(log_file prometheus)" prometheus \
    --config.file "$data/prometheus.yml" --storage.tsdb.path "$data/tsdb" \
    --storage.tsdb.retention.time 7d --web.listen-address "127.0.0.1:$CAIRN_PROMETHEUS_PORT" \
    --web.enable-lifecycle
}

start_jaeger() {
  # Jaeger reads the ports of infra/jaeger/config.yaml from the environment (env.sh exports them).
  # It would also read the OTEL_* settings meant for Cairn's own processes.
  local otel_unset=() name
  for name in $(compgen -e | grep '^OTEL_' || true); do otel_unset+=(-u "$name"); done
  spawn_detached jaeger "$(log_file jaeger)" env "${otel_unset[@]}" "$(jaeger_bin)" \
    --config "file:$INFRA_DIR/jaeger/config.yaml"
}

# infra/alertmanager/alertmanager.yml.tmpl with the receiver's URL and the file holding its
# shared secret (Alertmanager reads it per request; it is never written into the config).
render_alertmanager_config() {
  local out=$1 url=$2 secret_file=$3 text
  text=$(<"$INFRA_DIR/alertmanager/alertmanager.yml.tmpl")
  text=${text//'${CAIRN_ALERT_WEBHOOK_URL}'/$url}
  text=${text//'${CAIRN_ALERT_WEBHOOK_SECRET_FILE}'/$secret_file}
  # shellcheck disable=SC2016 # a literal "${", left if a placeholder was not replaced
  [[ $text != *'${'* ]] || die "alertmanager: unreplaced \${…} left in $out"
  printf '%s\n' "$text" >"$out.tmp" && mv "$out.tmp" "$out"
  amtool check-config "$out" >/dev/null || die "alertmanager: the rendered configuration $out is invalid"
}

start_alertmanager() {
  local data
  data=$(data_dir alertmanager)
  mkdir -p "$data/storage"
  (umask 077 && printf '%s' "$CAIRN_ALERT_WEBHOOK_SECRET" >"$data/webhook-secret")
  render_alertmanager_config "$data/alertmanager.yml" "$CAIRN_ALERT_WEBHOOK_URL" "$data/webhook-secret" \
    >>"$(log_file alertmanager)" 2>&1 || { log_tail "$(log_file alertmanager)"; die "alertmanager: invalid configuration"; }
  # A single instance: no cluster listener (it would bind 0.0.0.0:9094).
  spawn_detached alertmanager "$(log_file alertmanager)" prometheus-alertmanager \
    --config.file "$data/alertmanager.yml" --storage.path "$data/storage" \
    --web.listen-address "127.0.0.1:$CAIRN_ALERTMANAGER_PORT" --cluster.listen-address "" \
    --web.external-url "http://127.0.0.1:$CAIRN_ALERTMANAGER_PORT"
}

start_neo4j() {
  local data dir
  data=$(data_dir neo4j)
  dir=$(neo4j_dir)
  mkdir -p "$data"
  rm -f "$CAIRN_RUN_DIR/neo4j.ready"
  # shellcheck disable=SC2086 # CAIRN_NEO4J_JAVA_OPTS is a list of JVM flags
  spawn_detached neo4j "$(log_file neo4j)" java $CAIRN_NEO4J_JAVA_OPTS -jar "$dir/$NEO4J_JAR" \
    "$data" 127.0.0.1 "$CAIRN_NEO4J_PORT" "$CAIRN_RUN_DIR/neo4j.ready"
}

# ---------------------------------------------------------------------------------------------
# up / down / status
# ---------------------------------------------------------------------------------------------

# The pid of our running engine, or nothing.
engine_pid() {
  local pid
  pid=$(read_pid "$1" || true)
  if [[ -n $pid ]] && pid_runs "$pid" "$(engine_signature "$1")"; then
    printf '%s\n' "$pid"
  fi
}

# Refuse to start when one of the engine's ports is held by something else: a clear message
# now rather than an engine that dies (or, worse, readiness checks that talk to a stranger).
check_ports_free() {
  local engine=$1 pair var port owner
  for pair in $(engine_ports "$engine"); do
    var=${pair%%=*}
    port=${pair#*=}
    if port_listening "$port"; then
      owner=$(port_owner "$port")
      die "$engine: port $port on 127.0.0.1 is already in use${owner:+ by $owner}, by something that is not this stack's $engine. Stop it, or choose another port: export $var=<free port>"
    fi
  done
}

wait_ready() {
  local engine=$1 pid=$2
  local deadline=$((SECONDS + CAIRN_READY_TIMEOUT)) log
  log=$(log_file "$engine")
  until "ready_$engine"; do
    if ! group_alive "$pid"; then
      log_tail "$log"
      die "$engine exited while starting (log: $log)"
    fi
    if ((SECONDS >= deadline)); then
      log_tail "$log"
      stop_engine "$engine" >/dev/null 2>&1 || true
      die "$engine was not ready after ${CAIRN_READY_TIMEOUT}s (CAIRN_READY_TIMEOUT); stopped it (log: $log)"
    fi
    sleep 0.5
  done
}

up_engine() {
  local engine=$1 pid start=$SECONDS
  CAIRN_LOG_TAG=$engine
  pid=$(engine_pid "$engine")
  if [[ -n $pid ]]; then
    if "ready_$engine"; then
      say "already running (pid $pid)"
    else
      say "running (pid $pid) but not ready yet; waiting"
      wait_ready "$engine" "$pid"
    fi
  else
    check_ports_free "$engine"
    "start_$engine"
    pid=$(read_pid "$engine")
    wait_ready "$engine" "$pid"
    say "ready in $((SECONDS - start))s (pid $pid, log $(log_file "$engine"))"
  fi
  if [[ $engine == postgres ]]; then ensure_postgres_db; fi
}

print_urls() {
  cat <<EOF

Cairn's local stack is up:
  API (npm start)    http://$CAIRN_API_HOST:$CAIRN_API_PORT   (docs: /docs, readiness: /health/ready)
  Temporal UI        $TEMPORAL_UI_URL/namespaces/$TEMPORAL_NAMESPACE/workflows
  Temporal gRPC      $TEMPORAL_ADDRESS
  Neo4j Bolt         $NEO4J_URL   (auth off locally)
  Weaviate           $WEAVIATE_URL   (gRPC $WEAVIATE_GRPC_URL)
  MinIO S3           $S3_ENDPOINT
  MinIO console      http://127.0.0.1:$CAIRN_MINIO_CONSOLE_PORT   (user $S3_ACCESS_KEY)
  PostgreSQL         $DATABASE_URL
  Redis              $REDIS_URL
  Prometheus         http://127.0.0.1:$CAIRN_PROMETHEUS_PORT   (alerts: /alerts, targets: /targets)
  Temporal metrics   http://127.0.0.1:$CAIRN_TEMPORAL_METRICS_PORT/metrics
  Jaeger (traces)    http://127.0.0.1:$CAIRN_JAEGER_UI_PORT$CAIRN_JAEGER_UI_PUBLIC_PATH   (OTLP http://127.0.0.1:$CAIRN_JAEGER_OTLP_HTTP_PORT, gRPC :$CAIRN_JAEGER_OTLP_GRPC_PORT)
  Alertmanager       http://127.0.0.1:$CAIRN_ALERTMANAGER_PORT   (receiver: $CAIRN_ALERT_WEBHOOK_URL)
  Logs               $CAIRN_LOG_DIR/<engine>.log   (bash infra/stack.sh logs <engine>)
  Data               $CAIRN_DATA_DIR   (bash infra/stack.sh reset deletes it)
EOF
}

cmd_up() {
  check_engine_names "$@"
  local engines=("$@")
  ((${#engines[@]})) || engines=("${ENGINES[@]}")
  cmd_install "$@"
  mkdir -p "$CAIRN_DATA_DIR" "$CAIRN_LOG_DIR" "$CAIRN_RUN_DIR"
  # Engines do not depend on one another, so they start in parallel; each waits for its own
  # readiness. A failure in one is reported after all have finished.
  local -A jobs=()
  local e failed=()
  for e in "${engines[@]}"; do
    (up_engine "$e") &
    jobs[$e]=$!
  done
  for e in "${engines[@]}"; do
    wait "${jobs[$e]}" || failed+=("$e")
  done
  if ((${#failed[@]})); then
    die "not started: ${failed[*]} (see the messages above; bash infra/stack.sh status)"
  fi
  print_urls
}

stop_engine() {
  local engine=$1 pid
  CAIRN_LOG_TAG=$engine
  pid=$(engine_pid "$engine")
  if [[ -z $pid ]]; then
    rm -f "$(pid_file "$engine")"
    say "not running"
    return 0
  fi
  say "stopping (pid $pid)"
  if [[ $engine == postgres ]]; then
    # Fast shutdown: a plain SIGTERM is Postgres's "smart" mode, which waits for every client.
    as_pg "$(pg_bin_dir)/pg_ctl" stop -D "$(pg_data_dir)" -m fast -w -t "$CAIRN_STOP_TIMEOUT" >/dev/null 2>&1 || true
  fi
  stop_group "$pid" "$CAIRN_STOP_TIMEOUT" "$engine" || return 1
  rm -f "$(pid_file "$engine")"
  [[ $engine == neo4j ]] && rm -f "$CAIRN_RUN_DIR/neo4j.ready"
  say "stopped"
}

cmd_down() {
  check_engine_names "$@"
  local engines=("$@")
  ((${#engines[@]})) || engines=("${ENGINES[@]}")
  local -A jobs=()
  local e failed=()
  for e in "${engines[@]}"; do
    (stop_engine "$e") &
    jobs[$e]=$!
  done
  for e in "${engines[@]}"; do
    wait "${jobs[$e]}" || failed+=("$e")
  done
  ((${#failed[@]} == 0)) || die "could not stop: ${failed[*]}"
}

cmd_status() {
  local e pid state ready ports
  printf '%-12s %-8s %-8s %-12s %s\n' ENGINE STATE PID PORTS READY
  for e in "${ENGINES[@]}"; do
    pid=$(engine_pid "$e")
    ports=$(engine_ports "$e" | tr ' ' '\n' | head -n 2 | sed 's/^[A-Z0-9_]*=//' | paste -sd, -)
    if [[ -n $pid ]]; then
      state=running
      if "ready_$e"; then ready=yes; else ready=no; fi
    else
      state=stopped pid=- ready=-
    fi
    printf '%-12s %-8s %-8s %-12s %s\n' "$e" "$state" "$pid" "$ports" "$ready"
  done
}

# Names of the engines of this stack that are running, one a line (used by infra/cairn.sh).
cmd_running() {
  local e
  for e in "${ENGINES[@]}"; do
    if [[ -n $(engine_pid "$e") ]]; then printf '%s\n' "$e"; fi
  done
}

cmd_reset() {
  cmd_down
  # Guard against a data dir setting that points at something precious.
  local data
  data=$(realpath -m "$CAIRN_DATA_DIR")
  case $data in
    / | "$HOME" | "$(realpath -m "$CAIRN_ROOT")" | "$(realpath -m "$CAIRN_CACHE_DIR")"*)
      die "refusing to delete CAIRN_DATA_DIR=$data" ;;
  esac
  local pg
  pg=$(pg_base)
  say "deleting $data"
  rm -rf "$data"
  if [[ $pg == /var/lib/cairn/* ]]; then rm -rf "$pg"; fi
  say "data removed; the engine cache ($CAIRN_CACHE_DIR) is kept"
}

cmd_logs() {
  local engine=${1:-}
  [[ -n $engine ]] || die "usage: stack.sh logs <engine|install-name>"
  local log
  log=$(log_file "$engine")
  [[ -f $log ]] || die "no log at $log"
  if [[ -t 1 ]]; then tail -n 100 -F "$log"; else tail -n 100 "$log"; fi
}

# A Temporal namespace with the search attributes the workflows set (the main one gets them at
# start-dev); idempotent, and the dev server keeps both.
cmd_temporal_namespace() {
  local ns=${1:?usage: stack.sh temporal-namespace <name>} attr listed tries=0 temporal
  temporal=(
    "$(temporal_bin)" operator --address "127.0.0.1:$CAIRN_TEMPORAL_PORT" --command-timeout 10s
  )
  if ! "${temporal[@]}" namespace describe --namespace "$ns" >/dev/null 2>&1; then
    say "creating the Temporal namespace $ns"
    "${temporal[@]}" namespace create --namespace "$ns" --retention 24h >/dev/null
  fi
  # The operator service learns of a new namespace a few seconds after the frontend does.
  for attr in WorkspaceId DocumentId DomainId Stage; do
    until listed=$("${temporal[@]}" search-attribute list --namespace "$ns" 2>/dev/null) &&
      grep -qw "$attr" <<<"$listed"; do
      ((++tries <= 60)) || die "could not register the search attribute $attr in $ns"
      "${temporal[@]}" search-attribute create --namespace "$ns" --name "$attr" \
        --type Keyword >/dev/null 2>&1 || true
      sleep 1
    done
  done
}

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local sub=${1:-}
  shift || true
  case $sub in
    install) cmd_install "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    running) cmd_running ;;
    reset) cmd_reset ;;
    logs) cmd_logs "$@" ;;
    validate-k8s) cmd_validate_k8s "$@" ;;
    temporal-namespace) cmd_temporal_namespace "$@" ;;
    render-alertmanager-config) render_alertmanager_config "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

# On one line with exit, so editing this file while it runs cannot make bash read on.
{ main "$@"; exit $?; }
