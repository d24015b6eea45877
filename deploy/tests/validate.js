#!/usr/bin/env node
// Validates rendered kustomize output (deploy/tests/validate.sh renders it
// and converts it to JSON):
//
//   node deploy/tests/validate.js --variant NAME=rendered.json [...]
//        [--binary-dir BUILD_DIR] [--require-binaries]
//
// NAME is base, dev or prod (the rules differ for Secrets and sizes). For
// each variant:
//   1. schema: every Kubernetes object validates with kubernetes-models
//      (core/apps/policy/networking) or @kubernetes-models/prometheus-operator
//      (ServiceMonitor), plus an unknown-field check along the models' type
//      declarations; Strimzi resources against the structural schemas of
//      lib/strimzi.js. Unknown apiVersion/kind is an error.
//   2. policy: every container is non-root, read-only root fs, no privilege
//      escalation, drops ALL capabilities, RuntimeDefault seccomp, has HTTP
//      liveness (/healthz) and readiness/startup (/readyz) probes on its admin
//      port (never grpc: the gRPC ports are TLS-only), CPU and memory
//      requests and limits, a pinned image (tag, not latest); pods do not
//      mount service-account tokens; SQLite services are single-replica
//      StatefulSets with a data volume (db_path on it) and an emptyDir /tmp;
//      termination grace > unready_grace + drain_timeout + outbox delivery
//      timeout; every Service port has a name and a target in its pods; every
//      ConfigMap/Secret (and key) a workload references exists, or is a
//      documented external Secret; no Secret with data outside dev, and dev's
//      only Secret is the marked placeholder; every workload has a PDB and a
//      ServiceMonitor on its admin port; the namespace enforces the restricted
//      pod-security profile.
//   3. network: the NetworkPolicies (and Strimzi listener peers) are
//      evaluated over the services, Kafka, Prometheus, the ingress
//      controller, DNS and strangers; the allowed connections must be exactly
//      the architecture's edges.
//   4. flags: the ConfigMap keys are JIT_<SVC>_<FLAG> for flags the binary
//      accepts (asked from `jit-<svc> --help` when built; the documented flags
//      of docs/DEVELOPING.md otherwise), and the addresses in them match the
//      container ports, Services and the Kafka bootstrap Service.
//   5. Kafka: version 3.x supported by the pinned Strimzi, KRaft node pools,
//      durability settings (prod: 3 brokers, RF 3, min ISR 2, no unclean
//      election), every lifecycle topic and its .dlq with the documented
//      partitions and retention.
//   6. security (lib/security.js): Kafka only through an authenticated TLS
//      listener with each workload's own KafkaUser, the KafkaUsers' ACLs
//      exactly as in its hand-written table, one Certificate per gRPC service
//      with its SPIFFE id, mounted and named by the TLS flags, token
//      verification settings.
// Prints one line per problem and exits 1 when there is any.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");
const { unknownFields, NODE_MODULES } = require("./lib/strict_fields");
const { makeEvaluator, selects } = require("./lib/netpol");
const strimzi = require("./lib/strimzi");
const certmanager = require("./lib/certmanager");
const security = require("./lib/security");

const ROOT = path.resolve(__dirname, "../..");
const APP_NS = "jobintech";
const KAFKA_NS = "jobintech-kafka";
// cert-manager's cluster resource namespace: a ClusterIssuer's CA Secret
// lives there, so the suite's CA Certificate does (base/pki).
const CERT_MANAGER_NS = "cert-manager";
const CLUSTER_SCOPED = ["Namespace", "ClusterIssuer"];
// Namespaces outside the suite whose labels the NetworkPolicies name:
// analytics consumers (the `analytics` KafkaUser) run in a namespace
// labelled so.
const EXTERNAL_NAMESPACES = { analytics: { "jobintech.ma/kafka-analytics": "true" } };

// docs/DEVELOPING.md, "Conventions".
const SERVICES = {
  enrollment: { prefix: "JIT_ENROLLMENT_", grpc: 50051, admin: 9101, calls: [] },
  "training-progress": { prefix: "JIT_PROGRESS_", grpc: 50052, admin: 9102, calls: ["enrollment"] },
  placement: { prefix: "JIT_PLACEMENT_", grpc: 50053, admin: 9103, calls: ["training-progress", "enrollment"] },
  aggregator: { prefix: "JIT_AGGREGATOR_", grpc: 50054, admin: 9104, http: 8080, calls: [] },
};
const PEER_FLAG = { enrollment: "enrollment_address", "training-progress": "progress_address" };
const COMMON_FLAGS = ["grpc_address", "admin_address", "db_path", "sqlite_synchronous", "kafka_bootstrap",
  "kafka_bootstrap_file", "log_level", "unready_grace", "drain_timeout",
  // Issue 17: the bounded executor of the gRPC handlers (libs/bootstrap).
  "executor_threads", "executor_queue_capacity", "executor_retry_after",
  // Issue 15: TLS and bearer tokens (libs/service/security.cc), Kafka security.
  "tls_cert_file", "tls_key_file", "tls_ca_file", "token_issuer", "token_audience", "token_keys_file",
  "kafka_security_protocol", "kafka_ca_file", "kafka_cert_file", "kafka_key_file", "kafka_sasl_mechanism",
  "kafka_sasl_username", "kafka_sasl_password_file"];
// Used only while a binary is not built yet (its sources do not exist).
const DOCUMENTED_FLAGS = {
  enrollment: [...COMMON_FLAGS, "cin_hash_key", "min_age", "max_age"],
  "training-progress": [...COMMON_FLAGS, "enrollment_address"],
  placement: [...COMMON_FLAGS, "enrollment_address", "progress_address"],
  aggregator: [...COMMON_FLAGS, "http_address"],
};
// Secrets that are created outside git (deploy/README.md, "Secrets").
const EXTERNAL_SECRETS = { base: ["enrollment-cin-hash-key", "dashboard-tls"], prod: ["enrollment-cin-hash-key", "dashboard-tls"], dev: [] };
const OUTBOX_DELIVERY_TIMEOUT_S = 30; // libs/service/outbox_pipeline.h
// Strimzi 0.47.0 runs Kafka 3.9.0, 3.9.1 and 4.0.0; librdkafka 2.0.2 needs 3.x.
const STRIMZI_KAFKA_VERSIONS = ["3.9.0", "3.9.1"];
const LIFECYCLE_TOPICS = ["jobintech.enrollment.v1", "jobintech.progress.v1", "jobintech.placement.v1"];
const LIFECYCLE_PARTITIONS = 12;
const DLQ_PARTITIONS = 3;
const DLQ_RETENTION_MS = 30 * 24 * 3600 * 1000;

const problems = [];
const notes = [];
let current = "";
function fail(obj, msg) {
  const id = obj ? `${obj.kind}/${(obj.metadata || {}).name}` : "-";
  problems.push(`[${current}] ${id}: ${msg}`);
}

function parseArgs(argv) {
  const opts = { variants: [], binaryDir: process.env.JIT_BINARY_DIR || path.join(ROOT, "build"), requireBinaries: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--variant") { const [n, f] = argv[++i].split("="); opts.variants.push({ name: n, file: f }); }
    else if (argv[i] === "--binary-dir") opts.binaryDir = argv[++i];
    else if (argv[i] === "--require-binaries") opts.requireBinaries = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

function durationSeconds(s) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(s));
  if (!m) return NaN;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

function portOf(address) {
  const m = /:(\d+)$/.exec(address || "");
  return m ? Number(m[1]) : NaN;
}

// ---------------------------------------------------------------- schema
function modelModule(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  if (group === "monitoring.coreos.com") return `@kubernetes-models/prometheus-operator/${group}/${version}`;
  if (group.endsWith("k8s.io") || ["", "apps", "policy", "batch", "autoscaling"].includes(group)) {
    return group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  }
  return null;
}

function checkSchema(obj) {
  if (!obj || typeof obj !== "object" || !obj.apiVersion || !obj.kind) { fail(obj, "not a Kubernetes object"); return; }
  if (obj.apiVersion === "kafka.strimzi.io/v1beta2") {
    const schema = strimzi.SCHEMAS[obj.kind];
    if (!schema) { fail(obj, `no Strimzi schema for kind ${obj.kind}`); return; }
    const p = [];
    strimzi.checkSchema(obj, schema, "", p);
    p.forEach((x) => fail(obj, `schema: ${x}`));
    return;
  }
  if (obj.apiVersion === "cert-manager.io/v1") {
    const schema = certmanager.SCHEMAS[obj.kind];
    if (!schema) { fail(obj, `no cert-manager schema for kind ${obj.kind}`); return; }
    const p = [];
    certmanager.checkSchema(obj, schema, "", p);
    p.forEach((x) => fail(obj, `schema: ${x}`));
    return;
  }
  const mod = modelModule(obj);
  let Model;
  try { Model = mod && require(mod)[obj.kind]; } catch (e) { Model = null; }
  if (!Model) { fail(obj, `no schema for ${obj.apiVersion} ${obj.kind}`); return; }
  try {
    new Model(obj).validate();
  } catch (e) {
    fail(obj, `schema: ${e.message.replace(/\s+/g, " ")}`);
  }
  const dts = path.join(NODE_MODULES, mod, `${obj.kind}.d.ts`);
  unknownFields(obj, dts, obj.kind).forEach((x) => fail(obj, `schema: ${x}`));
  if (obj.metadata && obj.metadata.name && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(obj.metadata.name)) {
    fail(obj, "metadata.name is not a DNS subdomain");
  }
}

// ---------------------------------------------------------------- helpers
function byKind(objs, kind) { return objs.filter((o) => o.kind === kind); }
function find(objs, kind, name, ns) {
  return objs.find((o) => o.kind === kind && o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));
}
const WORKLOAD_KINDS = ["StatefulSet", "Deployment", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod"];
function podSpecOf(w) {
  if (w.kind === "Pod") return w.spec;
  if (w.kind === "CronJob") return w.spec.jobTemplate.spec.template.spec;
  return w.spec.template.spec;
}
function podLabelsOf(w) {
  if (w.kind === "Pod") return w.metadata.labels || {};
  if (w.kind === "CronJob") return w.spec.jobTemplate.spec.template.metadata.labels || {};
  return (w.spec.template.metadata || {}).labels || {};
}
function serviceOf(w) { return podLabelsOf(w)["app.kubernetes.io/name"]; }

// ---------------------------------------------------------------- policy
function imagePinned(image) {
  if (!image) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const last = image.split("/").pop();
  const tag = last.includes(":") ? last.split(":").pop() : "";
  return tag !== "" && tag !== "latest";
}

function checkContainer(w, c, pod, svc) {
  const sc = c.securityContext || {};
  const psc = pod.securityContext || {};
  const where = `container ${c.name}`;
  if (!imagePinned(c.image)) fail(w, `${where}: image ${c.image} is not pinned (tag or digest, never latest)`);
  if (sc.allowPrivilegeEscalation !== false) fail(w, `${where}: allowPrivilegeEscalation must be false`);
  if (sc.readOnlyRootFilesystem !== true) fail(w, `${where}: readOnlyRootFilesystem must be true`);
  if (sc.privileged === true) fail(w, `${where}: privileged`);
  if (!(sc.runAsNonRoot === true || (psc.runAsNonRoot === true && sc.runAsNonRoot !== false))) fail(w, `${where}: runAsNonRoot must be true`);
  const uid = sc.runAsUser !== undefined ? sc.runAsUser : psc.runAsUser;
  if (uid === 0) fail(w, `${where}: runs as UID 0`);
  const caps = sc.capabilities || {};
  if (!(caps.drop || []).includes("ALL")) fail(w, `${where}: capabilities must drop ALL`);
  if ((caps.add || []).length) fail(w, `${where}: adds capabilities ${caps.add}`);
  const seccomp = (sc.seccompProfile || psc.seccompProfile || {}).type;
  if (seccomp !== "RuntimeDefault") fail(w, `${where}: seccompProfile must be RuntimeDefault`);
  const res = c.resources || {};
  for (const kind of ["requests", "limits"]) {
    for (const r of ["cpu", "memory"]) {
      if (!(res[kind] || {})[r]) fail(w, `${where}: resources.${kind}.${r} not set`);
    }
  }
  // The gRPC ports speak TLS only, which kubelet's native grpc probe cannot:
  // every probe is an HTTP GET on the admin port (plain HTTP, never behind
  // the ingress): /readyz for startup and readiness, /healthz for liveness.
  const adminPort = (c.ports || []).find((p) => p.name === "admin");
  const PROBE_PATHS = { startupProbe: "/readyz", readinessProbe: "/readyz", livenessProbe: "/healthz" };
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const p = c[probe];
    if (!p) { fail(w, `${where}: no ${probe}`); continue; }
    if (p.grpc) { fail(w, `${where}: ${probe} must not be a grpc probe (the gRPC port is TLS-only)`); continue; }
    if (!p.httpGet) { fail(w, `${where}: ${probe} must be an httpGet probe on the admin port`); continue; }
    const port = p.httpGet.port;
    const onAdmin = adminPort && (port === adminPort.name || port === adminPort.containerPort);
    if (!onAdmin) fail(w, `${where}: ${probe} does not probe the admin port`);
    if ((p.httpGet.scheme || "HTTP") !== "HTTP") fail(w, `${where}: ${probe}: the admin port serves plain HTTP`);
    if (p.httpGet.path !== PROBE_PATHS[probe]) fail(w, `${where}: ${probe} must GET ${PROBE_PATHS[probe]}, not ${p.httpGet.path}`);
  }
  if (svc && SERVICES[svc]) {
    const want = { grpc: SERVICES[svc].grpc, admin: SERVICES[svc].admin };
    if (SERVICES[svc].http) want.http = SERVICES[svc].http;
    for (const [name, port] of Object.entries(want)) {
      const p = (c.ports || []).find((x) => x.name === name);
      if (!p || p.containerPort !== port) fail(w, `${where}: container port ${name} must be ${port} (docs/DEVELOPING.md)`);
    }
  }
}

function envFromConfig(w, c, objs) {
  // The effective environment from ConfigMaps (envFrom) and literal env.
  const env = {};
  for (const ef of c.envFrom || []) {
    if (ef.configMapRef) {
      const cm = find(objs, "ConfigMap", ef.configMapRef.name, w.metadata.namespace);
      if (cm) Object.assign(env, cm.data || {});
    }
  }
  for (const e of c.env || []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else env[e.name] = { from: e.valueFrom };
  }
  return env;
}

function checkReferences(w, pod, objs, variant) {
  const ns = w.metadata.namespace;
  const external = EXTERNAL_SECRETS[variant] || [];
  const needSecret = (name, key, where) => {
    const s = find(objs, "Secret", name, ns);
    if (!s) {
      // Secrets that operators write in the cluster: cert-manager (a
      // Certificate's secretName) and Strimzi's User Operator (a KafkaUser's
      // name), with the keys they write.
      const provided = security.operatorSecretKeys(objs, name, ns);
      if (provided) {
        if (key && !provided.includes(key)) fail(w, `${where}: Secret ${name} will have no key ${key}`);
        return;
      }
      if (!external.includes(name)) fail(w, `${where}: Secret ${name} does not exist`);
      return;
    }
    if (key && !((s.data || {})[key] !== undefined || (s.stringData || {})[key] !== undefined)) fail(w, `${where}: Secret ${name} has no key ${key}`);
  };
  const needConfigMap = (name, key, where) => {
    const cm = find(objs, "ConfigMap", name, ns);
    if (!cm) { fail(w, `${where}: ConfigMap ${name} does not exist`); return; }
    if (key && (cm.data || {})[key] === undefined) fail(w, `${where}: ConfigMap ${name} has no key ${key}`);
  };
  for (const c of [...(pod.initContainers || []), ...pod.containers]) {
    for (const ef of c.envFrom || []) {
      if (ef.configMapRef) needConfigMap(ef.configMapRef.name, null, `container ${c.name} envFrom`);
      if (ef.secretRef) needSecret(ef.secretRef.name, null, `container ${c.name} envFrom`);
    }
    for (const e of c.env || []) {
      const vf = e.valueFrom || {};
      if (vf.configMapKeyRef) needConfigMap(vf.configMapKeyRef.name, vf.configMapKeyRef.key, `env ${e.name}`);
      if (vf.secretKeyRef) needSecret(vf.secretKeyRef.name, vf.secretKeyRef.key, `env ${e.name}`);
    }
  }
  for (const v of pod.volumes || []) {
    if (v.configMap) {
      needConfigMap(v.configMap.name, null, `volume ${v.name}`);
      for (const it of v.configMap.items || []) needConfigMap(v.configMap.name, it.key, `volume ${v.name}`);
    }
    if (v.secret) {
      needSecret(v.secret.secretName, null, `volume ${v.name}`);
      for (const it of v.secret.items || []) needSecret(v.secret.secretName, it.key, `volume ${v.name}`);
    }
    if (v.hostPath) fail(w, `volume ${v.name}: hostPath is not allowed`);
  }
  if (pod.serviceAccountName) {
    const sa = find(objs, "ServiceAccount", pod.serviceAccountName, ns);
    if (!sa) fail(w, `ServiceAccount ${pod.serviceAccountName} does not exist`);
  } else {
    fail(w, "no serviceAccountName (would use the namespace's default account)");
  }
  const sa = pod.serviceAccountName && find(objs, "ServiceAccount", pod.serviceAccountName, ns);
  if (pod.automountServiceAccountToken !== false && !(sa && sa.automountServiceAccountToken === false)) {
    fail(w, "mounts a service-account token (automountServiceAccountToken must be false)");
  }
}

function checkWorkload(w, objs, variant, flagSets) {
  const pod = podSpecOf(w);
  const svc = serviceOf(w);
  if (w.metadata.namespace !== APP_NS) fail(w, `must be in namespace ${APP_NS}`);
  if (!svc) fail(w, "pod template has no app.kubernetes.io/name label");
  const psc = pod.securityContext || {};
  if (psc.runAsNonRoot !== true) fail(w, "pod securityContext.runAsNonRoot must be true");
  if ((psc.seccompProfile || {}).type !== "RuntimeDefault") fail(w, "pod seccompProfile must be RuntimeDefault");
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) fail(w, "uses host namespaces");
  for (const c of [...(pod.initContainers || []), ...pod.containers]) checkContainer(w, c, pod, svc);
  checkReferences(w, pod, objs, variant);

  if (!SERVICES[svc]) { fail(w, `unknown service ${svc}`); return; }
  // SQLite: a single-replica StatefulSet with its data on a claim.
  if (w.kind !== "StatefulSet") fail(w, "an SQLite service must be a StatefulSet");
  else {
    if (w.spec.replicas !== 1) fail(w, "SQLite services run exactly one replica (deploy/README.md, Scaling)");
    const headless = find(objs, "Service", w.spec.serviceName, w.metadata.namespace);
    if (!headless || headless.spec.clusterIP !== "None") fail(w, `serviceName ${w.spec.serviceName} is not a headless Service`);
  }
  const c = pod.containers[0];
  const claims = ((w.spec || {}).volumeClaimTemplates || []).map((t) => t.metadata.name);
  const mounts = c.volumeMounts || [];
  const dataMount = mounts.find((m) => claims.includes(m.name));
  if (!dataMount) fail(w, "no volume claim mounted (data volume)");
  const tmp = mounts.find((m) => m.mountPath === "/tmp");
  if (!tmp || !(pod.volumes || []).some((v) => v.name === tmp.name && v.emptyDir)) fail(w, "no emptyDir mounted at /tmp");

  // Flags through the environment.
  const spec = SERVICES[svc];
  const env = envFromConfig(w, c, objs);
  const flags = flagSets[svc];
  for (const key of Object.keys(env)) {
    if (!key.startsWith(spec.prefix)) { fail(w, `env ${key}: not under the service's prefix ${spec.prefix}`); continue; }
    const flag = key.slice(spec.prefix.length).toLowerCase();
    if (flags && !flags.flags.includes(flag)) fail(w, `env ${key}: --${flag} is not a flag of jit-${svc} (${flags.source})`);
  }
  if (flags && flags.prefix && flags.prefix !== spec.prefix) fail(w, `jit-${svc} reads ${flags.prefix}*, not ${spec.prefix}*`);
  const get = (flag) => env[spec.prefix + flag.toUpperCase()];
  const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
  if (portOf(get("grpc_address")) !== ports.grpc) fail(w, `grpc_address ${get("grpc_address")} does not listen on the grpc container port`);
  if (portOf(get("admin_address")) !== ports.admin) fail(w, `admin_address ${get("admin_address")} does not listen on the admin container port`);
  if (spec.http && portOf(get("http_address")) !== ports.http) fail(w, `http_address ${get("http_address")} does not listen on the http container port`);
  for (const flag of ["grpc_address", "admin_address"]) {
    if (get(flag) && !/^(0\.0\.0\.0|\[::\]):/.test(get(flag))) fail(w, `${flag} must listen on all interfaces, got ${get(flag)}`);
  }
  const db = get("db_path");
  if (!db || !dataMount || !String(db).startsWith(dataMount.mountPath + "/")) fail(w, `db_path ${db} is not on the data volume`);
  if (!["full", "normal"].includes(get("sqlite_synchronous"))) fail(w, "sqlite_synchronous must be full or normal");
  if (variant !== "dev" && get("sqlite_synchronous") !== "full") fail(w, "sqlite_synchronous must be full outside dev");
  for (const peer of spec.calls) {
    const flag = PEER_FLAG[peer];
    const value = get(flag);
    const [host, port] = String(value || "").split(":");
    const s = find(objs, "Service", host, w.metadata.namespace);
    if (!s || !(s.spec.ports || []).some((p) => p.port === Number(port) && p.name === "grpc")) {
      fail(w, `${flag}=${value} does not name the gRPC port of Service ${peer}`);
    } else if (host !== peer) {
      fail(w, `${flag}=${value} does not point at ${peer}`);
    }
  }
  const kafka = byKind(objs, "Kafka")[0];
  if (kafka) {
    // Only an internal TLS listener that authenticates its clients (the
    // KafkaUsers; lib/security.js checks the rest of the client's settings).
    const secured = (kafka.spec.kafka.listeners || []).filter((l) => l.tls === true && l.type === "internal" && l.authentication);
    const allowed = secured.map((l) => `${kafka.metadata.name}-kafka-bootstrap.${kafka.metadata.namespace}.svc:${l.port}`);
    const boot = get("kafka_bootstrap");
    if (!allowed.includes(boot)) fail(w, `kafka_bootstrap=${boot} is not the Strimzi bootstrap Service of an authenticated TLS listener (${allowed.join(", ") || "none"})`);
  }
  const grace = pod.terminationGracePeriodSeconds === undefined ? 30 : pod.terminationGracePeriodSeconds;
  const unready = durationSeconds(get("unready_grace") || "2s");
  const drain = durationSeconds(get("drain_timeout") || "10s");
  if (!(grace > unready + drain + OUTBOX_DELIVERY_TIMEOUT_S)) {
    fail(w, `terminationGracePeriodSeconds ${grace} must exceed unready_grace + drain_timeout + ${OUTBOX_DELIVERY_TIMEOUT_S}s outbox delivery timeout (${unready + drain + OUTBOX_DELIVERY_TIMEOUT_S}s)`);
  }
  if (svc === "enrollment") {
    const key = env[spec.prefix + "CIN_HASH_KEY"];
    if (!key || typeof key !== "object" || !key.from.secretKeyRef) fail(w, "JIT_ENROLLMENT_CIN_HASH_KEY must come from a Secret");
  }
  for (const [k, v] of Object.entries(env)) {
    if (!/KEY|SECRET|PASSWORD|TOKEN/.test(k) || typeof v === "object") continue;
    // A *_FILE flag names a file: allowed in plain configuration only when
    // the file is on a read-only Secret or ConfigMap mount (the secret is
    // in the file, never in the environment or the command line).
    if (/_FILE$/.test(k)) {
      const src = security.fileSource(pod, c, v);
      if (!src) fail(w, `env ${k}=${v}: not on a mounted Secret or ConfigMap`);
      else if (!src.readOnly) fail(w, `env ${k}=${v}: the mount ${src.mountPath} must be readOnly`);
      continue;
    }
    fail(w, `env ${k}: a secret value in plain configuration`);
  }

  // PDB and ServiceMonitor.
  const labels = podLabelsOf(w);
  const pdbs = byKind(objs, "PodDisruptionBudget").filter((p) => p.metadata.namespace === w.metadata.namespace && selects(p.spec.selector, labels));
  if (pdbs.length !== 1) fail(w, `needs exactly one PodDisruptionBudget, has ${pdbs.length}`);
  const services = byKind(objs, "Service").filter((s) => s.metadata.namespace === w.metadata.namespace &&
    s.spec.selector && Object.entries(s.spec.selector).every(([k, v]) => labels[k] === v));
  const monitors = byKind(objs, "ServiceMonitor").filter((m) => m.metadata.namespace === w.metadata.namespace &&
    services.some((s) => selects(m.spec.selector, s.metadata.labels || {}) &&
      m.spec.endpoints.some((e) => (s.spec.ports || []).some((p) => p.name === e.port && p.port === ports.admin))));
  if (monitors.length !== 1) fail(w, `needs exactly one ServiceMonitor scraping its admin port, has ${monitors.length}`);
  const main = services.find((s) => s.metadata.name === svc);
  if (!main) fail(w, `no Service named ${svc}`);
  else {
    for (const port of ["grpc", "admin", ...(spec.http ? ["http"] : [])]) {
      if (!(main.spec.ports || []).some((p) => p.name === port && p.port === ports[port])) fail(main, `no port ${port}=${ports[port]}`);
    }
  }
}

function checkServices(objs) {
  const workloads = objs.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  for (const s of byKind(objs, "Service")) {
    const pods = workloads.filter((w) => w.metadata.namespace === s.metadata.namespace && s.spec.selector &&
      Object.entries(s.spec.selector).every(([k, v]) => podLabelsOf(w)[k] === v));
    if (!pods.length) fail(s, "selects no workload");
    for (const p of s.spec.ports || []) {
      if (!p.name) fail(s, `port ${p.port} has no name`);
      const target = p.targetPort === undefined ? p.port : p.targetPort;
      const ok = pods.some((w) => podSpecOf(w).containers.some((c) => (c.ports || []).some((cp) =>
        (typeof target === "string" ? cp.name === target : cp.containerPort === target))));
      if (pods.length && !ok) fail(s, `port ${p.name}: targetPort ${target} is not a container port of its pods`);
    }
  }
  for (const m of byKind(objs, "ServiceMonitor")) {
    const svcs = byKind(objs, "Service").filter((s) => s.metadata.namespace === m.metadata.namespace && selects(m.spec.selector, s.metadata.labels || {}));
    if (!svcs.length) fail(m, "selects no Service");
    for (const e of m.spec.endpoints) {
      if (!svcs.some((s) => (s.spec.ports || []).some((p) => p.name === e.port))) fail(m, `endpoint port ${e.port} is on none of its Services`);
    }
  }
  for (const p of byKind(objs, "PodDisruptionBudget")) {
    if (!workloads.some((w) => w.metadata.namespace === p.metadata.namespace && selects(p.spec.selector, podLabelsOf(w)))) fail(p, "selects no workload");
  }
  for (const ing of byKind(objs, "Ingress")) {
    for (const rule of ing.spec.rules || []) {
      for (const pth of (rule.http || {}).paths || []) {
        const b = pth.backend.service;
        const s = find(objs, "Service", b.name, ing.metadata.namespace);
        if (!s || !(s.spec.ports || []).some((p) => (b.port.name ? p.name === b.port.name : p.port === b.port.number))) {
          fail(ing, `backend ${b.name}:${b.port.name || b.port.number} does not exist`);
        }
      }
    }
  }
}

function checkSecrets(objs, variant) {
  for (const s of byKind(objs, "Secret")) {
    const values = { ...(s.data || {}) };
    for (const [k, v] of Object.entries(s.stringData || {})) values[k] = Buffer.from(String(v)).toString("base64");
    if (variant !== "dev") {
      fail(s, `a Secret in the ${variant} manifests: secrets are created outside git`);
      continue;
    }
    const marked = ((s.metadata.annotations || {})["jobintech.ma/dev-placeholder"]) === "true";
    if (!marked) fail(s, "dev Secret without the jobintech.ma/dev-placeholder annotation");
    for (const [k, v] of Object.entries(values)) {
      const text = Buffer.from(v, "base64").toString("utf8");
      if (!text.startsWith("dev-only-")) fail(s, `key ${k}: a dev placeholder value must start with "dev-only-"`);
    }
  }
}

function checkNamespaces(objs) {
  for (const name of [APP_NS, KAFKA_NS]) {
    const ns = find(objs, "Namespace", name);
    if (!ns) { fail(null, `Namespace ${name} missing`); continue; }
    if ((ns.metadata.labels || {})["pod-security.kubernetes.io/enforce"] !== "restricted") {
      fail(ns, "must label pod-security.kubernetes.io/enforce=restricted");
    }
  }
  for (const o of objs) {
    const ns = (o.metadata || {}).namespace;
    if (CLUSTER_SCOPED.includes(o.kind)) {
      if (ns !== undefined) fail(o, `${o.kind} is cluster-scoped: no metadata.namespace`);
      continue;
    }
    const strimziKind = (o.apiVersion || "").startsWith("kafka.strimzi.io/");
    const certKind = (o.apiVersion || "").startsWith("cert-manager.io/");
    if (ns === CERT_MANAGER_NS && o.kind === "Certificate" && o.spec.isCA === true) continue; // the suite's CA
    if (![APP_NS, KAFKA_NS].includes(ns)) { fail(o, `namespace ${ns} is neither ${APP_NS} nor ${KAFKA_NS}`); continue; }
    // KafkaUsers live where their clients mount their Secrets (the User
    // Operator's watched namespace, checked in lib/security.js).
    if (strimziKind && o.kind === "KafkaUser") {
      if (ns !== APP_NS) fail(o, `KafkaUsers belong in ${APP_NS}, beside the pods that mount their Secrets`);
    } else if (strimziKind && ns !== KAFKA_NS) fail(o, `Strimzi resources belong in ${KAFKA_NS}`);
    if (!strimziKind && !(certKind && o.kind === "Certificate") && ns === KAFKA_NS) {
      fail(o, `only Strimzi resources (and the listener's Certificate) belong in ${KAFKA_NS}`);
    }
  }
}

// ---------------------------------------------------------------- network
function checkNetwork(objs) {
  const policies = byKind(objs, "NetworkPolicy");
  for (const p of policies) {
    for (const r of [...(p.spec.ingress || []), ...(p.spec.egress || [])]) {
      for (const peer of [...(r.from || []), ...(r.to || [])]) {
        if (peer.ipBlock) fail(p, `ipBlock ${peer.ipBlock.cidr}: no edge of the architecture needs an address range`);
      }
      if (!r.ports || !r.ports.length) fail(p, "a rule without ports allows every port");
    }
  }
  const defaultDeny = policies.find((p) => p.metadata.namespace === APP_NS && Object.keys(p.spec.podSelector || {}).length === 0 &&
    (p.spec.policyTypes || []).includes("Ingress") && (p.spec.policyTypes || []).includes("Egress") && !p.spec.ingress && !p.spec.egress);
  if (!defaultDeny) fail(null, `no default-deny NetworkPolicy (Ingress and Egress) in ${APP_NS}`);

  const nsObjs = Object.fromEntries(byKind(objs, "Namespace").map((n) => [n.metadata.name, n.metadata.labels || {}]));
  const nsLabels = (ns) => ({ ...(EXTERNAL_NAMESPACES[ns] || {}), ...(nsObjs[ns] || {}), "kubernetes.io/metadata.name": ns });
  const endpoints = [];
  for (const w of objs.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
    const ports = [];
    for (const c of podSpecOf(w).containers) for (const p of c.ports || []) ports.push({ port: p.containerPort, protocol: p.protocol || "TCP", name: p.name });
    endpoints.push({ id: serviceOf(w), namespace: w.metadata.namespace, labels: podLabelsOf(w), ports });
  }
  const kafka = byKind(objs, "Kafka")[0];
  const ingressRules = {};
  if (kafka) {
    const listeners = kafka.spec.kafka.listeners || [];
    endpoints.push({
      id: "kafka-broker", namespace: kafka.metadata.namespace,
      labels: { "strimzi.io/cluster": kafka.metadata.name, "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true" },
      ports: listeners.map((l) => ({ port: l.port, protocol: "TCP", name: l.name })),
    });
    ingressRules["kafka-broker"] = listeners.map((l) => ({ ports: [{ port: l.port, protocol: "TCP" }], from: l.networkPolicyPeers || [] }));
    endpoints.push({
      id: "kafka-controller", namespace: kafka.metadata.namespace,
      labels: { "strimzi.io/cluster": kafka.metadata.name, "strimzi.io/kind": "Kafka", "strimzi.io/controller-role": "true" },
      ports: [{ port: 9090, protocol: "TCP" }],
    });
  }
  endpoints.push(
    { id: "grpc-client", namespace: APP_NS, labels: { "jobintech.ma/grpc-client": "true", "app.kubernetes.io/part-of": "jobintech" }, ports: [] },
    { id: "stranger-in-namespace", namespace: APP_NS, labels: { "app.kubernetes.io/name": "stranger" }, ports: [{ port: 8080, protocol: "TCP" }] },
    { id: "prometheus", namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" }, ports: [{ port: 9090, protocol: "TCP" }] },
    { id: "ingress-controller", namespace: "ingress-nginx", labels: { "app.kubernetes.io/name": "ingress-nginx" }, ports: [{ port: 443, protocol: "TCP" }] },
    { id: "kube-dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
    { id: "stranger-elsewhere", namespace: "default", labels: { "app.kubernetes.io/part-of": "jobintech" }, ports: [{ port: 8080, protocol: "TCP" }] },
    { id: "analytics", namespace: "analytics", labels: { "app.kubernetes.io/name": "analytics-consumer" }, ports: [] },
    { id: "internet", namespace: null, ip: "203.0.113.10", labels: {}, ports: [{ port: 443, protocol: "TCP" }] },
  );
  const allowed = makeEvaluator(policies, [APP_NS], nsLabels, ingressRules);
  const managed = (ep) => ep.namespace === APP_NS;
  const actual = new Set();
  for (const src of endpoints) {
    for (const dst of endpoints) {
      if (src === dst) continue;
      if (!managed(src) && !managed(dst) && !ingressRules[dst.id]) continue;
      const probes = [...dst.ports, { port: 12345, protocol: "TCP" }];
      for (const p of probes) {
        if (allowed(src, dst, p.port, p.protocol)) actual.add(`${src.id} -> ${dst.id}:${p.port}/${p.protocol}`);
      }
    }
  }
  const expected = new Set();
  const inNamespace = endpoints.filter(managed).map((e) => e.id);
  for (const id of inNamespace) { expected.add(`${id} -> kube-dns:53/UDP`); expected.add(`${id} -> kube-dns:53/TCP`); }
  for (const [svc, spec] of Object.entries(SERVICES)) {
    for (const peer of spec.calls) expected.add(`${svc} -> ${peer}:${SERVICES[peer].grpc}/TCP`);
    if (kafka) for (const l of kafka.spec.kafka.listeners || []) expected.add(`${svc} -> kafka-broker:${l.port}/TCP`);
    expected.add(`prometheus -> ${svc}:${spec.admin}/TCP`);
    expected.add(`grpc-client -> ${svc}:${spec.grpc}/TCP`);
    if (spec.http) expected.add(`ingress-controller -> ${svc}:${spec.http}/TCP`);
  }
  // Analytics consumers (KafkaUser analytics) reach the brokers' TLS listener.
  if (kafka) for (const l of kafka.spec.kafka.listeners || []) if (l.tls && l.authentication) expected.add(`analytics -> kafka-broker:${l.port}/TCP`);
  for (const e of actual) if (!expected.has(e)) fail(null, `NetworkPolicy allows ${e}, which is not an edge of the architecture`);
  for (const e of expected) if (!actual.has(e)) fail(null, `NetworkPolicy blocks ${e}, an edge of the architecture`);
  return actual.size;
}

// ---------------------------------------------------------------- Kafka
function checkKafka(objs, variant) {
  const kafkas = byKind(objs, "Kafka");
  if (kafkas.length !== 1) { fail(null, `needs exactly one Kafka, has ${kafkas.length}`); return; }
  const k = kafkas[0];
  const spec = k.spec.kafka;
  if (!STRIMZI_KAFKA_VERSIONS.includes(spec.version)) {
    fail(k, `Kafka ${spec.version}: use a 3.x version run by Strimzi 0.47 (${STRIMZI_KAFKA_VERSIONS.join(", ")}); librdkafka 2.0.2 cannot join groups on 4.x`);
  }
  const majorMinor = String(spec.version).split(".").slice(0, 2).join(".");
  if (!String(spec.metadataVersion || "").startsWith(majorMinor + "-")) fail(k, `metadataVersion ${spec.metadataVersion} does not match Kafka ${spec.version}`);
  const names = new Set();
  for (const l of spec.listeners || []) {
    if (names.has(l.name)) fail(k, `listener name ${l.name} repeated`);
    names.add(l.name);
    if ([9090, 9091, 9404, 9999].includes(l.port)) fail(k, `listener ${l.name}: port ${l.port} is reserved by Strimzi`);
    if (!(l.networkPolicyPeers || []).length) fail(k, `listener ${l.name}: no networkPolicyPeers (open to every pod)`);
  }
  if ((spec.listeners || []).length !== new Set((spec.listeners || []).map((l) => l.port)).size) fail(k, "two listeners share a port");
  for (const key of strimzi.forbiddenConfigKeys(spec.config)) fail(k, `config ${key} is managed by Strimzi`);
  const cfg = spec.config || {};
  const pools = byKind(objs, "KafkaNodePool");
  let brokers = 0;
  let controllers = 0;
  for (const p of pools) {
    if ((p.metadata.labels || {})["strimzi.io/cluster"] !== k.metadata.name) fail(p, `not labelled strimzi.io/cluster=${k.metadata.name}`);
    const roles = p.spec.roles || [];
    if (!roles.length) fail(p, "no roles");
    if (roles.includes("broker")) brokers += p.spec.replicas || 0;
    if (roles.includes("controller")) controllers += p.spec.replicas || 0;
    const vols = p.spec.storage.type === "jbod" ? p.spec.storage.volumes || [] : [p.spec.storage];
    if (vols.filter((v) => v.kraftMetadata).length > 1) fail(p, "more than one volume with kraftMetadata");
    if (vols.some((v) => v.type === "ephemeral") && variant !== "dev") fail(p, "ephemeral storage outside dev");
    if (vols.some((v) => v.deleteClaim === true)) fail(p, "deleteClaim true would delete the data with the cluster");
  }
  if (brokers < 1) fail(k, "no broker nodes");
  if (controllers < 1 || controllers % 2 === 0) fail(k, `KRaft needs an odd number of controllers, has ${controllers}`);
  const rf = Number(cfg["default.replication.factor"]);
  const minIsr = Number(cfg["min.insync.replicas"]);
  if (!(rf >= 1 && rf <= brokers)) fail(k, `default.replication.factor ${rf} must be between 1 and the ${brokers} brokers`);
  if (cfg["unclean.leader.election.enable"] !== false) fail(k, "unclean.leader.election.enable must be false");
  if (cfg["auto.create.topics.enable"] !== false) fail(k, "auto.create.topics.enable must be false (topics are KafkaTopic resources)");
  if (Number(cfg["offsets.topic.replication.factor"]) !== rf) fail(k, "offsets.topic.replication.factor must equal default.replication.factor");
  if (variant !== "dev") {
    if (brokers < 3) fail(k, `${variant}: needs at least 3 brokers, has ${brokers}`);
    if (rf !== 3) fail(k, `${variant}: default.replication.factor must be 3`);
    if (minIsr !== 2) fail(k, `${variant}: min.insync.replicas must be 2`);
    if (controllers < 3) fail(k, `${variant}: needs 3 KRaft controllers`);
  } else if (minIsr > rf) fail(k, "min.insync.replicas above the replication factor: every write would fail");
  if (rf > 1 && minIsr >= rf) fail(k, "min.insync.replicas must be below the replication factor, or one broker down stops all writes");

  const topics = byKind(objs, "KafkaTopic");
  const byName = {};
  for (const t of topics) {
    const name = t.spec.topicName || t.metadata.name;
    byName[name] = t;
    if ((t.metadata.labels || {})["strimzi.io/cluster"] !== k.metadata.name) fail(t, `not labelled strimzi.io/cluster=${k.metadata.name}`);
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(name) || name === "." || name === "..") fail(t, `invalid topic name ${name}`);
    const replicas = t.spec.replicas;
    if (!(replicas >= 1 && replicas <= brokers)) fail(t, `replicas ${replicas} must be between 1 and the ${brokers} brokers`);
    const tcfg = t.spec.config || {};
    for (const key of Object.keys(tcfg)) if (!strimzi.TOPIC_CONFIG_KEYS.has(key)) fail(t, `unknown topic config ${key}`);
    const tMinIsr = tcfg["min.insync.replicas"] !== undefined ? Number(tcfg["min.insync.replicas"]) : minIsr;
    if (tMinIsr > replicas) fail(t, `min.insync.replicas ${tMinIsr} above its ${replicas} replicas: every write would fail`);
    if (variant !== "dev" && (replicas !== 3 || tMinIsr !== 2)) fail(t, `${variant}: replicas 3 and min.insync.replicas 2 required`);
  }
  for (const topic of LIFECYCLE_TOPICS) {
    const t = byName[topic];
    const d = byName[`${topic}.dlq`];
    if (!t) { fail(null, `KafkaTopic ${topic} missing`); continue; }
    if (t.spec.partitions !== LIFECYCLE_PARTITIONS) fail(t, `partitions must be ${LIFECYCLE_PARTITIONS} (co-partitioned lifecycle topics)`);
    if (String((t.spec.config || {})["retention.ms"]) !== "-1") fail(t, "retention.ms must be -1: the aggregator rebuilds by replaying from the start");
    if (String((t.spec.config || {})["retention.bytes"] ?? "-1") !== "-1") fail(t, "retention.bytes must be -1");
    if (((t.spec.config || {})["cleanup.policy"] || "delete") !== "delete") fail(t, "cleanup.policy must be delete (compaction would drop history)");
    if (!d) { fail(null, `KafkaTopic ${topic}.dlq missing`); continue; }
    if (d.spec.partitions !== DLQ_PARTITIONS) fail(d, `partitions must be ${DLQ_PARTITIONS}`);
    if (Number((d.spec.config || {})["retention.ms"]) !== DLQ_RETENTION_MS) fail(d, `retention.ms must be ${DLQ_RETENTION_MS} (30 days)`);
  }
  for (const name of Object.keys(byName)) {
    if (!LIFECYCLE_TOPICS.includes(name) && !LIFECYCLE_TOPICS.map((t) => `${t}.dlq`).includes(name)) fail(byName[name], "not a documented topic");
  }
}

// ---------------------------------------------------------------- flags
function flagSetsFor(opts) {
  const sets = {};
  for (const svc of Object.keys(SERVICES)) {
    const bin = path.join(opts.binaryDir, "services", svc, `jit-${svc}`);
    const sources = fs.existsSync(path.join(ROOT, "services", svc, "binary.cmake"));
    if (fs.existsSync(bin)) {
      // A few tries: a concurrent build may be relinking the binary.
      let out = "";
      let flags = [];
      for (let attempt = 0; attempt < 5 && !flags.length; attempt++) {
        if (attempt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
        const r = spawnSync(bin, ["--help"], { encoding: "utf8", timeout: 20000 });
        out = `${r.stdout || ""}${r.stderr || ""}`;
        flags = [...out.matchAll(/^\s+--([a-z0-9_]+) \(/gm)].map((m) => m[1]);
      }
      const prefix = (/environment as (\w+)<FLAG_NAME>/.exec(out) || [])[1];
      if (!flags.length) { problems.push(`[flags] jit-${svc} --help lists no flags`); continue; }
      sets[svc] = { flags, prefix, source: `${bin} --help` };
      notes.push(`flags of jit-${svc}: ${flags.length} from --help`);
    } else if (sources && opts.requireBinaries) {
      problems.push(`[flags] ${bin} is not built, cannot check its flags`);
    } else {
      sets[svc] = { flags: DOCUMENTED_FLAGS[svc], prefix: SERVICES[svc].prefix, source: "docs/DEVELOPING.md (binary not built yet)" };
      notes.push(`flags of jit-${svc}: binary not built${sources ? "" : ` (services/${svc}/binary.cmake does not exist yet)`}; checked against the documented flags`);
    }
  }
  return sets;
}

// ---------------------------------------------------------------- main
function validateVariant(name, objs, flagSets) {
  current = name;
  const before = problems.length;
  objs.forEach(checkSchema);
  checkNamespaces(objs);
  const workloads = objs.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  const svcs = new Set(workloads.map(serviceOf));
  for (const svc of Object.keys(SERVICES)) if (!svcs.has(svc)) fail(null, `no workload for service ${svc}`);
  workloads.forEach((w) => checkWorkload(w, objs, name, flagSets));
  checkServices(objs);
  checkSecrets(objs, name);
  const edges = checkNetwork(objs);
  checkKafka(objs, name);
  security.check(objs, name, {
    fail, note: (msg) => notes.push(`[${name}] ${msg}`), APP_NS, KAFKA_NS, SERVICES, WORKLOAD_KINDS,
    podSpecOf, serviceOf, find, byKind, envOf: (w, c) => envFromConfig(w, c, objs),
  });
  const n = problems.length - before;
  console.log(`${name}: ${objs.length} objects, ${workloads.length} workloads, ${edges} allowed connections, ${n} problem(s)`);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!opts.variants.length) throw new Error("no --variant given");
  const flagSets = flagSetsFor(opts);
  for (const v of opts.variants) {
    const objs = JSON.parse(fs.readFileSync(v.file, "utf8")).filter((o) => o);
    validateVariant(v.name, objs, flagSets);
  }
  for (const n of notes) console.log(`note: ${n}`);
  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(problems.length ? `validate: ${problems.length} problem(s)` : "validate: all checks passed");
  process.exit(problems.length ? 1 : 0);
}

main();
