#!/usr/bin/env bash
# Builds llama.cpp's own llama-server and llama-bench from the pinned source in
# third_party/llama.cpp, so the engine benchmark compares Parley with the reference tools of the
# very same llama.cpp release. They are bench-only tools and never part of the product.
#
# Usage: bench/build_llama_tools.sh          (prints the build folder's bin/ path on success)
# Knobs: LLAMA_TOOLS_BUILD_DIR (bench/work/llama-build), JOBS (ninja's default).
# The build is skipped while both binaries are newer than third_party/llama.cpp.commit, which
# scripts/setup rewrites whenever it unpacks a different llama.cpp.
set -euo pipefail
cd "$(dirname -- "$0")/.."
repo_root=$PWD

src=$repo_root/third_party/llama.cpp
commit_file=$repo_root/third_party/llama.cpp.commit
build=${LLAMA_TOOLS_BUILD_DIR:-$repo_root/bench/work/llama-build}
bin=$build/bin

die() { echo "build_llama_tools: $*" >&2; exit 1; }

[[ -f $src/include/llama.h ]] || die "llama.cpp not found at $src; run scripts/setup"
[[ -f $commit_file ]] || die "$commit_file missing; run scripts/setup"
for tool in cmake ninja; do
  command -v "$tool" >/dev/null || die "$tool not found"
done

if [[ $bin/llama-server -nt $commit_file && $bin/llama-bench -nt $commit_file ]]; then
  echo "$bin"
  exit 0
fi

# ccache keys on paths; a base directory above every worktree lets builds of the same source
# from different checkouts share objects.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-/work}
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

mkdir -p "$build"
# Same CPU backend defaults as Parley's in-tree build (GGML_NATIVE, OpenMP), so the comparison
# measures the servers rather than different kernels. Everything optional is off: no HTTPS,
# no web UI (its assets would be fetched from the network, which a bench must not depend on).
cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  "${launcher[@]}" \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_CUDA=OFF \
  -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_ALL_WARNINGS=OFF \
  >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log" >&2; die "cmake configure failed"; }

# The compiler's output goes to a log: it is long, and only of interest when the build fails.
echo "build_llama_tools: building llama-server and llama-bench in $build (log: $build/build.log)" >&2
cmake --build "$build" --target llama-server llama-bench ${JOBS:+-j "$JOBS"} >"$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; die "build failed; see $build/build.log"; }

for tool in llama-server llama-bench; do
  [[ -x $bin/$tool ]] || die "$bin/$tool was not produced"
  # Ninja leaves an up-to-date binary untouched; touch it so the cache check above holds.
  touch "$bin/$tool"
done
echo "$bin"
