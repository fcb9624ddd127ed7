#!/usr/bin/env bash
# Benchmarks Parley's bare HTTP path (GET /health, no model involved) against nginx serving the
# same bytes as a static file, so the ratio says how much the HTTP layer costs relative to a
# well-known fast server on the same machine. Also records Parley's resident memory.
#
# Usage: bench/http_bench.sh [PARLEY_BINARY]      (default: build/src/parley)
# Knobs: DURATION (10s), CONNECTIONS (64), THREADS (wrk threads, 2), WARMUP (3s).
# Writes bench/results/http.md (overwritten). Exits 0 even when a target fails; a non-zero exit
# means the benchmark itself could not run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname -- "$0")/lib.sh"
bench_start "${1:-}"

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
NGINX=${NGINX:-/usr/sbin/nginx}
ROUNDS=2            # alternating nginx/parley pairs; the best of each damps scheduler noise
NGINX_BASE_PORT=18900

# Targets: the HTTP layer should stay close to nginx and cheap enough to idle on a small box.
readonly kMinRpsRatio=0.8
readonly kMaxP99Ratio=1.5
readonly kMaxIdleRssMb=20

command_line="DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS WARMUP=$WARMUP bench/http_bench.sh${1:+ $1}"

die() { echo "http_bench: $*" >&2; exit 1; }

for tool in wrk curl "$NGINX"; do
  command -v "$tool" >/dev/null || die "$tool not found (wrk, curl and nginx-light are needed)"
done
[[ -x $parley_bin ]] || die "Parley binary not found or not executable: $parley_bin"

mkdir -p bench/work bench/results
work=$(mktemp -d "$repo_root/bench/work/http.XXXXXX")
parley_pid=""
nginx_pid=""


# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  stop "$parley_pid"
  stop "$nginx_pid"
  # Keep the logs when something went wrong; they are the only clue afterwards.
  if ((status == 0)); then rm -rf "$work"; else echo "http_bench: logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Sum of VmRSS over nginx's master and workers, in MB: all of them serve the load.
nginx_rss_mb() {
  local total=0 pid
  for pid in "$nginx_pid" $(pgrep -P "$nginx_pid" || true); do
    total=$((total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")))
  done
  awk -v kb="$total" 'BEGIN { printf "%.1f", kb / 1024 }'
}



# --- Parley ----------------------------------------------------------------------------------
# The access log is switched off: it writes one line per request, which would measure the
# logger rather than the HTTP path, and nginx runs with access_log off as well.
PARLEY_LOG_ACCESS=false "$parley_bin" serve --listen 127.0.0.1:0 --port-file "$work/parley.port" \
  >"$work/parley.log" 2>&1 &
parley_pid=$!

for _ in $(seq 100); do
  [[ -s $work/parley.port ]] && break
  kill -0 "$parley_pid" 2>/dev/null || { cat "$work/parley.log" >&2; die "Parley exited at start-up"; }
  sleep 0.1
done
[[ -s $work/parley.port ]] || die "Parley wrote no port file within 10 s"
parley_port=$(<"$work/parley.port")
parley_url="http://127.0.0.1:$parley_port/health"
wait_http "$parley_url" "$parley_pid" || { cat "$work/parley.log" >&2; die "Parley /health never answered"; }

# --- nginx -----------------------------------------------------------------------------------
# nginx serves a file holding exactly Parley's /health body, so both send the same payload.
mkdir -p "$work/www" "$work/nginx-tmp"
curl -sf "$parley_url" >"$work/www/health"

write_nginx_conf() {
  local port=$1
  {
    # As root, nginx would otherwise drop its workers to "nobody", which may not be able to
    # read a file under the checkout.
    ((EUID == 0)) && echo "user root;"
    cat <<EOF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  types { }
  keepalive_requests 100000;
  client_body_temp_path $work/nginx-tmp/body;
  proxy_temp_path $work/nginx-tmp/proxy;
  fastcgi_temp_path $work/nginx-tmp/fastcgi;
  uwsgi_temp_path $work/nginx-tmp/uwsgi;
  scgi_temp_path $work/nginx-tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $work/www;
  }
}
EOF
  } >"$work/nginx.conf"
}

nginx_port=""
for port in $(seq "$NGINX_BASE_PORT" $((NGINX_BASE_PORT + 99))); do
  port_in_use "$port" && continue
  write_nginx_conf "$port"
  "$NGINX" -p "$work/" -c "$work/nginx.conf" -e "$work/nginx-error.log" >>"$work/nginx.log" 2>&1 &
  nginx_pid=$!
  if wait_http "http://127.0.0.1:$port/health" "$nginx_pid"; then nginx_port=$port; break; fi
  stop "$nginx_pid"
  nginx_pid=""
done
[[ -n $nginx_port ]] || { cat "$work/nginx-error.log" "$work/nginx.log" >&2 2>/dev/null; die "nginx did not start"; }
nginx_url="http://127.0.0.1:$nginx_port/health"
cmp -s "$work/www/health" <(curl -sf "$nginx_url") || die "nginx body differs from Parley's"

# Idle memory: after start-up and the few probe requests above, before any load.
parley_idle_rss=$(rss_mb "$parley_pid")
nginx_idle_rss=$(nginx_rss_mb)

# --- Load ------------------------------------------------------------------------------------
wrk_args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)


# Requests that failed make a run's rate meaningless, so every error wrk reports is kept.
run_errors() {
  awk '/^  Socket errors:/ { sub(/^  Socket errors: /, ""); printf "socket errors: %s; ", $0 }
       /^  Non-2xx or 3xx responses:/ { printf "non-2xx: %s; ", $NF }' "$1"
}

declare -A best_rps=([parley]=0 [nginx]=0) best_p99=([parley]=0 [nginx]=0) best_errors=([parley]="" [nginx]="")
runs_table=""

bench_one() {  # bench_one NAME URL ROUND
  local name=$1 url=$2 round=$3 out="$work/wrk-$1-$3.txt" rps p99 errors
  wrk "${wrk_args[@]}" "$url" >"$out" 2>&1 || die "wrk failed against $name: $(cat "$out")"
  rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")") || die "cannot parse p99 in $out"
  [[ -n $rps ]] || die "cannot parse Requests/sec in $out"
  errors=$(run_errors "$out")
  printf '  %-6s round %d: %10.0f req/s  p99 %8.3f ms  %s\n' "$name" "$round" "$rps" "$p99" "$errors"
  runs_table+="| $round | $name | $(printf '%.0f' "$rps") | $p99 | ${errors:-none} |"$'\n'
  if awk -v a="$rps" -v b="${best_rps[$name]}" 'BEGIN { exit !(a > b) }'; then
    best_rps[$name]=$rps
    best_p99[$name]=$p99
    best_errors[$name]=$errors
  fi
}

echo "Parley $parley_url (pid $parley_pid), nginx $nginx_url (pid $nginx_pid)"

busy_at_start=$(cpu_busy_pct)
load_note=""
if ((busy_at_start > 20)); then
  load_note="- WARNING: other work used ${busy_at_start}% of the CPUs just before the run; figures are noisy."$'\n'
  printf '%s' "$load_note"
fi
echo "Warming up ($WARMUP each)..."
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$nginx_url" >/dev/null 2>&1 || die "nginx warm-up failed"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$parley_url" >/dev/null 2>&1 || die "Parley warm-up failed"

echo "Measuring: wrk ${wrk_args[*]} (x$ROUNDS per server, alternating)"
for round in $(seq "$ROUNDS"); do
  bench_one nginx "$nginx_url" "$round"
  bench_one parley "$parley_url" "$round"
done

kill -0 "$parley_pid" 2>/dev/null || die "Parley died under load"
parley_load_rss=$(rss_mb "$parley_pid")
nginx_load_rss=$(nginx_rss_mb)


rps_ratio=$(ratio "${best_rps[parley]}" "${best_rps[nginx]}")
p99_ratio=$(ratio "${best_p99[parley]}" "${best_p99[nginx]}")
rps_result=$(verdict "$rps_ratio >= $kMinRpsRatio")
p99_result=$(verdict "$p99_ratio <= $kMaxP99Ratio")
rss_result=$(verdict "$parley_idle_rss < $kMaxIdleRssMb")

table=$(cat <<EOF
| metric | parley | nginx | ratio | target | result |
|---|---|---|---|---|---|
| requests/sec (best of $ROUNDS) | $(printf '%.0f' "${best_rps[parley]}") | $(printf '%.0f' "${best_rps[nginx]}") | $rps_ratio | ratio >= $kMinRpsRatio | $rps_result |
| p99 latency, ms (of best run) | ${best_p99[parley]} | ${best_p99[nginx]} | $p99_ratio | ratio <= $kMaxP99Ratio | $p99_result |
| idle RSS, MB | $parley_idle_rss | $nginx_idle_rss | | parley < $kMaxIdleRssMb MB | $rss_result |
| RSS after load, MB | $parley_load_rss | $nginx_load_rss | | | info |
EOF
)

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
errors_note=""
for name in parley nginx; do
  [[ -n ${best_errors[$name]} ]] && errors_note+="- WARNING: $name's best run had errors: ${best_errors[$name]}"$'\n'
done

cat >bench/results/http.md <<EOF
# HTTP benchmark: Parley vs nginx

Generated by \`bench/http_bench.sh\`; rerun it to refresh. Parley answers \`GET /health\`; nginx
serves a static file with the byte-identical body (\`$(<"$work/www/health")\`) as application/json.

$table

${errors_note}${load_note}- nginx RSS is the sum over its master and worker processes; Parley is one process.
- Parley ran with \`PARLEY_LOG_ACCESS=false\` (no access log), nginx with \`access_log off\`.

## Setup

- Command: \`$command_line\`
- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- Machine: $(nproc) CPUs, $cpu_model; $(uname -sr)
- Client and servers share the machine, so they compete for the same CPUs. CPU busy with other work just before the run: ${busy_at_start}%.
- wrk: \`wrk ${wrk_args[*]} URL\`, after a $WARMUP warm-up per server; $ROUNDS alternating
  rounds (nginx, parley, ...), best requests/sec kept per server, p99 taken from that run.
- Parley: $("$parley_bin" version | head -1), $(realpath --relative-to="$repo_root" "$parley_bin")
- nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), worker_processes auto, keepalive_requests 100000
- Targets: requests/sec ratio parley/nginx >= $kMinRpsRatio; p99 ratio <= $kMaxP99Ratio; Parley idle RSS < $kMaxIdleRssMb MB.

## All runs

| round | server | requests/sec | p99, ms | errors |
|---|---|---|---|---|
$runs_table
EOF

echo
echo "$table"
echo
printf '%s' "$errors_note"
[[ $rps_result == FAIL ]] && echo "FAIL: requests/sec ratio $rps_ratio < $kMinRpsRatio"
[[ $p99_result == FAIL ]] && echo "FAIL: p99 latency ratio $p99_ratio > $kMaxP99Ratio"
[[ $rss_result == FAIL ]] && echo "FAIL: Parley idle RSS $parley_idle_rss MB >= $kMaxIdleRssMb MB"
echo "Wrote bench/results/http.md"
exit 0
