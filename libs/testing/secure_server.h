// An in-process gRPC server as the services run it, for API adapter tests:
// libs/grpcserver over TLS with a TestPki certificate, the contracts' real
// access policies and the TestPki token verifier. Clients connect as a
// person with a role (TLS + token), as a service (mutual TLS) or anonymously.
//
//   ASSIGN_OR_RETURN(auto server, SecureServer::Start(dir.path(), {&service},
//                                                    {pb::EnrollmentService::service_full_name()}));
//   auto stub = pb::EnrollmentService::NewStub(server->Channel("programme-admin"));
#ifndef JIT_LIBS_TESTING_SECURE_SERVER_H_
#define JIT_LIBS_TESTING_SECURE_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/impl/service_type.h"
#include "libs/access/policy.h"
#include "libs/audit/recorder.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/testing/test_pki.h"

namespace jit::testing {

class SecureServer {
 public:
  // The PKI goes to `dir`; the server listens on 127.0.0.1, a free port.
  static absl::StatusOr<std::unique_ptr<SecureServer>> Start(
      const std::string& dir, const std::vector<grpc::Service*>& services,
      const std::vector<std::string>& contracts, access::DenialSink* denials = nullptr,
      audit::AuditSink* audit = nullptr);
  ~SecureServer();

  std::string address() const;
  TestPki& pki() { return *pki_; }
  const access::PolicyTable& policies() const { return *policies_; }

  std::shared_ptr<grpc::Channel> Channel(const std::string& role,
                                         const std::vector<std::string>& regions = {},
                                         const std::string& subject = "test-user",
                                         const std::vector<std::string>& centres = {});
  std::shared_ptr<grpc::Channel> ServiceChannel(const std::string& service);
  std::shared_ptr<grpc::Channel> AnonymousChannel();

  void Shutdown();

 private:
  SecureServer() = default;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<access::PolicyTable> policies_;
  std::unique_ptr<grpcserver::GrpcServer> server_;
};

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_SECURE_SERVER_H_
