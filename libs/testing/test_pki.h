// A throw-away PKI for tests that run servers (in-process or real binaries):
// a CA, a certificate per service (with its SPIFFE id, issued on first use),
// a token-signing key, and channels as a person (TLS + bearer token), as a
// service (mutual TLS) or anonymously (TLS only).
//
//   ASSIGN_OR_RETURN(TestPki pki, TestPki::Create(dir));
//   argv += pki.ServerFlags("enrollment");            // a real binary
//   auto stub = EnrollmentService::NewStub(pki.PersonChannel(addr, "programme-admin"));
//
// Thread safety: not thread-safe (tests set it up from one thread).
#ifndef JIT_LIBS_TESTING_TEST_PKI_H_
#define JIT_LIBS_TESTING_TEST_PKI_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "libs/auth/token.h"
#include "libs/tls/dev_pki.h"

namespace jit::testing {

class TestPki {
 public:
  static constexpr char kIssuer[] = "jobintech-test";
  static constexpr char kAudience[] = "jobintech-platform";
  static constexpr char kNamespace[] = "test";

  // Writes <dir>/ca.crt, <dir>/token-keys.pem (and keys) into `dir`.
  static absl::StatusOr<TestPki> Create(const std::string& dir);

  TestPki(TestPki&&) noexcept;
  TestPki& operator=(TestPki&&) noexcept;
  ~TestPki();

  const std::string& dir() const { return dir_; }
  std::string ca_file() const { return dir_ + "/ca.crt"; }
  std::string token_keys_file() const { return dir_ + "/token-keys.pem"; }

  // --tls_cert_file/--tls_key_file/--tls_ca_file of `service`'s certificate
  // and --token_issuer/--token_audience/--token_keys_file.
  std::vector<std::string> ServerFlags(const std::string& service);
  // Paths of `service`'s certificate and key (issued on first use).
  std::string CertFile(const std::string& service);
  std::string KeyFile(const std::string& service);

  // For in-process servers.
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials(const std::string& service);
  const auth::TokenVerifier* verifier() const { return verifier_.get(); }

  // A token valid for an hour.
  std::string Token(const std::string& role, const std::vector<std::string>& regions = {},
                    const std::string& subject = "test-user",
                    const std::vector<std::string>& centres = {}) const;
  // Signed by the right key but expired / for another audience.
  std::string ExpiredToken(const std::string& role) const;
  std::string WrongAudienceToken(const std::string& role) const;

  std::shared_ptr<grpc::ChannelCredentials> PersonCredentials(const std::string& token) const;
  std::shared_ptr<grpc::Channel> PersonChannel(const std::string& address, const std::string& role,
                                               const std::vector<std::string>& regions = {},
                                               const std::string& subject = "test-user",
                                               const std::vector<std::string>& centres = {}) const;
  std::shared_ptr<grpc::Channel> TokenChannel(const std::string& address,
                                              const std::string& token) const;
  std::shared_ptr<grpc::Channel> AnonymousChannel(const std::string& address) const;
  std::shared_ptr<grpc::Channel> ServiceChannel(const std::string& address,
                                                const std::string& service);

 private:
  TestPki() = default;
  void Issue(const std::string& service);

  std::string dir_;
  std::unique_ptr<tls::DevCa> ca_;
  std::string signing_key_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
};

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_TEST_PKI_H_
