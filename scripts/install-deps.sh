#!/usr/bin/env bash
# Installs exactly what building, running and testing the suite needs on Debian 12:
# Debian packages by name, and the npm packages pinned in package-lock.json.
# Idempotent: quiet and quick when everything is already there. Uses sudo when not root.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

APT_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # contracts and RPC
  protobuf-compiler libprotobuf-dev protobuf-compiler-grpc libgrpc++-dev
  # shared libraries
  libabsl-dev librdkafka-dev libsqlite3-dev libssl-dev libjwt-dev prometheus-cpp-dev libcpp-httplib-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # LP solver for the aggregator's attacker test (an independent check of the
  # public views' suppression): GLPK's library and glpsol
  libglpk-dev glpk-utils
  # profiling the benchmarks (bench/profile.sh: callgrind) and its HTTP polling
  valgrind curl
  # headless browser for the dashboard page test (aggregator_page_check)
  chromium
  # independent peers used by the tests (tools nobody here wrote)
  kcat sqlite3 python3-grpcio python3-protobuf python3-confluent-kafka
  # deployment checks (deploy/tests/validate.sh): kubectl 1.20 with kustomize
  # v2.0.3 renders the manifests (written in the subset it knows)
  yamllint python3-yaml kubernetes-client
  # alert rules: promtool (check and unit-test the rules, deploy/tests/monitoring)
  prometheus
  # node for buf (proto lint/breaking) and other pinned npm tools
  nodejs npm
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  # node/npm may come from outside Debian on developer machines; accept them if on PATH.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    # A kubectl from elsewhere (e.g. the Google Cloud SDK's package "kubectl")
    # owns /usr/bin/kubectl, which kubernetes-client would conflict with; any
    # kubectl renders the manifests.
    kubernetes-client) command -v kubectl >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, pinned by package-lock.json; installed into the project's node_modules.
if [ -f "$root/package-lock.json" ]; then
  stamp="$root/node_modules/.install-stamp"
  if [ ! -f "$stamp" ] || [ "$root/package-lock.json" -nt "$stamp" ]; then
    echo "install-deps: installing pinned npm packages"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    touch "$stamp"
  fi
fi
