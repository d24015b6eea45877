#include "libs/command/validation.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace jit::command {
namespace {

using status::InvalidField;

std::string Field(absl::string_view f) { return std::string(f); }

}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.empty()) return InvalidField("request_id", "is required");
  if (request_id.size() > kMaxRequestIdChars) {
    return InvalidField(
        "request_id",
        absl::StrCat("must be at most ", kMaxRequestIdChars, " characters"));
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

status::FieldViolations MutationViolations(const RequestContext& ctx) {
  status::FieldViolations v;
  CollectViolations(ValidateRequestId(ctx.request_id), v, "request_id");
  return v;
}

TextScan ScanText(absl::string_view s) {
  TextScan scan;
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

absl::StatusOr<std::string> NormalizeText(absl::string_view input,
                                          absl::string_view field,
                                          const TextRules& rules) {
  const absl::string_view text = absl::StripAsciiWhitespace(input);
  if (text.empty()) {
    if (rules.required) return InvalidField(Field(field), "is required");
    return std::string();
  }
  const TextScan scan = ScanText(text);
  if (!scan.valid) return InvalidField(Field(field), "must be valid UTF-8");
  if (scan.has_control || (scan.has_line_control && !rules.multiline)) {
    return InvalidField(Field(field), "must not contain control characters");
  }
  if (scan.chars > rules.max_chars) {
    return InvalidField(
        Field(field),
        absl::StrCat("must be at most ", rules.max_chars, " characters"));
  }
  return std::string(text);
}

absl::Status ValidateKebabId(absl::string_view id, absl::string_view field,
                             absl::string_view example) {
  if (id.empty()) return InvalidField(Field(field), "is required");
  bool ok = id.size() >= 2 && id.size() <= 63 &&
            absl::ascii_islower(static_cast<unsigned char>(id[0]));
  for (size_t i = 1; ok && i < id.size(); ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  }
  if (ok) return absl::OkStatus();
  std::string message =
      "must be lower-kebab-case: a lower-case letter, then 1-62 lower-case "
      "letters, digits or '-'";
  if (!example.empty()) absl::StrAppend(&message, " (e.g. \"", example, "\")");
  return InvalidField(Field(field), std::move(message));
}

absl::Status ValidateReasonCode(int value, bool (*is_known)(int),
                                absl::string_view field) {
  if (value == 0) return InvalidField(Field(field), "is required");
  if (is_known == nullptr || !is_known(value)) {
    return InvalidField(Field(field), "is not a known value");
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

}  // namespace jit::command
