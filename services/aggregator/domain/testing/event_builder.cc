#include "services/aggregator/domain/testing/event_builder.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "libs/geo/geo.h"

namespace jit::aggregator::testing {

Day D(absl::string_view date) {
  std::optional<Day> d = ParseDay(date);
  if (!d.has_value()) {
    std::fprintf(stderr, "bad test date '%s'\n", std::string(date).c_str());
    std::abort();
  }
  return *d;
}

Ev::Ev(EventKind kind, absl::string_view key, int64_t sequence, absl::string_view day) {
  e_.kind = kind;
  if (IsTraineeEvent(kind)) {
    e_.trainee_id = std::string(key);
  } else {
    e_.aggregate_id = std::string(key);
  }
  e_.sequence = sequence;
  e_.day = D(day);
  e_.date = e_.day;
  e_.occurred_unix = static_cast<int64_t>(e_.day) * 86400;
  e_.event_id = absl::StrCat(key, "/", StreamName(StreamOf(kind)), "/", sequence);
}

Ev& Ev::Id(absl::string_view id) {
  e_.event_id = std::string(id);
  return *this;
}

Ev& Ev::Cohort(absl::string_view cohort) {
  e_.cohort_id = std::string(cohort);
  e_.dims.cohort_id = std::string(cohort);
  return *this;
}

Ev& Ev::Dims(Gender gender, absl::string_view province, absl::string_view track) {
  e_.dims.gender = gender;
  e_.dims.province_code = std::string(province);
  auto region = geo::Atlas::Get().RegionOfProvince(province);
  e_.dims.region_code = region.ok() ? *region : "";
  e_.dims.track_id = std::string(track);
  return *this;
}

Ev& Ev::Date(absl::string_view date) {
  e_.date = D(date);
  return *this;
}

Ev& Ev::Exit(ExitKind kind, absl::string_view date) {
  e_.exit_kind = kind;
  e_.exit_date = D(date);
  e_.has_exit_date = true;
  return *this;
}

Ev& Ev::Job(absl::string_view placement_id, PlacementType type, absl::string_view start) {
  e_.placement_id = std::string(placement_id);
  e_.placement_type = type;
  e_.date = D(start);
  return *this;
}

Ev& Ev::FollowUp(int months, FollowUpOutcome outcome, absl::string_view date) {
  e_.months_after_exit = months;
  e_.outcome = outcome;
  e_.date = D(date);
  return *this;
}

Ev& Ev::Target(int64_t target) {
  e_.national_target = target;
  return *this;
}

Ev& Ev::Active(absl::string_view date) {
  e_.implies_started = true;
  e_.date = D(date);
  return *this;
}

Event Ev::Build() const { return e_; }

}  // namespace jit::aggregator::testing
