// Who is calling: a person (identified by a signed bearer token) or one of
// the suite's services (identified by its client certificate), with roles
// and scopes. Free of gRPC types: the domain receives it in its request
// context and filters rows by scope.
//
// Roles (the token's "roles" claim, or Keycloak's "realm_access.roles"):
//   programme-admin          national: everything but audit and erasure
//   regional-coordinator     applications, enrolment and progress in its regions
//   centre-staff             its centres' cohorts: attendance, assessments
//   placement-officer        placements and employers in its regions
//   analyst                  internal aggregates only: no personal data, no writes
//   data-protection-officer  erasure and audit reads
// Scopes: "regions" (ISO 3166-2:MA region codes, "MA-05") and "centres"
// (centre ids) claims.
#ifndef JIT_LIBS_AUTH_PRINCIPAL_H_
#define JIT_LIBS_AUTH_PRINCIPAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace jit::auth {

enum class Role {
  kProgrammeAdmin,
  kRegionalCoordinator,
  kCentreStaff,
  kPlacementOfficer,
  kAnalyst,
  kDataProtectionOfficer,
};
inline constexpr Role kAllRoles[] = {Role::kProgrammeAdmin,   Role::kRegionalCoordinator,
                                     Role::kCentreStaff,      Role::kPlacementOfficer,
                                     Role::kAnalyst,          Role::kDataProtectionOfficer};

// "programme-admin", ...
absl::string_view RoleName(Role role);
std::optional<Role> ParseRole(absl::string_view name);

struct Principal {
  enum class Kind { kPerson, kService };
  Kind kind = Kind::kPerson;
  // The token's subject, or "service:<name>" for a service.
  std::string subject = {};
  // Opaque, stable id for events' metadata and the audit log: never a name
  // or an e-mail ("act_" + 16 hex digits of SHA-256 of issuer and subject).
  std::string actor_id = {};
  // People: known roles only (unknown role names in a token are ignored).
  std::vector<Role> roles = {};
  std::vector<std::string> regions = {};  // "MA-05"
  std::vector<std::string> centres = {};  // centre ids
  // Services: the service name of the SPIFFE id ("training-progress").
  std::string service = {};

  bool HasRole(Role role) const;
  bool InRegion(absl::string_view region_code) const;
  bool InCentre(absl::string_view centre_id) const;
};

// The actor id of (issuer, subject).
std::string ActorIdOf(absl::string_view issuer, absl::string_view subject);

}  // namespace jit::auth

#endif  // JIT_LIBS_AUTH_PRINCIPAL_H_
