# shellcheck shell=bash
# Shared helpers of the bench scripts (sourced, not run). Every benchmark starts servers, waits
# for them, measures with other work possibly running on the same 2 cores, and prints ratios.

# bench_start [PARLEY_BINARY]: the common start of a bench script. Resolves a caller-relative
# binary path, moves to the repository root and sets repo_root and parley_bin (default
# build/src/parley).
bench_start() {
  local given=${1:-}
  [[ -n $given ]] && given=$(realpath -m -- "$given")
  cd "$(dirname -- "${BASH_SOURCE[0]}")/.."
  repo_root=$PWD
  parley_bin=${given:-$repo_root/build/src/parley}
}

# stop PID: TERM, then KILL if it lingers, so a wedged server cannot hang a trap.
stop() {
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_http URL PID [TRIES]: polls URL (every 0.2 s) until it answers 2xx, failing early when the
# server process has died.
wait_http() {
  local url=$1 pid=$2 tries=${3:-150}
  for _ in $(seq "$tries"); do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.2
  done
  return 1
}

# VmRSS of one process, in MB.
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Percentage of CPU time in use over one second. Client and servers share the CPUs, so other work
# skews the figures; the load average would lag by a minute and still show a previous run.
cpu_busy_pct() {
  local a b
  a=$(head -1 /proc/stat); sleep 1; b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    split(a, x); split(b, y)
    for (i = 2; i <= 9; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", (total > 0) ? 100 * (total - idle) / total : 0
  }'
}

# wrk latency ("812.34us", "1.20ms", "2s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0) exit 1
    printf "%.3f", n * f
  }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo FAIL; }
