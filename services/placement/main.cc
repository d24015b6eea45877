// jit-placement: the placement service binary. Wires config, the SQLite
// store, the peer clients (training progress, enrollment), the domain core,
// the outbox pipeline to Kafka, the admin HTTP port and the gRPC server;
// drains gracefully on SIGTERM/SIGINT.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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
#include "services/placement/api/placement_grpc_service.h"
#include "services/placement/domain/placement_service.h"
#include "services/placement/peers/grpc_clients.h"
#include "services/placement/storage/sqlite_repository.h"

ABSL_FLAG(std::string, grpc_address, "0.0.0.0:50053",
          "gRPC listen address host:port (port 0 picks a free port)");
ABSL_FLAG(std::string, admin_address, "0.0.0.0:9103",
          "admin HTTP address host:port: /metrics, /healthz, /readyz");
ABSL_FLAG(std::string, db_path, "data/placement.db", "SQLite database file");
ABSL_FLAG(std::string, sqlite_synchronous, "full",
          "SQLite synchronous level: full (durable on power loss) or normal "
          "(faster; the last commits may be lost on power loss)");
ABSL_FLAG(std::string, kafka_bootstrap, "",
          "Kafka bootstrap servers host:port[,...]; empty = read "
          "--kafka_bootstrap_file");
ABSL_FLAG(std::string, kafka_bootstrap_file, "",
          "file holding the bootstrap address (written by jit-kafka-broker)");
ABSL_FLAG(std::string, progress_address, "127.0.0.1:50052",
          "training-progress service host:port (asked for trainees' exits)");
ABSL_FLAG(std::string, enrollment_address, "127.0.0.1:50051",
          "enrollment service host:port (asked about trainees unknown to "
          "training progress, e.g. withdrawn before any training record); "
          "empty disables that fallback");
ABSL_FLAG(absl::Duration, peer_deadline, absl::Seconds(2),
          "deadline of each call to a peer service");
ABSL_FLAG(int, peer_attempts, 3,
          "attempts per peer call; only UNAVAILABLE is retried, with "
          "jittered exponential backoff from 100ms");
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

namespace jit::placement {
namespace {

peers::PeerOptions PeerOptionsFor(std::string name, std::string address,
                                  const service::Security& security) {
  peers::PeerOptions o;
  o.credentials = security.peer_credentials;
  o.name = std::move(name);
  o.address = std::move(address);
  o.deadline = absl::GetFlag(FLAGS_peer_deadline);
  o.retry.max_attempts = absl::GetFlag(FLAGS_peer_attempts);
  return o;
}

absl::Status Run() {
  const Clock& clock = SystemClock::Get();
  ASSIGN_OR_RETURN(service::Security security, service::SecurityFromFlags(&clock));
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
                   SqlitePlacementRepository::Open(db_options, &clock));

  auto registry = std::make_shared<prometheus::Registry>();
  ASSIGN_OR_RETURN(auto server_audit, audit::ServerAudit::StartFromFlags(repository->database(),
                                                                         &clock, registry.get()));
  ASSIGN_OR_RETURN(
      std::string bootstrap,
      service::ResolveBootstrap(absl::GetFlag(FLAGS_kafka_bootstrap),
                                absl::GetFlag(FLAGS_kafka_bootstrap_file),
                                absl::Seconds(30)));
  service::OutboxPipelineOptions pipeline_options;
  pipeline_options.database = repository->database();
  pipeline_options.bootstrap_servers = bootstrap;
  ASSIGN_OR_RETURN(pipeline_options.kafka_properties, service::KafkaPropertiesFromFlags());
  pipeline_options.service_name = "placement";
  pipeline_options.clock = &clock;
  pipeline_options.registry = registry.get();
  ASSIGN_OR_RETURN(auto pipeline,
                   service::OutboxPipeline::Start(pipeline_options));
  const auto pruner = service::StartIdempotencyPruner(
      repository.get(), absl::GetFlag(FLAGS_idempotency_retention),
      absl::GetFlag(FLAGS_idempotency_prune_interval), &clock);

  const std::string progress_address = absl::GetFlag(FLAGS_progress_address);
  const std::string enrollment_address =
      absl::GetFlag(FLAGS_enrollment_address);
  auto progress = peers::GrpcProgressClient::Connect(
      PeerOptionsFor("training-progress", progress_address, security));
  std::unique_ptr<peers::GrpcEnrollmentClient> enrollment;
  if (!enrollment_address.empty()) {
    enrollment = peers::GrpcEnrollmentClient::Connect(
        PeerOptionsFor("enrollment", enrollment_address, security));
  }
  PlacementService domain(repository.get(), &clock, progress.get(), enrollment.get());
  api::PlacementGrpcService grpc_service(&domain);

  service::OutboxPipeline* outbox = pipeline.get();
  return service::ServeUntilSignal(
      {.name = "placement",
       .grpc_address = absl::GetFlag(FLAGS_grpc_address),
       .admin_address = absl::GetFlag(FLAGS_admin_address),
       .unready_grace = absl::GetFlag(FLAGS_unready_grace),
       .drain_timeout = absl::GetFlag(FLAGS_drain_timeout),
       .registry = registry,
       .services = {&grpc_service, server_audit->service()},
       .service_names = {jobintech::placement::v1::PlacementService::service_full_name(),
                         audit::ServerAudit::kServiceName},
       .security = &security,
       .audit = server_audit->sink(),
       .ready_fields = {{"db_path", db_options.path},
                        {"kafka_bootstrap", bootstrap},
                        {"progress_address", progress_address},
                        {"enrollment_address", enrollment_address}},
       .after_drain =
           [outbox] {
             outbox->Stop();
             return absl::OkStatus();
           }});
}

}  // namespace
}  // namespace jit::placement

int main(int argc, char** argv) {
  jit::grpcserver::BlockShutdownSignals();
  jit::config::ParseFlags(
      argc, argv,
      {.name = "jit-placement",
       .usage = "JobInTech placement service: employers, job offers, "
                "placements after exit, verification and follow-ups over "
                "gRPC, events to Kafka through an outbox.",
       .version = JIT_VERSION,
       .env_prefix = "JIT_PLACEMENT_"});
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
      .NonEmpty("progress_address", absl::GetFlag(FLAGS_progress_address))
      .HostPort("progress_address", absl::GetFlag(FLAGS_progress_address))
      .Range("peer_deadline", absl::GetFlag(FLAGS_peer_deadline),
             absl::Milliseconds(10), absl::Minutes(1))
      .Range("peer_attempts", absl::GetFlag(FLAGS_peer_attempts), 1, 10);
  if (!absl::GetFlag(FLAGS_enrollment_address).empty()) {
    v.HostPort("enrollment_address", absl::GetFlag(FLAGS_enrollment_address));
  }
  v.Range("idempotency_retention", absl::GetFlag(FLAGS_idempotency_retention),
          absl::ZeroDuration(), absl::Hours(24 * 3650))
      .Range("idempotency_prune_interval", absl::GetFlag(FLAGS_idempotency_prune_interval),
             absl::Milliseconds(10), absl::Hours(24 * 7));
  jit::service::ValidateSecurityFlags(v);
  jit::config::ExitIfInvalid(v);
  if (auto s = jit::log::Init({.component = "placement",
                               .level = absl::GetFlag(FLAGS_log_level),
                               .sink = nullptr});
      !s.ok()) {
    std::fprintf(stderr, "config error: --log_level: %s\n",
                 std::string(s.message()).c_str());
    return jit::config::kConfigErrorExitCode;
  }
  jit::log::Info("starting jit-placement {}: {}", JIT_VERSION,
                 jit::config::Describe());
  absl::Status s = jit::placement::Run();
  if (!s.ok()) {
    jit::log::Error("fatal: {}", s.ToString());
    return 1;
  }
  return 0;
}
