// Domain events of the enrollment service. The events adapter
// (services/enrollment/events) turns them into jobintech.events.v1
// LifecycleEvents; the store writes them to the outbox in the same
// transaction as the change they describe.
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_EVENTS_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/enrollment/domain/model.h"

namespace jit::enrollment {

enum class EventKind {
  // Trainee events (keyed by trainee id, per-trainee sequence).
  kApplicationSubmitted,
  kApplicationAdmitted,
  kApplicationWaitlisted,
  kApplicationRejected,
  kEnrolmentConfirmed,
  kAdmissionDeclined,
  kEnrolmentWithdrawn,
  // Catalogue events (keyed by aggregate id, per-aggregate sequence).
  kCohortOpened,     // aggregate: cohort id
  kCohortChanged,    // aggregate: cohort id
  kTrackAdded,       // aggregate: track id
  kProgrammeTargetChanged,  // aggregate: "programme"
};

// "enrollment.application.submitted", "enrollment.cohort.opened", ...
absl::string_view EventType(EventKind kind);

// The trainee event that records a move to `status`.
EventKind TransitionEventKind(ApplicationStatus status);

inline constexpr char kProgrammeAggregateId[] = "programme";

struct DomainEvent {
  EventKind kind = EventKind::kApplicationSubmitted;
  // Exactly one of trainee_id / aggregate_id is set.
  std::string trainee_id;
  std::string aggregate_id;
  // 1, 2, ... per trainee (trainee events) or per aggregate.
  int64_t sequence = 0;
  absl::Time occurred_at = absl::UnixEpoch();
  std::string request_id;
  std::string traceparent;  // W3C, may be empty
  std::string actor_id;     // pseudonymous (RequestContext::actor_id)

  // Trainee events.
  Dimensions dimensions;
  std::string application_id;
  std::string cohort_id;
  std::optional<ApplicationStatus> previous_status;  // nullopt on submit
  ApplicationStatus new_status = ApplicationStatus::kApplied;
  // Rejections, declines, withdrawals: the reason code (Application::
  // reason_code). The staff's note is never part of an event.
  int32_t reason_code = 0;

  // kCohortOpened / kCohortChanged: the cohort after the change.
  std::optional<Cohort> cohort;
  int32_t previous_capacity = 0;
  std::optional<CohortStatus> previous_cohort_status;

  // kTrackAdded.
  std::optional<Track> track;

  // kProgrammeTargetChanged.
  int32_t previous_target = 0;
  int32_t national_target = 0;
};

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_EVENTS_H_
