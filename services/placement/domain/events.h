// Domain events of the placement service. The events adapter
// (services/placement/events) turns them into jobintech.events.v1
// LifecycleEvents; the store writes them to the outbox in the same
// transaction as the change they describe.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_EVENTS_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/placement/domain/model.h"

namespace jit::placement {

enum class EventKind {
  // Trainee events (keyed by trainee id, per-trainee sequence).
  kJobSearchStarted,
  kOfferRecorded,
  kPlacementStarted,
  kPlacementVerified,
  kPlacementEnded,
  kFollowUpRecorded,
  // Catalogue events (keyed by their own id, per-aggregate sequence).
  kEmployerRegistered,  // aggregate: employer id
  kJobOfferPosted,      // aggregate: job offer id
};

// "placement.job_search.started", "placement.employer.registered", ...
absl::string_view EventType(EventKind kind);

bool IsTraineeEvent(EventKind kind);

struct DomainEvent {
  EventKind kind = EventKind::kJobSearchStarted;
  // Exactly one of trainee_id / aggregate_id is set.
  std::string trainee_id;
  std::string aggregate_id;
  // 1, 2, ... per trainee (trainee events) or per aggregate.
  int64_t sequence = 0;
  absl::Time occurred_at = absl::UnixEpoch();
  std::string request_id;
  std::string traceparent;  // W3C, may be empty
  std::string actor_id;     // pseudonymous (RequestContext::actor_id)

  // Trainee events: the trainee's dimensions and exit, and the placement
  // state before and after (equal for verifications and follow-ups).
  Dimensions dimensions;
  TraineeExit exit;
  PlacementState previous_state =
      ::jobintech::events::v1::PLACEMENT_STATE_UNSPECIFIED;
  PlacementState new_state =
      ::jobintech::events::v1::PLACEMENT_STATE_UNSPECIFIED;

  // kOfferRecorded.
  std::optional<Offer> offer;
  // kPlacementStarted / kPlacementVerified / kPlacementEnded: the placement
  // after the change.
  std::optional<Placement> placement;
  // kPlacementVerified.
  VerificationSource previous_verification =
      ::jobintech::events::v1::VERIFICATION_SOURCE_UNSPECIFIED;
  // kFollowUpRecorded: the recorded follow-up.
  std::optional<FollowUp> follow_up;
  // kEmployerRegistered; kPlacementStarted: the placement's employer (for its
  // sector and location), absent for self-employment and further study.
  std::optional<Employer> employer;
  // kJobOfferPosted.
  std::optional<JobOffer> job_offer;
};

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_EVENTS_H_
