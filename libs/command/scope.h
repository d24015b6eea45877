// Which rows a caller may see and change: everything (national roles and
// services), or the rows of some regions and/or centres (a regional
// coordinator's or placement officer's regions, centre staff's centres).
// The API adapters build it from the caller (access::ScopeOf); the domain
// applies it to the rows it loads and lists. A row outside the scope is
// reported exactly like a missing one (NOT_FOUND), so that its existence
// is not disclosed.
//
// A plain value: no gRPC or auth types.
#ifndef JIT_LIBS_COMMAND_SCOPE_H_
#define JIT_LIBS_COMMAND_SCOPE_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace jit::command {

struct Scope {
  // True: no restriction (the default, for national callers and internal
  // use). False: only rows of `regions` or of `centres` (none when both are
  // empty).
  bool national = true;
  std::vector<std::string> regions = {};  // "MA-05"
  std::vector<std::string> centres = {};  // centre ids

  static Scope National() { return Scope{}; }
  static Scope Limited(std::vector<std::string> regions, std::vector<std::string> centres) {
    return Scope{.national = false, .regions = std::move(regions), .centres = std::move(centres)};
  }

  // Whether a row located in `region_code`, at `centre_id`, is in scope.
  bool Allows(absl::string_view region_code, absl::string_view centre_id) const {
    if (national) return true;
    const auto has = [](const std::vector<std::string>& v, absl::string_view x) {
      return !x.empty() && std::find(v.begin(), v.end(), x) != v.end();
    };
    return has(regions, region_code) || has(centres, centre_id);
  }
};

}  // namespace jit::command

#endif  // JIT_LIBS_COMMAND_SCOPE_H_
