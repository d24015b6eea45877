// Bearer tokens: JWTs signed RS256 or ES256, verified offline against
// configured public keys, issuer and audience (libjwt 1.10 with OpenSSL for
// the signature; the claims are checked here).
//
// Accepted claims (Keycloak's defaults, see the README's Security section):
//   iss (== issuer), aud (string or array containing audience), sub,
//   exp (required), nbf and iat (optional), each with `leeway`;
//   roles: "roles" (array) or "realm_access": {"roles": [...]};
//   scopes: "regions" and "centres" (arrays of strings).
// Every failure is UNAUTHENTICATED with the reason (expired, not yet valid,
// wrong issuer, wrong audience, bad signature or unknown key, malformed).
// Algorithms other than RS256/ES256 ("none", HS256 with a public key as the
// secret...) are refused before any signature check.
//
// Thread safety: Verify is const and thread-safe.
#ifndef JIT_LIBS_AUTH_TOKEN_H_
#define JIT_LIBS_AUTH_TOKEN_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/auth/principal.h"
#include "libs/clock/clock.h"

namespace jit::auth {

// A public key that may sign tokens.
struct VerificationKey {
  enum class Alg { kRS256, kES256 };
  Alg alg = Alg::kES256;
  std::string public_key_pem = {};  // "PUBLIC KEY" PEM
};

// Every public key of a PEM bundle (public keys and/or certificates): RSA
// keys verify RS256, P-256 keys ES256. INVALID_ARGUMENT naming the file for
// an unreadable file, no key, or another key type.
absl::StatusOr<std::vector<VerificationKey>> LoadVerificationKeys(const std::string& path);
absl::StatusOr<std::vector<VerificationKey>> ParseVerificationKeys(absl::string_view pem);

struct TokenVerifierOptions {
  std::string issuer = {};
  std::string audience = {};
  std::vector<VerificationKey> keys = {};
  absl::Duration leeway = absl::Seconds(30);
  // Tokens larger than this are refused unread.
  size_t max_token_bytes = 8192;
};

class TokenVerifier {
 public:
  // INVALID_ARGUMENT when issuer, audience or keys are missing.
  static absl::StatusOr<TokenVerifier> Create(TokenVerifierOptions options, const Clock* clock);

  // The person a valid token names, or UNAUTHENTICATED.
  absl::StatusOr<Principal> Verify(absl::string_view token) const;

 private:
  TokenVerifier(TokenVerifierOptions options, const Clock* clock)
      : options_(std::move(options)), clock_(clock) {}
  TokenVerifierOptions options_;
  const Clock* clock_;
};

// Where a verifier's settings come from (flags --token_issuer,
// --token_audience, --token_keys_file of every server).
struct TokenConfig {
  std::string issuer = {};
  std::string audience = {};
  std::string keys_file = {};  // PEM public keys and/or certificates
};

// A verifier for `config`, or nullptr when keys_file is empty (the server
// then accepts no token). INVALID_ARGUMENT naming the flag otherwise.
absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeTokenVerifier(const TokenConfig& config,
                                                                 const Clock* clock);

// What a development token says (jitctl auth dev-token, the simulator, tests).
struct TokenClaims {
  std::string issuer = {};
  std::string audience = {};
  std::string subject = {};
  std::vector<std::string> roles = {};
  std::vector<std::string> regions = {};
  std::vector<std::string> centres = {};
  absl::Time issued_at = absl::UnixEpoch();
  absl::Duration lifetime = absl::Hours(8);
};

// Signs `claims` with an ES256 (P-256) or RS256 (RSA) private key in PEM.
absl::StatusOr<std::string> SignToken(const TokenClaims& claims,
                                      absl::string_view private_key_pem);

}  // namespace jit::auth

#endif  // JIT_LIBS_AUTH_TOKEN_H_
