// The request context of a mutating call (libs/command/request.h), built
// once for every write service from the gRPC call and its request message:
// - request_id: the message's string field "request_id" ("" when it has
//   none; ValidateRequestId then refuses it);
// - traceparent: the caller's W3C traceparent, or a new one (TraceparentOf);
// - scope and actor_id: the admitted caller's (access::ScopeOfCall,
//   access::ActorIdOfCall);
// - fingerprint: RequestFingerprint of the message, so that a request id
//   reused with another payload is refused instead of answered;
// - deadline: the call's deadline, when its client set one (peer calls the
//   request causes get the remaining budget).
#ifndef JIT_LIBS_GRPCSERVER_COMMAND_CONTEXT_H_
#define JIT_LIBS_GRPCSERVER_COMMAND_CONTEXT_H_

#include <string>

#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"
#include "libs/command/request.h"

namespace jit::grpcserver {

command::RequestContext CommandContextOf(
    const grpc::ServerContextBase& context,
    const google::protobuf::Message& request);

// What a peer call made while serving `context` inherits (traceparent and
// deadline), for handlers that are not mutations.
command::PeerContext PeerContextOf(const grpc::ServerContextBase& context);

// "sha256:" and the lowercase hex SHA-256 of the message's deterministic
// binary serialization: equal for equal messages (same field values, map
// order irrelevant) within one schema. It is kept beside the stored answer
// in the service's own store only, and deleted with it.
std::string RequestFingerprint(const google::protobuf::Message& request);

}  // namespace jit::grpcserver

#endif  // JIT_LIBS_GRPCSERVER_COMMAND_CONTEXT_H_
