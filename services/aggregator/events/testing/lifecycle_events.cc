#include "services/aggregator/events/testing/lifecycle_events.h"

#include <cstdlib>
#include <set>

#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/kafka/topics.h"

namespace jit::aggregator::testing {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;

class AtClock final : public Clock {
 public:
  explicit AtClock(absl::Time t) : t_(t) {}
  absl::Time Now() const override { return t_; }

 private:
  absl::Time t_;
};

LifecycleEvent Base(const Trainee& t, const char* type, const char* source, int64_t seq,
                    absl::Time at) {
  LifecycleEvent e;
  events::StampMetadata(e, type, source, AtClock(at));
  auto* md = e.mutable_metadata();
  md->set_trainee_id(t.trainee_id);
  md->set_sequence(seq);
  auto* d = md->mutable_dimensions();
  d->set_gender(t.gender);
  d->mutable_training_location()->set_province_code(t.province_code);
  d->set_track_id(t.track_id);
  d->set_cohort_id(t.cohort_id);
  return e;
}

void SetDate(common::Date* d, absl::Time t) {
  const absl::CivilDay c = absl::ToCivilDay(t, absl::UTCTimeZone());
  d->set_year(static_cast<int32_t>(c.year()));
  d->set_month(c.month());
  d->set_day(c.day());
}

void Transition(pb::ApplicationTransition* tr, const Trainee& t, pb::ApplicationState from,
                pb::ApplicationState to) {
  tr->set_application_id("app-" + t.trainee_id);
  tr->set_cohort_id(t.cohort_id);
  tr->set_previous_state(from);
  tr->set_new_state(to);
}

}  // namespace

LifecycleEvent Submitted(const Trainee& t, int64_t seq, absl::Time at) {
  LifecycleEvent e = Base(t, "enrollment.application.submitted", "jobintech/enrollment", seq, at);
  auto* b = e.mutable_application_submitted();
  b->set_application_id("app-" + t.trainee_id);
  b->set_cohort_id(t.cohort_id);
  b->set_new_state(pb::APPLICATION_STATE_APPLIED);
  return e;
}

LifecycleEvent Admitted(const Trainee& t, int64_t seq, absl::Time at) {
  LifecycleEvent e = Base(t, "enrollment.application.admitted", "jobintech/enrollment", seq, at);
  Transition(e.mutable_application_admitted(), t, pb::APPLICATION_STATE_APPLIED,
             pb::APPLICATION_STATE_ADMITTED);
  return e;
}

LifecycleEvent Confirmed(const Trainee& t, int64_t seq, absl::Time at) {
  LifecycleEvent e = Base(t, "enrollment.enrolment.confirmed", "jobintech/enrollment", seq, at);
  Transition(e.mutable_enrolment_confirmed(), t, pb::APPLICATION_STATE_ADMITTED,
             pb::APPLICATION_STATE_ENROLLED);
  return e;
}

LifecycleEvent Started(const Trainee& t, int64_t seq, absl::Time at) {
  LifecycleEvent e =
      Base(t, "progress.training.started", "jobintech/training-progress", seq, at);
  auto* b = e.mutable_training_started();
  b->set_cohort_id(t.cohort_id);
  b->set_previous_state(pb::TRAINING_STATE_ENROLLED);
  b->set_new_state(pb::TRAINING_STATE_ACTIVE);
  SetDate(b->mutable_effective_date(), at);
  return e;
}

LifecycleEvent Completed(const Trainee& t, int64_t seq, absl::Time at) {
  LifecycleEvent e =
      Base(t, "progress.training.completed", "jobintech/training-progress", seq, at);
  auto* b = e.mutable_training_completed();
  b->set_cohort_id(t.cohort_id);
  b->set_previous_state(pb::TRAINING_STATE_ACTIVE);
  b->set_new_state(pb::TRAINING_STATE_COMPLETED);
  SetDate(b->mutable_effective_date(), at);
  return e;
}

LifecycleEvent Placed(const Trainee& t, int64_t seq, absl::Time at, absl::Time exit,
                      absl::Time start) {
  LifecycleEvent e = Base(t, "placement.placement.started", "jobintech/placement", seq, at);
  auto* b = e.mutable_placement_started();
  b->mutable_exit()->set_kind(pb::EXIT_KIND_COMPLETED);
  b->mutable_exit()->set_cohort_id(t.cohort_id);
  SetDate(b->mutable_exit()->mutable_exit_date(), exit);
  b->set_placement_id("plc-" + t.trainee_id);
  b->set_type(pb::PLACEMENT_TYPE_SALARIED_PERMANENT);
  SetDate(b->mutable_start_date(), start);
  b->set_previous_state(pb::PLACEMENT_STATE_OFFERED);
  b->set_new_state(pb::PLACEMENT_STATE_PLACED);
  return e;
}

LifecycleEvent TargetChanged(int64_t seq, int32_t target, absl::Time at) {
  LifecycleEvent e;
  events::StampMetadata(e, "enrollment.programme.target_changed", "jobintech/enrollment",
                        AtClock(at));
  e.mutable_metadata()->set_aggregate_id("programme");
  e.mutable_metadata()->set_sequence(seq);
  e.mutable_programme_target_changed()->set_national_target(target);
  return e;
}

LifecycleEvent TrackAdded(const std::string& track_id, absl::Time at) {
  LifecycleEvent e;
  events::StampMetadata(e, "enrollment.track.added", "jobintech/enrollment", AtClock(at));
  e.mutable_metadata()->set_aggregate_id(track_id);
  e.mutable_metadata()->set_sequence(1);
  pb::TrackAdded* b = e.mutable_track_added();
  b->set_track_id(track_id);
  b->set_name_fr(track_id);
  b->set_name_ar(track_id);
  return e;
}

LifecycleEvent CohortOpened(const Trainee& t, absl::Time at) {
  LifecycleEvent e;
  events::StampMetadata(e, "enrollment.cohort.opened", "jobintech/enrollment", AtClock(at));
  e.mutable_metadata()->set_aggregate_id(t.cohort_id);
  e.mutable_metadata()->set_sequence(1);
  pb::CohortSnapshot* c = e.mutable_cohort_opened()->mutable_cohort();
  c->set_cohort_id(t.cohort_id);
  c->set_name(t.cohort_id);
  c->set_track_id(t.track_id);
  c->mutable_location()->set_province_code(t.province_code);
  c->set_capacity(30);
  return e;
}

std::vector<kafka::Message> CatalogueRecords(const std::vector<Trainee>& trainees,
                                             absl::Time at) {
  std::set<std::string> tracks, cohorts;
  std::vector<kafka::Message> out;
  for (const Trainee& t : trainees) {
    if (tracks.insert(t.track_id).second) {
      out.push_back(ToRecord(TrackAdded(t.track_id, at), kafka::kEnrollmentTopic));
    }
    if (cohorts.insert(t.cohort_id).second) {
      out.push_back(ToRecord(CohortOpened(t, at), kafka::kEnrollmentTopic));
    }
  }
  return out;
}

kafka::Message ToRecord(const LifecycleEvent& event, const std::string& topic) {
  auto row = events::ToOutboxMessage(event, topic, "");
  if (!row.ok()) std::abort();
  return kafka::Message{row->topic, row->key, row->payload, row->headers};
}

}  // namespace jit::aggregator::testing
