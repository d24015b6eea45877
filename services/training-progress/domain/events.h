// Domain events of the training-progress service. The events adapter
// (services/training-progress/events) turns them into jobintech.events.v1
// LifecycleEvents on `jobintech.progress.v1`; the store writes them to the
// outbox in the same transaction as the change they describe.
//
// Every event is a trainee event: keyed by trainee id, with the trainee's
// next sequence number (1, 2, ... per trainee across all of the trainee's
// cohorts) and the dimensions of the latest enrollment lookup.
//
// `new_status` is the trainee's status after the change the event reports.
// Transition events (started, completed, dropped out, withdrawn, certificate
// issued / revoked) also carry `previous_status`. The events of one call are
// published in this order: the record (attendance, assessment), then the
// transitions it caused (training started, at risk, training completed).
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_EVENTS_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_EVENTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress {

enum class EventKind {
  kTrainingStarted,     // ENROLLED -> ACTIVE
  kAttendanceRecorded,  // one trainee, one session
  kModulePassed,        // an assessment at or above the pass mark
  kModuleFailed,        // an assessment below the pass mark
  kTraineeAtRisk,       // reached N consecutive unexcused absences
  kTrainingCompleted,   // -> COMPLETED
  kDroppedOut,          // -> DROPPED_OUT
  kTrainingWithdrawn,   // -> WITHDRAWN
  kCertificateIssued,   // COMPLETED -> CERTIFIED
  kCertificateRevoked,  // CERTIFIED -> COMPLETED
};

// "progress.training.started", "progress.attendance.recorded", ...
absl::string_view EventType(EventKind kind);

// True for the kinds that report a status change (previous_status set).
bool IsTransition(EventKind kind);

struct DomainEvent {
  EventKind kind = EventKind::kAttendanceRecorded;
  std::string trainee_id;
  int64_t sequence = 0;  // per trainee, from 1
  absl::Time occurred_at = absl::UnixEpoch();
  std::string request_id;   // of the call that caused the event, may be empty
  std::string traceparent;  // W3C, may be empty
  std::string actor_id;     // pseudonymous (RequestContext::actor_id)
  Dimensions dimensions;
  std::string cohort_id;

  std::optional<TrainingStatus> previous_status;  // transitions only
  TrainingStatus new_status = TrainingStatus::kEnrolled;

  // The day the change took effect: the first session (started), the
  // completion day (completed), the exit day (dropped out, withdrawn), the
  // issue day (certificate issued).
  std::optional<absl::CivilDay> effective_date;
  // kDroppedOut / kCertificateRevoked: the reason code. Staff notes are
  // never part of an event.
  DropOutReason drop_out_reason =
      ::jobintech::common::v1::DROP_OUT_REASON_UNSPECIFIED;
  RevocationReason revocation_reason =
      ::jobintech::common::v1::REVOCATION_REASON_UNSPECIFIED;

  // kAttendanceRecorded.
  std::string module_id;  // also kModulePassed / kModuleFailed
  std::optional<absl::CivilDay> session_date;
  AttendanceMark mark = AttendanceMark::kPresent;
  double attendance_rate = 0;  // after this record

  // kModulePassed / kModuleFailed.
  double score = 0;
  double max_score = 0;
  double pass_mark = 0;
  bool required = false;
  int32_t attempt = 0;
  std::optional<absl::CivilDay> assessed_on;
  double required_passed_ratio = 0;  // after this assessment

  // kTraineeAtRisk.
  int32_t consecutive_unexcused = 0;
  int32_t threshold = 0;

  // kCertificateIssued / kCertificateRevoked.
  std::string certificate_id;
  std::optional<absl::CivilDay> completion_date;  // issued only
};

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_EVENTS_H_
