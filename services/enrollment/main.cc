// jit-enrollment: the enrollment service binary. Its own settings and
// wiring; the rest (common flags, security, audit, outbox pipeline, pruner,
// serve and drain on SIGTERM/SIGINT) is libs/bootstrap.
#include <string>

#include "absl/flags/flag.h"
#include "libs/bootstrap/common_config.h"
#include "libs/bootstrap/run_main.h"
#include "libs/bootstrap/write_service.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"
#include "libs/status/status_macros.h"
#include "services/enrollment/api/enrollment_grpc_service.h"
#include "services/enrollment/domain/enrollment_service.h"
#include "services/enrollment/events/event_mapper.h"
#include "services/enrollment/storage/cin_hasher.h"
#include "services/enrollment/storage/sqlite_repository.h"

ABSL_FLAG(std::string, cin_hash_key, "",
          "secret key (>= 16 bytes) of the keyed hash of national IDs used to "
          "find duplicate applications; keep it stable and secret");
ABSL_FLAG(int, min_age, 18, "youngest eligible age on the day of application");
ABSL_FLAG(int, max_age, 35, "oldest eligible age on the day of application");

namespace jit::enrollment {
namespace {

const bootstrap::ServiceIdentity kIdentity{
    .name = "enrollment",
    .binary = "jit-enrollment",
    .usage =
        "JobInTech enrollment service: catalogue, applications and "
        "enrolment over gRPC, events to Kafka through an outbox.",
    .env_prefix = "JIT_ENROLLMENT_",
    .grpc_port = 50051,
    .admin_port = 9101,
    .db_file = "enrollment.db"};

void Validate(config::Validator& v) {
  const int min_age = absl::GetFlag(FLAGS_min_age);
  const int max_age = absl::GetFlag(FLAGS_max_age);
  v.Require(absl::GetFlag(FLAGS_cin_hash_key).size() >= 16, "cin_hash_key",
            "must be at least 16 bytes (set JIT_ENROLLMENT_CIN_HASH_KEY)")
      .Range("min_age", min_age, 14, 99)
      .Range("max_age", max_age, 14, 99)
      .Require(min_age <= max_age, "max_age", "must not be below --min_age");
  bootstrap::IdempotencyConfigFromFlags().Validate(v);
}

absl::Status Run(const bootstrap::CommonConfig& common) {
  const Clock& clock = SystemClock::Get();
  ASSIGN_OR_RETURN(
      auto runtime,
      bootstrap::WriteServiceRuntime::Start(
          kIdentity, common, bootstrap::IdempotencyConfigFromFlags(), &clock));
  ASSIGN_OR_RETURN(auto repository,
                   SqliteEnrollmentRepository::Open(runtime->database_options(),
                                                    &clock, &ToOutboxMessage));
  RETURN_IF_ERROR(runtime->Attach(repository.get()));
  ASSIGN_OR_RETURN(auto hasher,
                   HmacCinHasher::Create(absl::GetFlag(FLAGS_cin_hash_key)));
  EnrollmentRules rules;
  rules.min_age = absl::GetFlag(FLAGS_min_age);
  rules.max_age = absl::GetFlag(FLAGS_max_age);
  EnrollmentService domain(repository.get(), &clock, hasher.get(), rules);
  api::EnrollmentGrpcService grpc_service(&domain, runtime->executor());
  return runtime->Serve(
      {.services = {&grpc_service},
       .service_names = {
           jobintech::enrollment::v1::EnrollmentService::service_full_name()}});
}

}  // namespace
}  // namespace jit::enrollment

int main(int argc, char** argv) {
  return jit::bootstrap::RunServiceMain(argc, argv,
                                        {.identity = jit::enrollment::kIdentity,
                                         .version = JIT_VERSION,
                                         .validate = jit::enrollment::Validate,
                                         .run = jit::enrollment::Run});
}
