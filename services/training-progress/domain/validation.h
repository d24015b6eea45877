// Input validation of the training-progress domain: request, trainee,
// cohort, track and module ids, titles and reasons, curricula, scores.
//
// Failures are INVALID_ARGUMENT statuses naming the API field path (see
// libs/status/field_violations.h), e.g. "modules[2].pass_mark".
//
// All functions are pure and thread-safe.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_VALIDATION_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/command/validation.h"
#include "libs/status/field_violations.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress {

inline constexpr int kMaxIdChars = 128;      // request, trainee, cohort ids
inline constexpr int kMaxTitleChars = 200;   // module titles, in characters
inline constexpr int kMaxReasonChars = 500;  // reasons, in characters
inline constexpr int kMaxModules = 200;      // modules per curriculum

// 1-128 printable ASCII characters (0x20-0x7E), field "request_id".
using command::ValidateRequestId;

// An opaque id issued by another service (trainee, cohort): 1-128
// characters from [A-Za-z0-9_.:-].
absl::Status ValidateOpaqueId(absl::string_view id, absl::string_view field);

// Lower-kebab-case (track and module ids): ^[a-z][a-z0-9-]{1,62}$.
absl::Status ValidateKebabId(absl::string_view id, absl::string_view field);

// A title: valid UTF-8, 1-200 characters after trimming surrounding
// whitespace, no control characters. Returns the trimmed title.
absl::StatusOr<std::string> NormalizeTitle(absl::string_view input,
                                           absl::string_view field);

// A reason note (drop-out, revocation): valid UTF-8, at most 500 characters
// after trimming, no control characters other than tab and line breaks;
// 1-500 when `required`. Returns the trimmed note.
absl::StatusOr<std::string> NormalizeReason(absl::string_view input,
                                            absl::string_view field = "reason",
                                            bool required = true);

// A curriculum's modules as published: 1-200 modules, at least one
// required; per module (field paths "modules[i].<field>"): a unique
// lower-kebab module id, a title, a unique order >= 1, hours > 0, max_score
// > 0 and 0 < pass_mark <= max_score (all finite). Returns the modules
// with trimmed titles, sorted by order.
absl::StatusOr<std::vector<Module>> ValidateModules(
    std::vector<Module> modules);

// A score of `module`: finite, 0 <= score <= max_score (field "score").
absl::Status ValidateScore(double score, const Module& module);

// Collecting field violations (libs/command/validation.h).
using command::CollectInto;
using command::CollectViolations;

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_VALIDATION_H_
