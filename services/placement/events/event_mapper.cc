#include "services/placement/events/event_mapper.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/kafka/topics.h"
#include "libs/log/trace.h"
#include "libs/protoconv/common.h"
#include "libs/status/field_violations.h"
#include "libs/status/status_macros.h"

namespace jit::placement {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;

// A clock stopped at one instant: stamps the envelope (event id, occurred
// time) with the time the domain says the change happened.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(absl::Time t) : t_(t) {}
  absl::Time Now() const override { return t_; }

 private:
  const absl::Time t_;
};

absl::Status Validate(const DomainEvent& e) {
  status::FieldViolations v;
  const absl::string_view type = EventType(e.kind);
  if (IsTraineeEvent(e.kind)) {
    if (e.trainee_id.empty()) v.Add("trainee_id", "is required");
    if (!e.aggregate_id.empty()) {
      v.Add("aggregate_id", absl::StrCat("must be empty for ", type));
    }
    if (e.exit.kind == pb::EXIT_KIND_UNSPECIFIED) {
      v.Add("exit.kind", absl::StrCat("is required for ", type));
    }
    if (e.new_state == pb::PLACEMENT_STATE_UNSPECIFIED) {
      v.Add("new_state", absl::StrCat("is required for ", type));
    }
    const bool first = e.kind == EventKind::kJobSearchStarted;
    if (first != (e.previous_state == pb::PLACEMENT_STATE_UNSPECIFIED)) {
      v.Add("previous_state", first ? "must be unset when the job search starts"
                                    : absl::StrCat("is required for ", type));
    }
    switch (e.kind) {
      case EventKind::kOfferRecorded:
        if (!e.offer.has_value()) {
          v.Add("offer", absl::StrCat("is required for ", type));
        }
        break;
      case EventKind::kPlacementStarted:
      case EventKind::kPlacementVerified:
      case EventKind::kPlacementEnded:
        if (!e.placement.has_value()) {
          v.Add("placement", absl::StrCat("is required for ", type));
        } else if (e.kind == EventKind::kPlacementEnded) {
          if (!e.placement->end_date.has_value()) {
            v.Add("placement.end_date", "is required for an ended placement");
          }
          if (e.placement->end_reason_code == 0) {
            v.Add("placement.end_reason_code",
                  "is required for an ended placement");
          }
        }
        break;
      case EventKind::kFollowUpRecorded:
        if (!e.follow_up.has_value()) {
          v.Add("follow_up", absl::StrCat("is required for ", type));
        } else if (!e.follow_up->recorded_on.has_value()) {
          v.Add("follow_up.recorded_on", "is required");
        }
        break;
      default:
        break;
    }
  } else {
    if (!e.trainee_id.empty()) {
      v.Add("trainee_id", absl::StrCat("must be empty for ", type));
    }
    if (e.aggregate_id.empty()) v.Add("aggregate_id", "is required");
    if (e.kind == EventKind::kEmployerRegistered) {
      if (!e.employer.has_value()) {
        v.Add("employer", absl::StrCat("is required for ", type));
      } else if (e.employer->employer_id != e.aggregate_id) {
        v.Add("aggregate_id", "must be the employer id");
      }
    } else if (e.kind == EventKind::kJobOfferPosted) {
      if (!e.job_offer.has_value()) {
        v.Add("job_offer", absl::StrCat("is required for ", type));
      } else if (e.job_offer->job_offer_id != e.aggregate_id) {
        v.Add("aggregate_id", "must be the job offer id");
      }
    }
  }
  if (e.sequence < 1) v.Add("sequence", "must be >= 1");
  if (e.occurred_at <= absl::UnixEpoch()) {
    v.Add("occurred_at", "must be after the Unix epoch");
  }
  return v.ToStatus();
}

using protoconv::SetLocation;

void SetDate(common::Date* out, absl::CivilDay day) {
  *out = protoconv::ToProtoDate(day);
}

void SetExit(pb::TraineeExit* out, const TraineeExit& exit) {
  out->set_kind(exit.kind);
  SetDate(out->mutable_exit_date(), exit.date);
  out->set_cohort_id(exit.cohort_id);
}

}  // namespace

absl::StatusOr<pb::LifecycleEvent> ToLifecycleEvent(const DomainEvent& e) {
  RETURN_IF_ERROR(Validate(e));
  pb::LifecycleEvent out;
  const FixedClock at(e.occurred_at);
  events::StampMetadata(out, EventType(e.kind), kEventSource, at);
  pb::EventMetadata* md = out.mutable_metadata();
  md->set_trainee_id(e.trainee_id);
  md->set_aggregate_id(e.aggregate_id);
  md->set_sequence(e.sequence);
  md->set_request_id(e.request_id);
  md->set_trace_id(log::TraceIdFromTraceparent(e.traceparent));
  md->set_actor_id(e.actor_id);
  if (IsTraineeEvent(e.kind)) {
    protoconv::ToProtoDimensions(e.dimensions, md->mutable_dimensions());
  }

  switch (e.kind) {
    case EventKind::kJobSearchStarted: {
      pb::JobSearchStarted* body = out.mutable_job_search_started();
      SetExit(body->mutable_exit(), e.exit);
      body->set_previous_state(e.previous_state);
      body->set_new_state(e.new_state);
      break;
    }
    case EventKind::kOfferRecorded: {
      pb::OfferRecorded* body = out.mutable_offer_recorded();
      SetExit(body->mutable_exit(), e.exit);
      body->set_offer_id(e.offer->offer_id);
      body->set_job_offer_id(e.offer->job_offer_id);
      body->set_employer_id(e.offer->employer_id);
      SetDate(body->mutable_offered_on(), e.offer->offered_on);
      body->set_previous_state(e.previous_state);
      body->set_new_state(e.new_state);
      break;
    }
    case EventKind::kPlacementStarted: {
      pb::PlacementStarted* body = out.mutable_placement_started();
      const Placement& p = *e.placement;
      SetExit(body->mutable_exit(), e.exit);
      body->set_placement_id(p.placement_id);
      body->set_type(p.type);
      body->set_employer_id(p.employer_id);
      if (e.employer.has_value()) {
        body->set_employer_sector(e.employer->sector);
        SetLocation(body->mutable_employer_location(), e.employer->region_code,
                    e.employer->province_code);
      }
      SetDate(body->mutable_start_date(), p.start_date);
      body->set_salary_band(p.salary_band);
      body->set_verification(p.verification);
      body->set_days_from_exit(
          static_cast<int32_t>(p.start_date - e.exit.date));
      body->set_previous_state(e.previous_state);
      body->set_new_state(e.new_state);
      break;
    }
    case EventKind::kPlacementVerified: {
      pb::PlacementVerified* body = out.mutable_placement_verified();
      SetExit(body->mutable_exit(), e.exit);
      body->set_placement_id(e.placement->placement_id);
      body->set_previous_verification(e.previous_verification);
      body->set_verification(e.placement->verification);
      body->set_previous_state(e.previous_state);
      body->set_new_state(e.new_state);
      break;
    }
    case EventKind::kPlacementEnded: {
      pb::PlacementEnded* body = out.mutable_placement_ended();
      SetExit(body->mutable_exit(), e.exit);
      body->set_placement_id(e.placement->placement_id);
      SetDate(body->mutable_end_date(), *e.placement->end_date);
      // The code only: the staff's note never leaves the store.
      body->set_end_reason(e.placement->end_reason_code);
      body->set_previous_state(e.previous_state);
      body->set_new_state(e.new_state);
      break;
    }
    case EventKind::kFollowUpRecorded: {
      pb::FollowUpRecorded* body = out.mutable_follow_up_recorded();
      const FollowUp& f = *e.follow_up;
      SetExit(body->mutable_exit(), e.exit);
      body->set_months_after_exit(f.months);
      body->set_outcome(f.outcome);
      body->set_placement_id(f.placement_id);
      body->set_employer_id(f.employer_id);
      SetDate(body->mutable_recorded_on(), *f.recorded_on);
      body->set_previous_state(e.previous_state);
      body->set_new_state(e.new_state);
      break;
    }
    case EventKind::kEmployerRegistered: {
      pb::EmployerRegistered* body = out.mutable_employer_registered();
      body->set_employer_id(e.employer->employer_id);
      body->set_sector(e.employer->sector);
      SetLocation(body->mutable_location(), e.employer->region_code,
                  e.employer->province_code);
      body->set_partner(e.employer->partner);
      break;
    }
    case EventKind::kJobOfferPosted: {
      pb::JobOfferPosted* body = out.mutable_job_offer_posted();
      const JobOffer& o = *e.job_offer;
      body->set_job_offer_id(o.job_offer_id);
      body->set_employer_id(o.employer_id);
      body->set_track_id(o.track_id);
      SetLocation(body->mutable_location(), o.region_code, o.province_code);
      body->set_contract_type(o.contract_type);
      body->set_salary_band(o.salary_band);
      body->set_openings(o.openings);
      break;
    }
  }
  return out;
}

absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(const DomainEvent& e) {
  ASSIGN_OR_RETURN(pb::LifecycleEvent event, ToLifecycleEvent(e));
  // A malformed traceparent would make consumers dead-letter the record.
  return events::ToOutboxMessage(
      event, kafka::kPlacementTopic,
      log::IsValidTraceparent(e.traceparent) ? e.traceparent : "");
}

}  // namespace jit::placement
