// jit-training-progress: the training-progress service binary. Its own
// settings, the enrollment service client and the domain wiring; the rest
// (common flags, security, audit, outbox pipeline, pruner, serve and drain on
// SIGTERM/SIGINT) is libs/bootstrap.
#include <string>

#include "absl/flags/flag.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/bootstrap/common_config.h"
#include "libs/bootstrap/run_main.h"
#include "libs/bootstrap/write_service.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "libs/status/status_macros.h"
#include "services/training-progress/api/progress_grpc_service.h"
#include "services/training-progress/domain/progress_service.h"
#include "services/training-progress/events/event_mapper.h"
#include "services/training-progress/peers/grpc_enrollment_client.h"
#include "services/training-progress/storage/sqlite_repository.h"

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

namespace jit::progress {
namespace {

const bootstrap::ServiceIdentity kIdentity{
    .name = "training-progress",
    .binary = "jit-training-progress",
    .usage =
        "JobInTech training-progress service: curricula, attendance, "
        "assessments, completion and certification of enrolled "
        "trainees over gRPC, events to Kafka through an outbox.",
    .env_prefix = "JIT_PROGRESS_",
    .grpc_port = 50052,
    .admin_port = 9102,
    .db_file = "training-progress.db"};

void Validate(config::Validator& v) {
  v.HostPort("enrollment_address", absl::GetFlag(FLAGS_enrollment_address))
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
  bootstrap::IdempotencyConfigFromFlags().Validate(v);
}

absl::Status Run(const bootstrap::CommonConfig& common) {
  const Clock& clock = SystemClock::Get();
  ASSIGN_OR_RETURN(
      auto runtime,
      bootstrap::WriteServiceRuntime::Start(
          kIdentity, common, bootstrap::IdempotencyConfigFromFlags(), &clock));
  ASSIGN_OR_RETURN(auto repository,
                   SqliteProgressRepository::Open(runtime->database_options(),
                                                  &clock, &ToOutboxMessage));
  RETURN_IF_ERROR(runtime->Attach(repository.get()));

  const std::string enrollment_address =
      absl::GetFlag(FLAGS_enrollment_address);
  EnrollmentClientOptions client_options;
  client_options.deadline = absl::GetFlag(FLAGS_enrollment_deadline);
  client_options.max_attempts = absl::GetFlag(FLAGS_enrollment_max_attempts);
  client_options.initial_backoff =
      absl::GetFlag(FLAGS_enrollment_initial_backoff);
  client_options.max_backoff = absl::GetFlag(FLAGS_enrollment_max_backoff);
  GrpcEnrollmentClient enrollment(
      ::jobintech::enrollment::v1::EnrollmentService::NewStub(EnrollmentChannel(
          enrollment_address, runtime->security().peer_credentials)),
      client_options);

  ProgressRules rules;
  rules.at_risk_absences = absl::GetFlag(FLAGS_at_risk_absences);
  ProgressService domain(repository.get(), &enrollment, &clock, rules);
  api::ProgressGrpcService grpc_service(&domain, runtime->executor());
  return runtime->Serve(
      {.services = {&grpc_service},
       .service_names = {jobintech::progress::v1::TrainingProgressService::
                             service_full_name()},
       .ready_fields = {{"enrollment_address", enrollment_address}}});
}

}  // namespace
}  // namespace jit::progress

int main(int argc, char** argv) {
  return jit::bootstrap::RunServiceMain(argc, argv,
                                        {.identity = jit::progress::kIdentity,
                                         .version = JIT_VERSION,
                                         .validate = jit::progress::Validate,
                                         .run = jit::progress::Run});
}
