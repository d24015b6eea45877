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
  return command::ValidateKebabId(code, field);
}

absl::StatusOr<std::string> NormalizeText(absl::string_view input,
                                          absl::string_view field,
                                          int max_chars, bool required,
                                          bool multiline) {
  return command::NormalizeText(
      input, field,
      {.max_chars = max_chars, .required = required, .multiline = multiline});
}

absl::Status ValidateRequired(absl::string_view value,
                              absl::string_view field) {
  if (value.empty()) return InvalidField(Field(field), "is required");
  if (value.size() > 128) {
    return InvalidField(Field(field), "must be at most 128 characters");
  }
  return absl::OkStatus();
}

}  // namespace jit::placement
