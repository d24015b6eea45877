#!/usr/bin/env bash
# ctest contracts.asyncapi: the event catalogue (docs/events/asyncapi.yaml)
# against the compiled contracts and the AsyncAPI parser
# (asyncapi_check.py), then a self-check: a body added to the contracts
# without a catalogue entry, a stale entry and a missing field must each be
# rejected with the expected message.
set -euo pipefail
root="${JIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
here="$root/tests/contracts"
py=/usr/bin/python3
[ -d "$root/node_modules/@asyncapi/parser" ] || { echo "FAIL: npm packages missing (run scripts/install-deps.sh)"; exit 1; }

echo "== event catalogue against the contracts"
"$py" "$here/asyncapi_check.py"

echo "== self-check"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# expect_reject NAME MESSAGE ARGS...: asyncapi_check.py ARGS must fail saying MESSAGE.
expect_reject() {
  local name="$1" message="$2" out
  shift 2
  if out="$("$py" "$here/asyncapi_check.py" --no-parser "$@" 2>&1)"; then
    echo "FAIL: self-check '$name': accepted"; exit 1
  fi
  grep -qF -- "$message" <<<"$out" || { echo "$out"; echo "FAIL: self-check '$name': rejected, but not with '$message'"; exit 1; }
  echo "rejected as expected: $name"
}
# mutate FILE PERL: fails if the substitution changed nothing.
mutate() {
  local before
  before="$(md5sum <"$1")"
  perl -0pi -e "$2" "$1"
  [ "$(md5sum <"$1")" != "$before" ] || { echo "FAIL: self-check mutation did not apply to $1: $2"; exit 1; }
}

cp -r proto "$tmp/proto"
mutate "$tmp/proto/jobintech/events/v1/lifecycle_event.proto" \
  's/(    CertificateRevoked certificate_revoked = 209;\n)/$1    CertificateRevoked certificate_reinstated = 210;\n/'
expect_reject "a body added to the contracts without a catalogue entry" \
  "body 'certificate_reinstated = 210' (jobintech.events.v1.CertificateRevoked) of LifecycleEvent has no message" \
  --proto-root "$tmp/proto"

cp docs/events/asyncapi.yaml "$tmp/stale.yaml"
mutate "$tmp/stale.yaml" 's/x-body-field: certificate_revoked = 209/x-body-field: certificate_voided = 209/'
expect_reject "a stale catalogue entry" "documents body 'certificate_voided = 209', which LifecycleEvent's oneof does not have" \
  --doc "$tmp/stale.yaml"

cp -r proto "$tmp/proto2"
mutate "$tmp/proto2/jobintech/events/v1/placement_events.proto" \
  's/(message JobOfferPosted \{\n(?:.*\n)*?)\}/$1  int32 openings_filled = 99;\n}/'
expect_reject "a field added to a body without its schema property" \
  "schema JobOfferPosted: field openings_filled of jobintech.events.v1.JobOfferPosted is missing" --proto-root "$tmp/proto2"
echo "event catalogue checks passed"
