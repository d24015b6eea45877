#include "libs/grpcserver/unary.h"

#include "libs/grpcserver/grpc_server.h"
#include "libs/log/trace.h"
#include "libs/status/field_violations.h"

namespace jit::grpcserver {

std::string TraceparentOf(const grpc::ServerContextBase& context) {
  if (!TraceIdOf(context).empty()) {
    const auto& md = context.client_metadata();
    auto it = md.find("traceparent");
    if (it != md.end()) return std::string(it->second.data(), it->second.size());
  }
  return log::MakeTraceparent(log::NewTraceId());
}

absl::Status RequireId(absl::string_view field, const std::string& value) {
  if (value.empty()) {
    return status::InvalidField(std::string(field), "is required");
  }
  if (value.size() > 128) {
    return status::InvalidField(std::string(field),
                                "must be at most 128 characters");
  }
  return absl::OkStatus();
}

}  // namespace jit::grpcserver
