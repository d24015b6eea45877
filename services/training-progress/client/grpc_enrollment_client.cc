#include "services/training-progress/client/grpc_enrollment_client.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "grpcpp/client_context.h"
#include "libs/status/status_macros.h"

namespace jit::progress {
namespace {

namespace pb = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;

constexpr char kUnavailable[] = "enrollment service unavailable: ";

absl::StatusOr<absl::CivilDay> DayOf(const common::Date& d,
                                     absl::string_view field) {
  const absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.year() < 1900 || day.year() != d.year() || day.month() != d.month() ||
      day.day() != d.day()) {
    return absl::InternalError(
        absl::StrCat("the enrollment service returned an impossible ", field,
                     ": ", d.year(), "-", d.month(), "-", d.day()));
  }
  return day;
}

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::string Describe(const grpc::Status& s) {
  return absl::StrCat(
      absl::StatusCodeToString(static_cast<absl::StatusCode>(s.error_code())),
      ": ", s.error_message());
}

}  // namespace

absl::StatusOr<TraineeEnrolment> FromLookupResponse(
    const pb::LookupTraineeResponse& r) {
  if (r.status() < pb::APPLICATION_STATUS_APPLIED ||
      r.status() > pb::APPLICATION_STATUS_WITHDRAWN) {
    return absl::InternalError(absl::StrCat(
        "the enrollment service returned no usable application status (",
        r.status(), ") for trainee '", r.trainee_id(), "'"));
  }
  TraineeEnrolment e;
  e.trainee_id = r.trainee_id();
  e.cohort_id = r.cohort_id();
  e.application_id = r.application_id();
  // The domain enum shares the contract's numbering.
  e.status = static_cast<EnrolmentStatus>(static_cast<int>(r.status()));
  const common::TraineeDimensions& d = r.dimensions();
  e.dimensions.gender = d.gender();
  e.dimensions.age_band = d.age_band();
  e.dimensions.education_level = d.education_level();
  e.dimensions.residence_province_code = d.residence().province_code();
  e.dimensions.residence_region_code = d.residence().region_code();
  e.dimensions.training_province_code = d.training_location().province_code();
  e.dimensions.training_region_code = d.training_location().region_code();
  e.dimensions.track_id = d.track_id();
  e.dimensions.cohort_id = d.cohort_id();
  e.dimensions.centre_id = d.centre_id();
  ASSIGN_OR_RETURN(e.cohort_start_date,
                   DayOf(r.cohort_start_date(), "cohort_start_date"));
  ASSIGN_OR_RETURN(e.cohort_end_date,
                   DayOf(r.cohort_end_date(), "cohort_end_date"));
  e.status_time = TimeOf(r.status_time());
  return e;
}

GrpcEnrollmentClient::GrpcEnrollmentClient(
    std::shared_ptr<pb::EnrollmentService::StubInterface> stub,
    EnrollmentClientOptions options)
    : stub_(std::move(stub)),
      options_(std::move(options)),
      rng_(std::random_device{}()) {}

absl::Duration GrpcEnrollmentClient::BackoffBefore(int retry) const {
  absl::Duration d = options_.initial_backoff;
  for (int i = 1; i < retry && d < options_.max_backoff; ++i) {
    d = d * options_.backoff_multiplier;
  }
  return std::min(d, options_.max_backoff);
}

absl::Duration GrpcEnrollmentClient::Jittered(absl::Duration d) {
  if (options_.jitter <= 0) return d;
  absl::MutexLock lock(&mu_);
  std::uniform_real_distribution<double> factor(1 - options_.jitter,
                                                1 + options_.jitter);
  return d * factor(rng_);
}

absl::StatusOr<TraineeEnrolment> GrpcEnrollmentClient::Lookup(
    const std::string& trainee_id, const std::string& cohort_id) {
  pb::LookupTraineeRequest request;
  request.set_trainee_id(trainee_id);
  request.set_cohort_id(cohort_id);
  const int attempts = std::max(1, options_.max_attempts);
  grpc::Status last;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) {
      const absl::Duration wait = Jittered(BackoffBefore(attempt - 1));
      if (options_.sleep) {
        options_.sleep(wait);
      } else {
        absl::SleepFor(wait);
      }
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + options_.deadline));
    pb::LookupTraineeResponse response;
    last = stub_->LookupTrainee(&context, request, &response);
    switch (last.error_code()) {
      case grpc::StatusCode::OK:
        return FromLookupResponse(response);
      case grpc::StatusCode::NOT_FOUND:
        return absl::NotFoundError(last.error_message());
      case grpc::StatusCode::UNAVAILABLE:
        continue;  // retried
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return absl::UnavailableError(
            absl::StrCat(kUnavailable, "no answer within ",
                         absl::FormatDuration(options_.deadline), " (",
                         Describe(last), ")"));
      case grpc::StatusCode::INVALID_ARGUMENT:
        return absl::InternalError(absl::StrCat(
            "the enrollment service refused the lookup of trainee '",
            trainee_id, "': ", Describe(last)));
      default:
        return absl::UnavailableError(
            absl::StrCat(kUnavailable, Describe(last)));
    }
  }
  return absl::UnavailableError(
      absl::StrCat(kUnavailable, Describe(last), " (", attempts,
                   attempts == 1 ? " attempt)" : " attempts)"));
}

}  // namespace jit::progress
