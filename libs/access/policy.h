// The access policy of every RPC, read from the `(jobintech.common.v1.access)`
// method option of the compiled contracts, and the decision for one call:
// who the caller is (a bearer token, or a client certificate's SPIFFE id) and
// whether the method's policy admits them.
//
// Decision (Decide):
//   - a bearer token is verified first (any failure: UNAUTHENTICATED, even on
//     a public method: a client that sends a bad credential is told so);
//     the person is admitted when one of their roles is in the policy;
//   - otherwise a verified client certificate names a service, admitted when
//     the policy lists it;
//   - otherwise the caller is anonymous: admitted on public methods only,
//     UNAUTHENTICATED elsewhere;
//   - a caller who is known but not admitted: PERMISSION_DENIED naming the
//     missing permission (never whether a record exists: that is decided
//     before any handler runs);
//   - a method without a policy: PERMISSION_DENIED (fail closed).
//
// Thread safety: PolicyTable is immutable after construction.
#ifndef JIT_LIBS_ACCESS_POLICY_H_
#define JIT_LIBS_ACCESS_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/auth/principal.h"
#include "libs/auth/token.h"

namespace jit::access {

struct MethodPolicy {
  std::string method = {};  // "/jobintech.enrollment.v1.EnrollmentService/AdmitApplication"
  std::string permission = {};
  std::vector<auth::Role> roles = {};
  std::vector<std::string> services = {};
  bool personal_data = false;
  bool is_public = false;
  std::vector<auth::Role> elevated_roles = {};
  std::string elevated_permission = {};
};

class PolicyTable {
 public:
  // The policies of every method of the named services (full names,
  // "jobintech.enrollment.v1.EnrollmentService"), from the generated
  // descriptor pool, plus built-in ones for grpc.health.v1.Health (public)
  // and server reflection (any authenticated caller). FAILED_PRECONDITION
  // listing every method without a policy or with an unknown role, and for
  // an unknown service: a server refuses to start on it.
  static absl::StatusOr<PolicyTable> ForServices(const std::vector<std::string>& services);
  // A table of the given policies only (e.g. a test's own service), plus the
  // built-in ones for health and reflection where not given.
  static PolicyTable FromPolicies(std::vector<MethodPolicy> policies);

  // nullptr when the method has no policy.
  const MethodPolicy* Find(absl::string_view full_method) const;
  std::vector<const MethodPolicy*> All() const;

 private:
  void AddBuiltIns();
  absl::flat_hash_map<std::string, MethodPolicy> by_method_;
};

// What a call presented, read from gRPC by the interceptor.
struct CallCredentials {
  std::optional<std::string> bearer_token;  // from "authorization: Bearer <jwt>"
  std::optional<std::string> peer_service;  // from a verified client certificate
};

// The admitted caller, or UNAUTHENTICATED / PERMISSION_DENIED. `verifier`
// may be null: then no token is accepted (UNAUTHENTICATED when one is sent).
absl::StatusOr<auth::Principal> Decide(const MethodPolicy* policy,
                                       absl::string_view full_method,
                                       const CallCredentials& credentials,
                                       const auth::TokenVerifier* verifier);

// PERMISSION_DENIED unless `caller` may use the method's elevated form
// (e.g. the internal dashboard views).
absl::Status CheckElevated(const MethodPolicy& policy, const auth::Principal& caller);

// For listeners outside gRPC (the dashboard's HTTP API): OK when the
// `Authorization` header value carries a valid token whose roles allow the
// policy's elevated form. UNAUTHENTICATED without a (valid) token or with no
// verifier, PERMISSION_DENIED for a role that does not allow it.
absl::Status AuthorizeElevated(absl::string_view authorization,
                               const auth::TokenVerifier* verifier,
                               const MethodPolicy& policy);

// "Bearer <token>" -> token; nullopt for another scheme or a malformed value.
std::optional<std::string> BearerToken(absl::string_view authorization);

}  // namespace jit::access

#endif  // JIT_LIBS_ACCESS_POLICY_H_
