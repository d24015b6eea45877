#include "services/placement/domain/events.h"

namespace jit::placement {

absl::string_view EventType(EventKind kind) {
  switch (kind) {
    case EventKind::kJobSearchStarted:
      return "placement.job_search.started";
    case EventKind::kOfferRecorded:
      return "placement.offer.recorded";
    case EventKind::kPlacementStarted:
      return "placement.placement.started";
    case EventKind::kPlacementVerified:
      return "placement.placement.verified";
    case EventKind::kPlacementEnded:
      return "placement.placement.ended";
    case EventKind::kFollowUpRecorded:
      return "placement.follow_up.recorded";
    case EventKind::kEmployerRegistered:
      return "placement.employer.registered";
    case EventKind::kJobOfferPosted:
      return "placement.job_offer.posted";
  }
  return "placement.unknown";
}

bool IsTraineeEvent(EventKind kind) {
  switch (kind) {
    case EventKind::kJobSearchStarted:
    case EventKind::kOfferRecorded:
    case EventKind::kPlacementStarted:
    case EventKind::kPlacementVerified:
    case EventKind::kPlacementEnded:
    case EventKind::kFollowUpRecorded:
      return true;
    case EventKind::kEmployerRegistered:
    case EventKind::kJobOfferPosted:
      return false;
  }
  return false;
}

}  // namespace jit::placement
