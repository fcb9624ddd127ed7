#!/usr/bin/env bash
# Per-request cost of the whole security chain (auth + scopes + rate limit + input guard +
# audit) as the difference against the same request through the pipeline without it; target
# < 50 µs p50. In-process (no sockets), so the figure is the chain's own work.
#
# Usage: bench/security_bench.sh [BUILD_DIR]   (default: build)   Knob: REQUESTS (20000)
# Writes bench/results/security.md (overwritten).
set -euo pipefail
cd "$(dirname -- "$0")/.."
build=${1:-build}
REQUESTS=${REQUESTS:-20000}
cmake --build "$build" --target security_bench >/dev/null
mkdir -p bench/results
table=$("$build/tests/security_bench" "$REQUESTS")
{
  echo "# Security chain overhead"
  echo
  echo "\`REQUESTS=$REQUESTS bench/security_bench.sh\` on $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)."
  echo "Same requests through the pipeline with and without the security layer (API key,"
  echo "scopes, rate limits, guard with 5,000 words + injection heuristics, audit record)."
  echo "Target: p50 cost < 50 µs."
  echo
  echo "$table"
} > bench/results/security.md
cat bench/results/security.md
