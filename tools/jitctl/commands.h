// The command table of jitctl: one small Command per operator action. The
// dispatcher (main.cc) finds the command from the first words of the command
// line, parses its flags, prints its --help, and calls `run`.
#ifndef JIT_TOOLS_JITCTL_COMMANDS_H_
#define JIT_TOOLS_JITCTL_COMMANDS_H_

#include <string>
#include <vector>

#include "tools/jitctl/args.h"
#include "tools/jitctl/context.h"

namespace jit::jitctl {

using RunFn = int (*)(Context&, const ParsedArgs&);

struct Command {
  std::string path;      // "cohort create": the words that select it
  std::string args;      // positional arguments for the usage line ("COHORT_ID")
  int min_args;          // number of positional arguments accepted
  int max_args;
  bool mutating;         // takes --request-id (retry-safe)
  std::string summary;   // one line, for the command list
  std::vector<FlagSpec> flags;
  std::string details;   // more help: rules, examples
  RunFn run;
};

// Every command, grouped by service, in the order of `jitctl --help`.
const std::vector<Command>& AllCommands();

void AddEnrollmentCommands(std::vector<Command>& out);
void AddProgressCommands(std::vector<Command>& out);
void AddPlacementCommands(std::vector<Command>& out);
void AddDashboardCommands(std::vector<Command>& out);
void AddImportCommands(std::vector<Command>& out);
void AddAuthCommands(std::vector<Command>& out);
void AddAuditCommands(std::vector<Command>& out);

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_COMMANDS_H_
