// Input validation and normalization of the placement domain: ICE numbers,
// sector and track codes, names and reasons, request ids.
//
// Failures are INVALID_ARGUMENT statuses naming the API field path (see
// libs/status/field_violations.h). All functions are pure and thread-safe.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_VALIDATION_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/command/validation.h"
#include "libs/status/field_violations.h"

namespace jit::placement {

inline constexpr int kMaxNameChars = 100;    // employer names, offer titles
inline constexpr int kMaxReasonChars = 500;  // end reasons
using command::kMaxRequestIdChars;
inline constexpr int kMaxOpenings = 10'000;

// Morocco's Identifiant Commun de l'Entreprise: 15 digits (9 for the
// company, 4 for the establishment, 2 control digits); spaces are ignored.
// The control digits make the whole number divisible by 97
// (001561191000066). Returns the 15 digits.
absl::StatusOr<std::string> NormalizeIce(absl::string_view input,
                                         absl::string_view field = "ice");

// A code such as a sector or a track id: lower-kebab-case,
// ^[a-z][a-z0-9-]{1,62}$.
absl::Status ValidateCode(absl::string_view code, absl::string_view field);

// Free text (a name, a title, a reason): valid UTF-8, at most `max_chars`
// characters after trimming surrounding whitespace, no control characters
// (tab and line breaks are allowed when `multiline`); "is required" when
// empty and `required`. Returns the trimmed text.
absl::StatusOr<std::string> NormalizeText(absl::string_view input,
                                          absl::string_view field,
                                          int max_chars, bool required,
                                          bool multiline = false);

// 1-128 printable ASCII characters (0x20-0x7E), field "request_id".
using command::ValidateRequestId;

// INVALID_ARGUMENT "is required" naming `field` when `value` is empty; also
// refuses ids longer than 128 characters.
absl::Status ValidateRequired(absl::string_view value, absl::string_view field);

// Collecting field violations (libs/command/validation.h).
using command::CollectInto;
using command::CollectViolations;

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_VALIDATION_H_
