// Structural checks of the cert-manager resources (cert-manager.io/v1):
// Certificate, Issuer and ClusterIssuer, after cert-manager 1.12+'s CRDs.
// As for Strimzi (lib/strimzi.js), no typed model is available offline:
// this describes the fields the deployment uses (names, types, enums,
// required fields); an unknown field is an error, as with the API server's
// strict field validation.
"use strict";
const { checkSchema } = require("./strimzi");

const any = { t: "any" };
const str = { t: "string" };
const int = (min) => ({ t: "integer", min });
const bool = { t: "boolean" };
const en = (...values) => ({ t: "enum", values });
const arr = (items) => ({ t: "array", items });
const map = (values) => ({ t: "map", values });
const obj = (props, required = []) => ({ t: "object", props, required });

// cert-manager's KeyUsage enum.
const USAGES = [
  "signing", "digital signature", "content commitment", "key encipherment", "key agreement",
  "data encipherment", "cert sign", "crl sign", "encipher only", "decipher only", "any",
  "server auth", "client auth", "code signing", "email protection", "s/mime", "ipsec end system",
  "ipsec tunnel", "ipsec user", "timestamping", "ocsp signing", "microsoft sgc", "netscape sgc",
];
const metadata = obj({ name: str, namespace: str, labels: map(str), annotations: map(str) }, ["name"]);
const issuerRef = obj({ name: str, kind: en("Issuer", "ClusterIssuer"), group: en("cert-manager.io") }, ["name"]);
const issuerSpec = obj({
  selfSigned: obj({ crlDistributionPoints: arr(str) }),
  ca: obj({ secretName: str, crlDistributionPoints: arr(str), ocspServers: arr(str), issuingCertificateURLs: arr(str) }, ["secretName"]),
  acme: any, vault: any, venafi: any,
});
const issuer = obj({ apiVersion: str, kind: str, metadata, spec: issuerSpec }, ["apiVersion", "kind", "metadata", "spec"]);

const SCHEMAS = {
  Certificate: obj({
    apiVersion: str, kind: str, metadata,
    spec: obj({
      secretName: str, issuerRef, commonName: str, literalSubject: str, subject: any,
      duration: { t: "string", pattern: /^(\d+(\.\d+)?(h|m|s))+$/ },
      renewBefore: { t: "string", pattern: /^(\d+(\.\d+)?(h|m|s))+$/ }, renewBeforePercentage: int(1),
      dnsNames: arr(str), ipAddresses: arr(str), uris: arr(str), emailAddresses: arr(str), otherNames: any,
      isCA: bool, usages: arr(en(...USAGES)),
      privateKey: obj({
        algorithm: en("RSA", "ECDSA", "Ed25519"), encoding: en("PKCS1", "PKCS8"), size: int(0),
        rotationPolicy: en("Never", "Always"),
      }),
      secretTemplate: obj({ labels: map(str), annotations: map(str) }),
      keystores: any, revisionHistoryLimit: int(1), additionalOutputFormats: any, encodeUsagesInRequest: bool,
      nameConstraints: any,
    }, ["secretName", "issuerRef"]),
  }, ["apiVersion", "kind", "metadata", "spec"]),
  Issuer: issuer,
  ClusterIssuer: issuer,
};

// A Go duration as cert-manager writes them ("2160h", "1h30m") in hours.
function durationHours(s) {
  const re = /(\d+(?:\.\d+)?)(h|m|s)/g;
  if (!/^(\d+(\.\d+)?(h|m|s))+$/.test(String(s))) return NaN;
  let hours = 0;
  for (const m of String(s).matchAll(re)) hours += Number(m[1]) / { h: 1, m: 60, s: 3600 }[m[2]];
  return hours;
}

module.exports = { SCHEMAS, checkSchema, durationHours };
