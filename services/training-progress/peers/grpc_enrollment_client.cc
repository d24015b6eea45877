#include "services/training-progress/peers/grpc_enrollment_client.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "grpcpp/client_context.h"
#include "libs/grpcclient/channel.h"
#include "libs/protoconv/common.h"
#include "libs/status/status_macros.h"

namespace jit::progress {
namespace {

namespace pb = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;

constexpr char kUnavailable[] = "enrollment service unavailable: ";

absl::StatusOr<absl::CivilDay> DayOf(const common::Date& d,
                                     absl::string_view field) {
  std::optional<absl::CivilDay> day = protoconv::ToCivilDay(d);
  if (!day.has_value()) {
    return absl::InternalError(
        absl::StrCat("the enrollment service returned an impossible ", field,
                     ": ", protoconv::DateText(d)));
  }
  return *day;
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
  e.dimensions = protoconv::FromProtoDimensions<Dimensions>(r.dimensions());
  ASSIGN_OR_RETURN(e.cohort_start_date,
                   DayOf(r.cohort_start_date(), "cohort_start_date"));
  ASSIGN_OR_RETURN(e.cohort_end_date,
                   DayOf(r.cohort_end_date(), "cohort_end_date"));
  e.status_time = protoconv::FromProtoTime(r.status_time());
  return e;
}

std::shared_ptr<grpc::Channel> EnrollmentChannel(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  return grpcclient::MakeChannel(
      address, {.credentials = std::move(credentials),
                .initial_reconnect_backoff = absl::Milliseconds(100),
                .max_reconnect_backoff = absl::Seconds(2),
                .min_reconnect_backoff = absl::Milliseconds(100)});
}

GrpcEnrollmentClient::GrpcEnrollmentClient(
    std::shared_ptr<pb::EnrollmentService::StubInterface> stub,
    EnrollmentClientOptions options)
    : stub_(std::move(stub)),
      options_(std::move(options)),
      call_options_{.timeout = options_.deadline,
                    .retry = {.max_attempts = options_.max_attempts,
                              .initial_backoff = options_.initial_backoff,
                              .max_backoff = options_.max_backoff,
                              .multiplier = options_.backoff_multiplier,
                              .jitter_min = 1 - std::max(0.0, options_.jitter),
                              .jitter_max = 1 + std::max(0.0, options_.jitter)},
                    .sleeper = options_.sleeper} {}

absl::Duration GrpcEnrollmentClient::BackoffBefore(int retry) const {
  return grpcclient::BackoffBefore(call_options_.retry, retry);
}

absl::StatusOr<TraineeEnrolment> GrpcEnrollmentClient::Lookup(
    const std::string& trainee_id, const std::string& cohort_id,
    const command::PeerContext& peer) {
  pb::LookupTraineeRequest request;
  request.set_trainee_id(trainee_id);
  request.set_cohort_id(cohort_id);
  pb::LookupTraineeResponse response;
  grpcclient::CallOptions call_options = call_options_;
  call_options.parent_deadline = peer.deadline;
  call_options.traceparent = peer.traceparent;
  const grpcclient::CallResult result =
      grpcclient::Call(call_options, [&](grpc::ClientContext& context) {
        response.Clear();
        return stub_->LookupTrainee(&context, request, &response);
      });
  const grpc::Status& last = result.status;
  if (result.attempts == 0) {
    // The caller's deadline had passed: its work is not started.
    return absl::DeadlineExceededError(
        "the caller's deadline passed before the enrollment service could be "
        "asked");
  }
  switch (last.error_code()) {
    case grpc::StatusCode::OK:
      return FromLookupResponse(response);
    case grpc::StatusCode::NOT_FOUND:
      return absl::NotFoundError(last.error_message());
    case grpc::StatusCode::UNAVAILABLE:  // retries exhausted
      return absl::UnavailableError(
          absl::StrCat(kUnavailable, Describe(last), " (", result.attempts,
                       result.attempts == 1 ? " attempt)" : " attempts)"));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(absl::StrCat(
          kUnavailable, "no answer within ",
          absl::FormatDuration(options_.deadline), " (", Describe(last), ")"));
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::InternalError(
          absl::StrCat("the enrollment service refused the lookup of trainee '",
                       trainee_id, "': ", Describe(last)));
    default:
      return absl::UnavailableError(absl::StrCat(kUnavailable, Describe(last)));
  }
}

}  // namespace jit::progress
