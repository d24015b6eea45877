#include "services/training-progress/domain/model.h"

namespace jit::progress {

absl::string_view StatusName(TrainingStatus s) {
  switch (s) {
    case TrainingStatus::kEnrolled:
      return "ENROLLED";
    case TrainingStatus::kActive:
      return "ACTIVE";
    case TrainingStatus::kCompleted:
      return "COMPLETED";
    case TrainingStatus::kDroppedOut:
      return "DROPPED_OUT";
    case TrainingStatus::kCertified:
      return "CERTIFIED";
    case TrainingStatus::kWithdrawn:
      return "WITHDRAWN";
  }
  return "UNKNOWN";
}

absl::string_view MarkName(AttendanceMark m) {
  switch (m) {
    case AttendanceMark::kPresent:
      return "PRESENT";
    case AttendanceMark::kExcusedAbsence:
      return "EXCUSED_ABSENCE";
    case AttendanceMark::kUnexcusedAbsence:
      return "UNEXCUSED_ABSENCE";
  }
  return "UNKNOWN";
}

absl::string_view StatusName(EnrolmentStatus s) {
  switch (s) {
    case EnrolmentStatus::kApplied:
      return "APPLIED";
    case EnrolmentStatus::kAdmitted:
      return "ADMITTED";
    case EnrolmentStatus::kWaitlisted:
      return "WAITLISTED";
    case EnrolmentStatus::kRejected:
      return "REJECTED";
    case EnrolmentStatus::kEnrolled:
      return "ENROLLED";
    case EnrolmentStatus::kDeclined:
      return "DECLINED";
    case EnrolmentStatus::kWithdrawn:
      return "WITHDRAWN";
  }
  return "UNKNOWN";
}

const Module* Curriculum::FindModule(absl::string_view module_id) const {
  for (const Module& m : modules) {
    if (m.module_id == module_id) return &m;
  }
  return nullptr;
}

int Curriculum::RequiredCount() const {
  int n = 0;
  for (const Module& m : modules) n += m.required ? 1 : 0;
  return n;
}

double AttendanceRate(int64_t present, int64_t unexcused) {
  const int64_t counted = present + unexcused;
  if (counted <= 0) return 0;
  return static_cast<double>(present) / static_cast<double>(counted);
}

}  // namespace jit::progress
