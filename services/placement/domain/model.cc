#include "services/placement/domain/model.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace jit::placement {
namespace {

namespace ev = ::jobintech::events::v1;

// The enum value's name without `prefix` ("PLACEMENT_STATE_JOB_SEEKING" ->
// "JOB_SEEKING"); the number for a value the contract does not know.
std::string Short(const std::string& full, absl::string_view prefix, int n) {
  if (full.empty()) return absl::StrCat(n);
  return std::string(absl::StripPrefix(full, prefix));
}

}  // namespace

std::string StateName(PlacementState s) {
  return Short(ev::PlacementState_Name(s), "PLACEMENT_STATE_", s);
}
std::string TypeName(PlacementType t) {
  return Short(ev::PlacementType_Name(t), "PLACEMENT_TYPE_", t);
}
std::string SourceName(VerificationSource v) {
  return Short(ev::VerificationSource_Name(v), "VERIFICATION_SOURCE_", v);
}
std::string OutcomeName(FollowUpOutcome o) {
  return Short(ev::FollowUpOutcome_Name(o), "FOLLOW_UP_OUTCOME_", o);
}
std::string ExitKindName(ExitKind k) {
  return Short(ev::ExitKind_Name(k), "EXIT_KIND_", k);
}
std::string BandName(SalaryBand b) {
  return Short(ev::SalaryBand_Name(b), "SALARY_BAND_", b);
}

absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth target = absl::CivilMonth(day) + months;
  // The last day of the target month: the day before the next month's first.
  const absl::CivilDay last = absl::CivilDay(target + 1) - 1;
  return absl::CivilDay(target.year(), target.month(),
                        std::min(day.day(), last.day()));
}

std::string FollowUpKey(const FollowUp& f) {
  return absl::StrFormat("%s|%s|%02d", absl::FormatCivilTime(f.due_date),
                         f.trainee_id, f.months);
}

}  // namespace jit::placement
