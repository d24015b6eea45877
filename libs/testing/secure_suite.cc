#include "libs/testing/secure_suite.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace jit::testing {

const std::vector<std::string>& SecureSuite::ServiceNames() {
  static const auto* const kNames = new std::vector<std::string>{
      "enrollment", "training-progress", "placement", "aggregator"};
  return *kNames;
}

absl::StatusOr<std::unique_ptr<SecureSuite>> SecureSuite::Start(
    const SuiteBinaries& binaries,
    std::map<std::string, std::vector<std::string>> extra_flags) {
  std::unique_ptr<SecureSuite> suite(new SecureSuite());
  suite->dir_ = std::make_unique<TempDir>();
  absl::StatusOr<TestPki> pki = TestPki::Create(suite->dir_->File("pki"));
  if (!pki.ok()) return pki.status();
  suite->pki_ = std::make_unique<TestPki>(*std::move(pki));
  absl::StatusOr<std::unique_ptr<EmbeddedBroker>> broker =
      EmbeddedBroker::Start(binaries.broker, suite->dir_->path(), 2);
  if (!broker.ok()) return broker.status();
  suite->broker_ = *std::move(broker);

  auto with_extra = [&](const std::string& name, std::vector<std::string> flags) {
    for (std::string& f : extra_flags[name]) flags.push_back(std::move(f));
    return flags;
  };
  absl::Status s = suite->StartService("enrollment", binaries.enrollment,
                                       with_extra("enrollment", {}));
  if (s.ok()) {
    s = suite->StartService(
        "training-progress", binaries.progress,
        with_extra("training-progress",
                   {"--enrollment_address=" + suite->address("enrollment")}));
  }
  if (s.ok()) {
    s = suite->StartService(
        "placement", binaries.placement,
        with_extra("placement",
                   {"--progress_address=" + suite->address("training-progress"),
                    "--enrollment_address=" + suite->address("enrollment")}));
  }
  if (s.ok()) {
    s = suite->StartService("aggregator", binaries.aggregator,
                            with_extra("aggregator", {"--http_address=127.0.0.1:0"}));
  }
  if (!s.ok()) return s;
  return suite;
}

absl::Status SecureSuite::StartService(const std::string& name,
                                       const std::string& binary,
                                       std::vector<std::string> flags) {
  std::vector<std::string> argv = {binary,
                                   "--grpc_address=127.0.0.1:0",
                                   "--admin_address=127.0.0.1:0",
                                   "--db_path=" + dir_->File(name + ".db"),
                                   "--kafka_bootstrap=" + broker_->bootstrap_servers(),
                                   "--unready_grace=0s"};
  for (const std::string& f : pki_->ServerFlags(name)) argv.push_back(f);
  for (std::string& f : flags) argv.push_back(std::move(f));
  const std::string log = log_file(name);
  absl::StatusOr<std::unique_ptr<Subprocess>> p =
      Subprocess::Start(argv, log, {{"JIT_ENROLLMENT_CIN_HASH_KEY", kCinHashKey}});
  if (!p.ok()) return p.status();
  processes_.push_back(*std::move(p));
  absl::StatusOr<std::string> port =
      WaitForLogField(log, name + " service ready", "grpc_port", absl::Seconds(30));
  if (!port.ok()) {
    return absl::Status(port.status().code(),
                        absl::StrCat(name, " did not start: ", port.status().message(),
                                     "\n", ReadFile(log).value_or("")));
  }
  addresses_[name] = "127.0.0.1:" + *port;
  return absl::OkStatus();
}

SecureSuite::~SecureSuite() {
  processes_.clear();  // services first, then the broker they talk to
  broker_.reset();
}

std::string SecureSuite::address(const std::string& service) const {
  auto it = addresses_.find(service);
  return it == addresses_.end() ? "" : it->second;
}

std::string SecureSuite::log_file(const std::string& service) const {
  return dir_->File(service + ".log");
}

}  // namespace jit::testing
