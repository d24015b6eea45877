// Command-line parsing of jitctl: `jitctl [global flags] <command> [args]
// [flags]`. Flags are `--name value` or `--name=value`; boolean flags take no
// value (`--partner`, or `--partner=false`); repeatable flags accumulate;
// `--` ends the flags. Global flags are accepted before and after the
// command.
#ifndef JIT_TOOLS_JITCTL_ARGS_H_
#define JIT_TOOLS_JITCTL_ARGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace jit::jitctl {

enum class FlagKind { kValue, kRequired, kRepeated, kBool };

struct FlagSpec {
  std::string name;        // without "--"
  std::string value_name;  // "ID", "YYYY-MM-DD"; empty for bool flags
  FlagKind kind;
  std::string help;
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;

  bool Has(const std::string& name) const { return values.count(name) > 0; }
  // The last value given, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> All(const std::string& name) const;
  // A bool flag: given without value or with true/1/yes.
  bool Bool(const std::string& name) const;
};

// Parses `args` against `flags` (command flags and global flags together).
// INVALID_ARGUMENT for an unknown flag, a missing value, a missing required
// flag, a repeated non-repeatable flag, or a bad boolean.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& flags);

// "  --cohort ID          the cohort (required)" lines.
std::string FlagsHelp(const std::vector<FlagSpec>& flags);

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_ARGS_H_
