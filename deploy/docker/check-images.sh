#!/usr/bin/env bash
# Really builds the service images on this machine, with no registry, and
# checks what is in them; prints a summary and exits non-zero on a failed
# check. Not part of ctest (the build takes 10-40 minutes on 2 cores); its
# last result is recorded in deploy/README.md ("Container images").
#
#   deploy/docker/check-images.sh [--skip-build] [--ccache-dir DIR] [--jobs N]
#       [--base IMAGE] [SERVICE...]
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
#    owned by the user; and its size.
# Needs root, buildah, podman and debootstrap (Debian packages).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/deploy/docker"
registry="localhost/jobintech"
base="localhost/jit-debian:12-minbase"
skip_build=0
ccache_dir=""
jobs=2
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) skip_build=1; shift ;;
    --ccache-dir) ccache_dir="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "check-images.sh: unknown option '$1'" >&2; exit 2 ;;
    *) services+=("$1"); shift ;;
  esac
done
if [ ${#services[@]} -eq 0 ]; then
  for s in enrollment training-progress placement aggregator; do
    [ -f "$root/services/$s/binary.cmake" ] && services+=("$s")
  done
fi
for tool in buildah podman debootstrap; do
  command -v "$tool" >/dev/null || { echo "check-images.sh: $tool not found (apt-get install buildah podman debootstrap)" >&2; exit 1; }
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
in_ctr() { buildah run --isolation chroot "$@"; }

base_size="$(buildah images --format '{{.Size}}' "$base" 2>/dev/null | head -1)"
for s in "${services[@]}"; do
  image="$registry/jit-$s:$tag"
  bin="/usr/local/bin/jit-$s"
  echo "== $image"
  if ! buildah inspect --type image "$image" >/dev/null 2>&1; then
    echo "  FAIL image $image does not exist"; failures=$((failures + 1)); summary+=("jit-$s: no image"); continue
  fi
  user="$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$image")"
  entry="$(buildah inspect --type image --format '{{json .OCIv1.Config.Entrypoint}}' "$image")"
  label="$(buildah inspect --type image --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}' "$image")"
  size="$(buildah images --format '{{.Size}}' "$image" | head -1)"
  ctr="$(buildah from --pull-never "$image")"
  echo "  USER $user, ENTRYPOINT $entry, version label '$label', size $size"
  check "USER is numeric and not root" bash -c '[[ "$1" =~ ^[0-9]+:[0-9]+$ ]] && [ "${1%%:*}" != 0 ] && [ "${1##*:}" != 0 ]' _ "$user"
  check "ENTRYPOINT is $bin" test "$entry" = "[\"$bin\"]"
  version_out="$(in_ctr --user "$user" "$ctr" -- "$bin" --version 2>&1 || true)"
  echo "  \$ jit-$s --version: $version_out"
  check "--version as $user equals the label" test "$version_out" = "jit-$s $label"
  help_out="$(in_ctr --user "$user" "$ctr" -- "$bin" --help 2>&1)" && help_rc=0 || help_rc=$?
  echo "  \$ jit-$s --help (exit $help_rc, $(wc -l <<<"$help_out") lines):"
  head -8 <<<"$help_out" | sed 's/^/    | /'
  check "--help runs as $user and prints the flags" bash -c '[ "$1" = 0 ] && grep -q -- "--" <<<"$2"' _ "$help_rc" "$help_out"
  ldd_out="$(in_ctr "$ctr" -- ldd "$bin" 2>&1 || true)"
  check "ldd finds all $(grep -c '=>' <<<"$ldd_out") libraries" bash -c '! grep -q "not found" <<<"$1" && grep -q "=>" <<<"$1"' _ "$ldd_out"
  dev_pkgs="$(in_ctr "$ctr" -- dpkg-query -W -f '${Package}\n' | grep -E -- '-dev(:|$)' || true)"
  npkgs="$(in_ctr "$ctr" -- dpkg-query -W -f '${Package}\n' | wc -l)"
  echo "  $npkgs Debian packages; -dev packages: ${dev_pkgs:-none}"
  check "no -dev package" test -z "$dev_pkgs"
  tools="$(in_ctr "$ctr" -- sh -c 'for t in gcc g++ cc c++ cpp ld as make cmake ninja protoc grpc_cpp_plugin git ccache pkg-config; do command -v $t || true; done')"
  echo "  compilers and build tools present: ${tools:-none}"
  check "no compiler or build tool" test -z "$tools"
  data_owner="$(in_ctr "$ctr" -- stat -c '%u:%g' /var/lib/jobintech)"
  check "/var/lib/jobintech owned by $user" test "$data_owner" = "$user"
  summary+=("jit-$s  $size  user $user  $version_out")
  buildah rm "$ctr" >/dev/null
  ctr=""
done

echo
echo "== summary ($(date -u +%FT%TZ), build $((build_seconds / 60)) min $((build_seconds % 60)) s, base $base $base_size)"
for line in "${summary[@]}"; do echo "  $line"; done
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep -E "$registry/jit-.*:$tag" | sed 's/^/  /' || true
if [ "$failures" -gt 0 ]; then
  echo "check-images: $failures check(s) failed"
  exit 1
fi
echo "check-images: all checks passed for ${#services[@]} image(s)"
