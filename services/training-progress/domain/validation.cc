#include "services/training-progress/domain/validation.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jit::progress {
namespace {

using status::InvalidField;

std::string Field(absl::string_view f) { return std::string(f); }

std::string ModuleField(size_t i, absl::string_view field) {
  return absl::StrCat("modules[", i, "].", field);
}

// A number for messages: "100", "12.5".
std::string Num(double d) { return absl::StrFormat("%g", d); }

}  // namespace

absl::Status ValidateOpaqueId(absl::string_view id, absl::string_view field) {
  if (id.empty()) return InvalidField(Field(field), "is required");
  if (id.size() > kMaxIdChars) {
    return InvalidField(Field(field), absl::StrCat("must be at most ",
                                                   kMaxIdChars, " characters"));
  }
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (!absl::ascii_isalnum(u) && u != '_' && u != '-' && u != '.' &&
        u != ':') {
      return InvalidField(Field(field),
                          "must contain only letters, digits and _ - . :");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateKebabId(absl::string_view id, absl::string_view field) {
  return command::ValidateKebabId(id, field, "network-basics");
}

absl::StatusOr<std::string> NormalizeTitle(absl::string_view input,
                                           absl::string_view field) {
  return command::NormalizeText(input, field, {.max_chars = kMaxTitleChars});
}

absl::StatusOr<std::string> NormalizeReason(absl::string_view input,
                                            absl::string_view field,
                                            bool required) {
  return command::NormalizeText(
      input, field,
      {.max_chars = kMaxReasonChars, .required = required, .multiline = true});
}

absl::StatusOr<std::vector<Module>> ValidateModules(
    std::vector<Module> modules) {
  status::FieldViolations v;
  if (modules.empty()) {
    v.Add("modules", "at least one module is required");
  } else if (modules.size() > static_cast<size_t>(kMaxModules)) {
    v.Add("modules", absl::StrCat("at most ", kMaxModules, " modules"));
  }
  std::map<std::string, size_t> ids;
  std::map<int32_t, size_t> orders;
  bool any_required = false;
  for (size_t i = 0; i < modules.size(); ++i) {
    Module& m = modules[i];
    if (CollectViolations(
            ValidateKebabId(m.module_id, ModuleField(i, "module_id")), v)) {
      auto [it, fresh] = ids.emplace(m.module_id, i);
      if (!fresh) {
        v.Add(ModuleField(i, "module_id"),
              absl::StrCat("'", m.module_id, "' is already modules[",
                           it->second, "]"));
      }
    }
    CollectInto(NormalizeTitle(m.title, ModuleField(i, "title")), &m.title, v);
    if (m.order < 1) {
      v.Add(ModuleField(i, "order"), "must be at least 1");
    } else if (auto [it, fresh] = orders.emplace(m.order, i); !fresh) {
      v.Add(ModuleField(i, "order"),
            absl::StrCat(m.order, " is already the order of modules[",
                         it->second, "]"));
    }
    if (!std::isfinite(m.hours) || m.hours <= 0) {
      v.Add(ModuleField(i, "hours"), "must be a number above 0");
    }
    const bool max_ok = std::isfinite(m.max_score) && m.max_score > 0;
    if (!max_ok) v.Add(ModuleField(i, "max_score"), "must be a number above 0");
    if (!std::isfinite(m.pass_mark) || m.pass_mark <= 0) {
      v.Add(ModuleField(i, "pass_mark"), "must be a number above 0");
    } else if (max_ok && m.pass_mark > m.max_score) {
      v.Add(
          ModuleField(i, "pass_mark"),
          absl::StrCat("must not be above max_score (", Num(m.max_score), ")"));
    }
    any_required = any_required || m.required;
  }
  if (!modules.empty() && !any_required) {
    v.Add("modules", "at least one module must be required");
  }
  if (!v.empty()) return v.ToStatus();
  std::stable_sort(
      modules.begin(), modules.end(),
      [](const Module& a, const Module& b) { return a.order < b.order; });
  return modules;
}

absl::Status ValidateScore(double score, const Module& module) {
  if (!std::isfinite(score)) return InvalidField("score", "must be a number");
  if (score < 0) return InvalidField("score", "must not be negative");
  if (score > module.max_score) {
    return InvalidField(
        "score",
        absl::StrCat("must not be above the maximum score of module '",
                     module.module_id, "' (", Num(module.max_score), ")"));
  }
  return absl::OkStatus();
}

}  // namespace jit::progress
