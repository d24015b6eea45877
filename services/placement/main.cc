// jit-placement: the placement service binary. Its own settings, the peer
// clients (training progress, enrollment) and the domain wiring; the rest
// (common flags, security, audit, outbox pipeline, pruner, serve and drain on
// SIGTERM/SIGINT) is libs/bootstrap.
#include <memory>
#include <string>
#include <utility>

#include "absl/flags/flag.h"
#include "libs/bootstrap/common_config.h"
#include "libs/bootstrap/run_main.h"
#include "libs/bootstrap/write_service.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "libs/service/security.h"
#include "libs/status/status_macros.h"
#include "services/placement/api/placement_grpc_service.h"
#include "services/placement/domain/placement_service.h"
#include "services/placement/events/event_mapper.h"
#include "services/placement/peers/grpc_clients.h"
#include "services/placement/storage/sqlite_repository.h"

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

namespace jit::placement {
namespace {

const bootstrap::ServiceIdentity kIdentity{
    .name = "placement",
    .binary = "jit-placement",
    .usage =
        "JobInTech placement service: employers, job offers, "
        "placements after exit, verification and follow-ups over "
        "gRPC, events to Kafka through an outbox.",
    .env_prefix = "JIT_PLACEMENT_",
    .grpc_port = 50053,
    .admin_port = 9103,
    .db_file = "placement.db"};

void Validate(config::Validator& v) {
  v.NonEmpty("progress_address", absl::GetFlag(FLAGS_progress_address))
      .HostPort("progress_address", absl::GetFlag(FLAGS_progress_address))
      .Range("peer_deadline", absl::GetFlag(FLAGS_peer_deadline),
             absl::Milliseconds(10), absl::Minutes(1))
      .Range("peer_attempts", absl::GetFlag(FLAGS_peer_attempts), 1, 10);
  if (!absl::GetFlag(FLAGS_enrollment_address).empty()) {
    v.HostPort("enrollment_address", absl::GetFlag(FLAGS_enrollment_address));
  }
  bootstrap::IdempotencyConfigFromFlags().Validate(v);
}

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

absl::Status Run(const bootstrap::CommonConfig& common) {
  const Clock& clock = SystemClock::Get();
  ASSIGN_OR_RETURN(
      auto runtime,
      bootstrap::WriteServiceRuntime::Start(
          kIdentity, common, bootstrap::IdempotencyConfigFromFlags(), &clock));
  ASSIGN_OR_RETURN(auto repository,
                   SqlitePlacementRepository::Open(runtime->database_options(),
                                                   &clock, &ToOutboxMessage));
  RETURN_IF_ERROR(runtime->Attach(repository.get()));

  const std::string progress_address = absl::GetFlag(FLAGS_progress_address);
  const std::string enrollment_address =
      absl::GetFlag(FLAGS_enrollment_address);
  auto progress = peers::GrpcProgressClient::Connect(PeerOptionsFor(
      "training-progress", progress_address, runtime->security()));
  std::unique_ptr<peers::GrpcEnrollmentClient> enrollment;
  if (!enrollment_address.empty()) {
    enrollment = peers::GrpcEnrollmentClient::Connect(
        PeerOptionsFor("enrollment", enrollment_address, runtime->security()));
  }
  PlacementService domain(repository.get(), &clock, progress.get(),
                          enrollment.get());
  api::PlacementGrpcService grpc_service(&domain, runtime->executor());
  return runtime->Serve(
      {.services = {&grpc_service},
       .service_names =
           {jobintech::placement::v1::PlacementService::service_full_name()},
       .ready_fields = {{"progress_address", progress_address},
                        {"enrollment_address", enrollment_address}}});
}

}  // namespace
}  // namespace jit::placement

int main(int argc, char** argv) {
  return jit::bootstrap::RunServiceMain(argc, argv,
                                        {.identity = jit::placement::kIdentity,
                                         .version = JIT_VERSION,
                                         .validate = jit::placement::Validate,
                                         .run = jit::placement::Run});
}
