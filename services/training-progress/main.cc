// jit-training-progress: the training-progress service binary. Wires config,
// the SQLite store, the enrollment service client, the domain core, the
// outbox pipeline to Kafka, the admin HTTP port and the gRPC server; drains
// gracefully on SIGTERM/SIGINT.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/audit/server_audit.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/grpcserver/signals.h"
#include "libs/log/log.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/grpc_server_metrics.h"
#include "libs/service/outbox_pipeline.h"
#include "libs/service/retention_pruner.h"
#include "libs/service/security.h"
#include "libs/service/serve.h"
#include "libs/status/status_macros.h"
#include "prometheus/registry.h"
#include "services/training-progress/api/progress_grpc_service.h"
#include "services/training-progress/domain/progress_service.h"
#include "services/training-progress/peers/grpc_enrollment_client.h"
#include "services/training-progress/storage/sqlite_repository.h"

ABSL_FLAG(std::string, grpc_address, "0.0.0.0:50052",
          "gRPC listen address host:port (port 0 picks a free port)");
ABSL_FLAG(std::string, admin_address, "0.0.0.0:9102",
          "admin HTTP address host:port: /metrics, /healthz, /readyz");
ABSL_FLAG(std::string, db_path, "data/training-progress.db",
          "SQLite database file");
ABSL_FLAG(std::string, sqlite_synchronous, "full",
          "SQLite synchronous level: full (durable on power loss) or normal "
          "(faster; the last commits may be lost on power loss)");
ABSL_FLAG(std::string, kafka_bootstrap, "",
          "Kafka bootstrap servers host:port[,...]; empty = read "
          "--kafka_bootstrap_file");
ABSL_FLAG(std::string, kafka_bootstrap_file, "",
          "file holding the bootstrap address (written by jit-kafka-broker)");
ABSL_FLAG(std::string, enrollment_address, "127.0.0.1:50051",
          "host:port of the enrollment service, asked before every record "
          "whether the trainee is enrolled");
ABSL_FLAG(absl::Duration, enrollment_deadline, absl::Seconds(2),
          "deadline of each call to the enrollment service");
ABSL_FLAG(int, enrollment_max_attempts, 3,
          "attempts per enrollment lookup; only UNAVAILABLE is retried");
ABSL_FLAG(absl::Duration, enrollment_initial_backoff, absl::Milliseconds(100),
          "wait before the first retry of an enrollment lookup (doubles per "
          "retry, +-20% jitter)");
ABSL_FLAG(absl::Duration, enrollment_max_backoff, absl::Seconds(1),
          "longest wait between retries of an enrollment lookup");
ABSL_FLAG(int, at_risk_absences, 3,
          "consecutive unexcused absences that flag a trainee at risk");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn or error");
ABSL_FLAG(absl::Duration, unready_grace, absl::Seconds(2),
          "on shutdown, time between reporting NOT_SERVING and refusing calls");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on shutdown, bound of the graceful drain of in-flight calls");
ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 30),
          "how long the answer to a mutating request is kept for retries with the same "
          "request_id; older records are deleted (0: kept forever)");
ABSL_FLAG(absl::Duration, idempotency_prune_interval, absl::Hours(1),
          "how often expired idempotency records are deleted");

namespace jit::progress {
namespace {

absl::Status Run() {
  const Clock& clock = SystemClock::Get();
  ASSIGN_OR_RETURN(service::Security security, service::SecurityFromFlags(&clock));
  ASSIGN_OR_RETURN(auto kafka_properties, service::KafkaPropertiesFromFlags());
  storage::DatabaseOptions db_options;
  db_options.path = absl::GetFlag(FLAGS_db_path);
  db_options.synchronous = absl::GetFlag(FLAGS_sqlite_synchronous) == "normal"
                               ? storage::Synchronous::kNormal
                               : storage::Synchronous::kFull;
  const std::filesystem::path parent =
      std::filesystem::path(db_options.path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  ASSIGN_OR_RETURN(auto repository,
                   SqliteProgressRepository::Open(db_options, &clock));

  auto registry = std::make_shared<prometheus::Registry>();
  ASSIGN_OR_RETURN(auto server_audit, audit::ServerAudit::StartFromFlags(repository->database(),
                                                                         &clock, registry.get()));
  ASSIGN_OR_RETURN(
      std::string bootstrap,
      service::ResolveBootstrap(absl::GetFlag(FLAGS_kafka_bootstrap),
                                absl::GetFlag(FLAGS_kafka_bootstrap_file),
                                absl::Seconds(30)));
  ASSIGN_OR_RETURN(auto pipeline, service::OutboxPipeline::Start(
                                      {.database = repository->database(),
                                       .bootstrap_servers = bootstrap,
                                       .kafka_properties = kafka_properties,
                                       .service_name = "training-progress",
                                       .clock = &clock,
                                       .registry = registry.get()}));
  const auto pruner = service::StartIdempotencyPruner(
      repository.get(), absl::GetFlag(FLAGS_idempotency_retention),
      absl::GetFlag(FLAGS_idempotency_prune_interval), &clock);

  const std::string enrollment_address =
      absl::GetFlag(FLAGS_enrollment_address);
  EnrollmentClientOptions client_options;
  client_options.deadline = absl::GetFlag(FLAGS_enrollment_deadline);
  client_options.max_attempts = absl::GetFlag(FLAGS_enrollment_max_attempts);
  client_options.initial_backoff =
      absl::GetFlag(FLAGS_enrollment_initial_backoff);
  client_options.max_backoff = absl::GetFlag(FLAGS_enrollment_max_backoff);
  GrpcEnrollmentClient enrollment(
      ::jobintech::enrollment::v1::EnrollmentService::NewStub(
          EnrollmentChannel(enrollment_address, security.peer_credentials)),
      client_options);

  ProgressRules rules;
  rules.at_risk_absences = absl::GetFlag(FLAGS_at_risk_absences);
  ProgressService domain(repository.get(), &enrollment, &clock, rules);
  api::ProgressGrpcService grpc_service(&domain);

  service::OutboxPipeline* outbox = pipeline.get();
  return service::ServeUntilSignal(
      {.name = "training-progress",
       .grpc_address = absl::GetFlag(FLAGS_grpc_address),
       .admin_address = absl::GetFlag(FLAGS_admin_address),
       .unready_grace = absl::GetFlag(FLAGS_unready_grace),
       .drain_timeout = absl::GetFlag(FLAGS_drain_timeout),
       .registry = registry,
       .services = {&grpc_service, server_audit->service()},
       .service_names = {jobintech::progress::v1::TrainingProgressService::service_full_name(),
                         audit::ServerAudit::kServiceName},
       .security = &security,
       .audit = server_audit->sink(),
       .ready_fields = {{"db_path", db_options.path},
                        {"kafka_bootstrap", bootstrap},
                        {"enrollment_address", enrollment_address}},
       .after_drain =
           [outbox] {
             outbox->Stop();
             return absl::OkStatus();
           }});
}

}  // namespace
}  // namespace jit::progress

int main(int argc, char** argv) {
  jit::grpcserver::BlockShutdownSignals();
  jit::config::ParseFlags(
      argc, argv,
      {.name = "jit-training-progress",
       .usage = "JobInTech training-progress service: curricula, attendance, "
                "assessments, completion and certification of enrolled "
                "trainees over gRPC, events to Kafka through an outbox.",
       .version = JIT_VERSION,
       .env_prefix = "JIT_PROGRESS_"});
  jit::config::Validator v;
  v.HostPort("grpc_address", absl::GetFlag(FLAGS_grpc_address))
      .HostPort("admin_address", absl::GetFlag(FLAGS_admin_address))
      .NonEmpty("db_path", absl::GetFlag(FLAGS_db_path))
      .Require(absl::GetFlag(FLAGS_sqlite_synchronous) == "full" ||
                   absl::GetFlag(FLAGS_sqlite_synchronous) == "normal",
               "sqlite_synchronous", "must be full or normal")
      .Require(!absl::GetFlag(FLAGS_kafka_bootstrap).empty() ||
                   !absl::GetFlag(FLAGS_kafka_bootstrap_file).empty(),
               "kafka_bootstrap",
               "set --kafka_bootstrap or --kafka_bootstrap_file")
      .HostPort("enrollment_address", absl::GetFlag(FLAGS_enrollment_address))
      .Range("enrollment_deadline", absl::GetFlag(FLAGS_enrollment_deadline),
             absl::Milliseconds(10), absl::Minutes(1))
      .Range("enrollment_max_attempts",
             absl::GetFlag(FLAGS_enrollment_max_attempts), 1, 10)
      .Range("enrollment_initial_backoff",
             absl::GetFlag(FLAGS_enrollment_initial_backoff),
             absl::ZeroDuration(), absl::Seconds(10))
      .Range("enrollment_max_backoff",
             absl::GetFlag(FLAGS_enrollment_max_backoff), absl::ZeroDuration(),
             absl::Seconds(30))
      .Require(absl::GetFlag(FLAGS_enrollment_initial_backoff) <=
                   absl::GetFlag(FLAGS_enrollment_max_backoff),
               "enrollment_max_backoff",
               "must not be below --enrollment_initial_backoff")
      .Range("at_risk_absences", absl::GetFlag(FLAGS_at_risk_absences), 1, 100);
  v.Range("idempotency_retention", absl::GetFlag(FLAGS_idempotency_retention),
          absl::ZeroDuration(), absl::Hours(24 * 3650))
      .Range("idempotency_prune_interval", absl::GetFlag(FLAGS_idempotency_prune_interval),
             absl::Milliseconds(10), absl::Hours(24 * 7));
  jit::service::ValidateSecurityFlags(v);
  jit::config::ExitIfInvalid(v);
  if (auto s = jit::log::Init({.component = "training-progress",
                               .level = absl::GetFlag(FLAGS_log_level),
                               .sink = nullptr});
      !s.ok()) {
    std::fprintf(stderr, "config error: --log_level: %s\n",
                 std::string(s.message()).c_str());
    return jit::config::kConfigErrorExitCode;
  }
  jit::log::Info("starting jit-training-progress {}: {}", JIT_VERSION,
                 jit::config::Describe());
  absl::Status s = jit::progress::Run();
  if (!s.ok()) {
    jit::log::Error("fatal: {}", s.ToString());
    return 1;
  }
  return 0;
}
