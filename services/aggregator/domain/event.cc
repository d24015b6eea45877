#include "services/aggregator/domain/event.h"

namespace jit::aggregator {

absl::string_view StreamName(Stream stream) {
  switch (stream) {
    case Stream::kEnrollment: return "enrollment";
    case Stream::kProgress: return "progress";
    case Stream::kPlacement: return "placement";
  }
  return "unknown";
}

Stream StreamOf(EventKind kind) {
  switch (kind) {
    case EventKind::kApplicationSubmitted:
    case EventKind::kApplicationAdmitted:
    case EventKind::kApplicationWaitlisted:
    case EventKind::kApplicationRejected:
    case EventKind::kEnrolmentConfirmed:
    case EventKind::kAdmissionDeclined:
    case EventKind::kEnrolmentWithdrawn:
    case EventKind::kCohortOpened:
    case EventKind::kCohortChanged:
    case EventKind::kTrackAdded:
    case EventKind::kProgrammeTargetChanged:
      return Stream::kEnrollment;
    case EventKind::kTrainingStarted:
    case EventKind::kAttendanceRecorded:
    case EventKind::kModulePassed:
    case EventKind::kModuleFailed:
    case EventKind::kTraineeAtRisk:
    case EventKind::kTrainingCompleted:
    case EventKind::kDroppedOut:
    case EventKind::kTrainingWithdrawn:
    case EventKind::kCertificateIssued:
    case EventKind::kCertificateRevoked:
      return Stream::kProgress;
    case EventKind::kJobSearchStarted:
    case EventKind::kOfferRecorded:
    case EventKind::kPlacementStarted:
    case EventKind::kPlacementVerified:
    case EventKind::kPlacementEnded:
    case EventKind::kFollowUpRecorded:
    case EventKind::kEmployerRegistered:
    case EventKind::kJobOfferPosted:
      return Stream::kPlacement;
  }
  return Stream::kEnrollment;
}

bool IsTraineeEvent(EventKind kind) {
  switch (kind) {
    case EventKind::kCohortOpened:
    case EventKind::kCohortChanged:
    case EventKind::kTrackAdded:
    case EventKind::kProgrammeTargetChanged:
    case EventKind::kEmployerRegistered:
    case EventKind::kJobOfferPosted:
      return false;
    default:
      return true;
  }
}

absl::string_view KindName(EventKind kind) {
  switch (kind) {
    case EventKind::kApplicationSubmitted: return "application_submitted";
    case EventKind::kApplicationAdmitted: return "application_admitted";
    case EventKind::kApplicationWaitlisted: return "application_waitlisted";
    case EventKind::kApplicationRejected: return "application_rejected";
    case EventKind::kEnrolmentConfirmed: return "enrolment_confirmed";
    case EventKind::kAdmissionDeclined: return "admission_declined";
    case EventKind::kEnrolmentWithdrawn: return "enrolment_withdrawn";
    case EventKind::kCohortOpened: return "cohort_opened";
    case EventKind::kCohortChanged: return "cohort_changed";
    case EventKind::kTrackAdded: return "track_added";
    case EventKind::kProgrammeTargetChanged: return "programme_target_changed";
    case EventKind::kTrainingStarted: return "training_started";
    case EventKind::kAttendanceRecorded: return "attendance_recorded";
    case EventKind::kModulePassed: return "module_passed";
    case EventKind::kModuleFailed: return "module_failed";
    case EventKind::kTraineeAtRisk: return "trainee_at_risk";
    case EventKind::kTrainingCompleted: return "training_completed";
    case EventKind::kDroppedOut: return "dropped_out";
    case EventKind::kTrainingWithdrawn: return "training_withdrawn";
    case EventKind::kCertificateIssued: return "certificate_issued";
    case EventKind::kCertificateRevoked: return "certificate_revoked";
    case EventKind::kJobSearchStarted: return "job_search_started";
    case EventKind::kOfferRecorded: return "offer_recorded";
    case EventKind::kPlacementStarted: return "placement_started";
    case EventKind::kPlacementVerified: return "placement_verified";
    case EventKind::kPlacementEnded: return "placement_ended";
    case EventKind::kFollowUpRecorded: return "follow_up_recorded";
    case EventKind::kEmployerRegistered: return "employer_registered";
    case EventKind::kJobOfferPosted: return "job_offer_posted";
  }
  return "unknown";
}

bool IsEmployment(PlacementType type) {
  return type == PlacementType::kSalariedPermanent ||
         type == PlacementType::kSalariedFixedTerm ||
         type == PlacementType::kSelfEmployed;
}

}  // namespace jit::aggregator
