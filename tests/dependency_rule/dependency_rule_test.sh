#!/usr/bin/env bash
# Proves the dependency rule (cmake/JitDependencyRule.cmake) can fail: a
# scratch project (probe/) configured once clean and once per deliberately
# wrong link must pass, then fail naming the offending path. The real project
# runs the same check on every configuration (CMakeLists.txt), so a wrong link
# there stops the build.
#
# Usage: dependency_rule_test.sh <cmake-module-dir> <work-dir>
set -euo pipefail
module_dir=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"

configure() {  # case -> output in $work/<case>.log, status returned
  local probe=$1
  cmake -S "$here/probe" -B "$work/$probe" -G Ninja \
    -DJIT_CMAKE_DIR="$module_dir" -DPROBE="$probe" >"$work/$probe.log" 2>&1
}

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if configure none; then
  grep -q "Dependency rule: 3 targets checked, none reaches" "$work/none.log" ||
    fail "clean probe: no summary line (or not 3 targets checked)"
else
  fail "the clean probe was refused:"; cat "$work/none.log"
fi

expect_refused() {  # case, expected path (a fixed string)
  local probe=$1 path=$2
  if configure "$probe"; then
    fail "$probe: the wrong link was not caught"
  elif ! grep -qF -- "$path" "$work/$probe.log"; then
    fail "$probe: refused, but without the path '$path':"
    cat "$work/$probe.log"
  else
    echo "ok: $probe refused: $path"
  fi
}

expect_refused domain_grpc_public "thing_domain -> probe::status -> gRPC::grpc++"
expect_refused domain_kafka_private \
  "thing_domain -> helper -> probe::events -> probe::kafka -> PkgConfig::RDKAFKA"
expect_refused domain_sqlite "thing_domain_testing -> SQLite::SQLite3"
expect_refused storage_events \
  "thing_storage -> probe::events -> probe::kafka -> PkgConfig::RDKAFKA"

if ((failures > 0)); then
  echo "$failures dependency-rule check(s) failed"
  exit 1
fi
echo "dependency rule: clean probe accepted, 4 wrong links refused"
