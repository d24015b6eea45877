// The server interceptor that feeds the audit log: libs/grpcserver installs
// it first in the chain when GrpcServerOptions::audit is set. For every call
// it decides from the contract whether the call is audited:
//   - a mutation: the request type has a string field `request_id`;
//   - a personal-data call: the method's access policy says personal_data;
//   - a denial: the access interceptor refused the caller;
// and then hands one AuditEntry to the sink when the call ends (at
// PRE_SEND_STATUS with the outcome code; a call torn down without a status
// is recorded as CANCELLED, or with its refusal's code).
//
// What it reads: the caller (access::CallerOf, or access::DenialOf for a
// refused one), the transport peer, the trace id of `traceparent`, and, by
// protobuf reflection at POST_RECV_MESSAGE, `request_id` and the target ids
// (top-level non-empty string fields named *_id other than request_id). Only
// the request messages of the suite's own contracts (package "jobintech.")
// are read: gRPC's own services (health) are not protobuf-typed.
//
// Thread safety: the factory is thread-safe; the sink must be too.
#ifndef JIT_LIBS_AUDIT_INTERCEPTOR_H_
#define JIT_LIBS_AUDIT_INTERCEPTOR_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "libs/audit/recorder.h"

namespace jit::audit {

// `sink` (not owned) must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeAuditInterceptorFactory(
    AuditSink* sink);

}  // namespace jit::audit

#endif  // JIT_LIBS_AUDIT_INTERCEPTOR_H_
