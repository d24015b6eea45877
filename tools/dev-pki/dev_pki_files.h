// The development PKI of a data folder (what scripts/run.sh makes on first
// start): a CA, a certificate per service with its SPIFFE id, and an ES256
// key pair for development bearer tokens.
//
//   <dir>/ca.crt  ca.key                 the development CA
//   <dir>/<service>.crt  <service>.key   one per service
//   <dir>/token-signing.key              signs development tokens
//   <dir>/token-keys.pem                 its public key (servers verify with it)
//
// Keys are written 0600, certificates 0644. Existing files are kept while
// they are valid for at least `min_remaining`; a missing or expiring CA
// renews everything it signed.
#ifndef JIT_TOOLS_DEV_PKI_DEV_PKI_FILES_H_
#define JIT_TOOLS_DEV_PKI_DEV_PKI_FILES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jit::devpki {

// Issuer and audience of development tokens (scripts/run.sh passes the same
// to the servers with --token_issuer / --token_audience).
inline constexpr char kDevIssuer[] = "jobintech-dev";
inline constexpr char kDevAudience[] = "jobintech-platform";

struct Options {
  std::string dir = {};
  std::vector<std::string> services = {};
  std::string ns = "dev";  // the SPIFFE id's namespace
  absl::Duration ca_validity = absl::Hours(24 * 365);
  absl::Duration cert_validity = absl::Hours(24 * 90);
  absl::Duration min_remaining = absl::Hours(24 * 7);
  bool renew = false;  // new service certificates even when valid
};

struct Report {
  bool ca_created = false;
  std::vector<std::string> issued = {};  // services whose certificate was (re)issued
  bool token_key_created = false;
};

absl::StatusOr<Report> Ensure(const Options& options);

struct DevTokenRequest {
  std::string role = {};
  std::vector<std::string> regions = {};
  std::vector<std::string> centres = {};
  std::string subject = "dev-user";
  absl::Duration lifetime = absl::Hours(8);
};

// A development bearer token signed with <dir>/token-signing.key.
// FAILED_PRECONDITION when the key is missing (not a development data
// folder), INVALID_ARGUMENT for an unknown role or an empty subject.
absl::StatusOr<std::string> MintDevToken(const std::string& dir, const DevTokenRequest& request);

}  // namespace jit::devpki

#endif  // JIT_TOOLS_DEV_PKI_DEV_PKI_FILES_H_
