#!/usr/bin/env bash
# Peer check with tools nobody here wrote: kcat lists the embedded broker's
# topics and reads an event written through the outbox; protoc --decode decodes
# its value as the LifecycleEvent envelope.
set -euo pipefail
src="${JIT_SOURCE_DIR:?}"
bin="${JIT_BINARY_DIR:?}"
work="$(mktemp -d)"
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill -TERM "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$bin/tools/kafka-broker/jit-kafka-broker" --partitions=4 \
  --bootstrap_file="$work/bootstrap" >"$work/broker.log" 2>&1 &
broker_pid=$!
for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
bs="$(cat "$work/bootstrap")"
echo "broker at $bs"

# Write 5 business rows (one trainee) through the outbox and let the relay publish them.
"$bin/tests/integration/jit-outbox-writer" --db="$work/writer.db" --bootstrap="$bs" \
  --count=5 --keys=1 --drain

echo "== kcat -L"
kcat -b "$bs" -L >"$work/metadata.txt"
cat "$work/metadata.txt"
for t in jobintech.enrollment.v1 jobintech.progress.v1 jobintech.placement.v1; do
  grep -q "topic \"$t\" with 4 partitions" "$work/metadata.txt" || { echo "FAIL: $t missing"; exit 1; }
  grep -q "topic \"$t.dlq\" with 4 partitions" "$work/metadata.txt" || { echo "FAIL: $t.dlq missing"; exit 1; }
done

echo "== kcat reads all 5 events and their headers"
kcat -b "$bs" -C -t jobintech.enrollment.v1 -o beginning -e -q \
  -f 'key=%k headers=%h\n' >"$work/records.txt"
cat "$work/records.txt"
[ "$(grep -c '^key=' "$work/records.txt")" -eq 5 ] || { echo "FAIL: expected 5 records"; exit 1; }
grep -q 'ce_type=ma.jobintech.enrollment.application.submitted.v1' "$work/records.txt" \
  || { echo "FAIL: ce_type header missing"; exit 1; }

# The single key lands in one partition: find it, read its first value raw.
part="$(kcat -b "$bs" -C -t jobintech.enrollment.v1 -o beginning -e -q -f '%p\n' | head -1)"
kcat -b "$bs" -C -t jobintech.enrollment.v1 -p "$part" -o beginning -c 1 -e -q -f '%s' >"$work/value.bin"

echo "== protoc --decode"
protoc -I"$src/proto" --decode=jobintech.events.v1.LifecycleEvent \
  jobintech/events/v1/lifecycle_event.proto <"$work/value.bin" | tee "$work/decoded.txt"
grep -q 'event_type: "enrollment.application.submitted"' "$work/decoded.txt" || { echo "FAIL: decode"; exit 1; }
grep -q 'sequence: 1' "$work/decoded.txt" || { echo "FAIL: first event must have sequence 1"; exit 1; }
grep -q 'application_submitted' "$work/decoded.txt" || { echo "FAIL: body"; exit 1; }
echo "peer check passed"
