// Well-formed LifecycleEvents for the aggregator's integration tests, as the
// three services would publish them, and their Kafka records.
#ifndef JIT_SERVICES_AGGREGATOR_EVENTS_TESTING_LIFECYCLE_EVENTS_H_
#define JIT_SERVICES_AGGREGATOR_EVENTS_TESTING_LIFECYCLE_EVENTS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/kafka/message.h"

namespace jit::aggregator::testing {

struct Trainee {
  std::string trainee_id;
  std::string cohort_id = "coh-1";
  std::string province_code = "MA-FQH";
  std::string track_id = "cybersecurity";
  jobintech::common::v1::Gender gender = jobintech::common::v1::GENDER_FEMALE;
};

using jobintech::events::v1::LifecycleEvent;

LifecycleEvent Submitted(const Trainee& t, int64_t seq, absl::Time at);
LifecycleEvent Admitted(const Trainee& t, int64_t seq, absl::Time at);
LifecycleEvent Confirmed(const Trainee& t, int64_t seq, absl::Time at);
LifecycleEvent Started(const Trainee& t, int64_t seq, absl::Time at);
LifecycleEvent Completed(const Trainee& t, int64_t seq, absl::Time at);
LifecycleEvent Placed(const Trainee& t, int64_t seq, absl::Time at, absl::Time exit,
                      absl::Time start);
LifecycleEvent TargetChanged(int64_t seq, int32_t target, absl::Time at);
// The catalogue entries of `t`'s journey, as the enrollment service
// publishes them before any application: its track and its cohort.
LifecycleEvent TrackAdded(const std::string& track_id, absl::Time at);
LifecycleEvent CohortOpened(const Trainee& t, absl::Time at);
// The enrollment-topic records cataloguing every distinct track and cohort
// of `trainees` (the aggregator counts a journey only once both are known).
std::vector<kafka::Message> CatalogueRecords(const std::vector<Trainee>& trainees,
                                             absl::Time at);

// The record the outbox relay would publish on `topic` (key, value,
// CloudEvents headers).
kafka::Message ToRecord(const LifecycleEvent& event, const std::string& topic);

}  // namespace jit::aggregator::testing

#endif  // JIT_SERVICES_AGGREGATOR_EVENTS_TESTING_LIFECYCLE_EVENTS_H_
