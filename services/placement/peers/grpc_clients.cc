#include "services/placement/peers/grpc_clients.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/grpcclient/channel.h"
#include "libs/protoconv/common.h"
#include "libs/status/status_macros.h"

namespace jit::placement::peers {
namespace {

namespace progress = ::jobintech::progress::v1;
namespace enrollment = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;

// An unset date is nullopt; an impossible one is a peer error.
absl::StatusOr<std::optional<absl::CivilDay>> DateOf(const common::Date& d,
                                                     absl::string_view what) {
  if (protoconv::IsUnset(d)) return std::optional<absl::CivilDay>();
  std::optional<absl::CivilDay> day = protoconv::ToCivilDay(d);
  if (!day.has_value()) {
    return absl::InternalError(absl::StrCat("peer sent an invalid ", what, ": ",
                                            protoconv::DateText(d)));
  }
  return day;
}

// Reconnect quickly once a peer comes back.
std::shared_ptr<grpc::Channel> Channel(const PeerOptions& options) {
  return grpcclient::MakeChannel(
      options.address, {.credentials = options.credentials,
                        .initial_reconnect_backoff = absl::Milliseconds(100),
                        .max_reconnect_backoff = absl::Seconds(1)});
}

}  // namespace

Dimensions FromProto(const common::TraineeDimensions& d) {
  return protoconv::FromProtoDimensions<Dimensions>(d);
}

absl::StatusOr<ProgressExit> FromProto(
    const progress::GetTraineeExitResponse& r) {
  ProgressExit out;
  out.trainee_id = r.trainee_id();
  out.cohort_id = r.cohort_id();
  out.exited = r.exited();
  out.kind = r.kind();
  ASSIGN_OR_RETURN(out.exit_date, DateOf(r.exit_date(), "exit_date"));
  out.training_state = std::string(
      absl::StripPrefix(ev::TrainingState_Name(r.state()), "TRAINING_STATE_"));
  out.dimensions = FromProto(r.dimensions());
  return out;
}

absl::StatusOr<EnrollmentRecord> FromProto(
    const enrollment::LookupTraineeResponse& r) {
  EnrollmentRecord out;
  out.trainee_id = r.trainee_id();
  out.cohort_id = r.cohort_id();
  out.status = std::string(absl::StripPrefix(
      enrollment::ApplicationStatus_Name(r.status()), "APPLICATION_STATUS_"));
  if (r.has_status_time()) {
    out.status_date = absl::ToCivilDay(
        protoconv::FromProtoTime(r.status_time()), absl::UTCTimeZone());
  }
  out.dimensions = FromProto(r.dimensions());
  return out;
}

GrpcProgressClient::GrpcProgressClient(std::unique_ptr<Stub> stub,
                                       PeerOptions options)
    : stub_(std::move(stub)), options_(std::move(options)) {}

std::unique_ptr<GrpcProgressClient> GrpcProgressClient::Connect(
    PeerOptions options) {
  auto stub = progress::TrainingProgressService::NewStub(Channel(options));
  return std::make_unique<GrpcProgressClient>(std::move(stub),
                                              std::move(options));
}

absl::StatusOr<ProgressExit> GrpcProgressClient::GetTraineeExit(
    const std::string& trainee_id, const command::PeerContext& peer) {
  progress::GetTraineeExitRequest request;
  request.set_trainee_id(trainee_id);
  progress::GetTraineeExitResponse response;
  RETURN_IF_ERROR(
      CallPeer(options_, "GetTraineeExit", peer, [&](grpc::ClientContext& ctx) {
        response.Clear();
        return stub_->GetTraineeExit(&ctx, request, &response);
      }));
  return FromProto(response);
}

GrpcEnrollmentClient::GrpcEnrollmentClient(std::unique_ptr<Stub> stub,
                                           PeerOptions options)
    : stub_(std::move(stub)), options_(std::move(options)) {}

std::unique_ptr<GrpcEnrollmentClient> GrpcEnrollmentClient::Connect(
    PeerOptions options) {
  auto stub = enrollment::EnrollmentService::NewStub(Channel(options));
  return std::make_unique<GrpcEnrollmentClient>(std::move(stub),
                                                std::move(options));
}

absl::StatusOr<EnrollmentRecord> GrpcEnrollmentClient::LookupTrainee(
    const std::string& trainee_id, const command::PeerContext& peer) {
  enrollment::LookupTraineeRequest request;
  request.set_trainee_id(trainee_id);
  enrollment::LookupTraineeResponse response;
  RETURN_IF_ERROR(
      CallPeer(options_, "LookupTrainee", peer, [&](grpc::ClientContext& ctx) {
        response.Clear();
        return stub_->LookupTrainee(&ctx, request, &response);
      }));
  return FromProto(response);
}

}  // namespace jit::placement::peers
