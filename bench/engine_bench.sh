#!/usr/bin/env bash
# Benchmarks Parley's in-process llama.cpp engine against llama.cpp's own tools built from the same
# pinned source: llama-bench for the raw single-stream decode rate, llama-server for concurrent
# streams, multi-turn conversations and per-request overhead. Both servers load the same generated
# model with the same threads, context and parallel sequences, and get identical requests from
# bench/engine_load.mjs, so the ratios say what Parley's scheduler and API cost or save.
#
# Usage: bench/engine_bench.sh [PARLEY_BINARY]      (default: build/src/parley)
# Knobs: THREADS (nproc), CTX (4096 in all, split over PARALLEL), PARALLEL (4), ROUNDS (2),
#   MODEL (bench/work/models/bench-q8_0.gguf, made by build/tools/make_test_model when missing),
#   SINGLE_TOKENS (128), SINGLE_REPEAT (3), CONC_STREAMS (8), CONC_TOKENS (128),
#   MT_SESSIONS (8), MT_TURNS (3), MT_REPLY_TOKENS (32), OVERHEAD_REQUESTS (100),
#   BENCH_PP (128), BENCH_TG (64).
# Writes bench/results/engine.md (overwritten) through bench/engine_report.mjs, and keeps the raw
# results and server logs in bench/work/engine-last. Exits 0 even when a target fails or Parley
# cannot serve a model yet; a non-zero exit means the benchmark itself could not run.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname -- "$0")/lib.sh"
bench_start "${1:-}"

THREADS=${THREADS:-$(nproc)}
CTX=${CTX:-4096}
PARALLEL=${PARALLEL:-4}
ROUNDS=${ROUNDS:-2}
default_model=bench/work/models/bench-q8_0.gguf
MODEL=${MODEL:-$default_model}
SINGLE_TOKENS=${SINGLE_TOKENS:-128}
SINGLE_REPEAT=${SINGLE_REPEAT:-3}
CONC_STREAMS=${CONC_STREAMS:-8}
CONC_TOKENS=${CONC_TOKENS:-128}
MT_SESSIONS=${MT_SESSIONS:-8}
MT_TURNS=${MT_TURNS:-3}
MT_REPLY_TOKENS=${MT_REPLY_TOKENS:-32}
MT_HISTORY=400
MT_TURN_TOKENS=60
OVERHEAD_REQUESTS=${OVERHEAD_REQUESTS:-100}
BENCH_PP=${BENCH_PP:-128}
BENCH_TG=${BENCH_TG:-64}
make_model=$repo_root/build/tools/make_test_model
make_model_args=(--preset bench --quant q8_0)

# The knobs the caller set (they are in the environment; defaults are not), so the recorded
# command reproduces the run.
command_line=""
for knob in THREADS CTX PARALLEL ROUNDS MODEL SINGLE_TOKENS SINGLE_REPEAT CONC_STREAMS CONC_TOKENS \
  MT_SESSIONS MT_TURNS MT_REPLY_TOKENS OVERHEAD_REQUESTS BENCH_PP BENCH_TG; do
  [[ -n $(printenv "$knob") ]] && command_line+="$knob=${!knob} "
done
command_line+="bench/engine_bench.sh${1:+ $1}"

die() { echo "engine_bench: $*" >&2; exit 1; }
note() { echo "engine_bench: $*" >&2; }

for tool in node curl cmake ninja; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x $parley_bin ]] || die "Parley binary not found or not executable: $parley_bin"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"

mkdir -p bench/work bench/results
work=$(mktemp -d "$repo_root/bench/work/engine.XXXXXX")
server_pid=""


# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local status=$?
  stop "$server_pid"
  # The raw results and logs explain a figure (per-turn timings, server logs); the last
  # successful run's stay in bench/work/engine-last, a failed run's where they were.
  if ((status == 0)); then
    rm -rf "$repo_root/bench/work/engine-last"
    mv "$work" "$repo_root/bench/work/engine-last"
  else
    note "logs kept in $work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM



# --- Tools and model -------------------------------------------------------------------------
note "building llama-server and llama-bench (cached after the first run)"
llama_bin=$(bench/build_llama_tools.sh) || die "could not build the llama.cpp tools"

model_cmd=""
[[ $MODEL == "$default_model" ]] && model_cmd="build/tools/make_test_model --out $MODEL ${make_model_args[*]}"
if [[ ! -s $MODEL ]]; then
  [[ -n $model_cmd ]] || die "MODEL=$MODEL does not exist"
  [[ -x $make_model ]] || die "$MODEL missing and $make_model not built (make build)"
  note "generating $MODEL"
  mkdir -p "$(dirname -- "$MODEL")"
  # Written beside and renamed, so an interrupted run never leaves a truncated model behind.
  "$make_model" --out "$MODEL.tmp" "${make_model_args[@]}" >"$work/make_model.log" 2>&1 \
    || { cat "$work/make_model.log" >&2; die "make_test_model failed"; }
  mv "$MODEL.tmp" "$MODEL"
fi
model_abs=$(realpath -- "$MODEL")

# --- Commands --------------------------------------------------------------------------------
bench_cmd=("$llama_bin/llama-bench" -m "$model_abs" -t "$THREADS" -p "$BENCH_PP" -n "$BENCH_TG" -o json)
# Port 0 lets the kernel pick a free port; llama-server logs the address it bound.
llama_cmd=("$llama_bin/llama-server" -m "$model_abs" -t "$THREADS" -c "$CTX" -np "$PARALLEL"
  --cont-batching --host 127.0.0.1 --port 0)
# The access log is off so a log line per request is not measured; the env overrides give the
# model the same threads, context and parallel sequences as llama-server gets.
parley_env=(PARLEY_LOG_ACCESS=false PARLEY_MODEL_THREADS="$THREADS" PARLEY_MODEL_PARALLEL="$PARALLEL"
  PARLEY_MODEL_CONTEXT="$CTX" PARLEY_RATELIMIT_REQUESTS_PER_MINUTE_PER_IP=0
  PARLEY_RATELIMIT_REQUESTS_PER_MINUTE_PER_KEY=0)
parley_cmd=("$parley_bin" serve --model "$model_abs" --listen 127.0.0.1:0 --port-file "$work/parley.port")
declare -A load_args=(
  [single]="--tokens $SINGLE_TOKENS --repeat $SINGLE_REPEAT"
  [concurrent]="--tokens $CONC_TOKENS --concurrency $CONC_STREAMS"
  [multiturn]="--sessions $MT_SESSIONS --turns $MT_TURNS --tokens $MT_REPLY_TOKENS --history $MT_HISTORY --turn-tokens $MT_TURN_TOKENS"
  [overhead]="--requests $OVERHEAD_REQUESTS"
)
kModes=(single concurrent multiturn overhead)

parley_note=""
if ! "$parley_bin" serve --help 2>&1 | grep -q -- '--model'; then
  parley_note="Parley was not run: \`parley serve\` has no \`--model\` option yet."
  note "$parley_note"
fi

# run_suite ROUND NAME URL KIND: the four load modes against one server; each writes
# rROUND-NAME-MODE.json, or leaves only its .err when it failed (the report then says n/a).
run_suite() {
  local round=$1 name=$2 url=$3 kind=$4 mode out
  for mode in "${kModes[@]}"; do
    note "round $round, $name: $mode"
    out=$work/r$round-$name-$mode
    # shellcheck disable=SC2086  # the per-mode options are meant to split into words
    if ! node bench/engine_load.mjs --url "$url" --server "$kind" --mode "$mode" ${load_args[$mode]} \
      >"$out.json" 2>"$out.err"; then
      note "$name $mode failed: $(tail -c 600 "$out.err")"
      rm -f "$out.json"
    fi
  done
}

run_llama_bench() {  # run_llama_bench ROUND
  note "round $1: ${bench_cmd[*]}"
  cpu_busy_pct >"$work/r$1-llama-bench.busy"
  "${bench_cmd[@]}" >"$work/r$1-llama-bench.json" 2>"$work/r$1-llama-bench.log" \
    || { cat "$work/r$1-llama-bench.log" >&2; die "llama-bench failed"; }
}

run_llama_server() {  # run_llama_server ROUND
  local log=$work/r$1-llama-server.log port=""
  note "round $1: starting ${llama_cmd[*]}"
  cpu_busy_pct >"$work/r$1-llama.busy"
  "${llama_cmd[@]}" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    kill -0 "$server_pid" 2>/dev/null || { tail -40 "$log" >&2; die "llama-server exited at start-up"; }
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$log" | head -1)
    [[ -n $port ]] && break
    sleep 0.2
  done
  [[ -n $port ]] || die "llama-server did not report its port"
  wait_http "http://127.0.0.1:$port/health" "$server_pid" 1500 \
    || { tail -40 "$log" >&2; die "llama-server /health never answered 200"; }
  run_suite "$1" llama "http://127.0.0.1:$port" llama-server
  stop "$server_pid"
  server_pid=""
}

# Parley failing to start is a finding for the report, not a reason to lose llama's figures.
run_parley() {  # run_parley ROUND
  local log=$work/r$1-parley.log
  [[ -z $parley_note ]] || return 0
  note "round $1: starting ${parley_env[*]} ${parley_cmd[*]}"
  cpu_busy_pct >"$work/r$1-parley.busy"
  rm -f "$work/parley.port"
  env "${parley_env[@]}" "${parley_cmd[@]}" >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    [[ -s $work/parley.port ]] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ ! -s $work/parley.port ]]; then
    parley_note="Parley did not start (no port file): \`$(tail -3 "$log" | tr '\n`' '  ')\`"
  elif ! wait_http "http://127.0.0.1:$(<"$work/parley.port")/ready" "$server_pid" 1500; then
    parley_note="Parley never answered /ready with 200: \`$(tail -3 "$log" | tr '\n`' '  ')\`"
  else
    run_suite "$1" parley "http://127.0.0.1:$(<"$work/parley.port")" parley
  fi
  [[ -z $parley_note ]] || { note "$parley_note"; tail -20 "$log" >&2; }
  stop "$server_pid"
  server_pid=""
}

# --- Rounds ----------------------------------------------------------------------------------
# Alternating which server goes first spreads slow drifts in background load over both.
for round in $(seq "$ROUNDS"); do
  run_llama_bench "$round"
  if ((round % 2)); then
    run_llama_server "$round"; run_parley "$round"
  else
    run_parley "$round"; run_llama_server "$round"
  fi
done

# --- Report ----------------------------------------------------------------------------------
load_cmds=""
for mode in "${kModes[@]}"; do
  load_cmds+="node bench/engine_load.mjs --url URL --server KIND --mode $mode ${load_args[$mode]}"$'\n'
done
rel() { local s="$*"; echo "${s//$repo_root\//}"; }  # repository-relative paths read better

# meta.json: every setup figure the report prints, passed as key=value pairs.
node -e '
  const meta = {};
  for (const arg of process.argv.slice(1)) { const i = arg.indexOf("="); meta[arg.slice(0, i)] = arg.slice(i + 1); }
  require("fs").writeFileSync(meta.out, JSON.stringify(meta, null, 1));
' "out=$work/meta.json" \
  "rounds=$ROUNDS" "threads=$THREADS" "ctx=$CTX" "parallel=$PARALLEL" \
  "single_tokens=$SINGLE_TOKENS" "single_repeat=$SINGLE_REPEAT" \
  "conc_streams=$CONC_STREAMS" "conc_tokens=$CONC_TOKENS" \
  "mt_sessions=$MT_SESSIONS" "mt_turns=$MT_TURNS" "mt_reply_tokens=$MT_REPLY_TOKENS" \
  "mt_history=$MT_HISTORY" "mt_turn_tokens=$MT_TURN_TOKENS" \
  "overhead_requests=$OVERHEAD_REQUESTS" "bench_pp=$BENCH_PP" "bench_tg=$BENCH_TG" \
  "command=$command_line" \
  "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')" \
  "machine=$(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo); $(free -g | awk '/^Mem:/ { print $2 }') GiB RAM; $(uname -sr)" \
  "model=$MODEL" "model_mb=$(du -m --apparent-size -- "$model_abs" | cut -f1)" "model_cmd=$model_cmd" \
  "llama_commit=$(<third_party/llama.cpp.commit)" \
  "parley_version=$("$parley_bin" version 2>/dev/null | head -1 || true)" \
  "parley_bin=$(rel "$parley_bin")" \
  "parley_note=$parley_note" \
  "bench_cmd=$(rel "${bench_cmd[*]}")" \
  "llama_cmd=$(rel "${llama_cmd[*]}")" \
  "parley_cmd=$(rel "${parley_env[*]} ${parley_cmd[*]}" | sed 's|bench/work/engine\.[^/]*/|WORK/|')" \
  "load_cmds=${load_cmds%$'\n'}"

node bench/engine_report.mjs "$work" bench/results/engine.md || die "could not write the report"
exit 0
