#!/usr/bin/env bash
# Runs the benchmarks on loopback and prints a table plus a JSON file.
# Every figure that matters is a ratio against a baseline measured in the same
# run (the machine is shared and noisy), repeated; median and spread reported.
#
#   bench/run.sh [--smoke] [--repeats N] [--duration SECONDS] [--out FILE]
#
# Measured today:
#   1. durable write path: SubmitApplication (business row + outbox row per
#      commit, SQLite WAL synchronous=FULL) vs grpc.health.v1 Check on the same
#      server from the same client; synchronous=NORMAL reported separately.
# Not a test: never run by ctest. --smoke runs it for a few seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeats=3
duration=5
concurrency=16
out="$root/bench/results.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) repeats=1; duration=1; shift ;;
    --repeats) repeats="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if [ "${JIT_BENCH_SKIP_BUILD:-}" != "1" ]; then
  "$root/scripts/install-deps.sh"
  "$root/scripts/build.sh" >/dev/null
fi
bin="${JIT_BUILD_DIR:-$root/build}"
work="$(mktemp -d)"
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$bin/tools/kafka-broker/jit-kafka-broker" --partitions=16 \
  --bootstrap_file="$work/bootstrap" >"$work/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
bootstrap="$(cat "$work/bootstrap")"

results="$work/results.jsonl"
: >"$results"
for sync in full normal; do
  log="$work/enrollment-$sync.log"
  JIT_ENROLLMENT_CIN_HASH_KEY="benchmark-key-not-secret-0001" \
    "$bin/services/enrollment/jit-enrollment" --grpc_address=127.0.0.1:0 \
    --admin_address=127.0.0.1:0 --db_path="$work/$sync/enrollment.db" \
    --sqlite_synchronous="$sync" --kafka_bootstrap="$bootstrap" \
    --log_level=info --unready_grace=0s >"$log" 2>&1 &
  pids+=($!)
  port=""
  for _ in $(seq 1 200); do
    port="$(grep -o '"msg":"enrollment service ready"[^}]*"grpc_port":[0-9]*' "$log" 2>/dev/null \
      | grep -o '"grpc_port":[0-9]*' | cut -d: -f2 || true)"
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; echo "enrollment did not start" >&2; exit 1; }
  target="127.0.0.1:$port"
  cohort="$("$bin/bench/jit-loadgen" --target="$target" --rpc=setup --run_id="$sync")"
  for rep in $(seq 1 "$repeats"); do
    for rpc in health submit; do
      line="$("$bin/bench/jit-loadgen" --target="$target" --rpc="$rpc" \
        --concurrency="$concurrency" --duration="${duration}s" --warmup=1s \
        --cohort_id="$cohort" --run_id="$sync-$rep")"
      echo "{\"synchronous\":\"$sync\",\"repeat\":$rep,\"result\":$line}" >>"$results"
    done
  done
  kill -TERM "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
done

/usr/bin/python3 "$root/bench/report.py" "$results" "$out"
