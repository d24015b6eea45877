#include "tools/jitctl/args.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace jit::jitctl {

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return fallback;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::All(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

bool ParsedArgs::Bool(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return false;
  const std::string v = absl::AsciiStrToLower(it->second.back());
  return v == "true" || v == "1" || v == "yes";
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& flags) {
  ParsedArgs out;
  auto find = [&](absl::string_view name) -> const FlagSpec* {
    for (const FlagSpec& f : flags) {
      if (f.name == name) return &f;
    }
    return nullptr;
  };
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_positional || !absl::StartsWith(a, "--") || a.size() == 2) {
      if (a == "--" && !only_positional) {
        only_positional = true;
        continue;
      }
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const FlagSpec* spec = find(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (spec->kind == FlagKind::kBool) {
      if (!has_value) value = "true";
      const std::string v = absl::AsciiStrToLower(value);
      if (v != "true" && v != "false" && v != "1" && v != "0" && v != "yes" && v != "no") {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " takes no value or true/false, not '", value, "'"));
      }
    } else if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value (", spec->value_name, ")"));
      }
      value = args[++i];
    }
    auto& slot = out.values[name];
    if (!slot.empty() && spec->kind != FlagKind::kRepeated && spec->kind != FlagKind::kBool) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, " given twice"));
    }
    slot.push_back(value);
  }
  std::vector<std::string> missing;
  for (const FlagSpec& f : flags) {
    if (f.kind == FlagKind::kRequired && !out.Has(f.name)) missing.push_back("--" + f.name);
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing required flag", missing.size() > 1 ? "s " : " ",
                     absl::StrJoin(missing, ", ")));
  }
  return out;
}

std::string FlagsHelp(const std::vector<FlagSpec>& flags) {
  std::vector<std::string> left;
  size_t width = 0;
  for (const FlagSpec& f : flags) {
    std::string l = absl::StrCat("  --", f.name);
    if (f.kind != FlagKind::kBool) absl::StrAppend(&l, " ", f.value_name);
    width = std::max(width, l.size());
    left.push_back(std::move(l));
  }
  std::string out;
  for (size_t i = 0; i < flags.size(); ++i) {
    std::string help = flags[i].help;
    if (flags[i].kind == FlagKind::kRequired) absl::StrAppend(&help, " (required)");
    if (flags[i].kind == FlagKind::kRepeated) absl::StrAppend(&help, " (repeatable)");
    absl::StrAppend(&out, absl::StrFormat("%-*s  %s\n", static_cast<int>(width), left[i], help));
  }
  return out;
}

}  // namespace jit::jitctl
