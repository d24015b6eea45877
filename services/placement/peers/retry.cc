#include "services/placement/peers/retry.h"

#include "absl/strings/str_cat.h"
#include "libs/status/grpc_status.h"

namespace jit::placement::peers {

absl::Status CallPeer(
    const PeerOptions& options, absl::string_view method,
    const command::PeerContext& peer,
    absl::FunctionRef<grpc::Status(grpc::ClientContext&)> attempt) {
  const grpcclient::CallResult result =
      grpcclient::Call({.timeout = options.deadline,
                        .retry = options.retry,
                        .parent_deadline = peer.deadline,
                        .traceparent = peer.traceparent,
                        .sleeper = options.sleeper},
                       attempt);
  const grpc::Status& last = result.status;
  if (result.attempts == 0) {
    // The caller's deadline had passed: its work is not started.
    return absl::DeadlineExceededError(
        absl::StrCat("the caller's deadline passed before ", method,
                     " could be asked of the ", options.name, " service"));
  }
  switch (last.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(
          absl::StrCat(options.name, " service unavailable at ",
                       options.address, " (", method, ", ", result.attempts,
                       result.attempts == 1 ? " attempt" : " attempts",
                       "): ", last.error_message()));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      return absl::UnavailableError(absl::StrCat(
          options.name, " service at ", options.address, " did not answer ",
          method, " within ", absl::FormatDuration(options.deadline), " (",
          last.error_message(), ")"));
    case grpc::StatusCode::NOT_FOUND:
      return absl::NotFoundError(last.error_message());
    default: {
      const absl::Status s = status::FromGrpcStatus(last);
      return absl::InternalError(absl::StrCat(
          options.name, " service refused ", method, ": ",
          absl::StatusCodeToString(s.code()), ": ", last.error_message()));
    }
  }
}

}  // namespace jit::placement::peers
