#!/usr/bin/env bash
# Benchmarks Parley's in-process llama.cpp engine against llama.cpp's own tools built from the same
# pinned source: llama-bench for the raw single-stream decode rate, llama-server for concurrent
# streams, multi-turn conversations and per-request overhead. Both servers load the same generated
# model with the same threads, context and parallel sequences, and get byte-identical requests
# from bench/engine_load.mjs, so the ratios say what Parley's scheduler and API cost or save.
#
# Usage: bench/engine_bench.sh [PARLEY_BINARY]      (default: build/src/parley)
# Knobs: THREADS (nproc), CTX (4096 in all, split over PARALLEL), PARALLEL (4),
#   MODEL (bench/work/models/bench-q8_0.gguf, made by build/tools/make_test_model when missing),
#   SINGLE_TOKENS (128), SINGLE_REPEAT (3), CONC_STREAMS (8), CONC_TOKENS (128),
#   MT_SESSIONS (8), MT_TURNS (3), MT_REPLY_TOKENS (32), OVERHEAD_REQUESTS (100),
#   BENCH_PP (128), BENCH_TG (64).
# Writes bench/results/engine.md (overwritten). Exits 0 even when a target fails or Parley cannot
# serve a model yet; a non-zero exit means the benchmark itself could not run.
set -euo pipefail

# Resolve a caller-relative binary path before moving to the repository root.
parley_bin=${1:-}
[[ -n $parley_bin ]] && parley_bin=$(realpath -m -- "$parley_bin")
cd "$(dirname -- "$0")/.."
repo_root=$PWD
parley_bin=${parley_bin:-$repo_root/build/src/parley}

THREADS=${THREADS:-$(nproc)}
CTX=${CTX:-4096}
PARALLEL=${PARALLEL:-4}
MODEL=${MODEL:-bench/work/models/bench-q8_0.gguf}
SINGLE_TOKENS=${SINGLE_TOKENS:-128}
SINGLE_REPEAT=${SINGLE_REPEAT:-3}
CONC_STREAMS=${CONC_STREAMS:-8}
CONC_TOKENS=${CONC_TOKENS:-128}
MT_SESSIONS=${MT_SESSIONS:-8}
MT_TURNS=${MT_TURNS:-3}
MT_REPLY_TOKENS=${MT_REPLY_TOKENS:-32}
OVERHEAD_REQUESTS=${OVERHEAD_REQUESTS:-100}
BENCH_PP=${BENCH_PP:-128}
BENCH_TG=${BENCH_TG:-64}
make_model=$repo_root/build/tools/make_test_model

# Targets, from the engine issue.
readonly kMinSingleRatio=0.95     # Parley decode tok/s over llama-bench tg
readonly kMinConcRatio=1.0        # Parley aggregate tok/s over llama-server's
readonly kMaxTtftRatio=0.5        # Parley median TTFT (turns >= 2) over llama-server's
readonly kMaxOverheadMs=2         # Parley p50 minus llama-server p50, one-token requests

command_line="THREADS=$THREADS CTX=$CTX PARALLEL=$PARALLEL bench/engine_bench.sh${1:+ $1}"

die() { echo "engine_bench: $*" >&2; exit 1; }
note() { echo "engine_bench: $*" >&2; }

for tool in node curl cmake ninja; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $parley_bin ]] || die "Parley binary not found or not executable: $parley_bin"

mkdir -p bench/work bench/results
work=$(mktemp -d "$repo_root/bench/work/engine.XXXXXX")
server_pid=""

stop() {  # stop PID: TERM, then KILL if it lingers, so a wedged server cannot hang the trap
  local pid=$1
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  stop "$server_pid"
  # Keep the logs when something went wrong; they are the only clue afterwards.
  if ((status == 0)); then rm -rf "$work"; else note "logs kept in $work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Percentage of CPU time in use over one second. Clients and servers share the CPUs, so other
# work (a compile in another checkout) skews the figures; this records how much there was.
cpu_busy_pct() {
  local a b
  a=$(head -1 /proc/stat); sleep 1; b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    split(a, x); split(b, y)
    for (i = 2; i <= 9; i++) { d = y[i] - x[i]; total += d; if (i == 5 || i == 6) idle += d }
    printf "%.0f", (total > 0) ? 100 * (total - idle) / total : 0
  }'
}

# Polls URL until it answers 200, failing early if the server process (PID) has died. Loading a
# model of a few hundred MB from a cold page cache takes a while on a small machine.
wait_http() {
  local url=$1 pid=$2 tries=$((${3:-300} * 5))
  for _ in $(seq "$tries"); do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -sf -o /dev/null "$url" && return 0
    sleep 0.2
  done
  return 1
}

# jget FILE PATH: one value from a JSON file by dotted path (array indexes as numbers); prints
# nothing when the path is missing. Node is already required, so no jq.
jget() {
  node -e '
    let v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const k of process.argv[2].split(".")) v = v == null ? undefined : v[k];
    if (v !== undefined && v !== null) console.log(typeof v === "object" ? JSON.stringify(v) : v);
  ' "$1" "$2" 2>/dev/null || true
}

# --- Tools and model -------------------------------------------------------------------------
note "building llama-server and llama-bench (cached after the first run)"
llama_bin=$(bench/build_llama_tools.sh) || die "could not build the llama.cpp tools"

if [[ ! -s $MODEL ]]; then
  [[ -x $make_model ]] || die "$MODEL missing and $make_model not built (make build)"
  note "generating $MODEL"
  mkdir -p "$(dirname -- "$MODEL")"
  # Written beside and renamed, so an interrupted run never leaves a truncated model behind.
  "$make_model" --out "$MODEL.tmp" --preset bench --quant q8_0 >"$work/make_model.log" 2>&1 \
    || { cat "$work/make_model.log" >&2; die "make_test_model failed"; }
  mv "$MODEL.tmp" "$MODEL"
fi
model_abs=$(realpath -- "$MODEL")
model_mb=$(du -m --apparent-size -- "$model_abs" | cut -f1)

# --- llama-bench -----------------------------------------------------------------------------
bench_cmd=("$llama_bin/llama-bench" -m "$model_abs" -t "$THREADS" -p "$BENCH_PP" -n "$BENCH_TG" -o json)
note "running ${bench_cmd[*]}"
busy_bench=$(cpu_busy_pct)
"${bench_cmd[@]}" >"$work/llama-bench.json" 2>"$work/llama-bench.log" \
  || { cat "$work/llama-bench.log" >&2; die "llama-bench failed"; }

# llama-bench prints one entry per test; pp has n_gen 0, tg has n_prompt 0.
bench_field() {  # bench_field pp|tg FIELD
  node -e '
    const rows = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const row = rows.find((r) => process.argv[2] === "tg" ? r.n_gen > 0 && r.n_prompt === 0
                                                          : r.n_prompt > 0 && r.n_gen === 0);
    if (row && row[process.argv[3]] != null) console.log(row[process.argv[3]]);
  ' "$work/llama-bench.json" "$1" "$2"
}
bench_tg=$(bench_field tg avg_ts)
bench_tg_sd=$(bench_field tg stddev_ts)
bench_pp=$(bench_field pp avg_ts)
model_params=$(bench_field tg model_n_params)
model_type=$(bench_field tg model_type)
[[ -n $bench_tg ]] || die "no tg result in $work/llama-bench.json"

# --- Load runs -------------------------------------------------------------------------------
# run_suite NAME URL KIND: the four load modes against one server; each writes NAME-MODE.json,
# or NAME-MODE.err when the mode failed (the report then says n/a instead of aborting).
run_suite() {
  local name=$1 url=$2 kind=$3 mode
  local -A args=(
    [single]="--tokens $SINGLE_TOKENS --repeat $SINGLE_REPEAT"
    [concurrent]="--tokens $CONC_TOKENS --concurrency $CONC_STREAMS"
    [multiturn]="--sessions $MT_SESSIONS --turns $MT_TURNS --tokens $MT_REPLY_TOKENS"
    [overhead]="--requests $OVERHEAD_REQUESTS"
  )
  for mode in single concurrent multiturn overhead; do
    note "$name: $mode"
    # shellcheck disable=SC2086  # the per-mode options are meant to split into words
    if ! node bench/engine_load.mjs --url "$url" --server "$kind" --mode "$mode" ${args[$mode]} \
      >"$work/$name-$mode.json" 2>"$work/$name-$mode.err"; then
      note "$name $mode failed: $(tail -c 600 "$work/$name-$mode.err")"
      rm -f "$work/$name-$mode.json"
    fi
  done
}

load_cmds=$(cat <<EOF
node bench/engine_load.mjs --url URL --server KIND --mode single --tokens $SINGLE_TOKENS --repeat $SINGLE_REPEAT
node bench/engine_load.mjs --url URL --server KIND --mode concurrent --tokens $CONC_TOKENS --concurrency $CONC_STREAMS
node bench/engine_load.mjs --url URL --server KIND --mode multiturn --sessions $MT_SESSIONS --turns $MT_TURNS --tokens $MT_REPLY_TOKENS
node bench/engine_load.mjs --url URL --server KIND --mode overhead --requests $OVERHEAD_REQUESTS
EOF
)

# --- llama-server ----------------------------------------------------------------------------
# Port 0 lets the kernel pick a free port; llama-server logs the address it bound.
server_cmd=("$llama_bin/llama-server" -m "$model_abs" -t "$THREADS" -c "$CTX" -np "$PARALLEL"
  --cont-batching --host 127.0.0.1 --port 0)
note "starting ${server_cmd[*]}"
busy_llama=$(cpu_busy_pct)
"${server_cmd[@]}" >"$work/llama-server.log" 2>&1 &
server_pid=$!
llama_port=""
for _ in $(seq 600); do
  kill -0 "$server_pid" 2>/dev/null || { tail -40 "$work/llama-server.log" >&2; die "llama-server exited at start-up"; }
  llama_port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$work/llama-server.log" | head -1)
  [[ -n $llama_port ]] && break
  sleep 0.2
done
[[ -n $llama_port ]] || die "llama-server did not report its port"
wait_http "http://127.0.0.1:$llama_port/health" "$server_pid" \
  || { tail -40 "$work/llama-server.log" >&2; die "llama-server /health never answered 200"; }
run_suite llama "http://127.0.0.1:$llama_port" llama-server
stop "$server_pid"
server_pid=""

# --- Parley ----------------------------------------------------------------------------------
# The access log is off so a log line per request is not measured; the env overrides give the
# model the same threads, context and parallel sequences as llama-server above.
parley_env=(PARLEY_LOG_ACCESS=false PARLEY_MODEL_THREADS="$THREADS" PARLEY_MODEL_PARALLEL="$PARALLEL"
  PARLEY_MODEL_CONTEXT="$CTX")
parley_cmd=("$parley_bin" serve --model "$model_abs" --listen 127.0.0.1:0 --port-file "$work/parley.port")
parley_note=""
busy_parley=""
if ! "$parley_bin" serve --help 2>&1 | grep -q -- '--model'; then
  parley_note="Parley was not run: \`parley serve\` has no \`--model\` option yet."
  note "$parley_note"
else
  note "starting ${parley_env[*]} ${parley_cmd[*]}"
  busy_parley=$(cpu_busy_pct)
  env "${parley_env[@]}" "${parley_cmd[@]}" >"$work/parley.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    [[ -s $work/parley.port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ ! -s $work/parley.port ]]; then
    parley_note="Parley did not start (no port file); see the log excerpt below."
  else
    parley_port=$(<"$work/parley.port")
    if wait_http "http://127.0.0.1:$parley_port/ready" "$server_pid"; then
      run_suite parley "http://127.0.0.1:$parley_port" parley
    else
      parley_note="Parley never reported /ready 200; see the log excerpt below."
    fi
  fi
  [[ -n $parley_note ]] && { note "$parley_note"; tail -20 "$work/parley.log" >&2; }
  stop "$server_pid"
  server_pid=""
fi

# --- Report ----------------------------------------------------------------------------------
# These print nothing for a missing figure (and still succeed, for set -e).
val() { if [[ -f $work/$1-$2.json ]]; then jget "$work/$1-$2.json" "$3"; fi; }
ratio() {
  if [[ -n $1 && -n $2 ]]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; fi
}
verdict() {  # verdict "AWK CONDITION" [VALUES...]: n/a when any value is missing
  local cond=$1; shift
  for v in "$@"; do [[ -n $v ]] || { echo n/a; return; }; done
  awk "BEGIN { exit !($cond) }" && echo PASS || echo FAIL
}
or_na() { echo "${1:-n/a}"; }

p_single=$(val parley single decode_tokens_per_s)
p_conc=$(val parley concurrent aggregate_tokens_per_s)
l_conc=$(val llama concurrent aggregate_tokens_per_s)
p_ttft=$(val parley multiturn ttft_ms_median_turns_2plus)
l_ttft=$(val llama multiturn ttft_ms_median_turns_2plus)
p_p50=$(val parley overhead latency_ms_p50)
l_p50=$(val llama overhead latency_ms_p50)

single_ratio=$(ratio "$p_single" "$bench_tg")
conc_ratio=$(ratio "$p_conc" "$l_conc")
ttft_ratio=$(ratio "$p_ttft" "$l_ttft")
overhead_diff=""
[[ -n $p_p50 && -n $l_p50 ]] && overhead_diff=$(awk -v a="$p_p50" -v b="$l_p50" 'BEGIN { printf "%.3f", a - b }')

single_result=$(verdict "$single_ratio >= $kMinSingleRatio" "$single_ratio")
conc_result=$(verdict "$conc_ratio >= $kMinConcRatio" "$conc_ratio")
ttft_result=$(verdict "$ttft_ratio <= $kMaxTtftRatio" "$ttft_ratio")
overhead_result=$(verdict "$overhead_diff <= $kMaxOverheadMs" "$overhead_diff")

table=$(cat <<EOF
| comparison | parley | reference | ratio / difference | target | result |
|---|---|---|---|---|---|
| single stream decode, tokens/s ($SINGLE_TOKENS tokens, median of $SINGLE_REPEAT) vs llama-bench tg$BENCH_TG | $(or_na "$p_single") | $bench_tg ± $(printf '%.2f' "${bench_tg_sd:-0}") | $(or_na "$single_ratio") | ratio >= $kMinSingleRatio | $single_result |
| $CONC_STREAMS concurrent streams × $CONC_TOKENS tokens, aggregate tokens/s vs llama-server | $(or_na "$p_conc") | $(or_na "$l_conc") | $(or_na "$conc_ratio") | ratio >= $kMinConcRatio | $conc_result |
| multi-turn, $MT_SESSIONS sessions × $MT_TURNS turns, median TTFT ms on turns >= 2 vs llama-server | $(or_na "$p_ttft") | $(or_na "$l_ttft") | $(or_na "$ttft_ratio") | ratio <= $kMaxTtftRatio | $ttft_result |
| overhead, 1-token non-streamed request, p50 ms vs llama-server | $(or_na "$p_p50") | $(or_na "$l_p50") | $(or_na "$overhead_diff") ms | difference <= $kMaxOverheadMs ms | $overhead_result |
EOF
)

# Supporting figures: what each server did in every mode, so a ratio can be explained.
detail_row() {  # detail_row NAME LABEL
  local n=$1
  echo "| $2 | $(or_na "$(val "$n" single decode_tokens_per_s)") | $(or_na "$(val "$n" concurrent aggregate_tokens_per_s)") | $(or_na "$(val "$n" concurrent ttft_ms_median)") | $(or_na "$(val "$n" multiturn ttft_ms_median_by_turn)") | $(or_na "$(val "$n" multiturn prompt_tokens_by_turn)") | $(or_na "$(val "$n" multiturn ttft_ms_p90_turns_2plus)") | $(or_na "$(val "$n" overhead latency_ms_p50)") / $(or_na "$(val "$n" overhead latency_ms_p99)") | $(or_na "$(val "$n" single token_source)") |"
}
details=$(cat <<EOF
| server | single decode tok/s | concurrent aggregate tok/s | concurrent median TTFT ms | multi-turn median TTFT ms by turn | multi-turn median prompt tokens by turn | multi-turn p90 TTFT ms (turns >= 2) | overhead p50 / p99 ms | token count from |
|---|---|---|---|---|---|---|---|---|
$(detail_row llama llama-server)
$(detail_row parley Parley)
EOF
)

failures=""
for name in llama parley; do
  for mode in single concurrent multiturn overhead; do
    if [[ -s $work/$name-$mode.err && ! -f $work/$name-$mode.json ]]; then
      failures+="- $name $mode failed: \`$(tail -c 300 "$work/$name-$mode.err" | tr '\n`' '  ')\`"$'\n'
    fi
  done
done
[[ -n $parley_note ]] && failures+="- $parley_note"$'\n'

# Figures that would make a comparison meaningless if they went unnoticed.
warnings=""
for name in llama parley; do
  for mode in single concurrent; do
    [[ -f $work/$name-$mode.json ]] || continue
    # shellcheck disable=SC2016  # a JavaScript template literal, not shell
    short=$(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const s = (r.runs ?? r.streams ?? []).filter((x) => x.tokens < r.max_tokens);
      if (s.length) console.log(`${s.length} stream(s) stopped short of ${r.max_tokens} tokens`);
    ' "$work/$name-$mode.json")
    [[ -n $short ]] && warnings+="- WARNING: $name $mode: $short (is ignore_eos honoured?)."$'\n'
  done
done
for phase in "llama-bench:$busy_bench" "llama-server:$busy_llama" "Parley:$busy_parley"; do
  busy=${phase#*:}
  [[ -n $busy ]] && ((busy > 20)) && warnings+="- WARNING: other work used ${busy}% of the CPUs just before the ${phase%%:*} run; figures are noisy."$'\n'
done

cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
parley_version=$("$parley_bin" version 2>/dev/null | head -1 || true)
llama_commit=$(<third_party/llama.cpp.commit)
params_b=$(awk -v p="${model_params:-0}" 'BEGIN { printf "%.3f", p / 1e9 }')

cat >bench/results/engine.md <<EOF
# Engine benchmark: Parley vs llama.cpp's llama-bench and llama-server

Generated by \`bench/engine_bench.sh\`; rerun it to refresh. Same model, threads, context and
parallel sequences for all; llama-server and llama-bench are built from the same pinned llama.cpp
source as Parley's engine (bench only, never shipped).

$table

${failures}${warnings}- Single stream: decode rate from the first streamed token to the last, prompt excluded, the
  same quantity as llama-bench's tg (which decodes from an empty context).
- Concurrent: total generated tokens over wall time from sending the first request to the end of
  the last stream (prompt processing of all streams included, for both servers).
- Multi-turn: each session starts with ~400 tokens of history (system prompt and four earlier
  exchanges, unique text per session), each turn adds ~60 tokens of user text and resends the
  previous reply; all sessions run at once, more of them than the $PARALLEL parallel sequences.
  TTFT is from sending the request to the first non-empty content chunk. Parley gets
  \`X-Session-Id\` and \`user\`; llama-server gets \`cache_prompt: true\` (its default).
- Every generation sets \`temperature: 0\`, \`ignore_eos: true\` and a fixed \`max_tokens\`, so
  both servers do the same amount of work; token counts come from the streamed \`usage\`.

## Details

$details

llama-bench: pp$BENCH_PP $(printf '%.2f' "${bench_pp:-0}") tokens/s, tg$BENCH_TG $bench_tg tokens/s.

## Setup

- Command: \`$command_line\`
- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- Machine: $(nproc) CPUs, $cpu_model; $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM; $(uname -sr)
- CPU busy with other work just before each phase: llama-bench ${busy_bench}%, llama-server ${busy_llama}%, Parley $(or_na "$busy_parley")%.
  Clients and servers share the machine.
- Model: \`$MODEL\` ($model_mb MB, $(or_na "$model_type"), ${params_b}B parameters), generated by
  \`build/tools/make_test_model --out $MODEL --preset bench\` (random weights, Qwen2 tokenizer)
- Threads $THREADS, context $CTX in all ($((CTX / PARALLEL)) per sequence), $PARALLEL parallel sequences
- llama.cpp: $llama_commit, tools built by \`bench/build_llama_tools.sh\` (Release, CPU, native)
- Parley: $(or_na "$parley_version"), $(realpath --relative-to="$repo_root" "$parley_bin")
- llama-bench: \`${bench_cmd[*]/#$repo_root\//}\`
- llama-server: \`${server_cmd[*]/#$repo_root\//}\`
- Parley: \`${parley_env[*]} ${parley_cmd[*]/#$repo_root\//}\`
- Load (URL and KIND per server; bench/engine_load.mjs, Node $(node --version)):
\`\`\`
$load_cmds
\`\`\`
EOF

echo
echo "$table"
echo
printf '%s%s' "$failures" "$warnings"
echo "Wrote bench/results/engine.md"
exit 0
