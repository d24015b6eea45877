# Shared helpers of the end-to-end tests (sourced). They start the suite the
# way a new user does (scripts/run.sh), on this build's binaries and on
# shifted ports, and check it stops cleanly.
set -euo pipefail
src="${JIT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
bin="${JIT_BINARY_DIR:-$src/build}"
jitctl="$bin/tools/jitctl/jitctl"
simulator="$bin/tools/simulator/jit-simulator"
work="$(mktemp -d "${TMPDIR:-/tmp}/jit-e2e.XXXXXX")"
export JITCTL_JOURNAL="$work/import-journal.tsv" JITCTL_IMPORT_KEY_FILE="$work/import.key"
run_pid=""

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# JSON and HTTP with python3 only (a dependency of the build already).
# jget EXPR: prints a Python expression of the JSON document on stdin (as d);
# dicts and lists as canonical JSON. jtest EXPR: succeeds when it is true.
jget() {
  python3 -c 'import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(json.dumps(r, sort_keys=True, separators=(",", ":")) if isinstance(r, (dict, list, bool)) or r is None else r)' "$1"
}
jtest() { python3 -c 'import json, sys; d = json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else 1)' "$1"; }
# GET a URL; with HTTP_TOKEN set, as that bearer.
http_get() {
  python3 -c 'import os, sys, urllib.request
req = urllib.request.Request(sys.argv[1])
if os.environ.get("HTTP_TOKEN"): req.add_header("Authorization", "Bearer " + os.environ["HTTP_TOKEN"])
sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())' "$1"
}
http_ok() { http_get "$1" >/dev/null 2>&1; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/run*.log "$work"/data*/logs/*.log; do
    [ -f "$f" ] || continue
    echo "----- $f (last 15 lines)" >&2
    tail -15 "$f" >&2
  done
  exit 1
}

# Ports: every port of the suite is shifted by one offset, chosen free.
port_free() { python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }
pick_offset() {
  local off p ok
  for _ in $(seq 1 50); do
    off=$((2000 + RANDOM % 5000))
    ok=1
    for p in 50051 50052 50053 50054 9101 9102 9103 9104 8080; do
      port_free $((p + off)) || { ok=0; break; }
    done
    [ $ok = 1 ] && { echo "$off"; return 0; }
  done
  return 1
}
offset="$(pick_offset)" || fail "no free ports"
export JITCTL_ENROLLMENT="127.0.0.1:$((50051 + offset))"
export JITCTL_PROGRESS="127.0.0.1:$((50052 + offset))"
export JITCTL_PLACEMENT="127.0.0.1:$((50053 + offset))"
export JITCTL_AGGREGATOR="127.0.0.1:$((50054 + offset))"
http="127.0.0.1:$((8080 + offset))"
admin_ports="$((9101 + offset)) $((9102 + offset)) $((9103 + offset)) $((9104 + offset))"

# Processes of a suite: every binary gets its data folder on its command line
# (and the simulator, started by run.sh, has the enrollment address).
suite_processes() {
  local d
  for d in /proc/[0-9]*; do
    [ "${d#/proc/}" = "$$" ] && continue
    tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -e "$1/" -e "=$JITCTL_ENROLLMENT" && echo "${d#/proc/}"
  done
  return 0
}

# start_suite DATA_DIR LOG [run.sh args...]: runs scripts/run.sh in the
# background and waits until it says the suite is up and every service is
# healthy.
start_suite() {
  local data="$1" out="$2"; shift 2
  JIT_BUILD_DIR="$bin" JIT_RUN_SKIP_BUILD=1 JIT_RUN_PORT_OFFSET="$offset" \
    bash "${JIT_E2E_RUN_SCRIPT:-$src/scripts/run.sh}" --data-dir "$data" --partitions 4 "$@" >"$out" 2>&1 &
  run_pid=$!
  for _ in $(seq 1 600); do
    grep -q "Press Ctrl-C to stop" "$out" 2>/dev/null && break
    kill -0 "$run_pid" 2>/dev/null || fail "scripts/run.sh exited before the suite was up"
    sleep 0.2
  done
  grep -q "Press Ctrl-C to stop" "$out" || fail "the suite did not come up in 120 s"
  for name in enrollment training-progress placement aggregator; do
    grep -q "\"msg\":\"$name service ready\"" "$data/logs/$name.log" 2>/dev/null ||
      fail "scripts/run.sh did not start the $name service (is its block in scripts/run.sh?)"
  done
  for port in $admin_ports; do
    for _ in $(seq 1 100); do
      http_ok "http://127.0.0.1:$port/readyz" && break
      sleep 0.2
    done
    http_ok "http://127.0.0.1:$port/readyz" || fail "admin port $port not ready"
  done
  # The leftover check below must be able to see the suite: broker + 4 services.
  [ "$(suite_processes "$data" | wc -l)" -ge 5 ] || fail "cannot see the suite's processes in /proc"
  # jitctl over TLS as a programme administrator, as the README says.
  export JITCTL_CA_FILE="$data/pki/ca.crt" JITCTL_PKI_DIR="$data/pki"
  JITCTL_TOKEN="$("$jitctl" auth dev-token --role programme-admin --subject e2e-admin)" ||
    fail "jitctl auth dev-token failed"
  export JITCTL_TOKEN
  printf '%s\n' "$JITCTL_TOKEN" >"$work/admin.token"
  log "suite up (ports +$offset), data $data"
}

# stop_suite DATA_DIR: SIGTERM to run.sh, then nothing of the suite may be left.
stop_suite() {
  local data="$1"
  [ -n "$run_pid" ] || return 0
  kill -TERM "$run_pid"
  for _ in $(seq 1 300); do
    kill -0 "$run_pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -0 "$run_pid" 2>/dev/null && fail "scripts/run.sh still running 60 s after SIGTERM"
  wait "$run_pid" 2>/dev/null || true
  run_pid=""
  local left
  left="$(suite_processes "$data")"
  [ -z "$left" ] || fail "processes left running after stop: $(for p in $left; do tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-120; echo; done)"
  for port in $admin_ports; do
    port_free "$port" || fail "port $port still bound after stop"
  done
  log "suite stopped, nothing left running"
}

cleanup() {
  local rc=$?
  if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then
    kill -TERM "$run_pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  if [ $rc -eq 0 ]; then rm -rf "$work"; else echo "kept $work for inspection" >&2; fi
}
trap cleanup EXIT

# National figures (internal view) as {"metric": value, ...}.
figures_of() { jget '{f["metricId"]: f.get("value", 0) for f in d["summary"]["figures"]}'; }
# Internal views over HTTP need an analyst's token (run.sh's dev PKI signs it).
analyst_token=""
figures_http() {
  [ -n "$analyst_token" ] ||
    analyst_token="$("$bin/tools/dev-pki/jit-dev-pki" --dir="$data/pki" --print_token=analyst)"
  HTTP_TOKEN="$analyst_token" http_get "http://$http/api/v1/summary?visibility=internal" | figures_of
}
figures_grpc() { "$jitctl" dashboard national --internal --output json | figures_of; }
state_version() { "$jitctl" dashboard national --internal --output json | jget 'd["summary"].get("stateVersion", 0)'; }

# wait_figure METRIC VALUE: until the HTTP view shows it (30 s).
wait_figure() {
  local metric="$1" want="$2" got=""
  for _ in $(seq 1 150); do
    got="$(figures_http | jget "d.get('$metric', 0)")"
    [ "$got" = "$want" ] && return 0
    sleep 0.2
  done
  fail "figure $metric is $got, expected $want"
}

# settle: until the aggregator's state stops moving (3 equal readings).
settle() {
  local last="" same=0 v
  for _ in $(seq 1 120); do
    v="$(state_version)"
    if [ "$v" = "$last" ]; then same=$((same + 1)); else same=0; fi
    last="$v"
    [ $same -ge 3 ] && return 0
    sleep 0.5
  done
  fail "the aggregator did not settle"
}
