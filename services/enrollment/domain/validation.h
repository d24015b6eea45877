// Input validation and normalization of the enrollment domain: Moroccan CIN
// and phone numbers, e-mail addresses, names, reasons, request and track ids,
// ages and age bands.
//
// Failures are INVALID_ARGUMENT statuses naming the API field path (see
// libs/status/field_violations.h). Messages never echo personal data: a bad
// CIN or phone number is described, not repeated.
//
// All functions are pure and thread-safe.
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_VALIDATION_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_VALIDATION_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "libs/command/validation.h"
#include "libs/status/field_violations.h"
#include "services/enrollment/domain/model.h"

namespace jit::enrollment {

inline constexpr int kMaxNameChars = 100;    // names, in characters
inline constexpr int kMaxReasonChars = 500;  // reasons, in characters
using command::kMaxRequestIdChars;
inline constexpr int kMaxEmailChars = 254;

// Moroccan CIN: 1-2 letters then 1-6 digits, case-insensitive; spaces are
// ignored. Returns the upper-case form ("ab 12345" -> "AB12345").
absl::StatusOr<std::string> NormalizeCin(
    absl::string_view input, absl::string_view field = "candidate.national_id");

// Moroccan phone number in national ("0612345678") or international
// ("+212612345678", "00212612345678", "212612345678") form; spaces, dots and
// dashes are ignored. The subscriber number must start with 5, 6 or 7.
// Returns E.164: "+212" followed by 9 digits.
absl::StatusOr<std::string> NormalizePhone(
    absl::string_view input, absl::string_view field = "candidate.phone");

// One '@', a non-empty local part, a domain with a dot and no empty label,
// no whitespace or control characters, at most 254 characters. Surrounding
// whitespace is trimmed; returns the address with its domain lower-cased.
absl::StatusOr<std::string> ValidateEmail(
    absl::string_view input, absl::string_view field = "candidate.email");

// A person's, centre's, cohort's or track's name: valid UTF-8, 1-100
// characters after trimming surrounding whitespace, no control characters.
// Returns the trimmed name.
absl::StatusOr<std::string> NormalizeName(absl::string_view input,
                                          absl::string_view field);

// A reason (rejection, decline, withdrawal): valid UTF-8, at most 500
// characters after trimming, no control characters other than tab and line
// breaks; required unless `required` is false. Returns the trimmed reason.
absl::StatusOr<std::string> NormalizeReason(absl::string_view input,
                                            bool required,
                                            absl::string_view field = "reason");

// 1-128 printable ASCII characters (0x20-0x7E), field "request_id".
using command::ValidateRequestId;

// Lower-kebab-case: ^[a-z][a-z0-9-]{1,62}$.
absl::Status ValidateTrackId(absl::string_view track_id,
                             absl::string_view field = "track.track_id");

// INVALID_ARGUMENT "is required" naming `field` when `value` is empty.
absl::Status ValidateRequired(absl::string_view value, absl::string_view field);

// Age in whole years on `day` of a person born on `birth` (a person born on
// 29 February has a birthday on 1 March in common years). Negative when
// `birth` is after `day`.
int AgeOn(absl::CivilDay birth, absl::CivilDay day);

// Under 18, 18-20, 21-24, 25-29, 30-35, over 35.
AgeBand AgeBandFor(int age);

// Collecting field violations (libs/command/validation.h).
using command::CollectInto;
using command::CollectViolations;

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_VALIDATION_H_
