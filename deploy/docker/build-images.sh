#!/usr/bin/env bash
# Builds the container image of every service that exists, labelled with the
# version its binary prints (`jit-<svc> --version` of the local build), and
# tagged REGISTRY/jit-<svc>:<project version>-<git describe>.
#
#   deploy/docker/build-images.sh [--registry REGISTRY] [--push] [SERVICE...]
#
# Needs a container engine (docker with BuildKit, or podman via DOCKER=podman)
# and a local build of the same commit, configured after that commit
# (JIT_RECONFIGURE=1 scripts/build.sh): the image build fails when the
# binary it builds prints another version. Not run by the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${JIT_BUILD_DIR:-$root/build}"
engine="${DOCKER:-docker}"
registry="jobintech"
push=0
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="$2"; shift 2 ;;
    --push) push=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-images.sh: unknown option '$1'" >&2; exit 2 ;;
    *) services+=("$1"); shift ;;
  esac
done
if [ ${#services[@]} -eq 0 ]; then
  for s in enrollment training-progress placement aggregator; do
    [ -f "$root/services/$s/binary.cmake" ] && services+=("$s")
  done
fi

for s in "${services[@]}"; do
  bin="$build_dir/services/$s/jit-$s"
  [ -x "$bin" ] || { echo "no $bin: run scripts/build.sh first" >&2; exit 1; }
  # "jit-enrollment 0.1.0 (b178edb)" -> JIT_VERSION="0.1.0 (b178edb)"
  line="$("$bin" --version)"
  version="${line#jit-$s }"
  [ "$version" != "$line" ] || { echo "unexpected --version output: $line" >&2; exit 1; }
  case "$version" in *dirty*) echo "warning: building from a dirty tree ($version)" >&2 ;; esac
  # Image tag: 0.1.0-b178edb (no spaces or parentheses).
  tag="$(printf '%s' "$version" | tr -d '()' | tr ' ' '-')"
  image="$registry/jit-$s:$tag"
  echo "== $image (JIT_VERSION=$version)"
  "$engine" build -f "$root/deploy/docker/Dockerfile" --target "$s" \
    --build-arg JIT_VERSION="$version" \
    -t "$image" "$root"
  if [ "$push" = 1 ]; then "$engine" push "$image"; fi
done
