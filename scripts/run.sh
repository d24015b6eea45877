#!/usr/bin/env bash
# Installs what is missing, builds, and starts the suite on the embedded
# defaults: the embedded Kafka broker (librdkafka's mock cluster) and every
# service binary that exists, with data and logs under the data folder.
# Ctrl-C or SIGTERM stops everything it started.
#
#   scripts/run.sh [--data-dir DIR] [--partitions N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data_dir="${JIT_DATA_DIR:-$root/.data}"
partitions="${JIT_PARTITIONS:-16}"
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data_dir="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

"$root/scripts/install-deps.sh"
mkdir -p "$data_dir/logs"
echo "building (the first build takes several minutes; log: $data_dir/logs/build.log)..."
if ! "$root/scripts/build.sh" >"$data_dir/logs/build.log" 2>&1; then
  tail -30 "$data_dir/logs/build.log" >&2
  echo "build failed; full log: $data_dir/logs/build.log" >&2
  exit 1
fi
bin="${JIT_BUILD_DIR:-$root/build}"

mkdir -p "$data_dir/logs"
data_dir="$(cd "$data_dir" && pwd)"
pids=()
# Stops services first (they drain and flush their outbox), the broker last.
stop_all() {
  trap - INT TERM EXIT
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
  --grpc_address=127.0.0.1:50051 --admin_address=127.0.0.1:9101 \
  --db_path="$data_dir/enrollment/enrollment.db" --kafka_bootstrap="$bootstrap"

echo "JobInTech suite is up (embedded defaults)"
echo "  kafka bootstrap : $bootstrap   (also in $bootstrap_file)"
[ -x "$bin/services/enrollment/jit-enrollment" ] && \
  echo "  enrollment      : gRPC 127.0.0.1:50051, metrics http://127.0.0.1:9101/metrics"
echo "  data folder     : $data_dir"
echo "  logs            : $data_dir/logs/"
echo "Press Ctrl-C to stop."
wait -n "${pids[@]}" || true
echo "a process of the suite exited; see $data_dir/logs/" >&2
