// The one server interceptor that decides who may call what: before any
// handler runs it reads the call's bearer token and verified client
// certificate, decides with the method's policy (policy.h) and records the
// decision for the call; handlers ask CallerOf(context) and finish the call
// with the refusal when there is one. Denials are logged (warn, with method,
// permission and peer) and reported to the DenialSink (the audit log).
//
//   builder.experimental().SetInterceptorCreators(... MakeAccessInterceptorFactory(...))
//   ...
//   ASSIGN_OR_RETURN(auth::Principal caller, access::CallerOf(*context));
//
// gRPC's server interceptors cannot fail a call themselves, hence the
// handler-side lookup. A call the interceptor never saw (it is not
// installed) is refused by CallerOf: fail closed.
//
// Thread safety: everything here is thread-safe.
#ifndef JIT_LIBS_ACCESS_INTERCEPTOR_H_
#define JIT_LIBS_ACCESS_INTERCEPTOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_interceptor.h"
#include "libs/access/policy.h"
#include "libs/command/scope.h"
#include "libs/auth/principal.h"
#include "libs/auth/token.h"

namespace jit::access {

struct Denial {
  std::string method = {};
  // "anonymous", "invalid token" (a token that did not verify), a verified
  // token's subject (refused for its roles) or "service:<name>".
  std::string subject = {};
  // A verified token's roles (as named in the token), when refused for them.
  std::vector<std::string> roles = {};
  // The service name of a verified client certificate, if any.
  std::string peer_service = {};
  std::string peer = {};     // the transport peer ("ipv4:127.0.0.1:1234")
  absl::Status status = {};  // UNAUTHENTICATED or PERMISSION_DENIED
};

class DenialSink {
 public:
  virtual ~DenialSink() = default;
  virtual void Denied(const Denial& denial) = 0;
};

struct AccessOptions {
  const PolicyTable* policies = nullptr;          // not owned, required
  const auth::TokenVerifier* verifier = nullptr;  // not owned; null: no tokens
  DenialSink* sink = nullptr;                     // not owned, may be null
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeAccessInterceptorFactory(AccessOptions options);

// The caller the interceptor admitted for this call, or its refusal.
absl::StatusOr<auth::Principal> CallerOf(const grpc::ServerContextBase& context);

// The policy of this call's method (nullptr when the interceptor did not see
// the call), for elevated forms (CheckElevated) and audit flags.
const MethodPolicy* PolicyOf(const grpc::ServerContextBase& context);

// The refusal of this call with who was refused (for the audit log), or
// nullopt when the call was admitted or the interceptor did not see it.
std::optional<Denial> DenialOf(const grpc::ServerContextBase& context);

// The rows `caller` may see and change: national for services and for the
// national roles (programme-admin, analyst, data-protection-officer); else
// the token's regions (regional-coordinator, placement-officer) and centres
// (centre-staff). A limited role with no scope in its token sees nothing.
command::Scope ScopeOf(const auth::Principal& caller);

// ScopeOf the call's admitted caller; an empty limited scope when the call
// was not admitted (fail closed).
command::Scope ScopeOfCall(const grpc::ServerContextBase& context);

// The admitted caller's pseudonymous actor id ("" when not admitted).
std::string ActorIdOfCall(const grpc::ServerContextBase& context);

}  // namespace jit::access

#endif  // JIT_LIBS_ACCESS_INTERCEPTOR_H_
