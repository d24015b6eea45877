#!/usr/bin/env bash
# ctest deploy.prometheus_live: a real Prometheus (Debian's `prometheus`)
# against a running suite.
#
#   1. start the suite as the e2e tests do (tests/e2e/lib.sh: scripts/run.sh,
#      embedded broker) with a short seeded simulator run, so that every kind
#      of series exists;
#   2. `promtool check metrics` on every admin port's /metrics;
#   3. start Prometheus on a free port with a scrape job per service (the job
#      names the ServiceMonitors give: the Service names) and the
#      PrometheusRule's rules, scraping and evaluating every second;
#   4. through its HTTP API: every target up; every rule evaluated without
#      error (and a canary rule that fails at evaluation is reported in error);
#      the recording rules and the series the alerts read return data;
#      no alert firing on a healthy suite; every dashboard query evaluates
#      without error, and the panels that must have data have it.
source "$(dirname "${BASH_SOURCE[0]}")/../../../tests/e2e/lib.sh"
export JIT_SIMULATOR_SEED=77 JIT_SIMULATOR_DETERMINISTIC=true JIT_SIMULATOR_SPEED=0
py=/usr/bin/python3
mon="$src/deploy/k8s/base/monitoring"
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 ||
  fail "prometheus/promtool not found (run scripts/install-deps.sh: Debian package prometheus)"
prom_pid=""
# lib.sh's cleanup (stop the suite, keep the work folder on failure) reads the
# exit status first, then Prometheus is stopped.
trap 'cleanup; [ -z "$prom_pid" ] || kill "$prom_pid" 2>/dev/null || true' EXIT

data="$work/data"
start_suite "$data" "$work/run.log" --simulate 10
for _ in $(seq 1 600); do
  grep -q '"msg":"simulation done"' "$data/logs/simulator.log" 2>/dev/null && break
  sleep 0.5
done
grep '"msg":"simulation done"' "$data/logs/simulator.log" | grep -q '"status":"ok"' || fail "the simulation did not finish ok"

# 2. promtool check metrics on every /metrics.
jobs=(enrollment training-progress placement aggregator)
ports=($admin_ports)
for i in 0 1 2 3; do
  http_get "http://127.0.0.1:${ports[$i]}/metrics" >"$work/${jobs[$i]}.metrics" || fail "no /metrics on ${ports[$i]}"
  if ! promtool check metrics <"$work/${jobs[$i]}.metrics" >"$work/${jobs[$i]}.lint" 2>&1; then
    cat "$work/${jobs[$i]}.lint" >&2
    fail "promtool check metrics: ${jobs[$i]}'s /metrics has problems"
  fi
done
log "promtool check metrics: clean on the 4 admin ports"

# 3. Prometheus.
prom_port="$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
mkdir -p "$work/prom"
$py - "$mon/prometheus-rules.yaml" "$work/prom/rules.yaml" <<'EOF'
import sys, yaml
spec = yaml.safe_load(open(sys.argv[1]))["spec"]
for g in spec["groups"]:
    g.pop("interval", None)  # every group at the global 1 s here (the recording group is 30 s in the cluster)
# Self-check: a canary that parses but fails at evaluation (many-to-many
# matching: three outbox series share namespace) must be reported in error.
spec["groups"].append({"name": "self-check", "rules": [
    {"record": "selfcheck:must_fail", "expr": "jit_outbox_backlog + on (namespace) jit_outbox_backlog"}]})
yaml.safe_dump(spec, open(sys.argv[2], "w"), sort_keys=False)
EOF
{
  echo "global: {scrape_interval: 1s, evaluation_interval: 1s}"
  echo "rule_files: [rules.yaml]"
  echo "scrape_configs:"
  for i in 0 1 2 3; do
    echo "  - job_name: ${jobs[$i]}"
    echo "    static_configs:"
    echo "      - targets: ['127.0.0.1:${ports[$i]}']"
    echo "        labels: {namespace: jobintech, pod: ${jobs[$i]}-0}"
  done
} >"$work/prom/prometheus.yml"
promtool check config "$work/prom/prometheus.yml" >/dev/null || fail "promtool check config"
prometheus --config.file="$work/prom/prometheus.yml" --storage.tsdb.path="$work/prom/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$work/prom/prometheus.log" 2>&1 &
prom_pid=$!
api="http://127.0.0.1:$prom_port"
for _ in $(seq 1 150); do
  http_ok "$api/-/ready" && break
  kill -0 "$prom_pid" 2>/dev/null || { cat "$work/prom/prometheus.log" >&2; fail "prometheus exited"; }
  sleep 0.2
done
http_ok "$api/-/ready" || fail "prometheus not ready in 30 s"
log "prometheus up on :$prom_port"

# 4. Through the HTTP API. Rates need two scrapes and the rules an evaluation
# after them: wait until every target is up and every rule was evaluated
# after the 4th scrape (at most 60 s), then check.
$py - "$api" "$mon/jobintech-operations.json" <<'EOF' || fail "the live Prometheus checks failed"
import json, sys, time, urllib.parse, urllib.request
api, dashboard = sys.argv[1], sys.argv[2]
def get(path, **params):
    url = f"{api}/api/v1/{path}" + ("?" + urllib.parse.urlencode(params) if params else "")
    d = json.load(urllib.request.urlopen(url, timeout=10))
    assert d["status"] == "success", d
    return d["data"]
def query(q):
    return get("query", query=q)["result"]
start = time.time()
while True:
    targets = get("targets")["activeTargets"]
    up = sorted(t["labels"]["job"] for t in targets if t["health"] == "up")
    rules = [r for g in get("rules")["groups"] for r in g["rules"]]
    scrapes = query("min(count_over_time(up[1h]))")
    evaluated = all(r.get("lastEvaluation", "").startswith("20") for r in rules)
    if len(up) == 4 and scrapes and float(scrapes[0]["value"][1]) >= 3 and evaluated:
        break
    if time.time() - start > 60:
        sys.exit(f"FAIL: after 60 s: targets up {up} of {[t['labels']['job'] for t in targets]}, "
                 f"scrapes {scrapes}, rules evaluated: {evaluated}")
    time.sleep(1)
time.sleep(1.5)  # one more evaluation round after those scrapes
print(f"waited {time.time() - start:.1f} s for targets, scrapes and rules", file=sys.stderr)
problems = []
rules = [r for g in get("rules")["groups"] for r in g["rules"]]
canary = [r for r in rules if r["name"] == "selfcheck:must_fail"]
if not canary or canary[0]["health"] != "err":
    problems.append(f"self-check: the failing canary rule is not reported in error: {canary}")
rules = [r for r in rules if r["name"] != "selfcheck:must_fail"]
for r in rules:
    if r["health"] != "ok" or r.get("lastError"):
        problems.append(f"rule {r['name']}: health {r['health']} {r.get('lastError', '')}")
alerts = [r for r in rules if r["type"] == "alerting"]
recording = [r for r in rules if r["type"] == "recording"]
firing = [a["labels"]["alertname"] for a in get("alerts")["alerts"] if a["state"] == "firing"]
if firing:
    problems.append(f"alerts firing on a healthy suite: {firing}")
# Series the rules and alerts read, present with the labels they group by.
must_have = {
    'count by (job) (up{namespace="jobintech"} == 1)': 4,
    "count by (job) (jit_outbox_oldest_unsent_age_seconds)": 3,
    "count by (job) (jit_outbox_publish_failures_total)": 3,
    "count by (job, topic) (jit_aggregator_partition_lag)": 3,
    "count(jit_aggregator_checkpoint_age_seconds)": 1,
    "count(jit_aggregator_state_version > 0)": 1,
    "count(jit_aggregator_events_total)": 1,
    "count by (transport) (jit_aggregator_watchers)": 2,
    "count by (job) (jit:grpc_server_handled:rate5m)": 4,
    "count by (job) (jit:grpc_server_handling_seconds:p99_rate5m)": 3,
    "count by (topic) (jit:aggregator_lag:sum)": 3,
}
for q, n in must_have.items():
    got = len(query(q))
    if got < n:
        problems.append(f"{q}: {got} series, expected at least {n}")
# Every dashboard query evaluates (variables as Grafana would set them).
dash = json.load(open(dashboard))
panels, empty = 0, []
for p in [p for p in dash["panels"] if p.get("targets")]:
    for t in p["targets"]:
        q = t["expr"].replace("$__rate_interval", "1m").replace("$namespace", "jobintech")
        try:
            res = query(q)
        except Exception as e:  # an HTTP 400 is a query Prometheus refused
            problems.append(f"dashboard panel '{p['title']}': {q}: {e}")
            continue
        panels += 1
        if not res:
            empty.append(p["title"])
must_show = {"Targets up", "Oldest unpublished event", "Backlog", "Calls per second by method",
             "Lag by topic", "Checkpoint age", "Held events / folded events", "Watchers by transport"}
for title in sorted(must_show & set(empty)):
    problems.append(f"dashboard panel '{title}' has no data on a running suite")
for p in problems:
    print("FAIL:", p)
if problems:
    sys.exit(1)
print(f"live prometheus: 4 targets up, {len(alerts)} alerts and {len(recording)} recording rules evaluated without "
      f"error, none firing; {panels} dashboard queries evaluated ({len(set(empty))} panels empty: {sorted(set(empty))})")
EOF
kill "$prom_pid" 2>/dev/null || true
wait "$prom_pid" 2>/dev/null || true
prom_pid=""
stop_suite "$data"
log "PASS"
