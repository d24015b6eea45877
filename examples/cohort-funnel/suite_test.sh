#!/usr/bin/env bash
# ctest examples.cohort_funnel: the sample consumer against a real run.
#
#   1. start the suite as the e2e tests do (tests/e2e/lib.sh: scripts/run.sh
#      with the embedded broker) with a seeded, deterministic simulator run;
#   2. run cohort_funnel.py on jobintech.enrollment.v1 from the beginning;
#   3. its CSV, per cohort (last row: counts at the end) and summed, must equal
#      the aggregator's internal figures applicants, admitted, enrolled (HTTP,
#      an analyst's token, filter cohort=...), for every cohort the aggregator
#      knows;
#   4. copies of 25 records produced again to the topic: the aggregator's
#      figures do not move, the consumer's CSV is byte-identical and it reports
#      exactly 25 more duplicates.
source "$(dirname "${BASH_SOURCE[0]}")/../../tests/e2e/lib.sh"
export JIT_SIMULATOR_SEED=2121 JIT_SIMULATOR_DETERMINISTIC=true JIT_SIMULATOR_SPEED=0
py=/usr/bin/python3
here="$src/examples/cohort-funnel"
consumer="$here/cohort_funnel.py"
data="$work/data"
topic=jobintech.enrollment.v1

start_suite "$data" "$work/run.log" --simulate 40
for _ in $(seq 1 600); do
  grep -q '"msg":"simulation done"' "$data/logs/simulator.log" 2>/dev/null && break
  sleep 0.5
done
grep '"msg":"simulation done"' "$data/logs/simulator.log" | grep -q '"status":"ok"' || fail "the simulation did not finish ok"
settle
bootstrap="$(cat "$data/kafka.bootstrap")"

analyst_token="$("$bin/tools/dev-pki/jit-dev-pki" --dir="$data/pki" --print_token=analyst)"
# aggregator_figures OUT: {"<cohort>": [applicants, admitted, enrolled], "": national}, from the internal
# views over HTTP (one process for the ~140 cohorts of the simulated world).
aggregator_figures() {
  HTTP_TOKEN="$analyst_token" "$py" - "http://$http/api/v1" >"$1" <<'PY'
import json, os, sys, urllib.request
base = sys.argv[1]
def get(path):
    req = urllib.request.Request(f"{base}/{path}", headers={"Authorization": "Bearer " + os.environ["HTTP_TOKEN"]})
    return json.load(urllib.request.urlopen(req, timeout=10))
out = {}
for c in [""] + [c["cohortId"] for c in get("catalogue")["cohorts"] if c["cohortId"]]:
    figures = {f["metricId"]: f.get("value", 0) for f in get(f"summary?visibility=internal&cohort={c}")["summary"]["figures"]}
    out[c] = [int(figures.get(m, 0)) for m in ("applicants", "admitted", "enrolled")]
print(json.dumps(out, sort_keys=True))
PY
}

run_consumer() {  # run_consumer CSV SUMMARY
  "$py" "$consumer" --bootstrap "$bootstrap" --topic "$topic" --out "$1" 2>"$2" ||
    { cat "$2" >&2; fail "the consumer failed"; }
}

aggregator_figures "$work/aggregator.json"
run_consumer "$work/funnel.csv" "$work/summary.json"
log "consumer: $(cat "$work/summary.json")"
log "CSV: $(head -2 "$work/funnel.csv" | tr '\n' ' ')"
log "aggregator (national applicants, admitted, enrolled): $(jget 'd[""]' <"$work/aggregator.json"), $(jget 'len(d) - 1' <"$work/aggregator.json") cohorts"

# The CSV's end counts per cohort, and their sum as the national row "".
"$py" "$here/compare_with_aggregator.py" "$work/funnel.csv" "$work/aggregator.json" ||
  fail "the consumer's funnel differs from the aggregator's figures"
# Self-check: a consumer that takes "waitlisted" for "admitted" must be caught.
sed 's/"application_waitlisted": OTHER,/"application_waitlisted": ADMITTED,/' "$consumer" >"$work/broken_funnel.py"
cmp -s "$consumer" "$work/broken_funnel.py" && fail "self-check: the mutation did not apply"
"$py" "$work/broken_funnel.py" --bootstrap "$bootstrap" --topic "$topic" --proto-dir "$src/proto" \
  --out "$work/broken.csv" 2>/dev/null || fail "the broken consumer did not run"
if "$py" "$here/compare_with_aggregator.py" "$work/broken.csv" "$work/aggregator.json" 2>"$work/broken.out"; then
  fail "self-check: a consumer counting waitlisted as admitted was not caught"
fi
log "self-check: a wrong consumer is caught ($(grep -c MISMATCH "$work/broken.out") mismatches)"
jtest 'd["applied"] > 0 and d["undecodable"] == 0' <"$work/summary.json" || fail "nothing applied, or undecodable records"
jtest '"" in d and d[""][0] >= 20 and d[""][2] > 0' <"$work/aggregator.json" || fail "too few journeys for a meaningful test"

# Duplicates: 25 records of the topic produced again (same key, value, headers).
"$py" - "$bootstrap" "$topic" 25 <<'EOF' || fail "could not re-produce records"
import sys
from confluent_kafka import Consumer, Producer, TopicPartition, OFFSET_BEGINNING
bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "dup-injector", "enable.auto.commit": False})
parts = sorted(c.list_topics(topic, timeout=10).topics[topic].partitions)
c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in parts])
copies = []
while len(copies) < n:
    m = c.poll(10)
    assert m is not None, "topic ended early"
    assert not m.error(), m.error()
    copies.append((m.partition(), m.key(), m.value(), m.headers()))
c.close()
p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
for part, key, value, headers in copies:
    p.produce(topic, value=value, key=key, headers=headers, partition=part)
assert p.flush(30) == 0, "undelivered copies"
EOF
settle
aggregator_figures "$work/aggregator2.json"
cmp -s "$work/aggregator.json" "$work/aggregator2.json" || fail "duplicates moved the aggregator's figures"
run_consumer "$work/funnel2.csv" "$work/summary2.json"
cmp -s "$work/funnel.csv" "$work/funnel2.csv" || fail "duplicates changed the consumer's CSV: $(diff "$work/funnel.csv" "$work/funnel2.csv" | head -5)"
dups="$(jget 'd["duplicates"]' <"$work/summary.json")"
dups2="$(jget 'd["duplicates"]' <"$work/summary2.json")"
[ "$dups2" = "$((dups + 25))" ] || fail "the consumer counted $dups2 duplicates after 25 copies (before: $dups)"
log "25 copies: dropped as duplicates ($dups -> $dups2), CSV unchanged"
stop_suite "$data"
log "PASS"
