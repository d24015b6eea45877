#!/usr/bin/env bash
# Runs the benchmarks on loopback and prints a table plus a JSON file.
# Every figure that matters is a ratio against a baseline measured in the same
# run (the machine is shared and noisy), repeated; median and spread reported.
#
#   bench/run.sh [--smoke] [--only FIGURES] [--repeats N] [--duration SECONDS]
#                [--events N] [--scale_sizes N,N,N] [--fanout N,N,N]
#                [--fresh_rates R,R,R] [--watch_interval DURATION] [--out FILE]
#                [--scale_repeats N] [--partitions N]
#
# Figures (--only takes a comma-separated subset; default all):
#   write_path  1. SubmitApplication (business row + outbox row per commit,
#               SQLite WAL synchronous=FULL, and NORMAL) vs grpc.health.v1
#               Check on the same server from the same client.
#   fold        2. jit-aggregator replaying --events lifecycle records vs a
#               plain librdkafka consumer reading the same partitions:
#               events/s ratio, CPU-seconds per million events.
#   freshness   3. SubmitApplication ack -> change on the aggregator's watch
#               stream, at a fixed offered rate (the first of --fresh_rates
#               the enrollment service sustains); baseline: ack -> the
#               record on a plain Kafka consumer.
#   fanout      4. watch messages/s to N subscribers (--fanout) per
#               aggregator core, and the readers' rate with one stalled
#               subscriber vs without.
#   scale       5. aggregator memory per trainee and replay time per million
#               events at each of --scale_sizes (linearity).
# --smoke runs every figure for seconds with tiny sizes. Not a test: never
# run by ctest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeats=3
duration=5
concurrency=16
events=1000000
scale_sizes="1000000,2000000,4000000"
fanout="1,10,100"
fresh_rates="2000,1500,1000,700,500"
watch_interval="10ms"
replay_partitions=128
only="write_path,fold,freshness,fanout,scale"
scale_repeats=""
out="$root/bench/results.json"
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke)
      repeats=1; duration=1; events=20000; scale_sizes="20000,40000,80000"
      fanout="1,10"; replay_partitions=16; shift ;;
    --only) only="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --scale_sizes) scale_sizes="$2"; shift 2 ;;
    --fanout) fanout="$2"; shift 2 ;;
    --fresh_rates) fresh_rates="$2"; shift 2 ;;
    --watch_interval) watch_interval="$2"; shift 2 ;;
    --partitions) replay_partitions="$2"; shift 2 ;;
    --scale_repeats) scale_repeats="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
want() { [[ ",$only," == *",$1,"* ]]; }
scale_repeats="${scale_repeats:-$repeats}"

if [ "${JIT_BENCH_SKIP_BUILD:-}" != "1" ]; then
  "$root/scripts/install-deps.sh"
  "$root/scripts/build.sh" >/dev/null
fi
bin="${JIT_BUILD_DIR:-$root/build}"
for b in tools/kafka-broker/jit-kafka-broker services/enrollment/jit-enrollment \
  services/aggregator/jit-aggregator bench/jit-loadgen bench/jit-bench-journeys \
  bench/jit-bench-consume bench/jit-bench-watch tools/dev-pki/jit-dev-pki; do
  [ -x "$bin/$b" ] || { echo "bench/run.sh: $bin/$b is missing (build with JIT_BUILD_BENCH=ON)" >&2; exit 1; }
done
py=/usr/bin/python3
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
# Stops the most recently started process.
stop_last() {
  kill -TERM "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
  unset 'pids[-1]'
}
# start_broker DIR PARTITIONS: sets $bootstrap.
start_broker() {
  mkdir -p "$1"
  "$bin/tools/kafka-broker/jit-kafka-broker" --partitions="$2" \
    --bootstrap_file="$1/bootstrap" >"$1/broker.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$1/bootstrap" ] && break; sleep 0.1; done
  bootstrap="$(cat "$1/bootstrap")"
}
# wait_ready LOG NAME: prints the gRPC port of the "<NAME> service ready" line.
wait_ready() {
  local port=""
  for _ in $(seq 1 300); do
    port="$(grep -o "\"msg\":\"$2 service ready\"[^}]*\"grpc_port\":[0-9]*" "$1" 2>/dev/null \
      | grep -o '"grpc_port":[0-9]*' | cut -d: -f2 || true)"
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$1" >&2; echo "$2 did not start" >&2; return 1; }
  echo "$port"
}
start_enrollment() {  # DIR SYNC: sets $enrollment_target
  JIT_ENROLLMENT_CIN_HASH_KEY="benchmark-key-not-secret-0001" \
    "$bin/services/enrollment/jit-enrollment" --grpc_address=127.0.0.1:0 \
    --admin_address=127.0.0.1:0 --db_path="$1/enrollment.db" \
    --sqlite_synchronous="$2" --kafka_bootstrap="$bootstrap" \
    --log_level=info --unready_grace=0s $(tls_flags enrollment) >"$1/enrollment.log" 2>&1 &
  pids+=($!)
  enrollment_target="127.0.0.1:$(wait_ready "$1/enrollment.log" enrollment)"
}
start_aggregator() {  # DIR FLAGS...: sets $aggregator_target, $aggregator_pid
  local dir="$1"; shift
  mkdir -p "$dir"
  "$bin/services/aggregator/jit-aggregator" --grpc_address=127.0.0.1:0 \
    --admin_address=127.0.0.1:0 --http_address=127.0.0.1:0 --db_path="$dir/aggregator.db" \
    --kafka_bootstrap="$bootstrap" --log_level=info --unready_grace=0s \
    $(tls_flags aggregator) "$@" \
    >"$dir/aggregator.log" 2>&1 &
  pids+=($!)
  aggregator_pid=$!
  aggregator_target="127.0.0.1:$(wait_ready "$dir/aggregator.log" aggregator)"
}
record() {  # FIGURE JSON-FIELDS RESULT
  echo "{\"figure\":\"$1\",$2,\"result\":$3}" >>"$results"
}

# Raw lines kept next to the JSON: an interrupted run can still be reported
# with `bench/report.py RAW OUT`.
results="${out%.json}.raw.jsonl"
: >"$results"
echo "bench/run.sh: figures $only; repeats $repeats; raw lines in $results" >&2

# --- figure 1 ---------------------------------------------------------------
if want write_path; then
  start_broker "$work/write" 16
fi

if want write_path; then
  for sync in full normal; do
    mkdir -p "$work/$sync"
    start_enrollment "$work/$sync" "$sync"
    cohort="$("$bin/bench/jit-loadgen" --target="$enrollment_target" --rpc=setup --run_id="$sync")"
    for rep in $(seq 1 "$repeats"); do
      for rpc in health submit; do
        line="$("$bin/bench/jit-loadgen" --target="$enrollment_target" --rpc="$rpc" \
          --concurrency="$concurrency" --duration="${duration}s" --warmup=1s \
          --cohort_id="$cohort" --run_id="$sync-$rep")"
        record write_path "\"synchronous\":\"$sync\",\"repeat\":$rep" "$line"
      done
    done
    stop_last
  done
fi

if want write_path; then
  stop_last  # write-path broker
fi

# --- live pipeline: figures 3 and 4 --------------------------------------
# Each variant on a fresh broker (no backlog): enrollment (synchronous=FULL)
# -> outbox relay -> broker -> jit-aggregator with watch pushes coalesced at
# --watch_interval (default 250 ms); the aggregator's other flags at their
# defaults.
rate=""
for variant in default; do
  want freshness || want fanout || continue
  start_broker "$work/live-$variant" 16
  start_aggregator "$work/live-$variant/aggregator" --watch_min_interval="$watch_interval"
  if want freshness; then
    mkdir -p "$work/live-$variant/enrollment"
    start_enrollment "$work/live-$variant/enrollment" full
    cohort="$("$bin/bench/jit-loadgen" --target="$enrollment_target" --rpc=setup --run_id="fresh-$variant")"
    if [ -z "$rate" ]; then
      # The highest of --fresh_rates the service sustains (short probes):
      # <= 1% of the calls not started on time for lack of a free slot (64
      # in flight), no error, achieved rate >= 95% of the offered one.
      for r in ${fresh_rates//,/ }; do
        probe="$("$bin/bench/jit-bench-watch" --mode=freshness --target="$aggregator_target" \
          --enrollment="$enrollment_target" --bootstrap="$bootstrap" --cohort_id="$cohort" \
          --rate="$r" --duration=2s --warmup=0.5s --run_id="probe-$r")"
        record freshness_probe "\"rate\":$r" "$probe"
        if "$py" -c 'import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if j["skipped_over_concurrency"]<=0.01*j["offered_rate"]*j["offered_seconds"] and j["errors"]==0 and j["achieved_rate"]>=0.95*j["offered_rate"] else 1)' "$probe"; then
          rate="$r"; break
        fi
      done
      if [ -z "$rate" ]; then rate="${fresh_rates##*,}"; fi
    fi
    for rep in $(seq 1 "$repeats"); do
      line="$("$bin/bench/jit-bench-watch" --mode=freshness --target="$aggregator_target" \
        --enrollment="$enrollment_target" --bootstrap="$bootstrap" --cohort_id="$cohort" \
        --rate="$rate" --duration="${duration}s" --warmup=1s --run_id="fresh-$variant-$rep")"
      record freshness "\"repeat\":$rep,\"variant\":\"$variant\",\"watch_interval\":\"$watch_interval\",\"target_rate\":2000" "$line"
    done
    stop_last  # enrollment
  fi
  if want fanout; then
    # Events stream in at a fixed rate (realistic journeys) while the
    # subscribers read; each configuration measured back to back.
    for rep in $(seq 1 "$repeats"); do
      for n in ${fanout//,/ } stalled; do
        subs="$n"; stalled=0
        if [ "$n" = stalled ]; then subs=10; stalled=1; fi
        "$bin/bench/jit-bench-journeys" --bootstrap="$bootstrap" --rate=5000 \
          --duration="$((duration + 3))s" --prefix="fan-$rep-$n" --check_retention=false \
          >/dev/null &
        pids+=($!)
        line="$("$bin/bench/jit-bench-watch" --mode=fanout --target="$aggregator_target" \
          --subscribers="$subs" --stalled="$stalled" --duration="${duration}s" --warmup=1.5s \
          --server_pid="$aggregator_pid")"
        wait "${pids[-1]}" || true; unset 'pids[-1]'
        record fanout "\"repeat\":$rep,\"watch_interval\":\"$watch_interval\",\"config\":\"$n\"" "$line"
      done
    done
  fi
  stop_last  # aggregator
  stop_last  # broker
done

# --- replay broker: figures 2 and 5 --------------------------------------
# The aggregator at its defaults (before the lag measurement used cached
# watermarks, --lag_interval=1h was needed here: see bench/README.md).
agg_flags=()
if want fold || want scale; then
  start_broker "$work/replay" "$replay_partitions"
  replay() {  # KIND EXPECT
    "$py" "$root/bench/replay.py" "$1" --bin "$bin" --bootstrap "$bootstrap" \
      --expect "$2" --work "$work/replay-run" -- "${agg_flags[@]}"
  }
  if want scale; then
    line="$(replay empty 0)"
    record scale_empty "\"repeat\":1" "$line"
  fi
  sizes="$events"
  if want scale; then
    sizes="$(echo "$scale_sizes,$(want fold && echo "$events")" | tr ',' '\n' | grep . | sort -nu | paste -sd,)"
  fi
  produced=0; trainees=0
  for size in ${sizes//,/ }; do
    if [ "$size" -gt "$produced" ]; then
      p="$("$bin/bench/jit-bench-journeys" --bootstrap="$bootstrap" \
        --events="$((size - produced))" --first_trainee="$trainees")"
      produced=$((produced + $(echo "$p" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["events"])')))
      trainees="$(echo "$p" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["next_trainee"])')"
    fi
    n_rep="$repeats"
    if ! { want fold && [ "$size" = "$events" ]; }; then n_rep="$scale_repeats"; fi
    for rep in $(seq 1 "$n_rep"); do
      if want fold && [ "$size" = "$events" ]; then
        record fold "\"repeat\":$rep,\"size\":$size,\"trainees\":$trainees" "$(replay plain "$produced")"
      fi
      line="$(replay aggregator "$produced")"
      if want fold && [ "$size" = "$events" ]; then
        record fold "\"repeat\":$rep,\"size\":$size,\"trainees\":$trainees" "$line"
      fi
      if want scale && [[ ",$scale_sizes," == *",$size,"* ]]; then
        record scale "\"repeat\":$rep,\"size\":$size,\"trainees\":$trainees" "$line"
      fi
    done
    if want fold && ! want scale; then break; fi
  done
  stop_last  # replay broker
fi

"$py" "$root/bench/report.py" "$results" "$out"
