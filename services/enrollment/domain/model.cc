#include "services/enrollment/domain/model.h"

namespace jit::enrollment {

absl::string_view StatusName(CohortStatus s) {
  switch (s) {
    case CohortStatus::kPlanned:
      return "PLANNED";
    case CohortStatus::kOpen:
      return "OPEN";
    case CohortStatus::kRunning:
      return "RUNNING";
    case CohortStatus::kClosed:
      return "CLOSED";
  }
  return "UNKNOWN";
}

absl::string_view StatusName(ApplicationStatus s) {
  switch (s) {
    case ApplicationStatus::kApplied:
      return "APPLIED";
    case ApplicationStatus::kAdmitted:
      return "ADMITTED";
    case ApplicationStatus::kWaitlisted:
      return "WAITLISTED";
    case ApplicationStatus::kRejected:
      return "REJECTED";
    case ApplicationStatus::kEnrolled:
      return "ENROLLED";
    case ApplicationStatus::kDeclined:
      return "DECLINED";
    case ApplicationStatus::kWithdrawn:
      return "WITHDRAWN";
  }
  return "UNKNOWN";
}

}  // namespace jit::enrollment
