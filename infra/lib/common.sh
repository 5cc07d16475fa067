# Helpers shared by infra/stack.sh and infra/cairn.sh: messages, pid files, process groups, ports.
# Sourced after infra/env.sh.
# shellcheck shell=bash

say() { printf '[%s] %s\n' "${CAIRN_LOG_TAG:-cairn}" "$*"; }
warn() { printf '[%s] warning: %s\n' "${CAIRN_LOG_TAG:-cairn}" "$*" >&2; }
die() {
  printf '[%s] error: %s\n' "${CAIRN_LOG_TAG:-cairn}" "$*" >&2
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Last lines of a log file, indented, for error messages.
log_tail() {
  local file=$1 lines=${2:-30}
  if [[ -s $file ]]; then
    printf '  --- last %s lines of %s ---\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" | sed 's/^/  | /' >&2
  else
    printf '  (no log at %s)\n' "$file" >&2
  fi
}

pid_file() { printf '%s/%s.pid\n' "$CAIRN_RUN_DIR" "$1"; }

read_pid() {
  local f
  f=$(pid_file "$1")
  [[ -s $f ]] && tr -dc '0-9' <"$f"
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# True when pid is alive and its command line contains the given text (guards against a
# recycled pid or a pid file left from another machine).
pid_runs() {
  local pid=$1 text=$2
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$text"
}

# Start a command detached: its own session and process group (so a whole tree can be
# signalled), stdin from /dev/null, stdout+stderr appended to the log, and no other inherited
# file descriptor (a daemon holding the caller's pipe open makes CI hang).
# The pid written to the pid file is the session leader, which then execs the command.
spawn_detached() {
  local name=$1 log=$2
  shift 2
  local pidf
  pidf=$(pid_file "$name")
  rm -f "$pidf"
  printf '\n===== %s: starting %s: %s\n' "$(date '+%F %T')" "$name" "$*" >>"$log"
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # shellcheck disable=SC2016 # $$ and $0 belong to the inner shell
    exec setsid bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidf" "$@" \
      </dev/null >>"$log" 2>&1
  ) &
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidf ]] && return 0
    sleep 0.1
  done
  die "$name did not start (no pid file $pidf)"
}

# Stop a process group led by pid: SIGTERM, then SIGKILL after the timeout.
# Returns once no process of the group remains.
stop_group() {
  local pid=$1 timeout=${2:-${CAIRN_STOP_TIMEOUT:-20}} what=${3:-process}
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while group_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      warn "$what (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  local left
  left=$(pgrep -g "$pid" 2>/dev/null || true)
  [[ -z $left ]] || { warn "$what: processes still alive in group $pid: $left"; return 1; }
}

group_alive() {
  pid_alive "$1" || pgrep -g "$1" >/dev/null 2>&1
}

# Is anything listening on 127.0.0.1:port (or on a wildcard address covering it)?
port_listening() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Who listens on a port, for error messages ("pid=123 python3"), when ss can tell.
port_owner() {
  local port=$1 line
  command -v ss >/dev/null 2>&1 || return 0
  # users:(("python3",pid=30602,fd=3)) -> python3 (pid 30602)
  line=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'users:(([^)]*))' | head -n1 |
    sed -E 's/^users:\(\("([^"]*)",pid=([0-9]+).*/\1 (pid \2)/')
  [[ -n $line ]] && printf '%s' "$line"
  return 0
}

http_ok() { curl -fsS -o /dev/null --max-time "${2:-3}" "$1" 2>/dev/null; }

# Stamp-based idempotence: sha256 of the given files' contents.
files_hash() { cat "$@" | sha256sum | cut -c1-12; }
