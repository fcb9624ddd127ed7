#!/usr/bin/env bash
# Benchmarks rule-answered dialog turns: POST /v1/dialog on the example customer-service flow
# (NLU, policy and a durable SQLite write per turn, no model) against nginx answering the same
# POST with the same bytes, and NLU time per message on a 100-intent flow (build/bench/nlu_bench).
#
# Usage: bench/dialog_bench.sh [PARLEY_BINARY]     (default: build/src/parley)
# Knobs: DURATION (10s), CONNECTIONS (64), THREADS (wrk threads, 2), WARMUP (3s), SESSIONS (1000),
# ROUNDS (2).
# Writes bench/results/dialog.md (overwritten). Exits 0 even when a target fails; a non-zero exit
# means the benchmark itself could not run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname -- "$0")/lib.sh"
bench_start "${1:-}"
nlu_bench=$repo_root/build/bench/nlu_bench

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-3s}
SESSIONS=${SESSIONS:-1000}
ROUNDS=${ROUNDS:-2}  # alternating nginx/parley runs; the best of each damps scheduler noise
NGINX=${NGINX:-/usr/sbin/nginx}
NGINX_BASE_PORT=18950

readonly kMinRpsRatio=0.5
readonly kMaxP99Ratio=2.0
readonly kMaxNluMicros=50

command_line="DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS WARMUP=$WARMUP SESSIONS=$SESSIONS ROUNDS=$ROUNDS bench/dialog_bench.sh${1:+ $1}"

die() { echo "dialog_bench: $*" >&2; exit 1; }
for tool in wrk curl "$NGINX"; do command -v "$tool" >/dev/null || die "$tool not found"; done
[[ -x $parley_bin ]] || die "Parley binary not found: $parley_bin"
[[ -x $nlu_bench ]] || die "NLU benchmark not built: $nlu_bench (run make build)"

mkdir -p bench/work bench/results
work=$(mktemp -d "$repo_root/bench/work/dialog.XXXXXX")
parley_pid="" nginx_pid=""

# shellcheck disable=SC2317
cleanup() {
  local status=$?
  stop "$parley_pid"; stop "$nginx_pid"
  if ((status == 0)); then rm -rf "$work"; else echo "dialog_bench: logs kept in $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

post_ok() { curl -sf -o /dev/null -X POST -d '{"message":"运费多少"}' "$1"; }
wait_post() {
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || return 1
    post_ok "$1" && return 0
    sleep 0.1
  done
  return 1
}

# --- Parley: the example flow, a fresh SQLite store ------------------------------------------
cat >"$work/parley.yaml" <<YAML
log: {level: warn, access: false}
# One client address sends all the load: per-IP rate limiting would answer 429 (the rest of
# the security chain stays on).
ratelimit: {requests_per_minute_per_ip: 0, requests_per_minute_per_key: 0, concurrent_streams_per_key: 0}
dialog:
  flow: $repo_root/examples/customer_service.yaml
  store: ${STORE:-$work/parley.db}
# The audit log stays on (one hash-chained record per request), in the run's folder.
audit: {file: $work/audit.jsonl}
YAML
"$parley_bin" serve --config "$work/parley.yaml" --listen 127.0.0.1:0 --port-file "$work/parley.port" \
  >"$work/parley.log" 2>&1 &
parley_pid=$!
for _ in $(seq 100); do [[ -s $work/parley.port ]] && break; sleep 0.1; done
[[ -s $work/parley.port ]] || { cat "$work/parley.log" >&2; die "Parley did not start"; }
parley_url="http://127.0.0.1:$(<"$work/parley.port")/v1/dialog"
wait_post "$parley_url" "$parley_pid" || { cat "$work/parley.log" >&2; die "/v1/dialog never answered"; }
sample=$(curl -sf -X POST -d '{"message":"运费多少","session_id":"bench-sample"}' "$parley_url")
grep -q '"source":"rule"' <<<"$sample" || die "the sample turn was not rule-answered: $sample"

# --- nginx: the same reply bytes for the same POST -------------------------------------------
mkdir -p "$work/nginx-tmp"
escaped=$(sed "s/'/\\\\'/g" <<<"$sample")
nginx_url=""
for port in $(seq "$NGINX_BASE_PORT" $((NGINX_BASE_PORT + 49))); do
  port_in_use "$port" && continue
  cat >"$work/nginx.conf" <<NGINX
$( ((EUID == 0)) && echo "user root;")
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  client_body_temp_path $work/nginx-tmp/body;
  proxy_temp_path $work/nginx-tmp/proxy;
  fastcgi_temp_path $work/nginx-tmp/fastcgi;
  uwsgi_temp_path $work/nginx-tmp/uwsgi;
  scgi_temp_path $work/nginx-tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '$escaped'; }
  }
}
NGINX
  "$NGINX" -p "$work/" -c "$work/nginx.conf" -e "$work/nginx-error.log" >>"$work/nginx.log" 2>&1 &
  nginx_pid=$!
  if wait_post "http://127.0.0.1:$port/v1/dialog" "$nginx_pid"; then nginx_url="http://127.0.0.1:$port/v1/dialog"; break; fi
  stop "$nginx_pid"; nginx_pid=""
done
[[ -n $nginx_url ]] || die "nginx did not start"

# --- Load: rule-answered messages spread over SESSIONS sessions -------------------------------
cat >"$work/dialog.lua" <<LUA
local messages = {"运费多少", "包邮吗", "how much is shipping", "你好", "谢谢",
                  "怎么开发票", "what are your opening hours", "积分怎么用"}
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"session_id":"bench-%d","message":"%s"}',
                             n % $SESSIONS, messages[n % #messages + 1])
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
LUA
wrk_args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/dialog.lua")
declare -A rps p99 errors
runs=""
measure() {  # measure NAME URL ROUND: keeps the best requests/sec (and that run's p99) per server
  local out="$work/wrk-$1-$3.txt" r q e
  wrk "${wrk_args[@]}" "$2" >"$out" 2>&1 || die "wrk failed against $1: $(cat "$out")"
  r=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  q=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")") || die "cannot parse p99 in $out"
  e=$(awk '/Socket errors|Non-2xx/ { printf "%s; ", $0 }' "$out")
  printf '  round %s %-6s %10.0f req/s  p99 %8.3f ms  %s\n' "$3" "$1" "$r" "$q" "$e"
  runs+="| $3 | $1 | $(printf '%.0f' "$r") | $q | ${e:-none} |"$'\n'
  if [[ -z ${rps[$1]:-} ]] || awk -v a="$r" -v b="${rps[$1]}" 'BEGIN { exit !(a > b) }'; then
    rps[$1]=$r p99[$1]=$q errors[$1]=$e
  fi
}
for server in nginx parley; do
  url=${server}_url
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$work/dialog.lua" "${!url}" >/dev/null 2>&1 \
    || die "warm-up failed ($server)"
done
echo "Measuring: wrk ${wrk_args[*]} (x$ROUNDS per server, alternating)"
for round in $(seq "$ROUNDS"); do
  measure nginx "$nginx_url" "$round"
  measure parley "$parley_url" "$round"
done
kill -0 "$parley_pid" 2>/dev/null || die "Parley died under load"
turns=$(curl -sf "${parley_url%/v1/dialog}/metrics" | awk '/^parley_http_requests_total\{route="\/v1\/dialog",method="POST",status="200"\}/ { print $2 }')

# --- NLU micro-benchmark ------------------------------------------------------------------------
"$nlu_bench" --benchmark_filter=BM_NluPerMessage100Intents --benchmark_min_time=1 \
  --benchmark_format=json >"$work/nlu.json" 2>/dev/null || die "nlu_bench failed"
nlu_us=$(awk -F: '/"cpu_time"/ { gsub(/[ ,]/, "", $2); printf "%.2f", $2 / 1000; exit }' "$work/nlu.json")
nlu_wall_us=$(awk -F: '/"real_time"/ { gsub(/[ ,]/, "", $2); printf "%.2f", $2 / 1000; exit }' "$work/nlu.json")

rps_ratio=$(ratio "${rps[parley]}" "${rps[nginx]}")
p99_ratio=$(ratio "${p99[parley]}" "${p99[nginx]}")
table=$(cat <<TABLE
| metric | parley | nginx | ratio | target | result |
|---|---|---|---|---|---|
| rule-answered /v1/dialog requests/sec (best of $ROUNDS) | $(printf '%.0f' "${rps[parley]}") | $(printf '%.0f' "${rps[nginx]}") | $rps_ratio | ratio >= $kMinRpsRatio | $(verdict "$rps_ratio >= $kMinRpsRatio") |
| p99 latency, ms | ${p99[parley]} | ${p99[nginx]} | $p99_ratio | ratio <= $kMaxP99Ratio | $(verdict "$p99_ratio <= $kMaxP99Ratio") |
| NLU per message, 100 intents, µs (CPU) | $nlu_us | | | < $kMaxNluMicros | $(verdict "$nlu_us < $kMaxNluMicros") |
TABLE
)
cat >bench/results/dialog.md <<EOF
# Dialog benchmark: rule-answered /v1/dialog vs nginx, NLU per message

Generated by \`bench/dialog_bench.sh\`; rerun it to refresh. Parley answers \`POST /v1/dialog\`
with the example customer-service flow (NLU, policy, each turn committed to SQLite WAL before its reply, no model),
messages rotating over $SESSIONS sessions; nginx answers the same POST with the same reply
bytes (\`return 200\`).

$table

- Errors: parley: ${errors[parley]:-none}; nginx: ${errors[nginx]:-none}. Turns answered 200 during the run and warm-up: ${turns:-?}.
- NLU wall time per message (shared machine): $nlu_wall_us µs.

## All runs

| round | server | requests/sec | p99 ms | errors |
|---|---|---|---|---|
$runs

## Setup

- Command: \`$command_line\`
- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- Machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); $(uname -sr)
- wrk: \`wrk ${wrk_args[*]} URL\` after a $WARMUP warm-up per server; $ROUNDS alternating rounds
  (nginx, parley, ...), the best requests/sec kept per server with that run's p99; client and
  servers share the machine.
- NLU: \`build/bench/nlu_bench --benchmark_filter=BM_NluPerMessage100Intents\` (generated flow:
  100 intents x 5 zh/en patterns; normalise, classify, entities, sentiment per message).
EOF
echo; echo "$table"; echo "Wrote bench/results/dialog.md"
exit 0
