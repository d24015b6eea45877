#include "services/enrollment/domain/validation.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace jit::enrollment {
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

bool IsAsciiDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> NormalizeCin(absl::string_view input,
                                         absl::string_view field) {
  std::string cin;
  cin.reserve(input.size());
  for (char c : input) {
    if (c == ' ') continue;
    cin.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  if (cin.empty()) return InvalidField(Field(field), "is required");
  size_t letters = 0;
  while (letters < cin.size() &&
         absl::ascii_isupper(static_cast<unsigned char>(cin[letters]))) {
    ++letters;
  }
  const absl::string_view digits = absl::string_view(cin).substr(letters);
  if (letters < 1 || letters > 2 || digits.empty() || digits.size() > 6 ||
      !IsAsciiDigits(digits)) {
    return InvalidField(
        Field(field),
        "must be a Moroccan national ID (CIN): 1-2 letters then 1-6 digits");
  }
  return cin;
}

absl::StatusOr<std::string> NormalizePhone(absl::string_view input,
                                           absl::string_view field) {
  std::string compact;
  compact.reserve(input.size());
  for (char c : input) {
    if (c == ' ' || c == '.' || c == '-') continue;
    compact.push_back(c);
  }
  if (compact.empty()) return InvalidField(Field(field), "is required");
  absl::string_view rest = compact;
  if (absl::ConsumePrefix(&rest, "+212") ||
      absl::ConsumePrefix(&rest, "00212")) {
    // International form: 9 digits follow.
  } else if (rest.size() == 12 && absl::ConsumePrefix(&rest, "212")) {
    // International form without '+'.
  } else if (rest.size() == 10 && absl::ConsumePrefix(&rest, "0")) {
    // National form with the trunk prefix.
  } else {
    rest = {};
  }
  if (rest.size() != 9 || !IsAsciiDigits(rest) ||
      (rest[0] != '5' && rest[0] != '6' && rest[0] != '7')) {
    return InvalidField(
        Field(field),
        "must be a Moroccan phone number such as 06XXXXXXXX or +2126XXXXXXXX "
        "(05, 06 or 07 then 8 digits)");
  }
  return absl::StrCat("+212", rest);
}

absl::StatusOr<std::string> ValidateEmail(absl::string_view input,
                                          absl::string_view field) {
  const absl::string_view email = absl::StripAsciiWhitespace(input);
  if (email.empty()) return InvalidField(Field(field), "is required");
  if (email.size() > kMaxEmailChars) {
    return InvalidField(
        Field(field),
        absl::StrCat("must be at most ", kMaxEmailChars, " characters"));
  }
  const Utf8Scan scan = ScanUtf8(email);
  if (!scan.valid) return InvalidField(Field(field), "must be valid UTF-8");
  for (char c : email) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return InvalidField(Field(field), "must not contain spaces");
    }
  }
  if (scan.has_control) {
    return InvalidField(Field(field), "must not contain control characters");
  }
  const size_t at = email.find('@');
  if (at == absl::string_view::npos ||
      email.find('@', at + 1) != absl::string_view::npos) {
    return InvalidField(Field(field), "must contain exactly one '@'");
  }
  const absl::string_view local = email.substr(0, at);
  const absl::string_view domain = email.substr(at + 1);
  if (local.empty()) {
    return InvalidField(Field(field), "must have a part before the '@'");
  }
  if (domain.find('.') == absl::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != absl::string_view::npos) {
    return InvalidField(Field(field),
                        "must have a domain such as example.ma after the '@'");
  }
  return absl::StrCat(local, "@", absl::AsciiStrToLower(domain));
}

absl::StatusOr<std::string> NormalizeName(absl::string_view input,
                                          absl::string_view field) {
  const absl::string_view name = absl::StripAsciiWhitespace(input);
  if (name.empty()) return InvalidField(Field(field), "is required");
  const Utf8Scan scan = ScanUtf8(name);
  if (!scan.valid) return InvalidField(Field(field), "must be valid UTF-8");
  if (scan.has_control || scan.has_line_control) {
    return InvalidField(Field(field), "must not contain control characters");
  }
  if (scan.chars > kMaxNameChars) {
    return InvalidField(
        Field(field),
        absl::StrCat("must be at most ", kMaxNameChars, " characters"));
  }
  return std::string(name);
}

absl::StatusOr<std::string> NormalizeReason(absl::string_view input,
                                            bool required,
                                            absl::string_view field) {
  const absl::string_view reason = absl::StripAsciiWhitespace(input);
  if (reason.empty()) {
    if (required) return InvalidField(Field(field), "is required");
    return std::string();
  }
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

absl::Status ValidateTrackId(absl::string_view track_id,
                             absl::string_view field) {
  if (track_id.empty()) return InvalidField(Field(field), "is required");
  bool ok = track_id.size() >= 2 && track_id.size() <= 63 &&
            absl::ascii_islower(static_cast<unsigned char>(track_id[0]));
  for (size_t i = 1; ok && i < track_id.size(); ++i) {
    const auto c = static_cast<unsigned char>(track_id[i]);
    ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  }
  if (!ok) {
    return InvalidField(
        Field(field),
        "must be lower-kebab-case: a lower-case letter, then 1-62 lower-case "
        "letters, digits or '-' (e.g. \"digital-health\")");
  }
  return absl::OkStatus();
}

absl::Status ValidateRequired(absl::string_view value,
                              absl::string_view field) {
  if (value.empty()) return InvalidField(Field(field), "is required");
  return absl::OkStatus();
}

int AgeOn(absl::CivilDay birth, absl::CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() ||
      (day.month() == birth.month() && day.day() < birth.day())) {
    --age;
  }
  return age;
}

AgeBand AgeBandFor(int age) {
  using namespace ::jobintech::common::v1;  // NOLINT(build/namespaces)
  if (age < 18) return AGE_BAND_UNDER_18;
  if (age <= 20) return AGE_BAND_18_20;
  if (age <= 24) return AGE_BAND_21_24;
  if (age <= 29) return AGE_BAND_25_29;
  if (age <= 35) return AGE_BAND_30_35;
  return AGE_BAND_OVER_35;
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

}  // namespace jit::enrollment
