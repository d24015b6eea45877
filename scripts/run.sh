#!/usr/bin/env bash
# Installs what is missing, builds, and starts the suite on the embedded
# defaults: the embedded Kafka broker (librdkafka's mock cluster) and every
# service binary that exists, with data and logs under the data folder.
# Ctrl-C or SIGTERM stops everything it started.
#
#   scripts/run.sh [--data-dir DIR] [--partitions N] [--simulate [N]]
#
# --simulate [N]  also run the journey simulator (N journeys, default 300) in
#                 the background against the suite; log: <data>/logs/simulator.log
# Environment: JIT_BUILD_DIR (binaries; default build/), JIT_RUN_SKIP_BUILD=1
# (no install, no build: run the binaries found there), JIT_RUN_PORT_OFFSET
# (added to every port, to run a second suite beside the first),
# JIT_SIMULATOR_* (simulator flags, see jit-simulator --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${JIT_DATA_DIR:-$root/.data}"
partitions="${JIT_PARTITIONS:-16}"
simulate=""
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --simulate)
      simulate=300; shift
      if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then simulate="$1"; shift; fi ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [ "${JIT_RUN_SKIP_BUILD:-0}" != 1 ]; then
  "$root/scripts/install-deps.sh"
  mkdir -p "$data_dir/logs"
  echo "building (the first build takes several minutes; log: $data_dir/logs/build.log)..."
  if ! "$root/scripts/build.sh" >"$data_dir/logs/build.log" 2>&1; then
    tail -30 "$data_dir/logs/build.log" >&2
    echo "build failed; full log: $data_dir/logs/build.log" >&2
    exit 1
  fi
fi
bin="${JIT_BUILD_DIR:-$root/build}"

# Listen addresses (loopback); JIT_RUN_PORT_OFFSET shifts every port.
port_offset="${JIT_RUN_PORT_OFFSET:-0}"
enrollment_grpc="127.0.0.1:$((50051 + port_offset))"; enrollment_admin="127.0.0.1:$((9101 + port_offset))"
progress_grpc="127.0.0.1:$((50052 + port_offset))"; progress_admin="127.0.0.1:$((9102 + port_offset))"
placement_grpc="127.0.0.1:$((50053 + port_offset))"; placement_admin="127.0.0.1:$((9103 + port_offset))"
aggregator_grpc="127.0.0.1:$((50054 + port_offset))"; aggregator_admin="127.0.0.1:$((9104 + port_offset))"
dashboard_http="127.0.0.1:$((8080 + port_offset))"

mkdir -p "$data_dir/logs"
data_dir="$(cd "$data_dir" && pwd)"
pids=()
sim_pid=""
# Stops services first (they drain and flush their outbox), the broker last.
stop_all() {
  trap - INT TERM EXIT
  if [ -n "$sim_pid" ]; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  if [ ${#pids[@]} -gt 0 ]; then
    echo "stopping ${#pids[@]} process(es)..."
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
      kill -TERM "${pids[i]}" 2>/dev/null || true
      wait "${pids[i]}" 2>/dev/null || true
    done
  fi
  echo "stopped."
  exit 0
}
trap stop_all INT TERM EXIT

# 1. The embedded broker publishes its (random) bootstrap address in a file.
bootstrap_file="$data_dir/kafka.bootstrap"
rm -f "$bootstrap_file"
"$bin/tools/kafka-broker/jit-kafka-broker" --partitions="$partitions" \
  --bootstrap_file="$bootstrap_file" >"$data_dir/logs/kafka-broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$bootstrap_file" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$data_dir/logs/kafka-broker.log"; exit 1; }
  sleep 0.1
done
[ -s "$bootstrap_file" ] || { echo "embedded broker did not start" >&2; exit 1; }
bootstrap="$(cat "$bootstrap_file")"

# A secret for the keyed hash of national IDs, made once per data folder.
key_file="$data_dir/secrets/cin_hash_key"
if [ ! -s "$key_file" ]; then
  mkdir -p "$data_dir/secrets" && chmod 700 "$data_dir/secrets"
  head -c 32 /dev/urandom | base64 >"$key_file" && chmod 600 "$key_file"
fi

# start_service NAME BINARY ARGS... : starts a service, waits for its ready line.
start_service() {
  local name="$1" binary="$2"; shift 2
  [ -x "$binary" ] || return 0
  "$binary" "$@" >"$data_dir/logs/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do
    grep -q '"msg":"'"$name"' service ready"' "$data_dir/logs/$name.log" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "$name failed to start:" >&2; tail -20 "$data_dir/logs/$name.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not become ready; see $data_dir/logs/$name.log" >&2; exit 1
}

JIT_ENROLLMENT_CIN_HASH_KEY="$(cat "$key_file")" start_service enrollment \
  "$bin/services/enrollment/jit-enrollment" \
  --grpc_address="$enrollment_grpc" --admin_address="$enrollment_admin" \
  --db_path="$data_dir/enrollment/enrollment.db" --kafka_bootstrap="$bootstrap"

start_service training-progress \
  "$bin/services/training-progress/jit-training-progress" \
  --grpc_address="$progress_grpc" --admin_address="$progress_admin" \
  --db_path="$data_dir/training-progress/training-progress.db" --kafka_bootstrap="$bootstrap" \
  --enrollment_address="$enrollment_grpc"

start_service placement \
  "$bin/services/placement/jit-placement" \
  --grpc_address="$placement_grpc" --admin_address="$placement_admin" \
  --db_path="$data_dir/placement/placement.db" --kafka_bootstrap="$bootstrap" \
  --progress_address="$progress_grpc" --enrollment_address="$enrollment_grpc"

start_service aggregator \
  "$bin/services/aggregator/jit-aggregator" \
  --grpc_address="$aggregator_grpc" --admin_address="$aggregator_admin" \
  --http_address="$dashboard_http" \
  --db_path="$data_dir/aggregator/aggregator.db" --kafka_bootstrap="$bootstrap"

echo "JobInTech suite is up (embedded defaults)"
echo "  kafka bootstrap : $bootstrap   (also in $bootstrap_file)"
[ -x "$bin/services/enrollment/jit-enrollment" ] && \
  echo "  enrollment      : gRPC $enrollment_grpc, metrics http://$enrollment_admin/metrics"
[ -x "$bin/services/training-progress/jit-training-progress" ] && \
  echo "  training-progress: gRPC $progress_grpc, metrics http://$progress_admin/metrics"
[ -x "$bin/services/placement/jit-placement" ] && \
  echo "  placement       : gRPC $placement_grpc, metrics http://$placement_admin/metrics"
[ -x "$bin/services/aggregator/jit-aggregator" ] && \
  echo "  aggregator      : gRPC $aggregator_grpc, metrics http://$aggregator_admin/metrics" && \
  echo "  dashboard       : http://$dashboard_http/   (JSON: http://$dashboard_http/api/v1/summary)"
echo "  data folder     : $data_dir"
echo "  logs            : $data_dir/logs/"
if [ -n "$simulate" ]; then
  if [ -x "$bin/tools/simulator/jit-simulator" ]; then
    "$bin/tools/simulator/jit-simulator" --journeys="$simulate" \
      --enrollment_address="$enrollment_grpc" --progress_address="$progress_grpc" \
      --placement_address="$placement_grpc" --aggregator_address="$aggregator_grpc" \
      >"$data_dir/logs/simulator.log" 2>&1 &
    sim_pid=$!
    echo "  simulator       : $simulate journeys in the background, log $data_dir/logs/simulator.log"
  else
    echo "  simulator       : not built ($bin/tools/simulator/jit-simulator)" >&2
  fi
fi
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}" || true
echo "a process of the suite exited; see $data_dir/logs/" >&2
