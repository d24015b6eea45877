#!/usr/bin/env bash
# Installs what is missing, builds what the suite runs, and starts the suite
# on the embedded defaults: the embedded Kafka broker (librdkafka's mock
# cluster) and every service binary that exists, with data and logs under the
# data folder. It then supervises them: a service that exits (a crash, kill -9)
# is restarted with a backoff (1 s, 2 s, 4 s ... up to 30 s; back to 1 s once
# it has stayed up 60 s), logged on the console and in <data>/logs/run.log,
# while the broker (which holds every topic in memory) and the other services
# keep running. Ctrl-C or SIGTERM stops everything it started (services first,
# the broker last); so does the broker's own exit, since its topics are gone.
#
#   scripts/run.sh [--data-dir DIR] [--partitions N] [--simulate [N]]
#
# --simulate [N]  also run the journey simulator (N journeys, default 300) in
#                 the background against the suite; log: <data>/logs/simulator.log
# Environment: JIT_BUILD_DIR (binaries; default build/), JIT_RUN_SKIP_BUILD=1
# (no install, no build: run the binaries found there), JIT_RUN_PORT_OFFSET
# (added to every port, to run a second suite beside the first),
# JIT_RUN_RESTART_MAX_DELAY (seconds, default 30), JIT_RUN_RESTART_RESET_AFTER
# (seconds up that reset the backoff, default 60), JIT_SIMULATOR_* (simulator
# flags, see jit-simulator --help).
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
  # Only what the suite runs; scripts/test.sh builds the tests and benchmarks.
  echo "building the suite's binaries (the first build takes a few minutes; log: $data_dir/logs/build.log)..."
  if ! "$root/scripts/build.sh" jit-kafka-broker jit-enrollment jit-training-progress jit-placement \
    jit-aggregator jitctl jit-simulator jit-dev-pki >"$data_dir/logs/build.log" 2>&1; then
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
run_log="$data_dir/logs/run.log"
: >"$run_log"
restart_max_delay="${JIT_RUN_RESTART_MAX_DELAY:-30}"
restart_reset_after="${JIT_RUN_RESTART_RESET_AFTER:-60}"

# The supervised processes, by slot: 0 is the broker, then the services in
# start order. A slot's pid is empty while it waits for its restart.
names=() binaries=() argv=() envs=() pid=() started=() delay=() restart_at=() restarts=()
sim_pid=""
timer_pid=""

# note LEVEL MESSAGE: on the console (stderr for warnings) and in run.log.
note() {
  local level="$1" msg="$2"
  if [ "$level" = info ]; then echo "$msg"; else echo "$msg" >&2; fi
  printf '{"ts":"%s","level":"%s","msg":"%s"}\n' "$(date -u +%FT%T.%3NZ)" "$level" "${msg//\"/\\\"}" >>"$run_log"
}

# Stops services first (they drain and flush their outbox), the broker last.
# stop_all [STATUS]
stop_all() {
  local status="${1:-$?}" i
  trap - INT TERM EXIT
  [ -z "$timer_pid" ] || { kill "$timer_pid" 2>/dev/null; wait "$timer_pid" 2>/dev/null; } || true
  if [ -n "$sim_pid" ]; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  local running=0
  for ((i = 0; i < ${#names[@]}; i++)); do [ -z "${pid[i]}" ] || running=$((running + 1)); done
  if [ $running -gt 0 ]; then
    echo "stopping $running process(es)..."
    for ((i = ${#names[@]} - 1; i >= 0; i--)); do
      [ -n "${pid[i]}" ] || continue
      kill -TERM "${pid[i]}" 2>/dev/null || true
      wait "${pid[i]}" 2>/dev/null || true
    done
  fi
  echo "stopped."
  printf '{"ts":"%s","level":"info","msg":"suite stopped"}\n' "$(date -u +%FT%T.%3NZ)" >>"$run_log"
  exit "$status"
}
trap 'stop_all 0' INT TERM
trap 'stop_all' EXIT

# launch SLOT: starts the slot's process, its output appended to its log,
# with the slot's variables (names in envs[SLOT]) exported to it alone.
exec_slot() {
  local i="$1" args v
  eval "args=(${argv[i]})"
  for v in ${envs[i]}; do export "${v?}"; done
  exec "${binaries[i]}" "${args[@]}"
}
launch() {
  local i="$1"
  exec_slot "$i" >>"$data_dir/logs/${names[i]}.log" 2>&1 &
  pid[i]=$!
  started[i]=$SECONDS
}

# wait_ready SLOT READY_LINES_BEFORE: until the slot's log has one more ready
# line than before (30 s); fails if the process exits first.
wait_ready() {
  local i="$1" before="$2" name="${names[i]}" log="$data_dir/logs/${names[i]}.log"
  for _ in $(seq 1 300); do
    [ "$(grep -c '"msg":"'"$name"' service ready"' "$log" 2>/dev/null)" -gt "$before" ] && return 0
    kill -0 "${pid[i]}" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
ready_lines() { grep -c '"msg":"'"$1"' service ready"' "$data_dir/logs/$1.log" 2>/dev/null || true; }

# 1. The embedded broker publishes its (random) bootstrap address in a file.
bootstrap_file="$data_dir/kafka.bootstrap"
rm -f "$bootstrap_file"
: >"$data_dir/logs/kafka-broker.log"
names+=(kafka-broker); binaries+=("$bin/tools/kafka-broker/jit-kafka-broker")
argv+=("$(printf '%q ' --partitions="$partitions" --bootstrap_file="$bootstrap_file")"); envs+=("")
delay+=(1); restart_at+=(0); restarts+=(0); pid+=(""); started+=(0)
launch 0
note info "started the embedded broker (pid ${pid[0]})"
for _ in $(seq 1 100); do
  [ -s "$bootstrap_file" ] && break
  kill -0 "${pid[0]}" 2>/dev/null || { cat "$data_dir/logs/kafka-broker.log"; pid[0]=""; exit 1; }
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
# Not exported: given to the enrollment service alone (start_service below).
JIT_ENROLLMENT_CIN_HASH_KEY="$(cat "$key_file")"

# The development PKI (CA, service certificates, token key pair), made once
# per data folder and renewed when it expires. Development bearer tokens:
#   build/tools/dev-pki/jit-dev-pki --dir "$data_dir/pki" --print_token analyst
pki_dir="$data_dir/pki"
"$bin/tools/dev-pki/jit-dev-pki" --dir="$pki_dir" >"$data_dir/logs/dev-pki.log" 2>&1 ||
  { cat "$data_dir/logs/dev-pki.log" >&2; exit 1; }
token_flags=(--token_issuer=jobintech-dev --token_audience=jobintech-platform
  --token_keys_file="$pki_dir/token-keys.pem")
# The simulator acts as a programme administrator: a dev token (0600), fresh
# on every start (README: jit-simulator --token_file=<data>/secrets/simulator.token).
sim_token="$data_dir/secrets/simulator.token"
(umask 077 && "$bin/tools/dev-pki/jit-dev-pki" --dir="$pki_dir" --print_token=programme-admin \
  --token_subject=simulator --token_lifetime=24h >"$sim_token") ||
  { echo "run.sh: cannot mint the simulator's development token" >&2; exit 1; }
# tls_flags NAME: the service's certificate (its SPIFFE id) and the CA.
tls_flags() {
  printf '%s\n' --tls_cert_file="$pki_dir/$1.crt" --tls_key_file="$pki_dir/$1.key" \
    --tls_ca_file="$pki_dir/ca.crt"
}
mapfile -t enrollment_tls < <(tls_flags enrollment)
mapfile -t progress_tls < <(tls_flags training-progress)
mapfile -t placement_tls < <(tls_flags placement)
mapfile -t aggregator_tls < <(tls_flags aggregator)

# start_service NAME "ENV_NAMES" BINARY ARGS... : starts a service (if built)
# with the shell variables named in ENV_NAMES in its environment, waits for
# its ready line, and supervises it from then on.
start_service() {
  local name="$1" env_names="$2" binary="$3"; shift 3
  [ -x "$binary" ] || return 0
  local i=${#names[@]}
  names+=("$name"); binaries+=("$binary"); argv+=("$(printf '%q ' "$@")"); envs+=("$env_names")
  delay+=(1); restart_at+=(0); restarts+=(0); pid+=(""); started+=(0)
  : >"$data_dir/logs/$name.log"
  launch "$i"
  if ! wait_ready "$i" 0; then
    if kill -0 "${pid[i]}" 2>/dev/null; then
      echo "$name did not become ready; see $data_dir/logs/$name.log" >&2
    else
      echo "$name failed to start:" >&2; tail -20 "$data_dir/logs/$name.log" >&2; pid[i]=""
    fi
    exit 1
  fi
}

start_service enrollment JIT_ENROLLMENT_CIN_HASH_KEY \
  "$bin/services/enrollment/jit-enrollment" \
  --grpc_address="$enrollment_grpc" --admin_address="$enrollment_admin" \
  --db_path="$data_dir/enrollment/enrollment.db" --kafka_bootstrap="$bootstrap" \
  "${enrollment_tls[@]}" "${token_flags[@]}"

start_service training-progress "" \
  "$bin/services/training-progress/jit-training-progress" \
  --grpc_address="$progress_grpc" --admin_address="$progress_admin" \
  --db_path="$data_dir/training-progress/training-progress.db" --kafka_bootstrap="$bootstrap" \
  --enrollment_address="$enrollment_grpc" \
  "${progress_tls[@]}" "${token_flags[@]}"

start_service placement "" \
  "$bin/services/placement/jit-placement" \
  --grpc_address="$placement_grpc" --admin_address="$placement_admin" \
  --db_path="$data_dir/placement/placement.db" --kafka_bootstrap="$bootstrap" \
  --progress_address="$progress_grpc" --enrollment_address="$enrollment_grpc" \
  "${placement_tls[@]}" "${token_flags[@]}"

start_service aggregator "" \
  "$bin/services/aggregator/jit-aggregator" \
  --grpc_address="$aggregator_grpc" --admin_address="$aggregator_admin" \
  --http_address="$dashboard_http" \
  --db_path="$data_dir/aggregator/aggregator.db" --kafka_bootstrap="$bootstrap" \
  "${aggregator_tls[@]}" "${token_flags[@]}"

note info "JobInTech suite is up (embedded defaults)"
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
echo "  security        : TLS on every gRPC port (CA $pki_dir/ca.crt), bearer tokens; for jitctl:"
echo "                    export JITCTL_CA_FILE=$pki_dir/ca.crt JITCTL_PKI_DIR=$pki_dir"
echo "                    export JITCTL_TOKEN=\$($bin/tools/jitctl/jitctl auth dev-token --role programme-admin)"
echo "  data folder     : $data_dir"
echo "  logs            : $data_dir/logs/   (restarts: $run_log)"
echo "  pids            : $(for ((i = 0; i < ${#names[@]}; i++)); do printf '%s=%s ' "${names[i]}" "${pid[i]}"; done)"
if [ -n "$simulate" ]; then
  if [ -x "$bin/tools/simulator/jit-simulator" ]; then
    "$bin/tools/simulator/jit-simulator" --journeys="$simulate" \
      --ca_file="$pki_dir/ca.crt" --token_file="$sim_token" \
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

# exit_text STATUS: how a process ended, from its wait status.
exit_text() {
  if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128)) ($(kill -l $(($1 - 128)) 2>/dev/null || echo '?'))"
  else echo "exited with status $1"; fi
}

# 2. Supervise: wait for any supervised process (or the restart timer) to end.
while true; do
  waiting=()
  next_due=""
  for ((i = 0; i < ${#names[@]}; i++)); do
    if [ -n "${pid[i]}" ]; then
      waiting+=("${pid[i]}")
    elif [ -z "$next_due" ] || [ "${restart_at[i]}" -lt "$next_due" ]; then
      next_due="${restart_at[i]}"
    fi
  done
  if [ -n "$next_due" ] && [ -z "$timer_pid" ]; then
    sleep "$((next_due > SECONDS ? next_due - SECONDS : 0))" &
    timer_pid=$!
  fi
  [ -z "$timer_pid" ] || waiting+=("$timer_pid")
  ended=""
  status=0
  # (stderr: bash's own "Killed" notice; the supervisor's line says more)
  wait -n -p ended "${waiting[@]}" 2>/dev/null || status=$?
  [ -n "$ended" ] || continue

  if [ "$ended" = "$timer_pid" ]; then
    timer_pid=""
    for ((i = 1; i < ${#names[@]}; i++)); do
      [ -z "${pid[i]}" ] && [ "${restart_at[i]}" -le "$SECONDS" ] || continue
      before="$(ready_lines "${names[i]}")"
      launch "$i"
      restarts[i]=$((restarts[i] + 1))
      if wait_ready "$i" "$before"; then
        note info "restarted ${names[i]} (pid ${pid[i]}, restart #${restarts[i]}); ready"
      elif kill -0 "${pid[i]}" 2>/dev/null; then
        note warn "restarted ${names[i]} (pid ${pid[i]}, restart #${restarts[i]}) but it is not ready after 30 s; see $data_dir/logs/${names[i]}.log"
      else
        note warn "restarted ${names[i]} (pid ${pid[i]}, restart #${restarts[i]}) but it exited during start-up; see $data_dir/logs/${names[i]}.log"
      fi
    done
    continue
  fi

  for ((i = 0; i < ${#names[@]}; i++)); do [ "${pid[i]}" = "$ended" ] && break; done
  [ "$i" -lt "${#names[@]}" ] || continue
  pid[i]=""
  if [ "$i" -eq 0 ]; then
    note error "the embedded Kafka broker (pid $ended) $(exit_text "$status"): every topic it held in memory is gone, so the suite stops; see $data_dir/logs/kafka-broker.log"
    stop_all 1
  fi
  # Up long enough: the crash is not part of a crash loop, start again from 1 s.
  if [ $((SECONDS - started[i])) -ge "$restart_reset_after" ]; then delay[i]=1; fi
  restart_at[i]=$((SECONDS + delay[i]))
  note warn "${names[i]} (pid $ended) $(exit_text "$status"); restarting it in ${delay[i]} s (the broker and the other services keep running; log: $data_dir/logs/${names[i]}.log)"
  delay[i]=$((delay[i] * 2 > restart_max_delay ? restart_max_delay : delay[i] * 2))
  # A sooner restart than the running timer's: restart the timer.
  if [ -n "$timer_pid" ]; then kill "$timer_pid" 2>/dev/null || true; wait "$timer_pid" 2>/dev/null || true; timer_pid=""; fi
done
