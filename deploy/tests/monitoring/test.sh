#!/usr/bin/env bash
# ctest deploy.monitoring: the alerts, recording rules, runbook and dashboard
# (check_monitoring.py: promtool check + test rules, a firing and a
# not-firing case per alert, a runbook section per alert, every metric and
# label read exists in the code, every exported family charted, dashboard
# queries parse), then a self-check: deliberately broken copies must each be
# rejected with the expected message.
set -euo pipefail
root="${JIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)}"
cd "$root"
here="$root/deploy/tests/monitoring"
mon="$root/deploy/k8s/base/monitoring"
py=/usr/bin/python3
command -v promtool >/dev/null 2>&1 || { echo "FAIL: promtool not found (run scripts/install-deps.sh: Debian package prometheus)"; exit 1; }

echo "== monitoring checks"
"$py" "$here/check_monitoring.py"

echo "== self-check: broken copies must be rejected"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cases=0
# expect_reject NAME MESSAGE WHICH PERL: copies the four inputs, applies PERL
# (whole-file substitution) to WHICH (rules, tests, runbook, dashboard or
# source: a new file in a copy of the sources), and the check must fail
# saying MESSAGE.
expect_reject() {
  local name="$1" message="$2" which="$3" expr="$4" dir out before
  dir="$tmp/case$cases"
  cases=$((cases + 1))
  mkdir -p "$dir"
  cp "$mon/prometheus-rules.yaml" "$dir/rules"
  cp "$here/rules_test.yaml" "$dir/tests"
  cp "$root/deploy/RUNBOOK.md" "$dir/runbook"
  cp "$mon/jobintech-operations.json" "$dir/dashboard"
  local src="$root"
  if [ "$which" = source ]; then
    src="$dir/src"
    mkdir -p "$src"
    cp -r "$root/libs" "$root/services" "$root/tools" "$src/"
    printf '%s\n' "$expr" >"$src/libs/metrics/self_check_extra.cc"
  else
    before="$(md5sum <"$dir/$which")"
    perl -0pi -e "$expr" "$dir/$which"
    [ "$(md5sum <"$dir/$which")" != "$before" ] || { echo "FAIL: self-check '$name': the mutation did not apply"; exit 1; }
  fi
  # promtool's own checks run only in the cases about them (they cost most).
  local skip=(--skip-promtool-tests)
  case "$message" in promtool*) skip=() ;; esac
  if out="$("$py" "$here/check_monitoring.py" --source-root "$src" --rules "$dir/rules" --tests "$dir/tests" \
    --runbook "$dir/runbook" --dashboard "$dir/dashboard" "${skip[@]}" 2>&1)"; then
    echo "FAIL: self-check '$name': the broken copy was accepted"; exit 1
  fi
  if ! grep -qF -- "$message" <<<"$out"; then
    echo "$out"; echo "FAIL: self-check '$name': rejected, but not with '$message'"; exit 1
  fi
  echo "rejected as expected: $name"
}
expect_reject "misspelt metric in a rule" "metric jit_aggregator_held_event is not exported" rules \
  's/\(jit_aggregator_held_events\) > 0/(jit_aggregator_held_event) > 0/'
expect_reject "threshold changed under the tests" "promtool test rules failed" rules \
  's/\(jit_outbox_oldest_unsent_age_seconds\) > 300/(jit_outbox_oldest_unsent_age_seconds) > 3000/'
expect_reject "label the code does not set" "label method is set neither by the code nor by the scrape" rules \
  's/sum by \(namespace, job, grpc_service, grpc_method\) \(\n              rate/sum by (namespace, job, grpc_service, method) (\n              rate/'
expect_reject "no not-firing case" "JitAggregatorWatchersHigh: no promtool case where it does not fire" tests \
  's/      - eval_time: 8m\n        alertname: JitAggregatorWatchersHigh\n        exp_alerts: \[\]\n//'
expect_reject "no firing case" "JitTargetDown: no promtool case where it fires" tests \
  's/      - eval_time: 10m\n        alertname: JitTargetDown\n.*?(?=  # -----)//s'
expect_reject "runbook section missing" "JitAggregatorHeldEvents: no '## JitAggregatorHeldEvents' section" runbook \
  's/^## JitAggregatorHeldEvents$/## HeldEvents/m'
expect_reject "stale runbook section" "runbook section '## JitOldAlert' names no alert" runbook \
  's/\z/\n## JitOldAlert\n\nGone.\n/'
expect_reject "dashboard metric the code lacks" "metric jit_aggregator_watcher is not exported" dashboard \
  's/jit_aggregator_watchers\{/jit_aggregator_watcher{/'
expect_reject "dashboard query that does not parse" "a dashboard query does not parse" dashboard \
  's/max\(jit_aggregator_checkpoint_age_seconds\{namespace=\\"\$namespace\\"\}\)/max(jit_aggregator_checkpoint_age_seconds{namespace=\\"\$namespace\\"}/'
expect_reject "exported metric not charted" "metric jit_self_check_new_total (exported by the code) is not charted" source \
  'auto& c = prometheus::BuildCounter().Name("jit_self_check_new_total").Help("x").Register(r);'
echo "monitoring checks passed ($cases self-check cases rejected as expected)"
