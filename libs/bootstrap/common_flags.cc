// The flags every service binary shares, declared once. Their defaults here
// are placeholders: SetCommonFlagDefaults() sets the service's own before the
// command line is parsed.
#include <string>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "libs/bootstrap/common_config.h"

ABSL_FLAG(std::string, grpc_address, "",
          "gRPC listen address host:port (port 0 picks a free port); default "
          "0.0.0.0:<the service's port>");
ABSL_FLAG(std::string, admin_address, "",
          "admin HTTP address host:port: /metrics, /healthz, /readyz; default "
          "0.0.0.0:<the service's admin port>");
ABSL_FLAG(std::string, db_path, "",
          "SQLite database file; default data/<service>.db");
ABSL_FLAG(std::string, sqlite_synchronous, "full",
          "SQLite synchronous level: full (durable on power loss) or normal "
          "(faster; the last commits may be lost on power loss)");
ABSL_FLAG(std::string, kafka_bootstrap, "",
          "Kafka bootstrap servers host:port[,...]; empty = read "
          "--kafka_bootstrap_file");
ABSL_FLAG(std::string, kafka_bootstrap_file, "",
          "file holding the bootstrap address (written by jit-kafka-broker)");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn or error");
ABSL_FLAG(absl::Duration, unready_grace, absl::Seconds(2),
          "on shutdown, time between reporting NOT_SERVING and refusing calls");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on shutdown, bound of the graceful drain of in-flight calls");
ABSL_FLAG(int, executor_threads, 16,
          "worker threads running the gRPC handlers' blocking work (SQLite "
          "commits, peer calls) (1..1024)");
ABSL_FLAG(int, executor_queue_capacity, 256,
          "calls that may wait for a worker; beyond that a call fails at once "
          "with RESOURCE_EXHAUSTED and a retry hint (0..1000000)");
ABSL_FLAG(absl::Duration, executor_retry_after, absl::Milliseconds(250),
          "the retry hint sent with RESOURCE_EXHAUSTED (grpc-retry-pushback-ms "
          "trailer and google.rpc.RetryInfo)");

namespace jit::bootstrap {

void SetCommonFlagDefaults(const ServiceIdentity& identity) {
  const CommonConfig d = CommonConfig::Defaults(identity);
  absl::SetFlag(&FLAGS_grpc_address, d.grpc_address);
  absl::SetFlag(&FLAGS_admin_address, d.admin_address);
  absl::SetFlag(&FLAGS_db_path, d.db_path);
}

CommonConfig CommonConfigFromFlags() {
  CommonConfig c;
  c.grpc_address = absl::GetFlag(FLAGS_grpc_address);
  c.admin_address = absl::GetFlag(FLAGS_admin_address);
  c.db_path = absl::GetFlag(FLAGS_db_path);
  c.sqlite_synchronous = absl::GetFlag(FLAGS_sqlite_synchronous);
  c.kafka_bootstrap = absl::GetFlag(FLAGS_kafka_bootstrap);
  c.kafka_bootstrap_file = absl::GetFlag(FLAGS_kafka_bootstrap_file);
  c.log_level = absl::GetFlag(FLAGS_log_level);
  c.unready_grace = absl::GetFlag(FLAGS_unready_grace);
  c.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  c.executor_threads = absl::GetFlag(FLAGS_executor_threads);
  c.executor_queue_capacity = absl::GetFlag(FLAGS_executor_queue_capacity);
  c.executor_retry_after = absl::GetFlag(FLAGS_executor_retry_after);
  return c;
}

}  // namespace jit::bootstrap
