#!/usr/bin/env bash
# Offline validation of the Kubernetes deployment and the container builds
# (ctest: deploy.validate; no cluster, no container engine, no network):
#   1. yamllint over deploy/ is clean;
#   2. `kubectl kustomize` renders deploy/k8s/base and the dev and prod
#      overlays;
#   3. deploy/tests/validate.js checks every rendered object: Kubernetes and
#      Prometheus-operator schemas (kubernetes-models, pinned in
#      package-lock.json) with unknown fields, Strimzi resources structurally,
#      and the policies (security context, probes, resources, images,
#      references, Secrets, NetworkPolicy edges, flags and ports against the
#      binaries' --help, Kafka durability, topics);
#   4. deploy/tests/check_containers.py checks deploy/docker/Dockerfile;
#   5. self-check: deliberately broken copies of the manifests and of the
#      Dockerfile must each be rejected with the expected message.
set -euo pipefail
root="${JIT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
tests="$root/deploy/tests"
py=/usr/bin/python3

# kubectl: JIT_KUBECTL if set, else Debian's (package kubernetes-client, 1.20
# with kustomize v2.0.3, what scripts/install-deps.sh installs), else the first
# on PATH. The kustomizations are written in the subset that kustomize v2.0.3
# and current kubectl render alike (checked below and in deploy/README.md).
kubectl="${JIT_KUBECTL:-}"
if [ -z "$kubectl" ] && debian_kubectl="$(dpkg-query -L kubernetes-client 2>/dev/null | grep -m1 '/bin/kubectl$')" &&
  [ -x "$debian_kubectl" ]; then
  kubectl="$debian_kubectl"
fi
[ -n "$kubectl" ] || kubectl="$(command -v kubectl || true)"
[ -n "$kubectl" ] || { echo "FAIL: kubectl not found (run scripts/install-deps.sh: Debian package kubernetes-client)"; exit 1; }
for tool in node yamllint "$py"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool not found (run scripts/install-deps.sh)"; exit 1; }
done
[ -d "$root/node_modules/kubernetes-models" ] && [ -d "$root/node_modules/@kubernetes-models/prometheus-operator" ] ||
  { echo "FAIL: npm packages missing (run scripts/install-deps.sh)"; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# render DIR OUT: kustomize DIR into OUT.yaml and OUT.json (a list of objects).
render() {
  "$kubectl" kustomize "$1" >"$2.yaml" 2>"$2.err" || { cat "$2.err" >&2; return 1; }
  "$py" -c 'import sys, yaml, json
json.dump([d for d in yaml.safe_load_all(open(sys.argv[1])) if d], open(sys.argv[2], "w"), default=str)' \
    "$2.yaml" "$2.json"
}

echo "== yamllint deploy/"
yamllint -s -c "$tests/yamllint.yaml" deploy/

echo "== kustomizations use only what kustomize v2.0.3 (Debian 12's kubectl) renders"
"$py" "$tests/check_kustomize_subset.py" deploy/k8s

echo "== kubectl kustomize (base, dev, prod) with $kubectl ($("$kubectl" version --client 2>/dev/null | head -1))"
render deploy/k8s/base "$tmp/base"
render deploy/k8s/overlays/dev "$tmp/dev"
render deploy/k8s/overlays/prod "$tmp/prod"
for v in base dev prod; do
  echo "$v: $(grep -c '^kind:' "$tmp/$v.yaml") objects rendered"
done

echo "== validate rendered objects"
# Under ctest (JIT_BINARY_DIR set, the build done) every service with sources
# must have its binary, whose --help gives the flags to check.
require=()
[ -n "${JIT_BINARY_DIR:-}" ] && require=(--require-binaries)
node "$tests/validate.js" --variant base="$tmp/base.json" --variant dev="$tmp/dev.json" \
  --variant prod="$tmp/prod.json" "${require[@]}"

echo "== container builds"
"$py" "$tests/check_containers.py"

echo "== self-check: broken manifests must be rejected"
cases=0
# mutate FILE PERL: edits FILE in place with a perl substitution (on the whole
# file) and fails if nothing changed, so that no case passes vacuously.
mutate() {
  local file="$1" expr="$2" before
  before="$(md5sum "$file")"
  perl -0pi -e "$expr" "$file"
  [ "$(md5sum "$file")" != "$before" ] || { echo "FAIL: self-check mutation did not apply to $file: $expr"; exit 1; }
}
# expect_reject NAME VARIANT MESSAGE FILE PERL: a fresh copy of deploy/k8s,
# one mutation, render VARIANT, and validate.js must fail saying MESSAGE.
expect_reject() {
  local name="$1" variant="$2" message="$3" file="$4" expr="$5" dir out
  dir="$tmp/case$cases"
  cases=$((cases + 1))
  mkdir -p "$dir" && cp -r deploy/k8s "$dir/"
  mutate "$dir/k8s/$file" "$expr"
  local path="$dir/k8s/overlays/$variant"
  [ "$variant" = base ] && path="$dir/k8s/base"
  render "$path" "$dir/rendered"
  if out="$(node "$tests/validate.js" --variant "$variant=$dir/rendered.json" 2>&1)"; then
    echo "FAIL: self-check '$name': the broken manifests were accepted"; exit 1
  fi
  if ! grep -qF -- "$message" <<<"$out"; then
    echo "$out"; echo "FAIL: self-check '$name': rejected, but not with '$message'"; exit 1
  fi
  echo "rejected as expected: $name"
}
expect_reject "latest image tag" prod "is not pinned" overlays/prod/kustomization.yaml \
  's/newTag: 0\.1\.0/newTag: latest/'
expect_reject "writable root filesystem" prod "readOnlyRootFilesystem must be true" base/app/placement.yaml \
  's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
expect_reject "misspelt field" dev "allowPrivilegeEscalaton: unknown field" base/app/aggregator.yaml \
  's/allowPrivilegeEscalation: false/allowPrivilegeEscalaton: false/'
expect_reject "TCP probe" prod "readinessProbe must be an httpGet probe on the admin port" base/app/enrollment.yaml \
  's/readinessProbe:\n            httpGet:\n              path: \/readyz\n              port: admin\n              scheme: HTTP/readinessProbe:\n            tcpSocket:\n              port: admin/'
expect_reject "native grpc probe on the TLS port" prod "livenessProbe must not be a grpc probe" base/app/enrollment.yaml \
  's/livenessProbe:\n            httpGet:\n              path: \/healthz\n              port: admin\n              scheme: HTTP/livenessProbe:\n            grpc:\n              port: 50051/'
expect_reject "capability kept" prod "capabilities must drop ALL" base/app/training-progress.yaml \
  's/drop: \["ALL"\]/drop: ["NET_RAW"]/'
expect_reject "no resource limits" dev "resources.limits.memory not set" base/app/enrollment.yaml \
  's/\n              memory: 512Mi//'
expect_reject "egress to anywhere" prod "aggregator -> internet:443/TCP, which is not an edge" base/app/network-policies.yaml \
  's/\z/---\napiVersion: networking.k8s.io\/v1\nkind: NetworkPolicy\nmetadata:\n  name: open\nspec:\n  podSelector: {}\n  policyTypes: ["Egress"]\n  egress:\n    - {}\n/'
expect_reject "architecture edge blocked" prod "blocks placement -> training-progress:50052/TCP" base/app/network-policies.yaml \
  's/port: 50052/port: 50062/'
expect_reject "extra gRPC edge" prod "enrollment -> placement:50053/TCP, which is not an edge" base/app/network-policies.yaml \
  's/(  name: placement\n.*?spec:\n.*?ingress:\n    - from:\n)/$1        - podSelector:\n            matchLabels:\n              app.kubernetes.io\/name: enrollment\n/s; s/(  name: enrollment\n.*?spec:\n.*?egress:\n)/$1    - to:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io\/name: placement\n      ports:\n        - protocol: TCP\n          port: 50053\n/s'
expect_reject "secret in prod" prod "a Secret in the prod manifests" overlays/prod/kustomization.yaml \
  's/\z/secretGenerator:\n  - name: enrollment-cin-hash-key\n    namespace: jobintech\n    literals: [cin_hash_key=0123456789abcdef0123]\n/'
expect_reject "real-looking dev secret" dev "must start with \"dev-only-\"" overlays/dev/kustomization.yaml \
  's/cin_hash_key=dev-only-not-a-secret-cin-hash-key/cin_hash_key=Zm9vYmFyYmF6cXV4cXV1eDEy/'
expect_reject "missing ConfigMap" prod "ConfigMap placement-konfig does not exist" base/app/placement.yaml \
  's/name: placement-config/name: placement-konfig/'
expect_reject "unnamed Service port" prod "port 8080 has no name" base/app/aggregator.yaml \
  's/    - name: http\n      port: 8080/    - port: 8080/'
expect_reject "flag the binary lacks" prod "--grpc_port is not a flag of jit-enrollment" base/app/config/enrollment.env \
  's/\z/JIT_ENROLLMENT_GRPC_PORT=50051\n/'
expect_reject "admin port mismatch" prod "admin_address 0.0.0.0:9193 does not listen on the admin container port" \
  base/app/config/placement.env 's/ADMIN_ADDRESS=0\.0\.0\.0:9103/ADMIN_ADDRESS=0.0.0.0:9193/'
expect_reject "grace period too short" prod "terminationGracePeriodSeconds 30 must exceed" base/app/enrollment.yaml \
  's/terminationGracePeriodSeconds: 75/terminationGracePeriodSeconds: 30/'
expect_reject "Kafka 4" prod "Kafka 4.0.0: use a 3.x version" base/kafka/kafka.yaml \
  's/version: 3\.9\.1/version: 4.0.0/; s/metadataVersion: 3\.9-IV0/metadataVersion: 4.0-IV3/'
expect_reject "min.insync.replicas 3" prod "min.insync.replicas must be 2" base/kafka/kafka.yaml \
  's/      min.insync.replicas: 2/      min.insync.replicas: 3/'
expect_reject "unclean leader election" prod "unclean.leader.election.enable must be false" base/kafka/kafka.yaml \
  's/unclean.leader.election.enable: false/unclean.leader.election.enable: true/'
expect_reject "Strimzi field typo" prod ".spec.partitionz: unknown field" base/kafka/topics.yaml \
  's/partitions: 12/partitionz: 12/'
expect_reject "finite lifecycle retention" prod "retention.ms must be -1" base/kafka/topics.yaml \
  's/retention.ms: -1/retention.ms: 604800000/'
expect_reject "missing dead-letter topic" prod "KafkaTopic jobintech.placement.v1.dlq missing" base/kafka/topics.yaml \
  's/\n---\napiVersion: kafka.strimzi.io\/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: jobintech.placement.v1.dlq.*\z/\n/s'

echo "== self-check: security (TLS, certificates, Kafka users and ACLs) must be enforced"
expect_reject "Kafka in plaintext" prod "reaches Kafka without a KafkaUser: kafka_security_protocol is plaintext" \
  base/app/config/placement.env 's/KAFKA_SECURITY_PROTOCOL=ssl/KAFKA_SECURITY_PROTOCOL=plaintext/'
expect_reject "Kafka user Secret not mounted" prod "kafka_cert_file=/etc/jobintech/kafka/user.crt is not on a mounted KafkaUser Secret" \
  base/app/aggregator.yaml 's/\n            - name: kafka-user\n              mountPath: \/etc\/jobintech\/kafka\n              readOnly: true//'
expect_reject "another service's Kafka user" prod "not from the Secret of KafkaUser training-progress" \
  base/app/training-progress.yaml 's/secretName: training-progress\n/secretName: enrollment\n/'
expect_reject "missing KafkaUser" prod "KafkaUser aggregator missing" base/app/kafka-users.yaml \
  's/---\n# The aggregator:.*?(?=---\n)//s'
expect_reject "producer ACL wider than its topic" prod "ACL topic:prefix:jobintech.:Write is more than enrollment needs" \
  base/app/kafka-users.yaml \
  's/name: jobintech\.enrollment\.v1\n          patternType: literal\n        operations: \[Describe, Write\]/name: jobintech.\n          patternType: prefix\n        operations: [Describe, Write]/'
expect_reject "analytics may write" prod "ACL topic:literal:jobintech.placement.v1:Write is more than analytics needs" \
  base/app/kafka-users.yaml \
  's/(name: analytics\n.*?name: jobintech\.placement\.v1\n          patternType: literal\n        operations: \[Describe, )Read/${1}Write/s'
expect_reject "plaintext Kafka listener" prod "listener plain (port 9092) has no TLS or no authentication" base/kafka/kafka.yaml \
  's/(    listeners:\n(?:      #[^\n]*\n)*)/$1      - name: plain\n        port: 9092\n        type: internal\n        tls: false\n        networkPolicyPeers:\n          - podSelector: {}\n/'
expect_reject "ACLs not enforced" prod "authorization must be simple" base/kafka/kafka.yaml \
  's/    authorization:\n      type: simple\n//'
expect_reject "wrong SPIFFE id" prod "needs exactly one Certificate with URI SAN spiffe://jobintech/ns/jobintech/sa/placement" \
  base/app/certificates.yaml 's/sa\/placement\n/sa\/placment\n/'
expect_reject "certificate not mounted" prod "tls_cert_file=/etc/jobintech/tls/tls.crt is not tls.crt of its mounted Certificate Secret enrollment-tls" \
  base/app/enrollment.yaml 's/\n            - name: tls\n              mountPath: \/etc\/jobintech\/tls\n              readOnly: true//'
expect_reject "private key as token key" dev "holds a PRIVATE key" overlays/dev/token-keys.pem \
  's/\A.*\z/-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n/s'

echo "== self-check: kustomizations outside the kustomize v2.0.3 subset must be rejected"
# expect_subset_reject NAME MESSAGE FILE PERL
expect_subset_reject() {
  local name="$1" message="$2" file="$3" expr="$4" dir out
  dir="$tmp/subset$cases"
  cases=$((cases + 1))
  mkdir -p "$dir" && cp -r deploy/k8s "$dir/"
  mutate "$dir/k8s/$file" "$expr"
  if out="$("$py" "$tests/check_kustomize_subset.py" "$dir/k8s" 2>&1)"; then
    echo "FAIL: self-check '$name': the kustomization was accepted"; exit 1
  fi
  if ! grep -qF -- "$message" <<<"$out"; then
    echo "$out"; echo "FAIL: self-check '$name': rejected, but not with '$message'"; exit 1
  fi
  echo "rejected as expected: $name"
}
expect_subset_reject "labels field" "top level: 'labels' is not known to kustomize v2.0.3" base/app/kustomization.yaml \
  's/\z/labels:\n  - pairs:\n      team: jobintech\n/'
expect_subset_reject "folder under resources" "resources: 'app' is not a file" base/kustomization.yaml \
  's/^bases:/resources:/m'
expect_subset_reject "envs list" "configMapGenerator[0]: 'envs' is not known" base/app/kustomization.yaml \
  's/env: config\/enrollment.env/envs: [config\/enrollment.env]/'
expect_subset_reject "JSON patch by kind alone" "patchesJson6902[0].target: 'name' is required" \
  overlays/dev/kustomization.yaml 's/\n      name: controller//'

echo "== self-check: broken Dockerfiles must be rejected"
# expect_docker_reject NAME MESSAGE PERL
expect_docker_reject() {
  local name="$1" message="$2" expr="$3" dir out
  dir="$tmp/docker$cases"
  cases=$((cases + 1))
  mkdir -p "$dir" && cp deploy/docker/Dockerfile "$dir/Dockerfile"
  mutate "$dir/Dockerfile" "$expr"
  if out="$("$py" "$tests/check_containers.py" --dockerfile "$dir/Dockerfile" 2>&1)"; then
    echo "FAIL: self-check '$name': the broken Dockerfile was accepted"; exit 1
  fi
  if ! grep -qF -- "$message" <<<"$out"; then
    echo "$out"; echo "FAIL: self-check '$name': rejected, but not with '$message'"; exit 1
  fi
  echo "rejected as expected: $name"
}
expect_docker_reject "root user" "USER 'root' is not numeric" 's/USER 65532:65532/USER root/'
expect_docker_reject "UID 0" "USER '0:0' is root" 's/USER 65532:65532/USER 0:0/'
expect_docker_reject "-dev package at run time" "installs build-only package libsqlite3-dev" 's/libsqlite3-0 /libsqlite3-dev /'
expect_docker_reject "missing COPY source" "COPY source 'packaging/' does not exist" 's/COPY \. \.\n/COPY . .\nCOPY packaging\/ packaging\/\n/'
expect_docker_reject "wrong entrypoint" "does not run /usr/local/bin/jit-enrollment" \
  's/ENTRYPOINT \["\/usr\/local\/bin\/jit-enrollment"\]/ENTRYPOINT ["\/usr\/local\/bin\/jit-placement"]/'
expect_docker_reject "latest base image" "is not a pinned Debian 12 tag" 's/debian:12\.11-slim/debian:latest/'
expect_docker_reject "no version label" "no LABEL org.opencontainers.image.version" \
  's/(jit-aggregator" \\\n\s+)org\.opencontainers\.image\.version="\$\{JIT_VERSION\}"/$1org.opencontainers.image.revision="x"/'
if [ -x "${JIT_BINARY_DIR:-$root/build}/services/enrollment/jit-enrollment" ]; then
  expect_docker_reject "runtime library missing" "which the runtime stage does not install" \
    's/ libsqlite3-0 / /'
fi

echo "deploy validation passed ($cases self-check cases rejected as expected)"
