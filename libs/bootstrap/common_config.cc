#include "libs/bootstrap/common_config.h"

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace jit::bootstrap {

CommonConfig CommonConfig::Defaults(const ServiceIdentity& identity) {
  CommonConfig c;
  c.grpc_address = absl::StrCat("0.0.0.0:", identity.grpc_port);
  c.admin_address = absl::StrCat("0.0.0.0:", identity.admin_port);
  c.db_path = absl::StrCat("data/", identity.db_file);
  return c;
}

void CommonConfig::Validate(config::Validator& v) const {
  v.HostPort("grpc_address", grpc_address)
      .HostPort("admin_address", admin_address)
      .NonEmpty("db_path", db_path)
      .Require(sqlite_synchronous == "full" || sqlite_synchronous == "normal",
               "sqlite_synchronous", "must be full or normal")
      .Require(!kafka_bootstrap.empty() || !kafka_bootstrap_file.empty(),
               "kafka_bootstrap",
               "set --kafka_bootstrap or --kafka_bootstrap_file")
      .Range("unready_grace", unready_grace, absl::ZeroDuration(),
             absl::Minutes(5))
      .Range("drain_timeout", drain_timeout, absl::ZeroDuration(),
             absl::Minutes(30))
      .Range("executor_threads", executor_threads, 1, 1024)
      .Range("executor_queue_capacity", executor_queue_capacity, 0, 1'000'000)
      .Range("executor_retry_after", executor_retry_after, absl::ZeroDuration(),
             absl::Minutes(1));
}

executor::ExecutorOptions CommonConfig::Executor(
    const std::string& name, const Clock* clock,
    prometheus::Registry* registry) const {
  return {.name = name,
          .threads = executor_threads,
          .queue_capacity = executor_queue_capacity,
          .retry_after = executor_retry_after,
          .clock = clock,
          .registry = registry};
}

std::unique_ptr<executor::BoundedExecutor> StartExecutor(
    const ServiceIdentity& identity, const CommonConfig& common,
    const Clock* clock, prometheus::Registry* registry) {
  auto executor = std::make_unique<executor::BoundedExecutor>(
      common.Executor(identity.name, clock, registry));
  log::Event(log::Level::kInfo, "executor started",
             {{"executor", identity.name},
              {"threads", executor->options().threads},
              {"queue_capacity", executor->options().queue_capacity},
              {"retry_after_ms", absl::ToInt64Milliseconds(
                                     executor->options().retry_after)}});
  return executor;
}

storage::DatabaseOptions CommonConfig::Database() const {
  storage::DatabaseOptions options;
  options.path = db_path;
  options.synchronous = sqlite_synchronous == "normal"
                            ? storage::Synchronous::kNormal
                            : storage::Synchronous::kFull;
  return options;
}

void IdempotencyConfig::Validate(config::Validator& v) const {
  v.Range("idempotency_retention", retention, absl::ZeroDuration(),
          absl::Hours(24 * 3650))
      .Range("idempotency_prune_interval", prune_interval,
             absl::Milliseconds(10), absl::Hours(24 * 7));
}

}  // namespace jit::bootstrap
