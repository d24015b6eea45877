// Input checks every command shares: the request id, free text (names,
// titles, reasons) with a UTF-8 scan, lower-kebab-case ids, and collecting
// field violations so that every violation of a request is reported at once.
//
// Failures are INVALID_ARGUMENT statuses naming the API field path (see
// libs/status/field_violations.h). Messages never echo the input.
//
// All functions are pure and thread-safe.
#ifndef JIT_LIBS_COMMAND_VALIDATION_H_
#define JIT_LIBS_COMMAND_VALIDATION_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/command/request.h"
#include "libs/status/field_violations.h"

namespace jit::command {

inline constexpr int kMaxRequestIdChars = 128;

// 1-128 printable ASCII characters (0x20-0x7E), field "request_id".
absl::Status ValidateRequestId(absl::string_view request_id);

// A violation list that starts with the request id's (field "request_id"),
// for a mutation to add its own and report them all at once.
status::FieldViolations MutationViolations(const RequestContext& ctx);

// What a UTF-8 scan of a text found.
struct TextScan {
  bool valid = true;  // well-formed UTF-8: no overlong forms or surrogates
  int chars = 0;      // code points (up to the first invalid byte)
  bool has_control = false;       // C0 other than tab/CR/LF, DEL, C1
  bool has_line_control = false;  // tab, CR, LF
};

TextScan ScanText(absl::string_view s);

struct TextRules {
  int max_chars = 100;     // in code points, after trimming
  bool required = true;    // "is required" when empty after trimming
  bool multiline = false;  // tab, CR and LF allowed
};

// Free text (a name, a title, a reason): surrounding ASCII whitespace is
// trimmed; then "is required" when empty and required (an empty string when
// not), "must be valid UTF-8", "must not contain control characters", "must
// be at most <max_chars> characters", in that order. Returns the trimmed
// text.
absl::StatusOr<std::string> NormalizeText(absl::string_view input,
                                          absl::string_view field,
                                          const TextRules& rules);

// Lower-kebab-case (track, module, sector ids): ^[a-z][a-z0-9-]{1,62}$;
// "is required" when empty. The message of a malformed id ends with
// (e.g. "<example>") when `example` is given.
absl::Status ValidateKebabId(absl::string_view id, absl::string_view field,
                             absl::string_view example = "");

// A reason code (a closed proto enum of jobintech.common.v1.reasons: 0 is
// UNSPECIFIED): "is required" when 0, "is not a known value" when
// `is_known(value)` is false (a number from a newer contract than the
// server's). Pass the generated `<Enum>_IsValid`.
absl::Status ValidateReasonCode(int value, bool (*is_known)(int),
                                absl::string_view field = "reason_code");

// Adds the field violations carried by `status` to `out` (a status without
// violations is added under `fallback_field`). Returns status.ok().
bool CollectViolations(const absl::Status& status, status::FieldViolations& out,
                       absl::string_view fallback_field = "");

// Stores the value of `result` in `*value` when OK, otherwise adds its
// violations to `out`.
template <typename T>
void CollectInto(absl::StatusOr<T> result, T* value,
                 status::FieldViolations& out) {
  if (result.ok()) {
    *value = *std::move(result);
  } else {
    CollectViolations(result.status(), out);
  }
}

}  // namespace jit::command

#endif  // JIT_LIBS_COMMAND_VALIDATION_H_
