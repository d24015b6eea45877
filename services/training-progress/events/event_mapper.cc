#include "services/training-progress/events/event_mapper.h"

#include <cmath>
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

namespace jit::progress {
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

// The status a transition of `kind` must end in; nullopt for record events
// (any status) and for the withdrawal/drop-out/start kinds checked below.
std::optional<TrainingStatus> RequiredNewStatus(EventKind kind) {
  switch (kind) {
    case EventKind::kTrainingStarted:
      return TrainingStatus::kActive;
    case EventKind::kTrainingCompleted:
      return TrainingStatus::kCompleted;
    case EventKind::kDroppedOut:
      return TrainingStatus::kDroppedOut;
    case EventKind::kTrainingWithdrawn:
      return TrainingStatus::kWithdrawn;
    case EventKind::kCertificateIssued:
      return TrainingStatus::kCertified;
    case EventKind::kCertificateRevoked:
      return TrainingStatus::kCompleted;
    case EventKind::kAttendanceRecorded:
    case EventKind::kModulePassed:
    case EventKind::kModuleFailed:
    case EventKind::kTraineeAtRisk:
      return std::nullopt;
  }
  return std::nullopt;
}

bool IsRatio(double r) { return std::isfinite(r) && r >= 0 && r <= 1; }

absl::Status Validate(const DomainEvent& e) {
  status::FieldViolations v;
  const absl::string_view type = EventType(e.kind);
  if (e.trainee_id.empty()) v.Add("trainee_id", "is required");
  if (e.cohort_id.empty()) v.Add("cohort_id", "is required");
  if (e.sequence < 1) v.Add("sequence", "must be >= 1");
  if (e.occurred_at <= absl::UnixEpoch()) {
    v.Add("occurred_at", "must be after the Unix epoch");
  }
  if (IsTransition(e.kind)) {
    if (!e.previous_status.has_value()) {
      v.Add("previous_status", absl::StrCat("is required for ", type));
    }
    if (RequiredNewStatus(e.kind) != e.new_status) {
      v.Add("new_status",
            absl::StrCat(StatusName(e.new_status), " does not match ", type));
    }
    if (!e.effective_date.has_value() &&
        e.kind != EventKind::kCertificateRevoked) {
      v.Add("effective_date", absl::StrCat("is required for ", type));
    }
  } else if (e.previous_status.has_value()) {
    v.Add("previous_status", absl::StrCat("must be empty for ", type));
  }
  switch (e.kind) {
    case EventKind::kAttendanceRecorded:
      if (e.module_id.empty()) v.Add("module_id", "is required");
      if (!e.session_date.has_value()) v.Add("session_date", "is required");
      if (!IsRatio(e.attendance_rate)) {
        v.Add("attendance_rate", "must be in [0, 1]");
      }
      break;
    case EventKind::kModulePassed:
    case EventKind::kModuleFailed:
      if (e.module_id.empty()) v.Add("module_id", "is required");
      if (!e.assessed_on.has_value()) v.Add("assessed_on", "is required");
      if (e.attempt < 1) v.Add("attempt", "must be >= 1");
      if (!IsRatio(e.required_passed_ratio)) {
        v.Add("required_passed_ratio", "must be in [0, 1]");
      }
      if ((e.kind == EventKind::kModulePassed) != (e.score >= e.pass_mark)) {
        v.Add("score", absl::StrCat("does not match ", type));
      }
      break;
    case EventKind::kTraineeAtRisk:
      if (e.threshold < 1) v.Add("threshold", "must be >= 1");
      if (e.consecutive_unexcused < e.threshold) {
        v.Add("consecutive_unexcused", "must reach the threshold");
      }
      break;
    case EventKind::kCertificateIssued:
      if (e.certificate_id.empty()) v.Add("certificate_id", "is required");
      break;
    case EventKind::kCertificateRevoked:
      if (e.certificate_id.empty()) v.Add("certificate_id", "is required");
      if (e.revocation_reason == 0) v.Add("revocation_reason", "is required");
      break;
    case EventKind::kDroppedOut:
      if (e.drop_out_reason == 0) v.Add("drop_out_reason", "is required");
      break;
    case EventKind::kTrainingWithdrawn:
      break;
    case EventKind::kTrainingStarted:
    case EventKind::kTrainingCompleted:
      break;
  }
  return v.ToStatus();
}

void SetDate(common::Date* out, const std::optional<absl::CivilDay>& day) {
  if (day.has_value()) *out = protoconv::ToProtoDate(*day);
}

using protoconv::SetLocation;

void SetTransition(pb::TrainingTransition* out, const DomainEvent& e) {
  out->set_cohort_id(e.cohort_id);
  out->set_previous_state(ToTrainingState(*e.previous_status));
  out->set_new_state(ToTrainingState(e.new_status));
  SetDate(out->mutable_effective_date(), e.effective_date);
}

void SetAssessed(pb::ModuleAssessed* out, const DomainEvent& e) {
  out->set_cohort_id(e.cohort_id);
  out->set_module_id(e.module_id);
  out->set_score(e.score);
  out->set_max_score(e.max_score);
  out->set_pass_mark(e.pass_mark);
  out->set_required(e.required);
  out->set_attempt(e.attempt);
  SetDate(out->mutable_assessed_on(), e.assessed_on);
  out->set_required_passed_ratio(e.required_passed_ratio);
  out->set_state(ToTrainingState(e.new_status));
}

void SetExited(pb::TrainingExited* out, const DomainEvent& e) {
  out->set_cohort_id(e.cohort_id);
  out->set_previous_state(ToTrainingState(*e.previous_status));
  out->set_new_state(ToTrainingState(e.new_status));
  // The code only: the staff's note never leaves the store.
  out->set_drop_out_reason(e.drop_out_reason);
  SetDate(out->mutable_exit_date(), e.effective_date);
}

}  // namespace

pb::TrainingState ToTrainingState(TrainingStatus status) {
  switch (status) {
    case TrainingStatus::kEnrolled:
      return pb::TRAINING_STATE_ENROLLED;
    case TrainingStatus::kActive:
      return pb::TRAINING_STATE_ACTIVE;
    case TrainingStatus::kCompleted:
      return pb::TRAINING_STATE_COMPLETED;
    case TrainingStatus::kDroppedOut:
      return pb::TRAINING_STATE_DROPPED_OUT;
    case TrainingStatus::kCertified:
      return pb::TRAINING_STATE_CERTIFIED;
    case TrainingStatus::kWithdrawn:
      return pb::TRAINING_STATE_WITHDRAWN;
  }
  return pb::TRAINING_STATE_UNSPECIFIED;
}

pb::AttendanceMark ToAttendanceMark(AttendanceMark mark) {
  switch (mark) {
    case AttendanceMark::kPresent:
      return pb::ATTENDANCE_MARK_PRESENT;
    case AttendanceMark::kExcusedAbsence:
      return pb::ATTENDANCE_MARK_EXCUSED_ABSENCE;
    case AttendanceMark::kUnexcusedAbsence:
      return pb::ATTENDANCE_MARK_UNEXCUSED_ABSENCE;
  }
  return pb::ATTENDANCE_MARK_UNSPECIFIED;
}

pb::ExitKind ToExitKind(ExitKind kind) {
  switch (kind) {
    case ExitKind::kCompleted:
      return pb::EXIT_KIND_COMPLETED;
    case ExitKind::kDroppedOut:
      return pb::EXIT_KIND_DROPPED_OUT;
    case ExitKind::kWithdrawn:
      return pb::EXIT_KIND_WITHDRAWN;
  }
  return pb::EXIT_KIND_UNSPECIFIED;
}

absl::StatusOr<pb::LifecycleEvent> ToLifecycleEvent(const DomainEvent& e) {
  RETURN_IF_ERROR(Validate(e));
  pb::LifecycleEvent out;
  const FixedClock at(e.occurred_at);
  events::StampMetadata(out, EventType(e.kind), kEventSource, at);
  pb::EventMetadata* md = out.mutable_metadata();
  md->set_trainee_id(e.trainee_id);
  md->set_sequence(e.sequence);
  md->set_request_id(e.request_id);
  md->set_trace_id(log::TraceIdFromTraceparent(e.traceparent));
  md->set_actor_id(e.actor_id);
  protoconv::ToProtoDimensions(e.dimensions, md->mutable_dimensions());

  switch (e.kind) {
    case EventKind::kTrainingStarted:
      SetTransition(out.mutable_training_started(), e);
      break;
    case EventKind::kTrainingCompleted:
      SetTransition(out.mutable_training_completed(), e);
      break;
    case EventKind::kAttendanceRecorded: {
      pb::AttendanceRecorded* body = out.mutable_attendance_recorded();
      body->set_cohort_id(e.cohort_id);
      body->set_module_id(e.module_id);
      SetDate(body->mutable_session_date(), e.session_date);
      body->set_mark(ToAttendanceMark(e.mark));
      body->set_attendance_rate(e.attendance_rate);
      body->set_state(ToTrainingState(e.new_status));
      break;
    }
    case EventKind::kModulePassed:
      SetAssessed(out.mutable_module_passed(), e);
      break;
    case EventKind::kModuleFailed:
      SetAssessed(out.mutable_module_failed(), e);
      break;
    case EventKind::kTraineeAtRisk: {
      pb::TraineeAtRisk* body = out.mutable_trainee_at_risk();
      body->set_cohort_id(e.cohort_id);
      body->set_consecutive_unexcused_absences(e.consecutive_unexcused);
      body->set_threshold(e.threshold);
      body->set_state(ToTrainingState(e.new_status));
      break;
    }
    case EventKind::kDroppedOut:
      SetExited(out.mutable_dropped_out(), e);
      break;
    case EventKind::kTrainingWithdrawn:
      SetExited(out.mutable_training_withdrawn(), e);
      break;
    case EventKind::kCertificateIssued: {
      pb::CertificateIssued* body = out.mutable_certificate_issued();
      body->set_cohort_id(e.cohort_id);
      body->set_certificate_id(e.certificate_id);
      body->set_previous_state(ToTrainingState(*e.previous_status));
      body->set_new_state(ToTrainingState(e.new_status));
      SetDate(body->mutable_issued_on(), e.effective_date);
      SetDate(body->mutable_completion_date(), e.completion_date);
      break;
    }
    case EventKind::kCertificateRevoked: {
      pb::CertificateRevoked* body = out.mutable_certificate_revoked();
      body->set_cohort_id(e.cohort_id);
      body->set_certificate_id(e.certificate_id);
      body->set_previous_state(ToTrainingState(*e.previous_status));
      body->set_new_state(ToTrainingState(e.new_status));
      body->set_revocation_reason(e.revocation_reason);
      break;
    }
  }
  return out;
}

absl::StatusOr<outbox::OutboxMessage> ToOutboxMessage(const DomainEvent& e) {
  ASSIGN_OR_RETURN(pb::LifecycleEvent event, ToLifecycleEvent(e));
  // A malformed traceparent would make consumers dead-letter the record.
  return events::ToOutboxMessage(
      event, kafka::kProgressTopic,
      log::IsValidTraceparent(e.traceparent) ? e.traceparent : "");
}

}  // namespace jit::progress
