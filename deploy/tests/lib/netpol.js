// A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) over a
// finite set of endpoints, to list exactly which connections the rendered
// policies allow.
//
// An endpoint: {id, namespace, labels, ip?, ports: [{port, protocol, name?}]}.
// Policies are evaluated for endpoints in `managedNamespaces` (where our
// policies apply); elsewhere traffic is treated as allowed on that side
// (another team's policies), except for extra per-endpoint ingress rules
// (`ingressRules`, e.g. Strimzi listener peers).
"use strict";

function matchExpressions(labels, exprs) {
  return (exprs || []).every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In": return has && e.values.includes(labels[e.key]);
      case "NotIn": return !has || !e.values.includes(labels[e.key]);
      case "Exists": return has;
      case "DoesNotExist": return !has;
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
}

function selects(selector, labels) {
  if (!selector) return false;
  const ml = selector.matchLabels || {};
  return Object.entries(ml).every(([k, v]) => labels[k] === v) &&
    matchExpressions(labels, selector.matchExpressions);
}

function ipInCidr(ip, cidr) {
  const [net, bits] = cidr.split("/");
  const toInt = (a) => a.split(".").reduce((acc, x) => (acc << 8) + Number(x), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(net) & mask) >>> 0);
}

// Does a peer of a policy in namespace `policyNs` match endpoint `ep`?
function peerMatches(peer, policyNs, ep, nsLabels) {
  if (peer.ipBlock) {
    if (!ep.ip || !ipInCidr(ep.ip, peer.ipBlock.cidr)) return false;
    return !(peer.ipBlock.except || []).some((c) => ipInCidr(ep.ip, c));
  }
  if (!ep.namespace) return false; // an external address matches only ipBlock
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, nsLabels(ep.namespace)) : ep.namespace === policyNs;
  const podOk = peer.podSelector ? selects(peer.podSelector, ep.labels) : true;
  return nsOk && podOk;
}

// Does a rule's ports list admit (port, protocol) on destination `dst`?
function portMatches(ports, port, protocol, dst) {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    const proto = p.protocol || "TCP";
    if (proto !== protocol) return false;
    if (p.port === undefined) return true;
    let num = p.port;
    if (typeof num === "string") {
      const named = (dst.ports || []).find((x) => x.name === num && (x.protocol || "TCP") === protocol);
      if (!named) return false;
      num = named.port;
    }
    return p.endPort ? port >= num && port <= p.endPort : port === num;
  });
}

function policyTypes(pol) {
  if (pol.spec.policyTypes) return pol.spec.policyTypes;
  return pol.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

// allowed(src, dst, port, protocol) -> boolean
function makeEvaluator(policies, managedNamespaces, nsLabels, ingressRules = {}) {
  function applying(ep, type) {
    return policies.filter((p) => p.metadata.namespace === ep.namespace &&
      policyTypes(p).includes(type) && selects(p.spec.podSelector, ep.labels));
  }
  function egressOk(src, dst, port, protocol) {
    if (!src.namespace || !managedNamespaces.includes(src.namespace)) return true;
    const pols = applying(src, "Egress");
    if (pols.length === 0) return true;
    return pols.some((p) => (p.spec.egress || []).some((r) =>
      (!r.to || r.to.length === 0 || r.to.some((peer) => peerMatches(peer, p.metadata.namespace, dst, nsLabels))) &&
      portMatches(r.ports, port, protocol, dst)));
  }
  function ingressOk(src, dst, port, protocol) {
    if (ingressRules[dst.id]) {
      return ingressRules[dst.id].some((r) => portMatches(r.ports, port, protocol, dst) &&
        (!r.from || r.from.length === 0 || r.from.some((peer) => peerMatches(peer, dst.namespace, src, nsLabels))));
    }
    if (!dst.namespace || !managedNamespaces.includes(dst.namespace)) return true;
    const pols = applying(dst, "Ingress");
    if (pols.length === 0) return true;
    return pols.some((p) => (p.spec.ingress || []).some((r) =>
      (!r.from || r.from.length === 0 || r.from.some((peer) => peerMatches(peer, p.metadata.namespace, src, nsLabels))) &&
      portMatches(r.ports, port, protocol, dst)));
  }
  return (src, dst, port, protocol) => egressOk(src, dst, port, protocol) && ingressOk(src, dst, port, protocol);
}

module.exports = { makeEvaluator, selects };
