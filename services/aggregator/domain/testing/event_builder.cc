#include "services/aggregator/domain/testing/event_builder.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>

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

namespace {

Event CatalogueEvent(EventKind kind, const std::string& id, Day day) {
  Event c = Ev(kind, id, 1, FormatDay(day));
  c.event_id = absl::StrCat("catalogue/", KindName(kind), "/", id);
  if (kind == EventKind::kCohortOpened) c.cohort.cohort_id = id;
  c.name_fr = id;
  return c;
}

}  // namespace

std::vector<Event> CatalogueFor(const std::vector<Event>& events) {
  std::set<std::string> tracks, cohorts;
  std::optional<Day> first;
  for (const Event& e : events) {
    if (!first.has_value() || e.day < *first) first = e.day;
    if (!IsTraineeEvent(e.kind) || StreamOf(e.kind) != Stream::kEnrollment) continue;
    if (!e.dims.track_id.empty()) tracks.insert(e.dims.track_id);
    if (!e.cohort_id.empty()) cohorts.insert(e.cohort_id);
  }
  std::vector<Event> out;
  for (const std::string& t : tracks) {
    out.push_back(CatalogueEvent(EventKind::kTrackAdded, t, *first));
  }
  for (const std::string& c : cohorts) {
    out.push_back(CatalogueEvent(EventKind::kCohortOpened, c, *first));
  }
  return out;
}

std::vector<Event> WithCatalogue(const std::vector<Event>& events) {
  std::vector<Event> out = CatalogueFor(events);
  out.insert(out.end(), events.begin(), events.end());
  return out;
}

Fold::Outcome Feed(Fold& fold, const Event& event) {
  for (const Event& c : CatalogueFor({event})) {
    const bool present = c.kind == EventKind::kTrackAdded
                             ? fold.tracks().contains(c.aggregate_id)
                             : fold.cohorts().contains(c.aggregate_id);
    if (!present) fold.Apply(c);
  }
  return fold.Apply(event);
}

}  // namespace jit::aggregator::testing
