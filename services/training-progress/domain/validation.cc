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

// What a UTF-8 scan found.
struct Utf8Scan {
  bool valid = true;
  int chars = 0;
  bool has_control = false;       // C0 other than tab/CR/LF, DEL, C1
  bool has_line_control = false;  // tab, CR, LF
};

Utf8Scan ScanUtf8(absl::string_view s) {
  Utf8Scan scan;
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    int len = 0;
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if ((b0 & 0xE0) == 0xC0) {
      cp = b0 & 0x1F;
      len = 2;
    } else if ((b0 & 0xF0) == 0xE0) {
      cp = b0 & 0x0F;
      len = 3;
    } else if ((b0 & 0xF8) == 0xF0) {
      cp = b0 & 0x07;
      len = 4;
    } else {
      scan.valid = false;
      return scan;
    }
    if (i + len > s.size()) {
      scan.valid = false;
      return scan;
    }
    for (int k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) {
        scan.valid = false;
        return scan;
      }
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and values beyond Unicode.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
        (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      scan.valid = false;
      return scan;
    }
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      scan.has_line_control = true;
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      scan.has_control = true;
    }
    ++scan.chars;
    i += len;
  }
  return scan;
}

// The text between surrounding ASCII whitespace.
absl::string_view Trim(absl::string_view s) {
  return absl::StripAsciiWhitespace(s);
}

std::string ModuleField(size_t i, absl::string_view field) {
  return absl::StrCat("modules[", i, "].", field);
}

// A number for messages: "100", "12.5".
std::string Num(double d) { return absl::StrFormat("%g", d); }

}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.empty()) return InvalidField("request_id", "is required");
  if (request_id.size() > kMaxIdChars) {
    return InvalidField("request_id", absl::StrCat("must be at most ",
                                                   kMaxIdChars, " characters"));
  }
  for (char c : request_id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) {
      return InvalidField("request_id",
                          "must contain only printable ASCII characters");
    }
  }
  return absl::OkStatus();
}

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
  if (id.empty()) return InvalidField(Field(field), "is required");
  bool ok = id.size() >= 2 && id.size() <= 63 &&
            absl::ascii_islower(static_cast<unsigned char>(id[0]));
  for (size_t i = 1; ok && i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  }
  if (!ok) {
    return InvalidField(
        Field(field),
        "must be lower-kebab-case: a lower-case letter, then 1-62 lower-case "
        "letters, digits or '-' (e.g. \"network-basics\")");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeTitle(absl::string_view input,
                                           absl::string_view field) {
  const absl::string_view title = Trim(input);
  if (title.empty()) return InvalidField(Field(field), "is required");
  const Utf8Scan scan = ScanUtf8(title);
  if (!scan.valid) return InvalidField(Field(field), "must be valid UTF-8");
  if (scan.has_control || scan.has_line_control) {
    return InvalidField(Field(field), "must not contain control characters");
  }
  if (scan.chars > kMaxTitleChars) {
    return InvalidField(
        Field(field),
        absl::StrCat("must be at most ", kMaxTitleChars, " characters"));
  }
  return std::string(title);
}

absl::StatusOr<std::string> NormalizeReason(absl::string_view input,
                                            absl::string_view field) {
  const absl::string_view reason = Trim(input);
  if (reason.empty()) return InvalidField(Field(field), "is required");
  const Utf8Scan scan = ScanUtf8(reason);
  if (!scan.valid) return InvalidField(Field(field), "must be valid UTF-8");
  if (scan.has_control) {
    return InvalidField(Field(field), "must not contain control characters");
  }
  if (scan.chars > kMaxReasonChars) {
    return InvalidField(
        Field(field),
        absl::StrCat("must be at most ", kMaxReasonChars, " characters"));
  }
  return std::string(reason);
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

bool CollectViolations(const absl::Status& st, status::FieldViolations& out,
                       absl::string_view fallback_field) {
  if (st.ok()) return true;
  const std::vector<status::FieldViolation> violations =
      status::GetFieldViolations(st);
  if (violations.empty()) {
    out.Add(Field(fallback_field), std::string(st.message()));
  }
  for (const auto& v : violations) out.Add(v.field, v.description);
  return false;
}

}  // namespace jit::progress
