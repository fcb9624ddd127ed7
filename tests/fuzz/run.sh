#!/usr/bin/env bash
# Runs every libFuzzer harness for a fixed time: tests/fuzz/run.sh BUILD_DIR [SECONDS]
# Each fuzzer works on a copy of its seeds under BUILD_DIR/fuzz-corpus/<name>; crashes are
# written to BUILD_DIR/fuzz-artifacts/ and make the script exit non-zero.
set -euo pipefail
build=${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/fuzz-artifacts"
status=0
for f in fuzz_http_request fuzz_json_body fuzz_jwt fuzz_config fuzz_pii fuzz_flow fuzz_nlu fuzz_turn; do
  corpus="$build/fuzz-corpus/$f"
  mkdir -p "$corpus"
  cp -n "$here/corpus/$f/"* "$corpus/" 2>/dev/null || true
  echo "fuzz: $f for ${secs}s"
  if ! "$build/tests/fuzz/$f" -max_total_time="$secs" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$f-" \
      "$corpus" > "$build/fuzz-artifacts/$f.log" 2>&1; then
    echo "fuzz: $f FAILED; see $build/fuzz-artifacts/$f.log"
    tail -30 "$build/fuzz-artifacts/$f.log"
    status=1
  else
    grep -E '^stat::number_of_executed_units' "$build/fuzz-artifacts/$f.log" || true
  fi
done
exit $status
