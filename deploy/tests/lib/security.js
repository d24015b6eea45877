// Security checks of the rendered manifests (issue 15, deploy side):
//
//   1. Kafka: no workload reaches Kafka without a KafkaUser. Every container
//      that is given a Kafka bootstrap sets a non-plaintext
//      kafka_security_protocol that matches an authenticated TLS listener,
//      and takes its client credentials (certificate and key, or SCRAM
//      password) from the Secret of its own KafkaUser, mounted read-only;
//      it verifies the brokers with a CA that signed the listener's
//      certificate. The Kafka cluster has no listener without TLS and
//      authentication, uses simple ACL authorization, and its User Operator
//      watches the namespace of the KafkaUsers.
//   2. ACLs: the KafkaUsers are exactly those of the table below, and each
//      one's ACLs are exactly its row: a producer writes its own lifecycle
//      topic only, the aggregator reads the three and writes their
//      dead-letter topics, `analytics` reads only. The table is written by
//      hand from what the code does (libs/kafka/topics.h, the outbox and the
//      aggregator's consumer), not derived from the manifests it checks.
//   3. gRPC: every service has exactly one Certificate whose URI SAN is its
//      SPIFFE id spiffe://jobintech/ns/<namespace>/sa/<service> (and no
//      other), for the names callers dial, with server and client auth
//      usages and a sane lifetime, from a CA issuer present in the
//      manifests; the pod runs as that service account and mounts the
//      Secret read-only (never subPath: rotated files must reach the pod);
//      --tls_cert_file, --tls_key_file and --tls_ca_file name its tls.crt,
//      tls.key and ca.crt. The token issuer and audience are set and
//      --token_keys_file names a mounted ConfigMap key holding PEM public
//      keys, or the marked placeholder (reported: the services refuse to
//      start with it).
"use strict";
const crypto = require("crypto");
const { durationHours } = require("./certmanager");

const TRUST_DOMAIN = "jobintech";
const LIFECYCLE = {
  enrollment: "jobintech.enrollment.v1",
  progress: "jobintech.progress.v1",
  placement: "jobintech.placement.v1",
};
// librdkafka needs a group id even for an assign()-only consumer; libs/kafka
// gives it "jit-assign-only-<random hex>" (never joined, never committed).
const ASSIGN_ONLY_GROUP = "jit-assign-only-";

// KafkaUser -> its ACLs, "resourceType:patternType:name:Operation" (allow,
// any host). Hand-written: what each client does, no more.
const KAFKA_ACLS = {
  // Outbox relay (idempotent producer: Write implies IdempotentWrite since
  // Kafka 2.8) and the start-up check that counts the topic's offsets.
  enrollment: [
    `topic:literal:${LIFECYCLE.enrollment}:Describe`, `topic:literal:${LIFECYCLE.enrollment}:Write`,
    `group:prefix:${ASSIGN_ONLY_GROUP}:Describe`,
  ],
  "training-progress": [
    `topic:literal:${LIFECYCLE.progress}:Describe`, `topic:literal:${LIFECYCLE.progress}:Write`,
    `group:prefix:${ASSIGN_ONLY_GROUP}:Describe`,
  ],
  placement: [
    `topic:literal:${LIFECYCLE.placement}:Describe`, `topic:literal:${LIFECYCLE.placement}:Write`,
    `group:prefix:${ASSIGN_ONLY_GROUP}:Describe`,
  ],
  // Reads the three lifecycle topics (assign(), offsets in its own
  // checkpoint) and writes a record that fails to decode to <topic>.dlq.
  aggregator: [
    `topic:literal:${LIFECYCLE.enrollment}:Describe`, `topic:literal:${LIFECYCLE.enrollment}:Read`,
    `topic:literal:${LIFECYCLE.progress}:Describe`, `topic:literal:${LIFECYCLE.progress}:Read`,
    `topic:literal:${LIFECYCLE.placement}:Describe`, `topic:literal:${LIFECYCLE.placement}:Read`,
    `topic:literal:${LIFECYCLE.enrollment}.dlq:Describe`, `topic:literal:${LIFECYCLE.enrollment}.dlq:Write`,
    `topic:literal:${LIFECYCLE.progress}.dlq:Describe`, `topic:literal:${LIFECYCLE.progress}.dlq:Write`,
    `topic:literal:${LIFECYCLE.placement}.dlq:Describe`, `topic:literal:${LIFECYCLE.placement}.dlq:Write`,
    `group:prefix:${ASSIGN_ONLY_GROUP}:Read`,
  ],
  // Analytics teams' consumers: read the event history, write nothing.
  analytics: [
    `topic:literal:${LIFECYCLE.enrollment}:Describe`, `topic:literal:${LIFECYCLE.enrollment}:Read`,
    `topic:literal:${LIFECYCLE.progress}:Describe`, `topic:literal:${LIFECYCLE.progress}:Read`,
    `topic:literal:${LIFECYCLE.placement}:Describe`, `topic:literal:${LIFECYCLE.placement}:Read`,
    "group:prefix:jobintech-analytics-:Read",
  ],
};
// The service (workload) -> the KafkaUser it must use: its own.
const KAFKA_USER_OF = {
  enrollment: "enrollment", "training-progress": "training-progress", placement: "placement", aggregator: "aggregator",
};
// What Strimzi's User Operator writes in a KafkaUser's Secret.
const KAFKA_USER_SECRET_KEYS = {
  tls: ["ca.crt", "user.crt", "user.key", "user.p12", "user.password"],
  "scram-sha-512": ["password", "sasl.jaas.config"],
};
const CERT_SECRET_KEYS = ["tls.crt", "tls.key", "ca.crt"];
const PROTOCOL_FOR_AUTH = { tls: "ssl", "scram-sha-512": "sasl_ssl" };
const MAX_LEAF_HOURS = 24 * 365;
const MIN_RENEW_BEFORE_HOURS = 24;
const PLACEHOLDER_MARK = "PLACEHOLDER - NOT A KEY";

// The keys of a Secret that an operator creates in the cluster: a
// Certificate's secretName (cert-manager) or a KafkaUser's name (Strimzi),
// in namespace `ns`; null when no operator makes it.
function operatorSecretKeys(objs, name, ns) {
  const cert = objs.find((o) => o.kind === "Certificate" && o.metadata.namespace === ns && o.spec.secretName === name);
  if (cert) return CERT_SECRET_KEYS;
  const user = objs.find((o) => o.kind === "KafkaUser" && o.metadata.namespace === ns && o.metadata.name === name);
  if (user) return KAFKA_USER_SECRET_KEYS[(user.spec.authentication || {}).type] || [];
  return null;
}

// Where a file path in a container comes from: the mount that holds it and
// the Secret or ConfigMap key behind it. null when no Secret/ConfigMap
// volume holds it.
function fileSource(pod, c, filePath) {
  if (typeof filePath !== "string" || !filePath.startsWith("/")) return null;
  const mounts = (c.volumeMounts || []).filter((m) => filePath.startsWith(m.mountPath.replace(/\/?$/, "/")))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  const m = mounts[0];
  if (!m) return null;
  const v = (pod.volumes || []).find((x) => x.name === m.name);
  if (!v || !(v.secret || v.configMap)) return null;
  const rel = filePath.slice(m.mountPath.replace(/\/?$/, "/").length);
  const src = v.secret ? { kind: "Secret", name: v.secret.secretName, items: v.secret.items } :
    { kind: "ConfigMap", name: v.configMap.name, items: v.configMap.items };
  let key = rel;
  if (src.items) {
    const it = src.items.find((i) => i.path === rel);
    if (!it) return null;
    key = it.key;
  }
  return { ...src, key, readOnly: m.readOnly === true, subPath: m.subPath, mountPath: m.mountPath };
}

function check(objs, variant, ctx) {
  const { fail, note, APP_NS, SERVICES, WORKLOAD_KINDS, podSpecOf, serviceOf, find, byKind, envOf } = ctx;
  const workloads = objs.filter((o) => WORKLOAD_KINDS.includes(o.kind));
  const kafka = byKind(objs, "Kafka")[0];
  const certificates = byKind(objs, "Certificate");

  // The issuer an issuerRef names, from the manifests.
  const issuerOf = (cert) => {
    const ref = cert.spec.issuerRef || {};
    return ref.kind === "ClusterIssuer" ? find(objs, "ClusterIssuer", ref.name) : find(objs, "Issuer", ref.name, cert.metadata.namespace);
  };
  const sameIssuer = (a, b) => a && b && (a.spec.issuerRef.kind || "Issuer") === (b.spec.issuerRef.kind || "Issuer") &&
    a.spec.issuerRef.name === b.spec.issuerRef.name &&
    (a.spec.issuerRef.kind === "ClusterIssuer" || a.metadata.namespace === b.metadata.namespace);
  // A leaf's issuer must be a CA issuer whose CA Certificate is in the
  // manifests (isCA, its key kept on renewal so older leaves keep verifying).
  const checkChain = (cert) => {
    const iss = issuerOf(cert);
    const ref = cert.spec.issuerRef || {};
    if (!iss) { fail(cert, `issuerRef ${ref.kind || "Issuer"}/${ref.name} is not in the manifests`); return; }
    if (!iss.spec.ca) { fail(cert, `issuer ${iss.metadata.name} is not a CA issuer: the peers could not verify the certificate`); return; }
    const caNs = iss.kind === "ClusterIssuer" ? "cert-manager" : iss.metadata.namespace;
    const ca = certificates.find((x) => x.spec.secretName === iss.spec.ca.secretName && x.metadata.namespace === caNs);
    if (!ca) { fail(cert, `the CA Secret ${caNs}/${iss.spec.ca.secretName} of issuer ${iss.metadata.name} has no Certificate`); return; }
    if (ca.spec.isCA !== true) fail(ca, "isCA must be true: it signs the suite's certificates");
    if (((ca.spec.privateKey || {}).rotationPolicy || "Always") !== "Never") {
      fail(ca, "privateKey.rotationPolicy must be Never: a new CA key would break every certificate signed before");
    }
  };

  // ---- the Kafka cluster's listeners and authorization
  if (kafka) {
    const spec = kafka.spec.kafka;
    for (const l of spec.listeners || []) {
      if (l.tls !== true || !l.authentication) {
        fail(kafka, `listener ${l.name} (port ${l.port}) has no TLS or no authentication: a client without a KafkaUser could reach Kafka`);
      }
      const bcc = (l.configuration || {}).brokerCertChainAndKey;
      if (l.tls && !bcc) fail(kafka, `listener ${l.name}: the brokers' certificate must come from the suite's CA (configuration.brokerCertChainAndKey), or no service could verify it`);
      if (bcc) {
        const cert = certificates.find((x) => x.metadata.namespace === kafka.metadata.namespace && x.spec.secretName === bcc.secretName);
        if (!cert) fail(kafka, `listener ${l.name}: no Certificate writes Secret ${bcc.secretName}`);
        else {
          checkChain(cert);
          if (bcc.certificate !== "tls.crt" || bcc.key !== "tls.key") fail(kafka, `listener ${l.name}: brokerCertChainAndKey must name tls.crt and tls.key`);
          const boot = `${kafka.metadata.name}-kafka-bootstrap.${kafka.metadata.namespace}.svc`;
          if (!(cert.spec.dnsNames || []).includes(boot)) fail(cert, `dnsNames lack the bootstrap Service ${boot}`);
          const brokers = `*.${kafka.metadata.name}-kafka-brokers.${kafka.metadata.namespace}.svc`;
          if (!(cert.spec.dnsNames || []).includes(brokers)) fail(cert, `dnsNames lack the brokers' names ${brokers}`);
          if (!(cert.spec.usages || []).includes("server auth")) fail(cert, "usages lack server auth");
        }
      }
    }
    if ((spec.authorization || {}).type !== "simple") fail(kafka, "authorization must be simple: without it the KafkaUsers' ACLs are not enforced");
    const uo = (kafka.spec.entityOperator || {}).userOperator;
    if (!uo) fail(kafka, "no entityOperator.userOperator: the KafkaUsers would never get credentials");
    else if (uo.watchedNamespace !== APP_NS) fail(kafka, `userOperator.watchedNamespace must be ${APP_NS}, where the KafkaUsers and the pods that mount their Secrets are`);
  }

  // ---- KafkaUsers and their ACLs, against the table
  const users = byKind(objs, "KafkaUser");
  for (const name of Object.keys(KAFKA_ACLS)) {
    if (!users.some((u) => u.metadata.name === name)) fail(null, `KafkaUser ${name} missing`);
  }
  for (const u of users) {
    const name = u.metadata.name;
    if (kafka && (u.metadata.labels || {})["strimzi.io/cluster"] !== kafka.metadata.name) fail(u, `not labelled strimzi.io/cluster=${kafka.metadata.name}`);
    const want = KAFKA_ACLS[name];
    if (!want) { fail(u, "not a client of the suite (no row in the ACL table of deploy/tests/lib/security.js)"); continue; }
    const auth = (u.spec.authentication || {}).type;
    if (!["tls", "scram-sha-512"].includes(auth)) fail(u, `authentication ${auth}: must be tls or scram-sha-512`);
    const authz = u.spec.authorization || {};
    if (authz.type !== "simple") { fail(u, "authorization must be simple (ACLs)"); continue; }
    const have = new Set();
    for (const a of authz.acls || []) {
      const r = a.resource || {};
      if ((a.type || "allow") !== "allow") { fail(u, `ACL ${r.type}:${r.name}: deny rules are not used here`); continue; }
      if ((a.host || "*") !== "*") fail(u, `ACL ${r.type}:${r.name}: host ${a.host} (pods have no stable address)`);
      if (r.type !== "cluster" && (!r.name || r.name === "*")) fail(u, `ACL ${r.type} on every resource ("*")`);
      const ops = [...(a.operations || []), ...(a.operation ? [a.operation] : [])];
      if (!ops.length) fail(u, `ACL ${r.type}:${r.name}: no operation`);
      for (const op of ops) have.add(`${r.type}:${r.patternType || "literal"}:${r.name || ""}:${op}`);
    }
    for (const acl of want) if (!have.has(acl)) fail(u, `ACL missing: ${acl} (deploy/tests/lib/security.js table)`);
    for (const acl of have) if (!want.includes(acl)) fail(u, `ACL ${acl} is more than ${name} needs`);
  }

  // ---- every workload that is given a Kafka bootstrap
  for (const w of workloads) {
    const pod = podSpecOf(w);
    const svc = serviceOf(w);
    for (const c of [...(pod.initContainers || []), ...pod.containers]) {
      const env = envOf(w, c);
      const bootKey = Object.keys(env).find((k) => /_KAFKA_BOOTSTRAP(_FILE)?$/.test(k) && env[k] !== "");
      if (!bootKey) continue;
      const prefix = bootKey.replace(/KAFKA_BOOTSTRAP(_FILE)?$/, "");
      const get = (flag) => env[prefix + flag.toUpperCase()];
      const where = `container ${c.name}`;
      const proto = String(get("kafka_security_protocol") || "").toLowerCase();
      if (!["ssl", "sasl_ssl"].includes(proto)) {
        fail(w, `${where} reaches Kafka without a KafkaUser: kafka_security_protocol is ${proto || "unset (plaintext)"}, must be ssl or sasl_ssl`);
        continue;
      }
      if (kafka) {
        const boot = get("kafka_bootstrap");
        const port = Number(String(boot || "").split(":").pop());
        const l = (kafka.spec.kafka.listeners || []).find((x) => x.port === port);
        const authType = l && l.authentication && l.authentication.type;
        if (!l || PROTOCOL_FOR_AUTH[authType] !== proto) {
          fail(w, `${where}: kafka_security_protocol ${proto} does not match the listener on port ${port} (${l ? `authentication ${authType}` : "none"})`);
        }
      }
      const userName = KAFKA_USER_OF[svc];
      const user = userName && find(objs, "KafkaUser", userName, w.metadata.namespace);
      if (!user) { fail(w, `${where} reaches Kafka but has no KafkaUser ${userName || `(service ${svc} is not in the table)`}`); continue; }
      // Each credential file: from the Secret of its own KafkaUser.
      const fromUser = (flag, key) => {
        const path = get(flag);
        const src = fileSource(pod, c, path);
        if (!src) { fail(w, `${where}: ${flag}=${path || "(unset)"} is not on a mounted KafkaUser Secret`); return; }
        if (src.kind !== "Secret" || src.name !== user.metadata.name) {
          fail(w, `${where}: ${flag}=${path} comes from ${src.kind} ${src.name}, not from the Secret of KafkaUser ${user.metadata.name}`);
        } else if (src.key !== key) fail(w, `${where}: ${flag}=${path} is key ${src.key} of the KafkaUser Secret, not ${key}`);
        if (!src.readOnly) fail(w, `${where}: the KafkaUser Secret mount ${src.mountPath} must be readOnly`);
        if (src.subPath) fail(w, `${where}: the KafkaUser Secret is mounted with subPath (renewed credentials would never arrive)`);
      };
      const auth = (user.spec.authentication || {}).type;
      if (proto === "ssl") {
        if (auth !== "tls") fail(w, `${where}: mutual TLS (ssl) needs KafkaUser ${user.metadata.name} with authentication tls, has ${auth}`);
        fromUser("kafka_cert_file", "user.crt");
        fromUser("kafka_key_file", "user.key");
      } else {
        if (auth !== "scram-sha-512") fail(w, `${where}: sasl_ssl needs KafkaUser ${user.metadata.name} with authentication scram-sha-512, has ${auth}`);
        if (get("kafka_sasl_mechanism") !== "SCRAM-SHA-512") fail(w, `${where}: kafka_sasl_mechanism must be SCRAM-SHA-512`);
        if (get("kafka_sasl_username") !== user.metadata.name) fail(w, `${where}: kafka_sasl_username must be ${user.metadata.name}`);
        fromUser("kafka_sasl_password_file", "password");
      }
      // The CA that verifies the brokers: ca.crt of a Certificate from the
      // issuer of the listener's certificate.
      const caPath = get("kafka_ca_file");
      const caSrc = fileSource(pod, c, caPath);
      const listenerCert = kafka && (() => {
        const port = Number(String(get("kafka_bootstrap") || "").split(":").pop());
        const l = (kafka.spec.kafka.listeners || []).find((x) => x.port === port);
        const bcc = l && (l.configuration || {}).brokerCertChainAndKey;
        return bcc && certificates.find((x) => x.metadata.namespace === kafka.metadata.namespace && x.spec.secretName === bcc.secretName);
      })();
      if (!caSrc || caSrc.kind !== "Secret" || caSrc.key !== "ca.crt") {
        fail(w, `${where}: kafka_ca_file=${caPath || "(unset)"} is not the ca.crt of a mounted certificate Secret`);
      } else {
        const caCert = certificates.find((x) => x.metadata.namespace === w.metadata.namespace && x.spec.secretName === caSrc.name);
        if (!caCert || !sameIssuer(caCert, listenerCert)) {
          fail(w, `${where}: kafka_ca_file comes from Secret ${caSrc.name}, whose issuer did not sign the Kafka listener's certificate`);
        }
      }
    }
  }

  // ---- gRPC certificates, SPIFFE ids, TLS and token flags
  const placeholderNoted = new Set();
  const spiffeOwners = {};
  for (const cert of certificates) {
    for (const uri of cert.spec.uris || []) {
      if (spiffeOwners[uri]) fail(cert, `SPIFFE id ${uri} also in Certificate ${spiffeOwners[uri]}`);
      spiffeOwners[uri] = cert.metadata.name;
      if (!uri.startsWith(`spiffe://${TRUST_DOMAIN}/`)) fail(cert, `URI ${uri} is not in trust domain ${TRUST_DOMAIN}`);
    }
  }
  for (const w of workloads) {
    const svc = serviceOf(w);
    if (!SERVICES[svc]) continue;
    const ns = w.metadata.namespace;
    const pod = podSpecOf(w);
    const c = pod.containers[0];
    const env = envOf(w, c);
    const get = (flag) => env[SERVICES[svc].prefix + flag.toUpperCase()];
    const spiffe = `spiffe://${TRUST_DOMAIN}/ns/${ns}/sa/${svc}`;
    if (pod.serviceAccountName !== svc) fail(w, `serviceAccountName ${pod.serviceAccountName}: the SPIFFE id names sa/${svc}`);
    const mine = certificates.filter((x) => x.metadata.namespace === ns && (x.spec.uris || []).includes(spiffe));
    if (mine.length !== 1) { fail(w, `needs exactly one Certificate with URI SAN ${spiffe}, has ${mine.length}`); continue; }
    const cert = mine[0];
    if ((cert.spec.uris || []).length !== 1) fail(cert, `URI SANs ${cert.spec.uris}: only ${spiffe}`);
    for (const name of [svc, `${svc}.${ns}.svc`]) {
      if (!(cert.spec.dnsNames || []).includes(name)) fail(cert, `dnsNames lack ${name} (what callers dial)`);
    }
    for (const u of ["server auth", "client auth"]) if (!(cert.spec.usages || []).includes(u)) fail(cert, `usages lack ${u}`);
    if (cert.spec.isCA) fail(cert, "a service certificate must not be a CA");
    const dur = durationHours(cert.spec.duration || "2160h");
    const renew = durationHours(cert.spec.renewBefore || `${dur / 3}h`);
    if (!(dur <= MAX_LEAF_HOURS)) fail(cert, `duration ${cert.spec.duration}: at most ${MAX_LEAF_HOURS}h`);
    if (!(renew >= MIN_RENEW_BEFORE_HOURS && renew <= dur / 2)) {
      fail(cert, `renewBefore ${cert.spec.renewBefore}: between ${MIN_RENEW_BEFORE_HOURS}h and half the duration`);
    }
    checkChain(cert);
    // Mounted and named by the TLS flags.
    for (const [flag, key] of [["tls_cert_file", "tls.crt"], ["tls_key_file", "tls.key"], ["tls_ca_file", "ca.crt"]]) {
      const path = get(flag);
      const src = fileSource(pod, c, path);
      if (!src || src.kind !== "Secret" || src.name !== cert.spec.secretName || src.key !== key) {
        fail(w, `${flag}=${path || "(unset)"} is not ${key} of its mounted Certificate Secret ${cert.spec.secretName}`);
        continue;
      }
      if (!src.readOnly) fail(w, `the certificate Secret mount ${src.mountPath} must be readOnly`);
      if (src.subPath) fail(w, `the certificate Secret is mounted with subPath: renewed certificates would never arrive`);
    }
    // Bearer tokens.
    const value = (v) => {
      if (typeof v !== "object") return v;
      const ref = (v.from || {}).configMapKeyRef;
      const cm = ref && find(objs, "ConfigMap", ref.name, ns);
      return cm ? (cm.data || {})[ref.key] : undefined;
    };
    for (const flag of ["token_issuer", "token_audience"]) if (!value(get(flag))) fail(w, `${flag} is not set`);
    const keysPath = get("token_keys_file");
    const ksrc = fileSource(pod, c, keysPath);
    if (!ksrc || ksrc.kind !== "ConfigMap") { fail(w, `token_keys_file=${keysPath || "(unset)"} is not on a mounted ConfigMap`); continue; }
    const cm = find(objs, "ConfigMap", ksrc.name, ns);
    const pem = cm && (cm.data || {})[ksrc.key];
    if (pem === undefined) { fail(w, `token_keys_file: ConfigMap ${ksrc.name} has no key ${ksrc.key}`); continue; }
    if (/PRIVATE KEY/.test(pem)) { fail(w, `token_keys_file: ConfigMap ${ksrc.name} holds a PRIVATE key`); continue; }
    const blocks = pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) || [];
    if (pem.includes(PLACEHOLDER_MARK)) {
      // The placeholder must stay unusable: no key in it, or a half-replaced
      // file would start with a key nobody meant to trust.
      if (blocks.length) fail(w, `token_keys_file: ConfigMap ${ksrc.name} holds keys and the placeholder text: remove the placeholder`);
      else if (!placeholderNoted.has(ksrc.name)) {
        placeholderNoted.add(ksrc.name);
        note(`token keys (ConfigMap ${ksrc.name}) are the placeholder: replace it with the token issuer's public key (deploy/README.md, "Tokens"), or the services refuse to start`);
      }
      continue;
    }
    if (!blocks.length) { fail(w, `token_keys_file: ConfigMap ${ksrc.name} key ${ksrc.key} holds no PEM public key and is not the marked placeholder`); continue; }
    for (const b of blocks) {
      try { crypto.createPublicKey(b); } catch (e) { fail(w, `token_keys_file: a PEM block of ConfigMap ${ksrc.name} is not a public key or certificate (${e.message})`); }
    }
  }
}

module.exports = { check, fileSource, operatorSecretKeys, KAFKA_ACLS };
