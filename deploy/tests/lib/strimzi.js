// Structural checks of the Strimzi resources (kafka.strimzi.io/v1beta2).
// No typed model of Strimzi's CRDs is available offline, so this describes
// the part of their schemas that the deployment uses: field names (unknown
// fields are errors), types, enums and required fields, after Strimzi 0.47's
// CRDs. Fields not listed here are reported; add them with their type when a
// manifest starts using them.
"use strict";

const any = { t: "any" };
const str = { t: "string" };
const int = (min) => ({ t: "integer", min });
const bool = { t: "boolean" };
const en = (...values) => ({ t: "enum", values });
const arr = (items) => ({ t: "array", items });
const map = (values) => ({ t: "map", values });
const obj = (props, required = []) => ({ t: "object", props, required });
const scalar = { t: "scalar" };

const resources = obj({ requests: map(scalar), limits: map(scalar), claims: arr(any) });
const volume = obj({
  id: int(0), type: en("ephemeral", "persistent-claim"), size: str, sizeLimit: str, class: str,
  selector: map(str), deleteClaim: bool, kraftMetadata: en("shared"), overrides: arr(any),
}, ["type"]);
const storage = obj({
  type: en("ephemeral", "persistent-claim", "jbod"), volumes: arr(volume), size: str, sizeLimit: str,
  class: str, selector: map(str), deleteClaim: bool, kraftMetadata: en("shared"), id: int(0), overrides: arr(any),
}, ["type"]);
const peer = obj({ podSelector: any, namespaceSelector: any, ipBlock: any });
const listener = obj({
  name: { t: "string", pattern: /^[a-z0-9]{1,11}$/ }, port: int(9092),
  type: en("internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"),
  tls: bool,
  authentication: obj({
    type: en("tls", "scram-sha-512", "oauth", "custom"), sasl: bool, listenerConfig: any, secrets: any,
    // oauth's settings are not used here: any.
    validIssuerUri: any, jwksEndpointUri: any, userNameClaim: any, clientId: any, clientSecret: any,
  }, ["type"]),
  configuration: obj({
    brokerCertChainAndKey: obj({ secretName: str, certificate: str, key: str }, ["secretName", "certificate", "key"]),
    useServiceDnsDomain: bool, bootstrap: any, brokers: any, ipFamilyPolicy: any, ipFamilies: any,
    preferredNodePortAddressType: any, externalTrafficPolicy: any, loadBalancerSourceRanges: any,
    finalizers: any, class: any, maxConnections: int(1), maxConnectionCreationRate: int(1),
    hostTemplate: any, advertisedHostTemplate: any, allocateLoadBalancerNodePorts: any,
    publishNotReadyAddresses: any, createBootstrapService: any,
  }),
  networkPolicyPeers: arr(peer),
}, ["name", "port", "type", "tls"]);
const aclRule = obj({
  resource: obj({
    type: en("topic", "group", "cluster", "transactionalId"), name: str, patternType: en("literal", "prefix"),
  }, ["type"]),
  type: en("allow", "deny"), host: str,
  operations: arr(en("Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs",
    "DescribeConfigs", "IdempotentWrite", "All")),
  operation: en("Read", "Write", "Create", "Delete", "Alter", "Describe", "ClusterAction", "AlterConfigs",
    "DescribeConfigs", "IdempotentWrite", "All"),
}, ["resource"]);
const metadata = obj({ name: str, namespace: str, labels: map(str), annotations: map(str) }, ["name"]);

const SCHEMAS = {
  Kafka: obj({
    apiVersion: str, kind: str, metadata,
    spec: obj({
      kafka: obj({
        version: str, metadataVersion: str, replicas: int(1), image: str, listeners: arr(listener),
        config: map(scalar), storage,
        authorization: obj({ type: en("simple", "opa", "keycloak", "custom"), superUsers: arr(str) }, ["type"]),
        rack: any, brokerRackInitImage: str,
        livenessProbe: any, readinessProbe: any, jvmOptions: any, jmxOptions: any, resources,
        metricsConfig: any, logging: any, template: any, tieredStorage: any, quotas: any,
      }, ["listeners"]),
      entityOperator: obj({
        topicOperator: obj({
          watchedNamespace: str, image: str, reconciliationIntervalMs: int(0), resources,
          livenessProbe: any, readinessProbe: any, logging: any, jvmOptions: any,
        }),
        userOperator: obj({
          watchedNamespace: str, image: str, reconciliationIntervalMs: int(0), resources,
          secretPrefix: str, livenessProbe: any, readinessProbe: any, logging: any, jvmOptions: any,
        }),
        template: any,
      }),
      kafkaExporter: obj({
        image: str, groupRegex: str, topicRegex: str, groupExcludeRegex: str, topicExcludeRegex: str,
        resources, logging: str, livenessProbe: any, readinessProbe: any, enableSaramaLogging: bool,
        showAllOffsets: bool, template: any,
      }),
      clusterCa: any, clientsCa: any, cruiseControl: any, maintenanceTimeWindows: arr(str),
    }, ["kafka"]),
  }, ["apiVersion", "kind", "metadata", "spec"]),
  KafkaNodePool: obj({
    apiVersion: str, kind: str, metadata,
    spec: obj({
      replicas: int(0), roles: arr(en("controller", "broker")), storage, resources,
      jvmOptions: any, template: obj({
        podSet: any, pod: obj({
          metadata: any, imagePullSecrets: any, securityContext: any, terminationGracePeriodSeconds: int(0),
          affinity: any, tolerations: any, topologySpreadConstraints: any, priorityClassName: str,
          schedulerName: str, hostAliases: any, enableServiceLinks: bool, tmpDirSizeLimit: str,
          volumes: any,
        }),
        perPodService: any, perPodRoute: any, perPodIngress: any, persistentVolumeClaim: any,
        kafkaContainer: any, initContainer: any,
      }),
    }, ["roles", "storage"]),
  }, ["apiVersion", "kind", "metadata", "spec"]),
  KafkaUser: obj({
    apiVersion: str, kind: str, metadata,
    spec: obj({
      authentication: obj({ type: en("tls", "tls-external", "scram-sha-512"), password: any }, ["type"]),
      authorization: obj({ type: en("simple"), acls: arr(aclRule) }, ["type"]),
      quotas: any, template: any,
    }),
  }, ["apiVersion", "kind", "metadata", "spec"]),
  KafkaTopic: obj({
    apiVersion: str, kind: str, metadata,
    spec: obj({ topicName: str, partitions: int(1), replicas: int(1), config: map(scalar) }),
  }, ["apiVersion", "kind", "metadata", "spec"]),
};

function checkSchema(data, schema, where, problems) {
  if (schema.t === "any") return;
  const type = Array.isArray(data) ? "array" : data === null ? "null" : typeof data;
  switch (schema.t) {
    case "string":
      if (type !== "string") problems.push(`${where}: must be a string`);
      else if (schema.pattern && !schema.pattern.test(data)) problems.push(`${where}: ${JSON.stringify(data)} does not match ${schema.pattern}`);
      return;
    case "integer":
      if (!Number.isInteger(data)) problems.push(`${where}: must be an integer`);
      else if (schema.min !== undefined && data < schema.min) problems.push(`${where}: must be >= ${schema.min}`);
      return;
    case "boolean":
      if (type !== "boolean") problems.push(`${where}: must be a boolean`);
      return;
    case "scalar":
      if (!["string", "number", "boolean"].includes(type)) problems.push(`${where}: must be a string, number or boolean`);
      return;
    case "enum":
      if (!schema.values.includes(data)) problems.push(`${where}: ${JSON.stringify(data)} is not one of ${schema.values.join(", ")}`);
      return;
    case "array":
      if (type !== "array") problems.push(`${where}: must be a list`);
      else data.forEach((x, i) => checkSchema(x, schema.items, `${where}[${i}]`, problems));
      return;
    case "map":
      if (type !== "object") problems.push(`${where}: must be a map`);
      else for (const [k, v] of Object.entries(data)) checkSchema(v, schema.values, `${where}.${k}`, problems);
      return;
    case "object":
      if (type !== "object") { problems.push(`${where}: must be an object`); return; }
      for (const r of schema.required) if (!(r in data)) problems.push(`${where}.${r}: required`);
      for (const [k, v] of Object.entries(data)) {
        if (!schema.props[k]) problems.push(`${where}.${k}: unknown field`);
        else checkSchema(v, schema.props[k], `${where}.${k}`, problems);
      }
      return;
    default:
      throw new Error(`bad schema type ${schema.t}`);
  }
}

// Kafka configuration that Strimzi manages itself and refuses in
// spec.kafka.config (prefixes; Strimzi documentation, "Kafka config").
const FORBIDDEN_CONFIG = [
  "listeners", "advertised.", "broker.", "listener.", "host.name", "port", "inter.broker.listener.name",
  "sasl.", "ssl.", "security.", "password.", "log.dir", "zookeeper.", "authorizer.", "super.user",
  "cruise.control.metrics.topic", "cruise.control.metrics.reporter.bootstrap.servers", "node.id",
  "process.roles", "controller.", "metadata.log.dir", "client.quota.callback.",
];
const FORBIDDEN_EXCEPTIONS = [
  "zookeeper.connection.timeout.ms", "sasl.server.max.receive.size", "ssl.cipher.suites", "ssl.protocol",
  "ssl.enabled.protocols", "ssl.secure.random.implementation", "cruise.control.metrics.topic.num.partitions",
  "cruise.control.metrics.topic.replication.factor", "cruise.control.metrics.topic.retention.ms",
  "cruise.control.metrics.topic.auto.create.retries", "cruise.control.metrics.topic.auto.create.timeout.ms",
  "cruise.control.metrics.topic.min.insync.replicas", "controller.quorum.election.backoff.max.ms",
  "controller.quorum.election.timeout.ms", "controller.quorum.fetch.timeout.ms",
];

function forbiddenConfigKeys(config) {
  return Object.keys(config || {}).filter((k) => !FORBIDDEN_EXCEPTIONS.includes(k) &&
    FORBIDDEN_CONFIG.some((p) => (p.endsWith(".") ? k.startsWith(p) : k === p || k.startsWith(p + "."))));
}

// Topic-level configuration keys Kafka 3.9 accepts (the ones this project
// may set; an unknown key makes the topic operator fail the KafkaTopic).
const TOPIC_CONFIG_KEYS = new Set([
  "cleanup.policy", "compression.type", "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
  "flush.ms", "index.interval.bytes", "max.compaction.lag.ms", "max.message.bytes",
  "message.timestamp.type", "message.timestamp.before.max.ms", "message.timestamp.after.max.ms",
  "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
  "retention.bytes", "retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms",
  "segment.ms", "unclean.leader.election.enable", "message.downconversion.enable",
  "local.retention.ms", "local.retention.bytes", "remote.storage.enable",
]);

module.exports = { SCHEMAS, checkSchema, forbiddenConfigKeys, TOPIC_CONFIG_KEYS };
