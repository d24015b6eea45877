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
  const command::TextScan scan = command::ScanText(email);
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
  return command::NormalizeText(input, field, {.max_chars = kMaxNameChars});
}

absl::StatusOr<std::string> NormalizeReason(absl::string_view input,
                                            bool required,
                                            absl::string_view field) {
  return command::NormalizeText(
      input, field,
      {.max_chars = kMaxReasonChars, .required = required, .multiline = true});
}

absl::Status ValidateTrackId(absl::string_view track_id,
                             absl::string_view field) {
  return command::ValidateKebabId(track_id, field, "digital-health");
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

}  // namespace jit::enrollment
