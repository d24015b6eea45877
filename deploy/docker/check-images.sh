#!/usr/bin/env bash
# Really builds the service images on this machine, with no registry, and
# checks what is in them; prints a summary and exits non-zero on a failed
# check. Not part of ctest (the build takes 10-40 minutes on 2 cores); its
# last result is recorded in deploy/README.md ("Container images").
#
#   deploy/docker/check-images.sh [--skip-build] [--ccache-dir DIR] [--jobs N]
#       [--base IMAGE] [--registry R] [--no-suite] [--journeys N]
#       [--port-offset N] [SERVICE...]
#
# 1. make-base-image.sh: a Debian 12 minbase image made with debootstrap and
#    imported with podman (skipped when it exists);
# 2. build-images.sh --engine buildah --base IMAGE (--isolation chroot) into
#    localhost/jobintech/jit-<svc>:<tag>; --ccache-dir DIR reuses a compiler
#    cache (and builds RelWithDebInfo, what scripts/build.sh caches; the
#    binaries are stripped either way); --skip-build checks existing images;
# 3. per image, in a working container run with `buildah run --isolation
#    chroot` (podman run cannot start containers here: see deploy/README.md):
#    the image's USER is numeric and not root, the binary runs as that user
#    (--version equals the image's version label, --help), ldd finds every
#    library, no -dev package, no compiler or build tool, the data folder is
#    owned by the user, no apt caches; and its size;
# 4. unless --no-suite: the suite in containers. The embedded broker, the dev
#    PKI and the simulator run on the host (binaries of the local build,
#    $JIT_BUILD_DIR or build/; skipped if missing); each service image runs
#    with `podman run --runtime runc` as its USER, with a read-only root
#    filesystem, no capabilities, no-new-privileges, its data folder and the
#    PKI mounted, on the host network (ports + --port-offset, default 1300);
#    each must log "ready" and answer /readyz, then the simulator drives
#    --journeys N (default 40) journeys through them and must succeed.
# Needs root, buildah, podman, runc and debootstrap (Debian packages).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/deploy/docker"
registry="localhost/jobintech"
base="localhost/jit-debian:12-minbase"
skip_build=0
suite=1
journeys=40
port_offset=1300
build_dir="${JIT_BUILD_DIR:-$root/build}"
ccache_dir=""
jobs=2
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) skip_build=1; shift ;;
    --no-suite) suite=0; shift ;;
    --journeys) journeys="$2"; shift 2 ;;
    --port-offset) port_offset="$2"; shift 2 ;;
    --ccache-dir) ccache_dir="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --registry) registry="$2"; shift 2 ;;
    -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "check-images.sh: unknown option '$1'" >&2; exit 2 ;;
    *) services+=("$1"); shift ;;
  esac
done
if [ ${#services[@]} -eq 0 ]; then
  for s in enrollment training-progress placement aggregator; do
    [ -f "$root/services/$s/binary.cmake" ] && services+=("$s")
  done
fi
for tool in buildah podman runc debootstrap; do
  command -v "$tool" >/dev/null || { echo "check-images.sh: $tool not found (apt-get install buildah podman runc debootstrap)" >&2; exit 1; }
done

start=$SECONDS
if [ "$skip_build" = 0 ]; then
  "$here/make-base-image.sh" --name "$base"
  build_args=(--engine buildah --base "$base" --registry "$registry" --jobs "$jobs")
  [ -z "$ccache_dir" ] || build_args+=(--ccache-dir "$ccache_dir" --build-type RelWithDebInfo)
  "$here/build-images.sh" "${build_args[@]}" "${services[@]}"
fi
build_seconds=$((SECONDS - start))
tag="$("$here/build-images.sh" --print-tag)"

failures=0
summary=()
ctr=""
trap '[ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
# check NAME COMMAND...: runs the check, records PASS/FAIL.
check() {
  local name="$1"; shift
  if "$@"; then
    echo "  PASS $name"
  else
    echo "  FAIL $name"; failures=$((failures + 1))
  fi
}
# run_as USER COMMAND...: runs COMMAND in the working container as USER; its
# output (stdout and stderr) is kept in $run_out, its exit status in $run_rc.
# Both go through files in the container's root, read from its mount: the
# output that `buildah run` relays itself was sometimes lost or cut short here.
run_rc=0
run_out=""
run_as() {
  local user="$1"; shift
  rm -f "$mnt/tmp/.check.out" "$mnt/tmp/.check.rc"
  buildah run --isolation chroot --user "$user" "$ctr" -- \
    sh -c '"$@" >/tmp/.check.out 2>&1; echo $? >/tmp/.check.rc' sh "$@" >/dev/null 2>&1 || true
  run_rc="$(cat "$mnt/tmp/.check.rc" 2>/dev/null || echo 255)"
  run_out="$(cat "$mnt/tmp/.check.out" 2>/dev/null || true)"
}

base_size="$(buildah images --format '{{.Size}}' "$base" 2>/dev/null | head -1)"
for s in "${services[@]}"; do
  image="$registry/jit-$s:$tag"
  bin="/usr/local/bin/jit-$s"
  echo "== $image"
  if ! buildah inspect --type image "$image" >/dev/null 2>&1; then
    echo "  FAIL image $image does not exist"; failures=$((failures + 1)); summary+=("jit-$s: no image"); continue
  fi
  user="$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$image")"
  entry="$(buildah inspect --type image --format '{{.OCIv1.Config.Entrypoint}}' "$image")"
  label="$(buildah inspect --type image --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}' "$image")"
  size="$(buildah images --format '{{.Size}}' "$image" | head -1)"
  ctr="$(buildah from --pull-never "$image")"
  mnt="$(buildah mount "$ctr")"
  echo "  USER $user, ENTRYPOINT $entry, version label '$label', size $size"
  check "USER is numeric and not root" bash -c '[[ "$1" =~ ^[0-9]+:[0-9]+$ ]] && [ "${1%%:*}" != 0 ] && [ "${1##*:}" != 0 ]' _ "$user"
  check "ENTRYPOINT is $bin" test "$entry" = "[$bin]"
  run_as "$user" "$bin" --version
  version_out="$run_out"
  echo "  \$ jit-$s --version: $version_out"
  check "--version as $user equals the label" test "$run_rc:$version_out" = "0:jit-$s $label"
  run_as "$user" "$bin" --help
  help_out="$run_out" help_rc="$run_rc"
  echo "  \$ jit-$s --help (exit $help_rc, $(wc -l <<<"$help_out") lines):"
  head -8 <<<"$help_out" | sed 's/^/    | /'
  # absl's --help exits 1 (the same outside the image).
  check "--help runs as $user and lists --grpc_address, --admin_address, --db_path" \
    bash -c '[ "$1" -le 1 ] && grep -q -- "--grpc_address" <<<"$2" && grep -q -- "--admin_address" <<<"$2" &&
      grep -q -- "--db_path" <<<"$2"' _ "$help_rc" "$help_out"
  run_as "$user" ldd "$bin"
  ldd_out="$run_out"
  check "ldd finds all $(grep -c '=>' <<<"$ldd_out") libraries" \
    bash -c '[ "$1" = 0 ] && ! grep -q "not found" <<<"$2" && grep -q "=>" <<<"$2"' _ "$run_rc" "$ldd_out"
  # What the image holds, read from its mounted root.
  pkgs="$(dpkg-query --admindir="$mnt/var/lib/dpkg" -W -f '${Package}\n')"
  dev_pkgs="$(grep -E -- '-dev(:|$)' <<<"$pkgs" || true)"
  echo "  $(wc -l <<<"$pkgs") Debian packages; -dev packages: $(xargs <<<"${dev_pkgs:-none}")"
  check "no -dev package" test -z "$dev_pkgs"
  tools="$(find "$mnt/usr/bin" "$mnt/usr/sbin" "$mnt/usr/local/bin" "$mnt/usr/lib/gcc" -maxdepth 4 \
    \( -name 'gcc*' -o -name 'g++*' -o -name '*-gcc-*' -o -name 'cc' -o -name 'c++' -o -name 'cpp' -o -name 'cpp-[0-9]*' \
    -o -name 'cc1*' -o -name 'clang*' -o -name 'ld' -o -name 'ld.bfd' -o -name 'ld.gold' -o -name 'as' -o -name 'make' \
    -o -name 'cmake' -o -name 'ninja' -o -name 'protoc*' -o -name 'grpc_*_plugin' -o -name 'git' \
    -o -name 'ccache' -o -name 'pkg-config' -o -name 'strip' \) 2>/dev/null | sed "s|^$mnt||" | tr '\n' ' ' || true)"
  echo "  compilers and build tools present: ${tools:-none}"
  check "no compiler or build tool" test -z "$tools"
  caches="$(ls "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/cache/apt/*.bin "$mnt"/var/lib/apt/lists/*_Packages* 2>/dev/null || true)"
  check "no apt caches or package lists ($(wc -w <<<"$caches") files)" test -z "$caches"
  data_owner="$(stat -c '%u:%g' "$mnt/var/lib/jobintech" 2>/dev/null || echo missing)"
  check "/var/lib/jobintech owned by $user" test "$data_owner" = "$user"
  summary+=("jit-$s  $size  user $user  $version_out")
  buildah umount "$ctr" >/dev/null
  buildah rm "$ctr" >/dev/null
  ctr=""
done

# 4. The suite in containers: every service image run by podman (runc; see
# deploy/README.md for why not crun) as its USER, read-only root filesystem,
# no capabilities, no privilege escalation, the data folder and the PKI
# mounted; host network, since the broker (the embedded one, not in an image)
# listens on loopback. The simulator then drives journeys through all four.
suite_result="not run"
run_suite() {
  local bin="$build_dir" work svc i port_grpc port_admin
  for b in tools/kafka-broker/jit-kafka-broker tools/dev-pki/jit-dev-pki tools/simulator/jit-simulator; do
    if [ ! -x "$bin/$b" ]; then
      suite_result="skipped: no $bin/$b (scripts/build.sh jit-kafka-broker jit-dev-pki jit-simulator)"
      return 0
    fi
  done
  work="$(mktemp -d /var/tmp/jit-suite.XXXXXX)"
  suite_work="$work"
  local off="$port_offset"
  local -A grpc=([enrollment]=$((50051 + off)) [training-progress]=$((50052 + off))
    [placement]=$((50053 + off)) [aggregator]=$((50054 + off)))
  local -A admin=([enrollment]=$((9101 + off)) [training-progress]=$((9102 + off))
    [placement]=$((9103 + off)) [aggregator]=$((9104 + off)))
  local http=$((8080 + off))
  "$bin/tools/kafka-broker/jit-kafka-broker" --partitions=4 --bootstrap_file="$work/bootstrap" \
    >"$work/broker.log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/bootstrap" ] && break; sleep 0.1; done
  [ -s "$work/bootstrap" ] || { suite_result="FAIL: the embedded broker did not start"; return 1; }
  local bootstrap; bootstrap="$(cat "$work/bootstrap")"
  "$bin/tools/dev-pki/jit-dev-pki" --dir="$work/pki" >"$work/pki.log" 2>&1 ||
    { suite_result="FAIL: jit-dev-pki"; return 1; }
  (umask 077 && "$bin/tools/dev-pki/jit-dev-pki" --dir="$work/pki" --print_token=programme-admin \
    --token_subject=check-images --token_lifetime=1h >"$work/token")
  # The pod's view: certificates and keys readable by the image's user only.
  chown -R 65532:65532 "$work/pki"
  # Explicit limits: podman's defaults (RLIMIT_NOFILE 1048576, RLIMIT_NPROC
  # of the host) cannot be set in the development sandbox (no
  # CAP_SYS_RESOURCE); the host's hard NOFILE and 4096 processes can.
  local nofile nproc=4096
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] && nofile=1048576
  for svc in "${services[@]}"; do
    mkdir -p "$work/data-$svc" && chown 65532:65532 "$work/data-$svc"
    local args=(--grpc_address="127.0.0.1:${grpc[$svc]}" --admin_address="127.0.0.1:${admin[$svc]}"
      --db_path="/var/lib/jobintech/$svc.db" --kafka_bootstrap="$bootstrap"
      --tls_cert_file="/etc/jobintech/pki/$svc.crt" --tls_key_file="/etc/jobintech/pki/$svc.key"
      --tls_ca_file=/etc/jobintech/pki/ca.crt --token_issuer=jobintech-dev
      --token_audience=jobintech-platform --token_keys_file=/etc/jobintech/pki/token-keys.pem)
    local envs=()
    case "$svc" in
      enrollment) envs=(-e "JIT_ENROLLMENT_CIN_HASH_KEY=$(head -c 32 /dev/urandom | base64)") ;;
      training-progress) args+=(--enrollment_address="127.0.0.1:${grpc[enrollment]}") ;;
      placement) args+=(--progress_address="127.0.0.1:${grpc[training-progress]}"
        --enrollment_address="127.0.0.1:${grpc[enrollment]}") ;;
      aggregator) args+=(--http_address="127.0.0.1:$http") ;;
    esac
    podman rm -f "jit-check-$svc" >/dev/null 2>&1 || true
    if ! podman run -d --name "jit-check-$svc" --runtime runc --network host \
      --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
      --read-only --cap-drop ALL --security-opt no-new-privileges \
      -v "$work/pki:/etc/jobintech/pki:ro" -v "$work/data-$svc:/var/lib/jobintech" \
      "${envs[@]}" "$registry/jit-$svc:$tag" "${args[@]}" >"$work/$svc.cid" 2>"$work/$svc.err"; then
      suite_result="FAIL: podman run jit-$svc: $(tail -1 "$work/$svc.err")"; return 1
    fi
    started_ctrs+=("jit-check-$svc")
    local ready=0
    for _ in $(seq 1 300); do
      if podman logs "jit-check-$svc" 2>&1 | grep -q "$svc service ready"; then ready=1; break; fi
      [ "$(podman inspect -f '{{.State.Running}}' "jit-check-$svc")" = true ] || break
      sleep 0.2
    done
    if [ "$ready" = 0 ]; then
      podman logs "jit-check-$svc" 2>&1 | tail -5
      suite_result="FAIL: jit-$svc did not become ready in its container"; return 1
    fi
    local code; code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${admin[$svc]}/readyz")"
    echo "  jit-$svc up in container $(cut -c1-12 "$work/$svc.cid") as $(podman top "jit-check-$svc" user huser 2>/dev/null | tail -1 | xargs), /readyz $code"
    [ "$code" = 200 ] || { suite_result="FAIL: jit-$svc /readyz answered $code"; return 1; }
  done
  echo "  simulator: $journeys journeys (seed 7) through the containers..."
  if ! "$bin/tools/simulator/jit-simulator" --journeys="$journeys" --seed=7 --speed=0 \
    --ca_file="$work/pki/ca.crt" --token_file="$work/token" \
    --enrollment_address="127.0.0.1:${grpc[enrollment]}" --progress_address="127.0.0.1:${grpc[training-progress]}" \
    --placement_address="127.0.0.1:${grpc[placement]}" --aggregator_address="127.0.0.1:${grpc[aggregator]}" \
    --summary_file="$work/summary.json" >"$work/simulator.log" 2>&1; then
    tail -5 "$work/simulator.log"
    suite_result="FAIL: the simulator failed against the containers"; return 1
  fi
  # The aggregator (its container) must have folded every journey's
  # application from Kafka: its national figures, read by the simulator.
  local figures
  figures="$(/usr/bin/python3 -c 'import json, sys
s = json.load(open(sys.argv[1]))
f = s.get("figures", {})
print(" ".join(f"{k}={v}" for k, v in sorted(f.items())))
sys.exit(0 if f.get("applicants") == sys.argv[2] else 1)' "$work/summary.json" "$journeys")" ||
    { suite_result="FAIL: the aggregator's figures do not count $journeys applicants: ${figures:-none}"; return 1; }
  suite_result="PASS: ${#services[@]} containers ready; the simulator's $journeys journeys went through them; aggregator figures: $figures"
}

started_ctrs=()
broker_pid=""
suite_work=""
stop_suite() {
  local c
  for c in "${started_ctrs[@]}"; do podman rm -f -t 10 "$c" >/dev/null 2>&1 || true; done
  started_ctrs=()
  [ -z "$broker_pid" ] || { kill "$broker_pid" 2>/dev/null; wait "$broker_pid" 2>/dev/null || true; }
  broker_pid=""
}
if [ "$suite" = 1 ]; then
  echo "== the suite in containers (podman run --runtime runc, host network)"
  trap 'stop_suite; [ -z "$ctr" ] || buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
  run_suite || true
  # The containers' logs are kept with the work folder when something failed.
  for c in "${started_ctrs[@]}"; do podman logs "$c" >"$suite_work/$c.log" 2>&1 || true; done
  stop_suite
  echo "  $suite_result"
  case "$suite_result" in
    FAIL*) failures=$((failures + 1)); echo "  logs: $suite_work" ;;
    *) [ -z "$suite_work" ] || rm -rf "$suite_work" ;;
  esac
fi

echo
echo "== summary ($(date -u +%FT%TZ), build $((build_seconds / 60)) min $((build_seconds % 60)) s, base $base $base_size)"
for line in "${summary[@]}"; do echo "  $line"; done
echo "  suite in containers: $suite_result"
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep -E "$registry/jit-.*:$tag" | sed 's/^/  /' || true
if [ "$failures" -gt 0 ]; then
  echo "check-images: $failures check(s) failed"
  exit 1
fi
echo "check-images: all checks passed for ${#services[@]} image(s)"
