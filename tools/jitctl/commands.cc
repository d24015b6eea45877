#include "tools/jitctl/commands.h"

namespace jit::jitctl {

const std::vector<Command>& AllCommands() {
  static const auto* const kAll = [] {
    auto* all = new std::vector<Command>();
    AddEnrollmentCommands(*all);
    AddProgressCommands(*all);
    AddPlacementCommands(*all);
    AddDashboardCommands(*all);
    AddImportCommands(*all);
    AddAuthCommands(*all);
    AddAuditCommands(*all);
    return all;
  }();
  return *kAll;
}

}  // namespace jit::jitctl
