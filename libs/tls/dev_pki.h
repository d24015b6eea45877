// A development public-key infrastructure, made with OpenSSL's C API: a CA,
// certificates it issues (server and client use, with DNS/IP and SPIFFE URI
// subject alternative names) and ECDSA P-256 signing keys for dev tokens.
//
// For `jit-dev-pki` (what scripts/run.sh calls on a fresh data folder) and
// for tests. Production certificates come from cert-manager (deploy/), tokens
// from the organisation's OIDC provider: nothing here is used in production.
//
//   ASSIGN_OR_RETURN(DevCa ca, DevCa::Create("JobInTech dev CA", absl::Hours(24 * 365)));
//   ASSIGN_OR_RETURN(Pem leaf, ca.Issue({.common_name = "enrollment",
//       .dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"},
//       .uris = {SpiffeIdOf("dev", "enrollment")}}));
//
// Thread safety: a DevCa may be used from one thread at a time.
#ifndef JIT_LIBS_TLS_DEV_PKI_H_
#define JIT_LIBS_TLS_DEV_PKI_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jit::tls {

// A certificate (or a public key) and its private key, PEM-encoded.
struct Pem {
  std::string cert = {};  // certificate chain, leaf first (or a public key)
  std::string key = {};   // PKCS#8 private key
};

struct CertRequest {
  std::string common_name = {};
  std::vector<std::string> dns_names = {};
  std::vector<std::string> ip_addresses = {};
  std::vector<std::string> uris = {};  // e.g. a SPIFFE id
  absl::Duration validity = absl::Hours(24 * 90);
  // Starts this long before now (clock skew between hosts).
  absl::Duration backdate = absl::Minutes(5);
};

class DevCa {
 public:
  // A self-signed CA with a new P-256 key.
  static absl::StatusOr<DevCa> Create(const std::string& name, absl::Duration validity);
  // A CA from its PEM certificate and key (e.g. files written earlier).
  static absl::StatusOr<DevCa> Load(const Pem& pem);

  DevCa(DevCa&&) noexcept;
  DevCa& operator=(DevCa&&) noexcept;
  ~DevCa();

  // The CA's own certificate and key.
  const Pem& pem() const { return pem_; }
  // A new P-256 key and a certificate for it, signed by this CA, usable for
  // TLS server and client authentication. INVALID_ARGUMENT for a malformed
  // IP address or an empty request.
  absl::StatusOr<Pem> Issue(const CertRequest& request) const;

 private:
  struct Impl;
  explicit DevCa(std::unique_ptr<Impl> impl, Pem pem);
  std::unique_ptr<Impl> impl_;
  Pem pem_;
};

// A new ECDSA P-256 key pair: `cert` holds the public key ("PUBLIC KEY" PEM),
// `key` the private key. For signing dev tokens (ES256).
absl::StatusOr<Pem> NewSigningKey();

// Writes `contents` to `path` atomically (temporary file + rename) with the
// given mode (0600 for keys, 0644 for certificates).
absl::Status WriteFileAtomically(const std::string& path, const std::string& contents,
                                 int mode);

}  // namespace jit::tls

#endif  // JIT_LIBS_TLS_DEV_PKI_H_
