// The training-progress domain's entities and views. Plain values: no gRPC,
// Kafka or SQL types. The shared vocabulary enums (gender, age band,
// education level) are the contract's own (jobintech.common.v1); the domain's
// own enums use the contract's numbering so that adapters map them 1:1.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_MODEL_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/common/v1/reasons.pb.h"
#include "libs/command/paging.h"

namespace jit::progress {

using Gender = ::jobintech::common::v1::Gender;
using AgeBand = ::jobintech::common::v1::AgeBand;
using EducationLevel = ::jobintech::common::v1::EducationLevel;
using DropOutReason = ::jobintech::common::v1::DropOutReason;
using RevocationReason = ::jobintech::common::v1::RevocationReason;

// A trainee's training in one cohort (jobintech.events.v1.TrainingState):
// ENROLLED -> ACTIVE (first presence) -> COMPLETED (every required module
// passed) -> CERTIFIED (certificate issued; back to COMPLETED when it is
// revoked). ENROLLED | ACTIVE -> DROPPED_OUT (explicit) | WITHDRAWN (learned
// from the enrollment service). ENROLLED -> COMPLETED when the last required
// module is passed before any presence was recorded.
enum class TrainingStatus {
  kEnrolled = 1,
  kActive = 2,
  kCompleted = 3,
  kDroppedOut = 4,
  kCertified = 5,
  kWithdrawn = 6,
};

absl::string_view StatusName(TrainingStatus s);  // "ACTIVE"

// Still in training: records may change the status.
inline bool InTraining(TrainingStatus s) {
  return s == TrainingStatus::kEnrolled || s == TrainingStatus::kActive;
}
// Completed (certified or not): still takes attendance and assessments, no
// longer changes status through them.
inline bool HasCompleted(TrainingStatus s) {
  return s == TrainingStatus::kCompleted || s == TrainingStatus::kCertified;
}
// Left without completing: nothing more is recorded.
inline bool HasLeft(TrainingStatus s) {
  return s == TrainingStatus::kDroppedOut || s == TrainingStatus::kWithdrawn;
}

// jobintech.events.v1.AttendanceMark.
enum class AttendanceMark {
  kPresent = 1,
  kExcusedAbsence = 2,
  kUnexcusedAbsence = 3,
};

absl::string_view MarkName(AttendanceMark m);  // "PRESENT"

// jobintech.events.v1.ExitKind.
enum class ExitKind { kCompleted = 1, kDroppedOut = 2, kWithdrawn = 3 };

// The enrollment service's application status of a trainee in a cohort
// (jobintech.enrollment.v1.ApplicationStatus numbering).
enum class EnrolmentStatus {
  kApplied = 1,
  kAdmitted = 2,
  kWaitlisted = 3,
  kRejected = 4,
  kEnrolled = 5,
  kDeclined = 6,
  kWithdrawn = 7,
};

absl::string_view StatusName(EnrolmentStatus s);  // "WITHDRAWN"

// Non-identifying dimensions carried by every trainee event, copied from
// the enrollment service's lookup.
struct Dimensions {
  Gender gender = ::jobintech::common::v1::GENDER_UNSPECIFIED;
  AgeBand age_band = ::jobintech::common::v1::AGE_BAND_UNSPECIFIED;
  EducationLevel education_level =
      ::jobintech::common::v1::EDUCATION_LEVEL_UNSPECIFIED;
  std::string residence_province_code;
  std::string residence_region_code;
  std::string training_province_code;
  std::string training_region_code;
  std::string track_id;
  std::string cohort_id;
  std::string centre_id;

  friend bool operator==(const Dimensions&, const Dimensions&) = default;
};

// What the enrollment service says of a trainee in a cohort (no personal
// data).
struct TraineeEnrolment {
  std::string trainee_id;
  std::string cohort_id;
  std::string application_id;
  EnrolmentStatus status = EnrolmentStatus::kApplied;
  Dimensions dimensions;
  absl::CivilDay cohort_start_date;
  absl::CivilDay cohort_end_date;
  // When the status last changed (the withdrawal time for WITHDRAWN).
  absl::Time status_time = absl::UnixEpoch();
};

struct Module {
  std::string module_id;  // lower-kebab-case, unique in the curriculum
  std::string title;
  int32_t order = 0;  // 1-based, unique in the curriculum
  double hours = 0;   // > 0
  bool required = false;
  double max_score = 0;  // > 0
  double pass_mark = 0;  // 0 < pass_mark <= max_score

  friend bool operator==(const Module&, const Module&) = default;
};

// A published curriculum version of a track; immutable once published.
struct Curriculum {
  std::string track_id;
  int32_t version = 0;          // 1, 2, ... per track
  std::vector<Module> modules;  // by order
  absl::Time publish_time = absl::UnixEpoch();

  const Module* FindModule(absl::string_view module_id) const;
  int RequiredCount() const;

  friend bool operator==(const Curriculum&, const Curriculum&) = default;
};

// The curriculum version a cohort follows, pinned at its first record.
struct CohortCurriculum {
  std::string cohort_id;
  std::string track_id;
  int32_t version = 0;
  absl::Time pin_time = absl::UnixEpoch();

  friend bool operator==(const CohortCurriculum&,
                         const CohortCurriculum&) = default;
};

struct Certificate {
  std::string certificate_id;  // opaque ("crt_...")
  absl::CivilDay issued_on;
  bool revoked = false;
  // The staff's note on the revocation (free text, possibly empty; kept in
  // this store only, erasable) and the code (published).
  std::string revocation_reason;
  std::optional<absl::CivilDay> revoked_on;
  RevocationReason revocation_reason_code =
      ::jobintech::common::v1::REVOCATION_REASON_UNSPECIFIED;

  friend bool operator==(const Certificate&, const Certificate&) = default;
};

// A trainee's training in one cohort: created at the trainee's first record
// in the cohort.
struct TraineeRecord {
  std::string cohort_id;
  std::string trainee_id;
  std::string application_id;  // the enrolment's
  // The curriculum followed: the cohort's pinned version of this track.
  std::string track_id;
  int32_t curriculum_version = 0;
  TrainingStatus status = TrainingStatus::kEnrolled;
  // From the latest enrollment lookup.
  Dimensions dimensions;

  // Attendance counters (one per recorded session).
  int32_t sessions_present = 0;
  int32_t sessions_excused = 0;
  int32_t sessions_unexcused = 0;
  // Unexcused absences since the last presence, in session-date order
  // (excused absences neither count nor reset).
  int32_t consecutive_unexcused = 0;
  // consecutive_unexcused >= the threshold while in training.
  bool at_risk = false;

  std::optional<absl::CivilDay> start_date;       // first presence
  std::optional<absl::CivilDay> completion_date;  // last required module passed
  // Completion, drop-out or withdrawal date.
  std::optional<absl::CivilDay> exit_date;
  // The staff's note on a drop-out (free text, possibly empty; kept in this
  // store only, erasable), or the fixed note of a withdrawal.
  std::string exit_reason;
  // A drop-out's code (published); UNSPECIFIED for other exits.
  DropOutReason exit_reason_code =
      ::jobintech::common::v1::DROP_OUT_REASON_UNSPECIFIED;
  std::optional<Certificate> certificate;  // the latest one

  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();

  friend bool operator==(const TraineeRecord&, const TraineeRecord&) = default;
};

// Sessions present / sessions recorded, excused absences excluded from
// both; 0 when nothing counts yet.
double AttendanceRate(int64_t present, int64_t unexcused);

// One trainee's mark at one session (cohort, module, day): recorded once.
struct AttendanceRecord {
  std::string cohort_id;
  std::string trainee_id;
  std::string module_id;
  absl::CivilDay session_date;
  AttendanceMark mark = AttendanceMark::kPresent;
  std::string request_id;
  absl::Time record_time = absl::UnixEpoch();

  friend bool operator==(const AttendanceRecord&,
                         const AttendanceRecord&) = default;
};

// One attempt at a module's assessment.
struct Assessment {
  std::string cohort_id;
  std::string trainee_id;
  std::string module_id;
  int32_t attempt = 1;  // 1, 2, ... per (cohort, trainee, module)
  double score = 0;
  absl::CivilDay assessed_on;
  bool passed = false;  // score >= the module's pass mark
  std::string request_id;
  absl::Time record_time = absl::UnixEpoch();

  friend bool operator==(const Assessment&, const Assessment&) = default;
};

// A module's result for a trainee: the best attempt counts.
struct ModuleResult {
  std::string module_id;
  bool required = false;
  double best_score = 0;  // 0 with attempts 0 when never assessed
  bool passed = false;
  int32_t attempts = 0;

  friend bool operator==(const ModuleResult&, const ModuleResult&) = default;
};

// A trainee's progress as shown to callers.
struct TraineeProgress {
  TraineeRecord record;
  std::vector<ModuleResult> modules;  // every module, in curriculum order
  double required_passed_ratio = 0;   // [0, 1]
  double attendance_rate = 0;         // [0, 1]

  friend bool operator==(const TraineeProgress&,
                         const TraineeProgress&) = default;
};

// Attendance counters summed over a cohort's trainees.
struct AttendanceTotals {
  int64_t present = 0;
  int64_t excused = 0;
  int64_t unexcused = 0;
};

// Keyset paging (libs/command/paging.h).
using PageQuery = command::PageQuery;
template <typename T>
using Page = command::Page<T>;

struct CohortProgressPage {
  Page<TraineeProgress> page;
  double cohort_attendance_rate = 0;  // over every recorded session
};

// A trainee's exit, for the placement service.
struct TraineeExit {
  std::string trainee_id;
  std::string cohort_id;
  TrainingStatus status = TrainingStatus::kEnrolled;
  bool exited = false;
  std::optional<ExitKind> kind;
  std::optional<absl::CivilDay> exit_date;
  Dimensions dimensions;
};

// The answers of the mutations, kept for idempotent replay.
struct AttendanceOutcome {
  std::vector<TraineeProgress> progress;  // in request order
  friend bool operator==(const AttendanceOutcome&,
                         const AttendanceOutcome&) = default;
};
struct AssessmentOutcome {
  bool passed = false;
  int32_t attempt = 0;
  TraineeProgress progress;
  friend bool operator==(const AssessmentOutcome&,
                         const AssessmentOutcome&) = default;
};
struct DropOutOutcome {
  TraineeProgress progress;
  friend bool operator==(const DropOutOutcome&,
                         const DropOutOutcome&) = default;
};
// What EraseTraineeNotes did.
struct NotesErasure {
  // Notes cleared: in the trainee's records and in stored answers.
  int32_t notes_erased = 0;
  absl::Time erase_time = absl::UnixEpoch();
};
struct CertificateOutcome {
  Certificate certificate;
  TraineeProgress progress;
  friend bool operator==(const CertificateOutcome&,
                         const CertificateOutcome&) = default;
};

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_MODEL_H_
