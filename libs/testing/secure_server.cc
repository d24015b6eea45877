#include "libs/testing/secure_server.h"

#include "absl/strings/str_cat.h"

namespace jit::testing {

absl::StatusOr<std::unique_ptr<SecureServer>> SecureServer::Start(
    const std::string& dir, const std::vector<grpc::Service*>& services,
    const std::vector<std::string>& contracts, access::DenialSink* denials,
    audit::AuditSink* audit) {
  std::unique_ptr<SecureServer> out(new SecureServer());
  auto pki = TestPki::Create(dir);
  if (!pki.ok()) return pki.status();
  out->pki_ = std::make_unique<TestPki>(*std::move(pki));
  auto policies = access::PolicyTable::ForServices(contracts);
  if (!policies.ok()) return policies.status();
  out->policies_ = std::make_unique<access::PolicyTable>(*std::move(policies));
  out->server_ = std::make_unique<grpcserver::GrpcServer>(grpcserver::GrpcServerOptions{
      .listen_address = "127.0.0.1:0",
      .credentials = out->pki_->ServerCredentials("server"),
      .policies = out->policies_.get(),
      .verifier = out->pki_->verifier(),
      .denials = denials,
      .audit = audit,
      .enable_reflection = false,
      .log_calls = false});
  for (grpc::Service* s : services) out->server_->AddService(s);
  if (absl::Status s = out->server_->Start(); !s.ok()) return s;
  return out;
}

SecureServer::~SecureServer() { Shutdown(); }

void SecureServer::Shutdown() {
  if (server_ != nullptr) server_->Shutdown();
}

std::string SecureServer::address() const { return absl::StrCat("127.0.0.1:", server_->port()); }

std::shared_ptr<grpc::Channel> SecureServer::Channel(const std::string& role,
                                                     const std::vector<std::string>& regions,
                                                     const std::string& subject,
                                                     const std::vector<std::string>& centres) {
  return pki_->PersonChannel(address(), role, regions, subject, centres);
}

std::shared_ptr<grpc::Channel> SecureServer::ServiceChannel(const std::string& service) {
  return pki_->ServiceChannel(address(), service);
}

std::shared_ptr<grpc::Channel> SecureServer::AnonymousChannel() {
  return pki_->AnonymousChannel(address());
}

}  // namespace jit::testing
