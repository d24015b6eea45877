// Helpers for unary handlers of callback services (the services' gRPC
// adapters): finish a call with an absl::Status, run its blocking work on a
// bounded executor, read the caller's trace context, validate required ids.
//
//   grpc::ServerUnaryReactor* MyService::GetThing(
//       grpc::CallbackServerContext* context, const GetThingRequest* req,
//       GetThingResponse* resp) {
//     return grpcserver::Respond(executor_, context, [=, this]() -> absl::Status {
//       RETURN_IF_ERROR(grpcserver::RequireId("thing_id", req->thing_id()));
//       ...
//     });
//   }
//
// With an executor the function runs later on a worker thread, after the
// handler has returned: capture by value (`[=, this]`: the context, request
// and response pointers stay valid until the call is finished), never by
// reference to the handler's locals or parameters.
#ifndef JIT_LIBS_GRPCSERVER_UNARY_H_
#define JIT_LIBS_GRPCSERVER_UNARY_H_

#include <string>
#include <utility>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "libs/access/interceptor.h"
#include "libs/executor/bounded_executor.h"
#include "libs/status/grpc_status.h"

namespace jit::grpcserver {

// The trailing metadata gRPC clients read as a retry hint (the
// `grpc-retry-pushback-ms` of gRPC's retry design, honoured by clients whose
// retry policy lists the code).
inline constexpr char kRetryPushbackKey[] = "grpc-retry-pushback-ms";

namespace internal {

// Finishes the call with `status` (status::ToGrpcStatus: field violations
// and retry hints as details, withheld text replaced). When the status
// withholds text from the client (file paths), the whole message is logged
// here at warn, on the server only.
void FinishWith(grpc::ServerUnaryReactor* reactor, const absl::Status& status);

// Hands `work` to `executor` and finishes the call from the worker with its
// status; see Respond below.
void Submit(executor::BoundedExecutor& executor,
            grpc::CallbackServerContext* context,
            grpc::ServerUnaryReactor* reactor,
            absl::AnyInvocable<absl::Status() &&> work);

}  // namespace internal

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
    internal::FinishWith(reactor, admitted);
    return reactor;
  }
  internal::FinishWith(reactor, std::forward<Fn>(fn)());
  return reactor;
}

// The same, with `fn` run on `executor` (inline when it is null): the gRPC
// thread only checks access and queues the work.
//  - A refused call is finished at once with its refusal; `fn` never runs.
//  - When the executor is full the call fails fast with RESOURCE_EXHAUSTED
//    "server overloaded: ...", a google.rpc.RetryInfo detail and the
//    `grpc-retry-pushback-ms` trailer, both the executor's retry_after; after
//    its Shutdown, UNAVAILABLE with the same hints. `fn` never runs.
//  - A call whose deadline passed or that was cancelled before a worker
//    reached it is finished with DEADLINE_EXCEEDED or CANCELLED; `fn` never
//    runs.
//  - Otherwise `fn` runs on a worker, with the call's trace id current for
//    jit::log, and its status finishes the call.
template <typename Fn>
grpc::ServerUnaryReactor* Respond(executor::BoundedExecutor* executor,
                                  grpc::CallbackServerContext* context,
                                  Fn fn) {
  if (executor == nullptr) return Respond(context, std::move(fn));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (absl::Status admitted = access::CallerOf(*context).status(); !admitted.ok()) {
    internal::FinishWith(reactor, admitted);
    return reactor;
  }
  internal::Submit(*executor, context, reactor, std::move(fn));
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
