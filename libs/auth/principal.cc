#include "libs/auth/principal.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace jit::auth {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kProgrammeAdmin:
      return "programme-admin";
    case Role::kRegionalCoordinator:
      return "regional-coordinator";
    case Role::kCentreStaff:
      return "centre-staff";
    case Role::kPlacementOfficer:
      return "placement-officer";
    case Role::kAnalyst:
      return "analyst";
    case Role::kDataProtectionOfficer:
      return "data-protection-officer";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

bool Principal::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::InRegion(absl::string_view region_code) const {
  return std::find(regions.begin(), regions.end(), region_code) != regions.end();
}

bool Principal::InCentre(absl::string_view centre_id) const {
  return std::find(centres.begin(), centres.end(), centre_id) != centres.end();
}

std::string ActorIdOf(absl::string_view issuer, absl::string_view subject) {
  const std::string input = absl::StrCat(issuer, "\n", subject);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(input.data(), input.size(), digest, &n, EVP_sha256(), nullptr);
  return absl::StrCat(
      "act_", absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 8)));
}

}  // namespace jit::auth
