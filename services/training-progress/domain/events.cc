#include "services/training-progress/domain/events.h"

namespace jit::progress {

absl::string_view EventType(EventKind kind) {
  switch (kind) {
    case EventKind::kTrainingStarted:
      return "progress.training.started";
    case EventKind::kAttendanceRecorded:
      return "progress.attendance.recorded";
    case EventKind::kModulePassed:
      return "progress.module.passed";
    case EventKind::kModuleFailed:
      return "progress.module.failed";
    case EventKind::kTraineeAtRisk:
      return "progress.trainee.at_risk";
    case EventKind::kTrainingCompleted:
      return "progress.training.completed";
    case EventKind::kDroppedOut:
      return "progress.training.dropped_out";
    case EventKind::kTrainingWithdrawn:
      return "progress.training.withdrawn";
    case EventKind::kCertificateIssued:
      return "progress.certificate.issued";
    case EventKind::kCertificateRevoked:
      return "progress.certificate.revoked";
  }
  return "progress.unknown";
}

bool IsTransition(EventKind kind) {
  switch (kind) {
    case EventKind::kTrainingStarted:
    case EventKind::kTrainingCompleted:
    case EventKind::kDroppedOut:
    case EventKind::kTrainingWithdrawn:
    case EventKind::kCertificateIssued:
    case EventKind::kCertificateRevoked:
      return true;
    case EventKind::kAttendanceRecorded:
    case EventKind::kModulePassed:
    case EventKind::kModuleFailed:
    case EventKind::kTraineeAtRisk:
      return false;
  }
  return false;
}

}  // namespace jit::progress
