#include "libs/testing/dev_auth.h"

#include "absl/time/clock.h"
#include "libs/auth/token.h"
#include "libs/tls/dev_pki.h"

namespace jit::testing {

absl::StatusOr<DevAuth> DevAuth::Create(const std::string& dir) {
  auto key = tls::NewSigningKey();
  if (!key.ok()) return key.status();
  DevAuth auth;
  auth.keys_file_ = dir + "/token-keys.pem";
  auth.private_key_ = key->key;
  if (absl::Status s = tls::WriteFileAtomically(auth.keys_file_, key->cert, 0644); !s.ok()) {
    return s;
  }
  return auth;
}

std::vector<std::string> DevAuth::ServerFlags() const {
  return {std::string("--token_issuer=") + kIssuer, std::string("--token_audience=") + kAudience,
          "--token_keys_file=" + keys_file_};
}

std::string DevAuth::Token(const std::string& role, const std::vector<std::string>& regions,
                           const std::string& subject) const {
  auto token = auth::SignToken({.issuer = kIssuer,
                                .audience = kAudience,
                                .subject = subject,
                                .roles = {role},
                                .regions = regions,
                                .issued_at = absl::Now() - absl::Seconds(5),
                                .lifetime = absl::Hours(1)},
                               private_key_);
  return token.ok() ? *token : "";
}

}  // namespace jit::testing
