#include "libs/status/grpc_status.h"

#include <string>

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "libs/status/details.h"
#include "libs/status/field_violations.h"

namespace jit::status {
namespace {

// The payloads that travel as google.rpc.Status details (never the withheld
// texts).
constexpr const char* kWireDetails[] = {kBadRequestTypeUrl, kRetryInfoTypeUrl};

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  // absl and gRPC share google.rpc.Code numbering; anything unknown is UNKNOWN.
  const auto grpc_code = (code >= 0 && code <= 16)
                             ? static_cast<grpc::StatusCode>(code)
                             : grpc::StatusCode::UNKNOWN;
  const std::string message = ClientMessage(status);
  google::rpc::Status rpc_status;
  for (const char* url : kWireDetails) {
    auto payload = status.GetPayload(url);
    if (!payload.has_value()) continue;
    auto* any = rpc_status.add_details();
    any->set_type_url(url);
    any->set_value(std::string(*payload));
  }
  if (rpc_status.details_size() == 0) return grpc::Status(grpc_code, message);
  rpc_status.set_code(static_cast<int>(grpc_code));
  rpc_status.set_message(message);
  return grpc::Status(grpc_code, message, rpc_status.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int code = static_cast<int>(status.error_code());
  absl::Status out((code >= 0 && code <= 16) ? static_cast<absl::StatusCode>(code)
                                             : absl::StatusCode::kUnknown,
                   status.error_message());
  if (status.error_details().empty()) return out;
  google::rpc::Status rpc_status;
  if (!rpc_status.ParseFromString(status.error_details())) return out;
  for (const auto& any : rpc_status.details()) {
    for (const char* url : kWireDetails) {
      if (any.type_url() == url) out.SetPayload(url, absl::Cord(any.value()));
    }
  }
  return out;
}

}  // namespace jit::status
