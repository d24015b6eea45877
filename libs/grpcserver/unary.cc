#include "libs/grpcserver/unary.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "libs/grpcclient/call.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/log/log.h"
#include "libs/log/trace.h"
#include "libs/status/details.h"
#include "libs/status/field_violations.h"

namespace jit::grpcserver {
namespace internal {

void FinishWith(grpc::ServerUnaryReactor* reactor, const absl::Status& status) {
  if (!status.ok() && !status::WithheldOf(status).empty()) {
    // The client sees "[withheld]" in place of server paths; the server's
    // log keeps the whole message (with the call's trace id when current).
    log::Event(log::Level::kWarn, "call failed (detail withheld from the client)",
               {{"grpc_code", absl::StatusCodeToString(status.code())},
                {"detail", std::string(status.message())}});
  }
  reactor->Finish(status::ToGrpcStatus(status));
}

void Submit(executor::BoundedExecutor& executor,
            grpc::CallbackServerContext* context,
            grpc::ServerUnaryReactor* reactor,
            absl::AnyInvocable<absl::Status() &&> work) {
  const std::optional<absl::Time> deadline = grpcclient::DeadlineOf(*context);
  absl::Status accepted = executor.Submit(
      {.body =
           [context, reactor, work = std::move(work)](absl::Status start) mutable {
             if (!start.ok()) {
               FinishWith(reactor, start);
               return;
             }
             log::TraceScope trace(TraceIdOf(*context));
             FinishWith(reactor, std::move(work)());
           },
       .deadline = deadline.value_or(absl::InfiniteFuture()),
       .cancelled = [context] { return context->IsCancelled(); }});
  if (accepted.ok()) return;
  if (accepted.code() == absl::StatusCode::kResourceExhausted ||
      accepted.code() == absl::StatusCode::kUnavailable) {
    const absl::Duration retry_after = executor.options().retry_after;
    context->AddTrailingMetadata(
        kRetryPushbackKey, absl::StrCat(absl::ToInt64Milliseconds(retry_after)));
    accepted = status::WithRetryDelay(std::move(accepted), retry_after);
  }
  FinishWith(reactor, accepted);
}

}  // namespace internal

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
