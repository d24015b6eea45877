// Helpers for unary handlers of callback services (the services' gRPC
// adapters): finish a call with an absl::Status, read the caller's trace
// context, validate required ids.
//
//   grpc::ServerUnaryReactor* MyService::GetThing(
//       grpc::CallbackServerContext* context, const GetThingRequest* req,
//       GetThingResponse* resp) {
//     return grpcserver::Respond(context, [&]() -> absl::Status {
//       RETURN_IF_ERROR(grpcserver::RequireId("thing_id", req->thing_id()));
//       ...
//     });
//   }
#ifndef JIT_LIBS_GRPCSERVER_UNARY_H_
#define JIT_LIBS_GRPCSERVER_UNARY_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "libs/access/interceptor.h"
#include "libs/status/grpc_status.h"

namespace jit::grpcserver {

// Runs `fn` (returning absl::Status) inline and finishes the call with its
// status, field violations included (status/grpc_status.h).
//
// A call the access interceptor refused (access::CallerOf) is finished with
// its refusal and `fn` never runs.
template <typename Fn>
grpc::ServerUnaryReactor* Respond(grpc::CallbackServerContext* context,
                                  Fn&& fn) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status admitted = access::CallerOf(*context).status(); !admitted.ok()) {
    reactor->Finish(status::ToGrpcStatus(admitted));
    return reactor;
  }
  const absl::Status status = std::forward<Fn>(fn)();
  reactor->Finish(status::ToGrpcStatus(status));
  return reactor;
}

// The caller's W3C `traceparent` when it sent a valid one, otherwise a new
// one, so that every change and its events can be traced to one call.
std::string TraceparentOf(const grpc::ServerContextBase& context);

// INVALID_ARGUMENT on `field` when `value` is empty or longer than 128
// characters (ids and request ids).
absl::Status RequireId(absl::string_view field, const std::string& value);

}  // namespace jit::grpcserver

#endif  // JIT_LIBS_GRPCSERVER_UNARY_H_
