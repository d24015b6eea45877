// The whole suite as real binaries on loopback, secured as in production: an
// embedded broker, then enrollment, training-progress, placement and the
// aggregator, each with its TestPki certificate and the token verifier, wired
// to each other over mutual TLS. Integration tests that need the four
// services (the authorization matrix, the audit log, scoped access) start it
// once per test suite:
//
//   auto suite = SecureSuite::Start({.broker = JIT_KAFKA_BROKER_BIN, ...});
//   auto stub = EnrollmentService::NewStub(
//       suite->pki().PersonChannel(suite->address("enrollment"), "programme-admin"));
//
// Destroying it kills the services and the broker (Subprocess's destructor)
// and removes the folder.
#ifndef JIT_LIBS_TESTING_SECURE_SUITE_H_
#define JIT_LIBS_TESTING_SECURE_SUITE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"

namespace jit::testing {

struct SuiteBinaries {
  std::string broker;
  std::string enrollment;
  std::string progress;
  std::string placement;
  std::string aggregator;
};

// The binaries as a test target of tests/integration's jit_suite_test()
// receives them (JIT_*_BIN definitions): SecureSuite::Start(JIT_SUITE_BINARIES).
#define JIT_SUITE_BINARIES                                                              \
  (::jit::testing::SuiteBinaries{.broker = JIT_KAFKA_BROKER_BIN,                        \
                                 .enrollment = JIT_ENROLLMENT_BIN,                      \
                                 .progress = JIT_PROGRESS_BIN,                          \
                                 .placement = JIT_PLACEMENT_BIN,                        \
                                 .aggregator = JIT_AGGREGATOR_BIN})

class SecureSuite {
 public:
  // The services' names, in start order.
  static const std::vector<std::string>& ServiceNames();

  // Starts the broker and the four services (each waited for until it logs
  // "<name> service ready"); `extra_flags` are appended per service name.
  static absl::StatusOr<std::unique_ptr<SecureSuite>> Start(
      const SuiteBinaries& binaries,
      std::map<std::string, std::vector<std::string>> extra_flags = {});

  SecureSuite(const SecureSuite&) = delete;
  SecureSuite& operator=(const SecureSuite&) = delete;
  ~SecureSuite();

  // "127.0.0.1:<port>" of a service's gRPC listener ("" for an unknown name).
  std::string address(const std::string& service) const;
  // Its log file (JSON lines).
  std::string log_file(const std::string& service) const;
  TestPki& pki() { return *pki_; }
  const TestPki& pki() const { return *pki_; }
  TempDir& dir() { return *dir_; }
  const EmbeddedBroker& broker() const { return *broker_; }
  // The key enrollment hashes national IDs with (JIT_ENROLLMENT_CIN_HASH_KEY).
  static constexpr char kCinHashKey[] = "secure-suite-test-cin-hash-key-01";

 private:
  SecureSuite() = default;
  absl::Status StartService(const std::string& name, const std::string& binary,
                            std::vector<std::string> flags);

  // Declared in destruction order's reverse: processes stop first, then the
  // broker, then the folder goes.
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<TestPki> pki_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::map<std::string, std::string> addresses_;
  std::vector<std::unique_ptr<Subprocess>> processes_;
};

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_SECURE_SUITE_H_
