// Text <-> contract values for the operator CLI and its imports: enum values
// by short name ("female", "bac-plus-2", "present"), with a few aliases used
// on Moroccan forms ("F"/"H", "bac+2", "CDI"), and calendar dates.
#ifndef JIT_TOOLS_JITCTL_ENUMS_H_
#define JIT_TOOLS_JITCTL_ENUMS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/descriptor.h"
#include "jobintech/common/v1/common.pb.h"

namespace jit::jitctl {

// The value of enum `d` named by `text`: its short name (the full name without
// the enum's prefix, e.g. "FEMALE" for GENDER_FEMALE), case-insensitive, with
// '-' or ' ' accepted for '_'; or its full name; or one of the aliases known
// for that enum. The UNSPECIFIED value is accepted only as "unspecified" or
// an empty string when `allow_unspecified`. INVALID_ARGUMENT listing the
// accepted names otherwise.
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* d,
                              absl::string_view text,
                              bool allow_unspecified = false);

template <typename E>
absl::StatusOr<E> ParseEnumAs(const google::protobuf::EnumDescriptor* d,
                              absl::string_view text,
                              bool allow_unspecified = false) {
  auto v = ParseEnum(d, text, allow_unspecified);
  if (!v.ok()) return v.status();
  return static_cast<E>(*v);
}

// "female", "bac-plus-2", "salaried-permanent": lower-case short name with
// '-'. The number for values unknown to this build.
std::string ShortEnumName(const google::protobuf::EnumDescriptor* d, int value);

// The accepted short names, comma-separated (for help texts).
std::string EnumChoices(const google::protobuf::EnumDescriptor* d);

// "2025-10-15" (ISO 8601) or "15/10/2025" (day first, as written in Morocco).
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text);
absl::StatusOr<jobintech::common::v1::Date> ParseDate(absl::string_view text);
jobintech::common::v1::Date ToDate(absl::CivilDay day);
absl::CivilDay FromDate(const jobintech::common::v1::Date& date);
// "2025-10-15"; "" for an unset (all-zero) date.
std::string FormatDate(const jobintech::common::v1::Date& date);

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_ENUMS_H_
