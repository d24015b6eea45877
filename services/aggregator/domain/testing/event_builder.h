// Builders of domain events for the aggregator's tests.
//
//   Event e = Ev(EventKind::kApplicationSubmitted, "t1", 1, "2025-01-10")
//                 .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber")
//                 .Build();
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_EVENT_BUILDER_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_EVENT_BUILDER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/aggregator/domain/event.h"
#include "services/aggregator/domain/fold.h"

namespace jit::aggregator::testing {

// The Day of "YYYY-MM-DD"; aborts on a malformed date (tests only).
Day D(absl::string_view date);

class Ev {
 public:
  // A trainee event (or, for catalogue kinds, an aggregate event keyed by
  // `key`) occurring on `day`, with an event id derived from key, stream
  // and sequence.
  Ev(EventKind kind, absl::string_view key, int64_t sequence, absl::string_view day);

  Ev& Id(absl::string_view id);
  Ev& Cohort(absl::string_view cohort);
  // Gender, province (region derived), track; cohort from Cohort().
  Ev& Dims(Gender gender, absl::string_view province, absl::string_view track);
  Ev& Date(absl::string_view date);
  Ev& Exit(ExitKind kind, absl::string_view date);
  Ev& Job(absl::string_view placement_id, PlacementType type, absl::string_view start);
  Ev& FollowUp(int months, FollowUpOutcome outcome, absl::string_view date);
  Ev& Target(int64_t target);
  Ev& Active(absl::string_view date);
  Event Build() const;
  operator Event() const { return Build(); }  // NOLINT

 private:
  Event e_;
};

// The catalogue events the enrollment service publishes before any
// application (see the fold's catalogue gate): a TrackAdded for every
// distinct track and a CohortOpened for every distinct cohort that the
// enrollment events of `events` name, dated on the earliest event's day.
std::vector<Event> CatalogueFor(const std::vector<Event>& events);
// `events` preceded by CatalogueFor(events).
std::vector<Event> WithCatalogue(const std::vector<Event>& events);
// Applies to `fold` the catalogue entries `event` needs and the fold lacks
// (TrackAdded, CohortOpened), then `event`; returns the event's outcome.
Fold::Outcome Feed(Fold& fold, const Event& event);

}  // namespace jit::aggregator::testing

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_EVENT_BUILDER_H_
