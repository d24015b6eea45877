#!/usr/bin/env bash
# Builds the container image of every service that exists, labelled with the
# version its binary prints, and tagged REGISTRY/jit-<svc>:<version>-<describe>.
#
#   deploy/docker/build-images.sh [--registry REGISTRY] [--push]
#       [--engine docker|podman|buildah] [--base IMAGE] [--ccache-dir DIR]
#       [--jobs N] [--build-type TYPE] [--print-tag] [SERVICE...]
#
# The version is "<project version> (<git describe --always --dirty>)", what
# CMake bakes into the binaries (e.g. "0.1.0 (b178edb)", tag 0.1.0-b178edb);
# the image build fails if its binary prints anything else. Engine: --engine,
# else $DOCKER, else docker (BuildKit). podman and buildah build with
# --isolation chroot ($BUILDAH_ISOLATION), which needs no container runtime.
# --base IMAGE replaces the Dockerfile's debian base (make-base-image.sh makes
# one where no registry is reachable). --ccache-dir DIR (podman, buildah)
# mounts a compiler cache into the build stage; --jobs caps its parallelism.
# In a git worktree (.git is a file) the context is a clone of HEAD, since
# the worktree's .git points outside it: commit first. --print-tag prints the
# tag and builds nothing. deploy/docker/check-images.sh builds and checks them.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
engine="${DOCKER:-docker}"
registry="jobintech"
push=0
base=""
ccache_dir=""
jobs=""
build_type=""
print_tag=0
services=()
while [ $# -gt 0 ]; do
  case "$1" in
    --registry) registry="$2"; shift 2 ;;
    --push) push=1; shift ;;
    --engine) engine="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --ccache-dir) ccache_dir="$(cd "$2" && pwd)"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --build-type) build_type="$2"; shift 2 ;;
    --print-tag) print_tag=1; shift ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "build-images.sh: unknown option '$1'" >&2; exit 2 ;;
    *) services+=("$1"); shift ;;
  esac
done
if [ ${#services[@]} -eq 0 ]; then
  for s in enrollment training-progress placement aggregator; do
    [ -f "$root/services/$s/binary.cmake" ] && services+=("$s")
  done
fi
[ "$print_tag" = 1 ] || command -v "$engine" >/dev/null || { echo "build-images.sh: container engine '$engine' not found" >&2; exit 1; }
kind="$(basename "$engine")"
if [ -n "$ccache_dir" ] && [ "$kind" = docker ]; then
  echo "build-images.sh: --ccache-dir needs podman or buildah (docker build cannot bind-mount)" >&2
  exit 2
fi

# Build context: the tree itself, or for a git worktree a clone of its HEAD.
context="$root"
if [ -f "$root/.git" ]; then
  context="$(mktemp -d /var/tmp/jit-context.XXXXXX)"
  trap 'rm -rf "$context"' EXIT
  git clone --quiet --no-hardlinks "$root" "$context"
  git -C "$context" checkout --quiet --detach "$(git -C "$root" rev-parse HEAD)"
  if [ "$print_tag" = 0 ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
    echo "warning: $root has uncommitted changes; the images are built from HEAD without them" >&2
  fi
  [ "$print_tag" = 1 ] || echo "== context: clone of $(git -C "$root" rev-parse --short HEAD) in $context (worktree)"
fi

project_version="$(sed -n 's/^project(jobintech VERSION \([0-9.]*\).*/\1/p' "$context/CMakeLists.txt")"
describe="$(git -C "$context" describe --always --dirty)"
[ -n "$project_version" ] && [ -n "$describe" ] || { echo "cannot compute the version" >&2; exit 1; }
version="$project_version ($describe)"
case "$version" in *dirty*) echo "warning: building from a dirty tree ($version)" >&2 ;; esac
# Image tag: 0.1.0-b178edb (no spaces or parentheses).
tag="$(printf '%s' "$version" | tr -d '()' | tr ' ' '-')"
[ "$print_tag" = 0 ] || { echo "$tag"; exit 0; }

args=(-f "$context/deploy/docker/Dockerfile" --build-arg JIT_VERSION="$version")
[ -z "$base" ] || args+=(--build-arg DEBIAN_IMAGE="$base")
[ -z "$jobs" ] || args+=(--build-arg JIT_BUILD_JOBS="$jobs")
[ -z "$build_type" ] || args+=(--build-arg JIT_BUILD_TYPE="$build_type")
[ -z "$ccache_dir" ] ||
  args+=(--volume "$ccache_dir:/ccache" --build-arg JIT_CCACHE_DIR=/ccache --build-arg JIT_CCACHE_LANG="${LANG:-}")
case "$kind" in
  # --layers: the build stage is built once and reused by every service.
  buildah) build=("$engine" bud --isolation "${BUILDAH_ISOLATION:-chroot}" --layers) ;;
  podman) build=("$engine" build --isolation "${BUILDAH_ISOLATION:-chroot}" --layers) ;;
  *) build=("$engine" build) ;;
esac

for s in "${services[@]}"; do
  image="$registry/jit-$s:$tag"
  echo "== $image (JIT_VERSION=$version)"
  "${build[@]}" "${args[@]}" --target "$s" -t "$image" "$context"
  if [ "$push" = 1 ]; then "$engine" push "$image"; fi
done
