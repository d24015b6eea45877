#!/usr/bin/env bash
# Configures (once) and builds the whole tree with Ninja and ccache.
#
#   scripts/build.sh [TARGET...]   # with targets: only those and what they need
#
# Warnings are errors in CI (CI=true) and whenever JIT_WERROR=ON.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${JIT_BUILD_DIR:-$root/build}"

werror="${JIT_WERROR:-OFF}"
build_type="${JIT_BUILD_TYPE:-RelWithDebInfo}"
# CI: warnings are errors; no debug info (a third faster to build on 2 cores).
if [ "${CI:-}" = "true" ]; then werror=ON; build_type="${JIT_BUILD_TYPE:-Release}"; fi

export CCACHE_DIR="${CCACHE_DIR:-$root/.cache/ccache}"
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1

if [ ! -f "$build_dir/build.ninja" ] || [ "${JIT_RECONFIGURE:-}" = "1" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DJIT_WERROR="$werror" \
    -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
else
  cmake -S "$root" -B "$build_dir" -DJIT_WERROR="$werror" \
    -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
targets=()
[ $# -eq 0 ] || targets=(--target "$@")
cmake --build "$build_dir" -j "${JIT_BUILD_JOBS:-$(nproc)}" "${targets[@]}"
