#include "services/enrollment/domain/events.h"

namespace jit::enrollment {

absl::string_view EventType(EventKind kind) {
  switch (kind) {
    case EventKind::kApplicationSubmitted:
      return "enrollment.application.submitted";
    case EventKind::kApplicationAdmitted:
      return "enrollment.application.admitted";
    case EventKind::kApplicationWaitlisted:
      return "enrollment.application.waitlisted";
    case EventKind::kApplicationRejected:
      return "enrollment.application.rejected";
    case EventKind::kEnrolmentConfirmed:
      return "enrollment.enrolment.confirmed";
    case EventKind::kAdmissionDeclined:
      return "enrollment.admission.declined";
    case EventKind::kEnrolmentWithdrawn:
      return "enrollment.enrolment.withdrawn";
    case EventKind::kCohortOpened:
      return "enrollment.cohort.opened";
    case EventKind::kCohortChanged:
      return "enrollment.cohort.changed";
    case EventKind::kTrackAdded:
      return "enrollment.track.added";
    case EventKind::kProgrammeTargetChanged:
      return "enrollment.programme.target_changed";
  }
  return "enrollment.unknown";
}

EventKind TransitionEventKind(ApplicationStatus status) {
  switch (status) {
    case ApplicationStatus::kApplied:
      return EventKind::kApplicationSubmitted;
    case ApplicationStatus::kAdmitted:
      return EventKind::kApplicationAdmitted;
    case ApplicationStatus::kWaitlisted:
      return EventKind::kApplicationWaitlisted;
    case ApplicationStatus::kRejected:
      return EventKind::kApplicationRejected;
    case ApplicationStatus::kEnrolled:
      return EventKind::kEnrolmentConfirmed;
    case ApplicationStatus::kDeclined:
      return EventKind::kAdmissionDeclined;
    case ApplicationStatus::kWithdrawn:
      return EventKind::kEnrolmentWithdrawn;
  }
  return EventKind::kApplicationSubmitted;
}

}  // namespace jit::enrollment
