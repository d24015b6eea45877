// Tokens for tests that start real binaries: a signing key made in a test's
// temporary folder, the flags that make a server accept its tokens, and
// tokens for any role and scope.
//
//   ASSIGN_OR_RETURN(DevAuth auth, DevAuth::Create(dir.path()));
//   argv += auth.ServerFlags();
//   client.set_bearer_token_auth(auth.Token("analyst"));
#ifndef JIT_LIBS_TESTING_DEV_AUTH_H_
#define JIT_LIBS_TESTING_DEV_AUTH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace jit::testing {

class DevAuth {
 public:
  static constexpr char kIssuer[] = "jobintech-test";
  static constexpr char kAudience[] = "jobintech-platform";

  // Writes <dir>/token-keys.pem (the public key).
  static absl::StatusOr<DevAuth> Create(const std::string& dir);

  // --token_issuer, --token_audience, --token_keys_file.
  std::vector<std::string> ServerFlags() const;
  // A token valid for an hour from now.
  std::string Token(const std::string& role, const std::vector<std::string>& regions = {},
                    const std::string& subject = "test-user") const;

 private:
  std::string keys_file_;
  std::string private_key_;
};

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_DEV_AUTH_H_
