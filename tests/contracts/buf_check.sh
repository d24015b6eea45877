#!/usr/bin/env bash
# Contract checks with buf (pinned in package-lock.json):
#   1. `buf lint` with the STANDARD rules is clean;
#   2. `buf breaking` finds no breaking change against the committed baseline;
#   3. the breaking check itself works: a copy of the contracts with a field
#      renumbered must be reported as breaking.
set -euo pipefail
root="${JIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
buf="$root/node_modules/.bin/buf"
baseline="proto/baseline/jobintech-v1.binpb"

echo "== buf lint"
"$buf" lint
echo "== buf breaking against $baseline"
"$buf" breaking --against "$baseline"

echo "== self-check: a renumbered field must be reported"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r proto buf.yaml "$tmp/"
sed -i 's/string event_id = 1;/string event_id = 99;/' \
  "$tmp/proto/jobintech/events/v1/lifecycle_event.proto"
if (cd "$tmp" && "$buf" breaking --against "$root/$baseline") >"$tmp/out.txt" 2>&1; then
  echo "FAIL: buf breaking accepted a renumbered field"; exit 1
fi
grep -q 'event_id' "$tmp/out.txt" || { cat "$tmp/out.txt"; echo "FAIL: unexpected breaking output"; exit 1; }
echo "buf checks passed"
