#include "services/placement/domain/validation.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace jit::placement {
namespace {

using status::InvalidField;

std::string Field(absl::string_view f) { return std::string(f); }

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

}  // namespace

absl::StatusOr<std::string> NormalizeIce(absl::string_view input,
                                         absl::string_view field) {
  std::string ice;
  ice.reserve(input.size());
  for (char c : input) {
    if (c == ' ') continue;
    ice.push_back(c);
  }
  if (ice.empty()) return InvalidField(Field(field), "is required");
  bool digits = ice.size() == 15;
  for (char c : ice) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) digits = false;
  }
  if (!digits) {
    return InvalidField(Field(field),
                        "must be an ICE (Identifiant Commun de l'Entreprise): "
                        "15 digits");
  }
  // The control digits: the 15-digit number is a multiple of 97.
  int remainder = 0;
  for (char c : ice) remainder = (remainder * 10 + (c - '0')) % 97;
  if (remainder != 0) {
    return InvalidField(Field(field),
                        "is not a valid ICE: its control digits do not match "
                        "(check for a typing error)");
  }
  if (ice == std::string(15, '0')) {
    return InvalidField(Field(field), "is not a valid ICE: all zeros");
  }
  return ice;
}

absl::Status ValidateCode(absl::string_view code, absl::string_view field) {
  if (code.empty()) return InvalidField(Field(field), "is required");
  bool ok = code.size() >= 2 && code.size() <= 63 &&
            absl::ascii_islower(static_cast<unsigned char>(code[0]));
  for (char c : code) {
    const auto u = static_cast<unsigned char>(c);
    if (!(absl::ascii_islower(u) || absl::ascii_isdigit(u) || c == '-')) {
      ok = false;
    }
  }
  if (!ok) {
    return InvalidField(Field(field),
                        "must be lower-kebab-case: a letter, then 1-62 "
                        "lower-case letters, digits or '-'");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> NormalizeText(absl::string_view input,
                                          absl::string_view field,
                                          int max_chars, bool required,
                                          bool multiline) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(input);
  if (trimmed.empty()) {
    if (required) return InvalidField(Field(field), "is required");
    return std::string();
  }
  const Utf8Scan scan = ScanUtf8(trimmed);
  if (!scan.valid) return InvalidField(Field(field), "is not valid UTF-8");
  if (scan.has_control || (scan.has_line_control && !multiline)) {
    return InvalidField(Field(field), "must not contain control characters");
  }
  if (scan.chars > max_chars) {
    return InvalidField(Field(field), absl::StrCat("must be at most ",
                                                   max_chars, " characters"));
  }
  return std::string(trimmed);
}

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (request_id.empty()) return InvalidField("request_id", "is required");
  if (request_id.size() > kMaxRequestIdChars) {
    return InvalidField(
        "request_id",
        absl::StrCat("must be at most ", kMaxRequestIdChars, " characters"));
  }
  for (char c : request_id) {
    if (c < 0x20 || c > 0x7E) {
      return InvalidField("request_id",
                          "must be printable ASCII (a UUID is recommended)");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRequired(absl::string_view value,
                              absl::string_view field) {
  if (value.empty()) return InvalidField(Field(field), "is required");
  if (value.size() > 128) {
    return InvalidField(Field(field), "must be at most 128 characters");
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

}  // namespace jit::placement
