// The settings every service binary shares, typed: defaults per service,
// bounds and Validate(), usable (and tested) without flags. The flags that
// fill them are defined once (common_flags.cc, idempotency_flags.cc), so no
// main.cc declares --grpc_address, --db_path, --kafka_bootstrap, ... again.
//
//   const ServiceIdentity kIdentity{.name = "enrollment", ...};
//   CommonConfig config = CommonConfig::Defaults(kIdentity);
//   config.db_path = "";
//   config::Validator v;
//   config.Validate(v);   // "--db_path=: must not be empty"
#ifndef JIT_LIBS_BOOTSTRAP_COMMON_CONFIG_H_
#define JIT_LIBS_BOOTSTRAP_COMMON_CONFIG_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "libs/executor/bounded_executor.h"
#include "libs/storage/database.h"
#include "prometheus/registry.h"

namespace jit::bootstrap {

// What tells the binaries apart where their shared settings are concerned.
struct ServiceIdentity {
  std::string name = "";        // "enrollment": logs, the ready line, metrics
  std::string binary = "";      // "jit-enrollment": --version, start-up log
  std::string usage = "";       // --help paragraph
  std::string env_prefix = "";  // "JIT_ENROLLMENT_": environment fallbacks
  int grpc_port = 0;            // default gRPC listen port (50051)
  int admin_port = 0;           // default admin HTTP port (9101)
  std::string db_file = "";     // default database file name in data/
};

// The settings every service binary has.
struct CommonConfig {
  std::string grpc_address = "";   // host:port, port 0 picks a free port
  std::string admin_address = "";  // /metrics, /healthz, /readyz
  std::string db_path = "";        // SQLite file (created with its folder)
  std::string sqlite_synchronous = "full";  // "full" or "normal"
  std::string kafka_bootstrap = "";         // host:port[,...]
  std::string kafka_bootstrap_file = "";    // written by jit-kafka-broker
  std::string log_level = "info";
  absl::Duration unready_grace = absl::Seconds(2);
  absl::Duration drain_timeout = absl::Seconds(10);
  // The bounded executor the gRPC handlers' blocking work runs on
  // (libs/executor): worker threads, calls that may wait for one (beyond
  // that: RESOURCE_EXHAUSTED at once), and the retry hint sent with it.
  int executor_threads = 16;
  int executor_queue_capacity = 256;
  absl::Duration executor_retry_after = absl::Milliseconds(250);

  // 0.0.0.0:<grpc_port>, 0.0.0.0:<admin_port>, data/<db_file>, full.
  static CommonConfig Defaults(const ServiceIdentity& identity);
  // Adds one problem per bad setting (named as its flag) to `v`.
  void Validate(config::Validator& v) const;
  // The database options these settings give (path and synchronous level).
  storage::DatabaseOptions Database() const;
  // The executor these settings give, named `name` in its metrics
  // (executor="<name>"); `registry` may be null (no metrics), `clock` null
  // (the system's).
  executor::ExecutorOptions Executor(const std::string& name,
                                     const Clock* clock,
                                     prometheus::Registry* registry) const;
};

// A started executor for the service's gRPC handlers (CommonConfig::
// Executor), logged with its sizes. service::ServeOptions::executor shuts it
// down after the gRPC drain.
std::unique_ptr<executor::BoundedExecutor> StartExecutor(
    const ServiceIdentity& identity, const CommonConfig& common,
    const Clock* clock, prometheus::Registry* registry);

// How long the write services keep a mutation's first answer for replays.
struct IdempotencyConfig {
  absl::Duration retention = absl::Hours(24 * 30);  // 0: kept forever
  absl::Duration prune_interval = absl::Hours(1);

  void Validate(config::Validator& v) const;  // as --idempotency_*
};

// The shared flag block (common_flags.cc). SetCommonFlagDefaults() gives the
// flags the service's defaults; call it before config::ParseFlags (the
// command line and the environment then override them as usual).
void SetCommonFlagDefaults(const ServiceIdentity& identity);
CommonConfig CommonConfigFromFlags();

// --idempotency_retention, --idempotency_prune_interval (idempotency_flags.cc:
// only binaries that call this have them).
IdempotencyConfig IdempotencyConfigFromFlags();

}  // namespace jit::bootstrap

#endif  // JIT_LIBS_BOOTSTRAP_COMMON_CONFIG_H_
