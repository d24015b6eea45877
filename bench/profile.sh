#!/usr/bin/env bash
# Profiles a benchmark workload with valgrind's callgrind (perf is not
# installed here) and prints the top functions by inclusive cost.
#
#   bench/profile.sh write_path [SECONDS]   jit-enrollment under jit-loadgen
#                                           (SubmitApplication, 16 in flight)
#   bench/profile.sh fold [EVENTS]          jit-aggregator replaying EVENTS
#                                           lifecycle records (default 50000)
#
# Output: callgrind.out.* and the annotated top list in $JIT_PROFILE_DIR
# (default <build>/bench/profiles/). Uses $JIT_BUILD_DIR (default
# build/). Every process started is stopped on exit (also on Ctrl-C).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${JIT_BUILD_DIR:-$root/build}"
what="${1:?usage: bench/profile.sh write_path|fold [arg]}"
outdir="${JIT_PROFILE_DIR:-$bin/bench/profiles}"
mkdir -p "$outdir"
command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/install-deps.sh)" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

"$bin/tools/kafka-broker/jit-kafka-broker" --partitions=16 \
  --bootstrap_file="$work/bootstrap" >"$work/broker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
bootstrap="$(cat "$work/bootstrap")"
port_of() {  # LOG NAME FIELD
  for _ in $(seq 1 600); do
    p="$(grep -o "\"msg\":\"$2 service ready\"[^}]*\"$3\":[0-9]*" "$1" 2>/dev/null \
      | grep -o "\"$3\":[0-9]*" | cut -d: -f2 || true)"
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.2
  done
  cat "$1" >&2; return 1
}
vg=(valgrind --tool=callgrind --callgrind-out-file="$outdir/callgrind.out.$what")

case "$what" in
  write_path)
    seconds="${2:-10}"
    JIT_ENROLLMENT_CIN_HASH_KEY="benchmark-key-not-secret-0001" "${vg[@]}" \
      "$bin/services/enrollment/jit-enrollment" --grpc_address=127.0.0.1:0 \
      --admin_address=127.0.0.1:0 --db_path="$work/enrollment.db" \
      --kafka_bootstrap="$bootstrap" --unready_grace=0s $(tls_flags enrollment) \
      >"$work/service.log" 2>&1 &
    pids+=($!)
    target="127.0.0.1:$(port_of "$work/service.log" enrollment grpc_port)"
    cohort="$("$bin/bench/jit-loadgen" --target="$target" --rpc=setup --run_id=prof)"
    "$bin/bench/jit-loadgen" --target="$target" --rpc=submit --concurrency=16 \
      --duration="${seconds}s" --warmup=1s --cohort_id="$cohort" --run_id=prof
    kill -TERM "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'
    ;;
  fold)
    events="${2:-50000}"
    produced="$("$bin/bench/jit-bench-journeys" --bootstrap="$bootstrap" --events="$events" \
      | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')"
    "${vg[@]}" "$bin/services/aggregator/jit-aggregator" --grpc_address=127.0.0.1:0 \
      --admin_address=127.0.0.1:0 --http_address=127.0.0.1:0 --db_path="$work/aggregator.db" \
      --kafka_bootstrap="$bootstrap" --unready_grace=0s $(tls_flags aggregator) \
      >"$work/service.log" 2>&1 &
    pids+=($!)
    admin="$(port_of "$work/service.log" aggregator admin_port)"
    while :; do
      n="$(curl -s "127.0.0.1:$admin/metrics" | awk '/^jit_aggregator_events_total\{/ {s+=$2} END {printf "%d", s}')"
      [ "$n" -ge "$produced" ] && break
      sleep 1
    done
    echo "folded $n records" >&2
    # Dump now (the shutdown's final checkpoint is not part of the fold).
    callgrind_control -d "${pids[-1]}" >/dev/null
    kill -KILL "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
    ;;
  *) echo "bench/profile.sh: unknown workload '$what'" >&2; exit 2 ;;
esac
f="$(ls -t "$outdir"/callgrind.out."$what"* | head -1)"
callgrind_annotate --inclusive=yes "$f" >"$outdir/$what.annotate.txt" 2>/dev/null
head -60 "$outdir/$what.annotate.txt" >"$outdir/$what.top.txt"
echo "profile: $f; top functions: $outdir/$what.top.txt" >&2
