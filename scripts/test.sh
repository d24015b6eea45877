#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test (unit,
# integration, contract checks, peer checks). Extra arguments go to ctest,
# e.g. `scripts/test.sh -L unit` or `scripts/test.sh -R outbox`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

build_dir="${JIT_BUILD_DIR:-$root/build}"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j "${JIT_TEST_JOBS:-2}" "$@"
