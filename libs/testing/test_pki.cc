#include "libs/testing/test_pki.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "libs/clock/clock.h"
#include "libs/grpcclient/credentials.h"
#include "libs/tls/tls.h"

namespace jit::testing {

absl::StatusOr<TestPki> TestPki::Create(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  TestPki pki;
  pki.dir_ = dir;
  auto ca = tls::DevCa::Create("JobInTech test CA", absl::Hours(24));
  if (!ca.ok()) return ca.status();
  pki.ca_ = std::make_unique<tls::DevCa>(*std::move(ca));
  if (auto s = tls::WriteFileAtomically(pki.ca_file(), pki.ca_->pem().cert, 0644); !s.ok()) {
    return s;
  }
  auto key = tls::NewSigningKey();
  if (!key.ok()) return key.status();
  pki.signing_key_ = key->key;
  if (auto s = tls::WriteFileAtomically(pki.token_keys_file(), key->cert, 0644); !s.ok()) {
    return s;
  }
  auto verifier = auth::MakeTokenVerifier(
      {.issuer = kIssuer, .audience = kAudience, .keys_file = pki.token_keys_file()},
      &SystemClock::Get());
  if (!verifier.ok()) return verifier.status();
  pki.verifier_ = *std::move(verifier);
  return pki;
}

TestPki::TestPki(TestPki&&) noexcept = default;
TestPki& TestPki::operator=(TestPki&&) noexcept = default;
TestPki::~TestPki() = default;

void TestPki::Issue(const std::string& service) {
  auto pem = ca_->Issue({.common_name = service,
                         .dns_names = {"localhost", service},
                         .ip_addresses = {"127.0.0.1", "::1"},
                         .uris = {tls::SpiffeIdOf(kNamespace, service)},
                         .validity = absl::Hours(24)});
  if (!pem.ok()) return;  // the server then fails to start, naming the file
  (void)tls::WriteFileAtomically(dir_ + "/" + service + ".key", pem->key, 0600);
  (void)tls::WriteFileAtomically(dir_ + "/" + service + ".crt", pem->cert, 0644);
}

std::string TestPki::CertFile(const std::string& service) {
  const std::string path = dir_ + "/" + service + ".crt";
  if (!std::filesystem::exists(path)) Issue(service);
  return path;
}

std::string TestPki::KeyFile(const std::string& service) {
  CertFile(service);
  return dir_ + "/" + service + ".key";
}

std::vector<std::string> TestPki::ServerFlags(const std::string& service) {
  return {"--tls_cert_file=" + CertFile(service), "--tls_key_file=" + KeyFile(service),
          "--tls_ca_file=" + ca_file(),           std::string("--token_issuer=") + kIssuer,
          std::string("--token_audience=") + kAudience, "--token_keys_file=" + token_keys_file()};
}

std::shared_ptr<grpc::ServerCredentials> TestPki::ServerCredentials(const std::string& service) {
  auto creds = tls::MakeServerCredentials(
      {.cert_file = CertFile(service), .key_file = KeyFile(service), .ca_file = ca_file()});
  return creds.ok() ? *creds : nullptr;
}

namespace {

std::string Sign(const std::string& key, const std::string& audience, const std::string& role,
                 const std::vector<std::string>& regions, const std::string& subject,
                 const std::vector<std::string>& centres, absl::Time issued,
                 absl::Duration lifetime) {
  auto token = auth::SignToken({.issuer = TestPki::kIssuer,
                                .audience = audience,
                                .subject = subject,
                                .roles = {role},
                                .regions = regions,
                                .centres = centres,
                                .issued_at = issued,
                                .lifetime = lifetime},
                               key);
  return token.ok() ? *token : "";
}

}  // namespace

std::string TestPki::Token(const std::string& role, const std::vector<std::string>& regions,
                           const std::string& subject,
                           const std::vector<std::string>& centres) const {
  return Sign(signing_key_, kAudience, role, regions, subject, centres,
              absl::Now() - absl::Seconds(5), absl::Hours(1));
}

std::string TestPki::ExpiredToken(const std::string& role) const {
  return Sign(signing_key_, kAudience, role, {}, "test-user", {}, absl::Now() - absl::Hours(3),
              absl::Hours(1));
}

std::string TestPki::WrongAudienceToken(const std::string& role) const {
  return Sign(signing_key_, "another-platform", role, {}, "test-user", {},
              absl::Now() - absl::Seconds(5), absl::Hours(1));
}

std::shared_ptr<grpc::ChannelCredentials> TestPki::PersonCredentials(
    const std::string& token) const {
  auto credentials = grpcclient::PersonCredentials(ca_file(), token);
  return credentials.ok() ? *credentials : nullptr;
}

std::shared_ptr<grpc::Channel> TestPki::TokenChannel(const std::string& address,
                                                     const std::string& token) const {
  return grpc::CreateChannel(address, PersonCredentials(token));
}

std::shared_ptr<grpc::Channel> TestPki::PersonChannel(const std::string& address,
                                                      const std::string& role,
                                                      const std::vector<std::string>& regions,
                                                      const std::string& subject,
                                                      const std::vector<std::string>& centres) const {
  return TokenChannel(address, Token(role, regions, subject, centres));
}

std::shared_ptr<grpc::Channel> TestPki::AnonymousChannel(const std::string& address) const {
  return TokenChannel(address, "");
}

std::shared_ptr<grpc::Channel> TestPki::ServiceChannel(const std::string& address,
                                                       const std::string& service) {
  auto creds = tls::MakeChannelCredentials(
      {.ca_file = ca_file(), .cert_file = CertFile(service), .key_file = KeyFile(service)});
  return grpc::CreateChannel(address, creds.ok() ? *creds : nullptr);
}

}  // namespace jit::testing
