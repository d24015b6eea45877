#include "services/enrollment/events/event_mapper.h"

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

namespace jit::enrollment {
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

bool IsTraineeEvent(EventKind kind) {
  switch (kind) {
    case EventKind::kApplicationSubmitted:
    case EventKind::kApplicationAdmitted:
    case EventKind::kApplicationWaitlisted:
    case EventKind::kApplicationRejected:
    case EventKind::kEnrolmentConfirmed:
    case EventKind::kAdmissionDeclined:
    case EventKind::kEnrolmentWithdrawn:
      return true;
    case EventKind::kCohortOpened:
    case EventKind::kCohortChanged:
    case EventKind::kTrackAdded:
    case EventKind::kProgrammeTargetChanged:
      return false;
  }
  return false;
}

absl::Status Validate(const DomainEvent& e) {
  status::FieldViolations v;
  const absl::string_view type = EventType(e.kind);
  if (IsTraineeEvent(e.kind)) {
    if (e.trainee_id.empty()) v.Add("trainee_id", "is required");
    if (!e.aggregate_id.empty()) {
      v.Add("aggregate_id", absl::StrCat("must be empty for ", type));
    }
    if (e.application_id.empty()) v.Add("application_id", "is required");
    if (e.cohort_id.empty()) v.Add("cohort_id", "is required");
    if (TransitionEventKind(e.new_status) != e.kind) {
      v.Add("new_status",
            absl::StrCat(StatusName(e.new_status), " does not match ", type));
    }
    if (e.kind == EventKind::kApplicationSubmitted) {
      if (e.previous_status.has_value()) {
        v.Add("previous_status", "must be empty for a submission");
      }
    } else if (!e.previous_status.has_value()) {
      v.Add("previous_status", absl::StrCat("is required for ", type));
    }
  } else {
    if (!e.trainee_id.empty()) {
      v.Add("trainee_id", absl::StrCat("must be empty for ", type));
    }
    if (e.aggregate_id.empty()) v.Add("aggregate_id", "is required");
    switch (e.kind) {
      case EventKind::kCohortOpened:
      case EventKind::kCohortChanged:
        if (!e.cohort.has_value()) {
          v.Add("cohort", absl::StrCat("is required for ", type));
        } else if (e.cohort->cohort_id != e.aggregate_id) {
          v.Add("aggregate_id", "must be the cohort id");
        }
        break;
      case EventKind::kTrackAdded:
        if (!e.track.has_value()) {
          v.Add("track", absl::StrCat("is required for ", type));
        } else if (e.track->track_id != e.aggregate_id) {
          v.Add("aggregate_id", "must be the track id");
        }
        break;
      case EventKind::kProgrammeTargetChanged:
        if (e.aggregate_id != kProgrammeAggregateId) {
          v.Add("aggregate_id",
                absl::StrCat("must be \"", kProgrammeAggregateId, "\""));
        }
        break;
      default:
        break;
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

void SetCohort(pb::CohortSnapshot* out, const Cohort& c) {
  out->set_cohort_id(c.cohort_id);
  out->set_name(c.name);
  out->set_track_id(c.track_id);
  out->set_centre_id(c.centre_id);
  SetLocation(out->mutable_location(), c.region_code, c.province_code);
  out->set_capacity(c.capacity);
  SetDate(out->mutable_start_date(), c.start_date);
  SetDate(out->mutable_end_date(), c.end_date);
  out->set_state(ToCohortState(c.status));
}

void SetTransition(pb::ApplicationTransition* out, const DomainEvent& e) {
  out->set_application_id(e.application_id);
  out->set_cohort_id(e.cohort_id);
  out->set_previous_state(ToApplicationState(*e.previous_status));
  out->set_new_state(ToApplicationState(e.new_status));
  // The code only, in the field of the transition; the staff's note never
  // leaves the store (the deprecated `reason` string stays empty).
  switch (e.new_status) {
    case ApplicationStatus::kRejected:
      out->set_rejection_reason(
          static_cast<common::RejectionReason>(e.reason_code));
      break;
    case ApplicationStatus::kDeclined:
      out->set_decline_reason(static_cast<common::DeclineReason>(e.reason_code));
      break;
    case ApplicationStatus::kWithdrawn:
      out->set_withdrawal_reason(
          static_cast<common::WithdrawalReason>(e.reason_code));
      break;
    default:
      break;
  }
}

}  // namespace

pb::ApplicationState ToApplicationState(ApplicationStatus status) {
  switch (status) {
    case ApplicationStatus::kApplied:
      return pb::APPLICATION_STATE_APPLIED;
    case ApplicationStatus::kAdmitted:
      return pb::APPLICATION_STATE_ADMITTED;
    case ApplicationStatus::kWaitlisted:
      return pb::APPLICATION_STATE_WAITLISTED;
    case ApplicationStatus::kRejected:
      return pb::APPLICATION_STATE_REJECTED;
    case ApplicationStatus::kEnrolled:
      return pb::APPLICATION_STATE_ENROLLED;
    case ApplicationStatus::kDeclined:
      return pb::APPLICATION_STATE_DECLINED;
    case ApplicationStatus::kWithdrawn:
      return pb::APPLICATION_STATE_WITHDRAWN;
  }
  return pb::APPLICATION_STATE_UNSPECIFIED;
}

pb::CohortState ToCohortState(CohortStatus status) {
  switch (status) {
    case CohortStatus::kPlanned:
      return pb::COHORT_STATE_PLANNED;
    case CohortStatus::kOpen:
      return pb::COHORT_STATE_OPEN;
    case CohortStatus::kRunning:
      return pb::COHORT_STATE_RUNNING;
    case CohortStatus::kClosed:
      return pb::COHORT_STATE_CLOSED;
  }
  return pb::COHORT_STATE_UNSPECIFIED;
}

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
  if (IsTraineeEvent(e.kind))
    protoconv::ToProtoDimensions(e.dimensions, md->mutable_dimensions());

  switch (e.kind) {
    case EventKind::kApplicationSubmitted: {
      pb::ApplicationSubmitted* body = out.mutable_application_submitted();
      body->set_application_id(e.application_id);
      body->set_cohort_id(e.cohort_id);
      body->set_previous_state(pb::APPLICATION_STATE_UNSPECIFIED);
      body->set_new_state(ToApplicationState(e.new_status));
      break;
    }
    case EventKind::kApplicationAdmitted:
      SetTransition(out.mutable_application_admitted(), e);
      break;
    case EventKind::kApplicationWaitlisted:
      SetTransition(out.mutable_application_waitlisted(), e);
      break;
    case EventKind::kApplicationRejected:
      SetTransition(out.mutable_application_rejected(), e);
      break;
    case EventKind::kEnrolmentConfirmed:
      SetTransition(out.mutable_enrolment_confirmed(), e);
      break;
    case EventKind::kAdmissionDeclined:
      SetTransition(out.mutable_admission_declined(), e);
      break;
    case EventKind::kEnrolmentWithdrawn:
      SetTransition(out.mutable_enrolment_withdrawn(), e);
      break;
    case EventKind::kCohortOpened:
      SetCohort(out.mutable_cohort_opened()->mutable_cohort(), *e.cohort);
      break;
    case EventKind::kCohortChanged: {
      pb::CohortChanged* body = out.mutable_cohort_changed();
      SetCohort(body->mutable_cohort(), *e.cohort);
      body->set_previous_capacity(e.previous_capacity);
      body->set_previous_state(e.previous_cohort_status.has_value()
                                   ? ToCohortState(*e.previous_cohort_status)
                                   : pb::COHORT_STATE_UNSPECIFIED);
      break;
    }
    case EventKind::kTrackAdded: {
      pb::TrackAdded* body = out.mutable_track_added();
      body->set_track_id(e.track->track_id);
      body->set_name_fr(e.track->name_fr);
      body->set_name_ar(e.track->name_ar);
      break;
    }
    case EventKind::kProgrammeTargetChanged: {
      pb::ProgrammeTargetChanged* body = out.mutable_programme_target_changed();
      body->set_previous_target(e.previous_target);
      body->set_national_target(e.national_target);
      break;
    }
  }
  return out;
}

absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(const DomainEvent& e) {
  ASSIGN_OR_RETURN(pb::LifecycleEvent event, ToLifecycleEvent(e));
  // A malformed traceparent would make consumers dead-letter the record.
  return events::ToOutboxMessage(
      event, kafka::kEnrollmentTopic,
      log::IsValidTraceparent(e.traceparent) ? e.traceparent : "");
}

}  // namespace jit::enrollment
