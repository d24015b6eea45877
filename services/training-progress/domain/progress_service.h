// The training-progress service's domain core: curricula per track
// (versioned; a cohort keeps the version it started with), attendance,
// assessments, completion, drop-out, withdrawal, certification, the at-risk
// flag, idempotency and events.
//
// Every trainee record is checked against the enrollment service first
// (EnrollmentClient, outside any transaction): nothing is recorded for a
// trainee who is not ENROLLED in the cohort. A trainee the enrollment
// service reports WITHDRAWN is moved to WITHDRAWN here (with its event)
// before the call is refused. When the enrollment service cannot answer,
// the call fails with UNAVAILABLE and nothing is written.
//
// Every mutation then runs in one repository write transaction that also
// stores the answer under the request id and appends the events to the
// outbox. A repeated request id returns the first answer and writes
// nothing; it is answered before the enrollment check, so a retry of an
// acknowledged call succeeds even while the enrollment service is down.
//
// Field names in INVALID_ARGUMENT violations are the API's field paths
// (e.g. "entries[2].trainee_id"), so the gRPC adapter passes them through.
//
// Thread-safe: concurrent calls are serialized by the repository's write
// transactions; the enrollment client must be thread-safe.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_PROGRESS_SERVICE_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_PROGRESS_SERVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/clock/clock.h"
#include "libs/command/request.h"
#include "services/training-progress/domain/enrollment_client.h"
#include "services/training-progress/domain/model.h"
#include "services/training-progress/domain/repository.h"

namespace jit::progress {

struct ProgressRules {
  // A trainee in training with this many consecutive unexcused absences is
  // flagged at risk (and a trainee_at_risk event published).
  int at_risk_absences = 3;
  // Entries of one attendance call (a class session).
  int max_attendance_entries = 500;
  // Upper bound of PageQuery.limit; 0 or negative limits mean the default.
  int default_page_size = 50;
  int max_page_size = 500;
};

// Who asks, for idempotency and tracing (libs/command/request.h).
using RequestContext = command::RequestContext;

struct AttendanceEntry {
  std::string trainee_id;
  AttendanceMark mark = AttendanceMark::kPresent;
};

// One session (cohort, module, day) for one trainee or a whole class.
struct AttendanceInput {
  std::string cohort_id;
  std::string module_id;
  std::optional<absl::CivilDay> session_date;  // required
  std::vector<AttendanceEntry> entries;        // 1..max_attendance_entries
};

struct AssessmentInput {
  std::string cohort_id;
  std::string trainee_id;
  std::string module_id;
  double score = 0;
  std::optional<absl::CivilDay> assessed_on;  // default: the clock's day
};

struct DropOutInput {
  std::string cohort_id;
  std::string trainee_id;
  // Required: INVALID_ARGUMENT "reason_code" when UNSPECIFIED or unknown.
  DropOutReason reason_code = ::jobintech::common::v1::DROP_OUT_REASON_UNSPECIFIED;
  std::string reason;                       // optional note, <= 500 chars
  std::optional<absl::CivilDay> exit_date;  // default: the clock's day
};

class ProgressService {
 public:
  // Pointers must outlive the service.
  ProgressService(ProgressRepository* repository, EnrollmentClient* enrollment,
                  const Clock* clock, ProgressRules rules = {});

  // Publishes the next version (1, 2, ...) of the track's curriculum; see
  // ValidateModules for the rules. Cohorts that already started keep their
  // version.
  absl::StatusOr<Curriculum> PublishCurriculum(const RequestContext& ctx,
                                               const std::string& track_id,
                                               std::vector<Module> modules);
  // `version` 0 is the latest. NOT_FOUND when absent.
  absl::StatusOr<Curriculum> GetCurriculum(const std::string& track_id,
                                           int32_t version);

  // Records one session for every entry (all or nothing). The session date
  // must lie within the cohort's dates and the module must belong to the
  // cohort's curriculum (INVALID_ARGUMENT on "session_date" / "module_id").
  // A trainee's first presence moves ENROLLED -> ACTIVE; N consecutive
  // unexcused absences flag the trainee at risk, a presence clears it.
  // A session already recorded for a trainee is ALREADY_EXISTS; a trainee
  // who dropped out or was withdrawn is FAILED_PRECONDITION.
  absl::StatusOr<AttendanceOutcome> RecordAttendance(
      const RequestContext& ctx, const AttendanceInput& input);

  // Records an attempt (retakes allowed, the best score counts). Passing
  // the last required module completes the training (COMPLETED, with the
  // assessment day as completion and exit date). Score above the module's
  // maximum: INVALID_ARGUMENT on "score"; unknown module: on "module_id";
  // a day outside the cohort's dates: on "assessed_on".
  absl::StatusOr<AssessmentOutcome> RecordAssessment(
      const RequestContext& ctx, const AssessmentInput& input);

  // ENROLLED | ACTIVE -> DROPPED_OUT with a reason and an exit day within
  // the cohort's dates. FAILED_PRECONDITION from any other status.
  absl::StatusOr<DropOutOutcome> RecordDropOut(const RequestContext& ctx,
                                               const DropOutInput& input);

  // COMPLETED -> CERTIFIED with a new certificate issued on the clock's day.
  // FAILED_PRECONDITION before completion, after a drop-out or withdrawal,
  // or when a valid certificate exists.
  absl::StatusOr<CertificateOutcome> IssueCertificate(
      const RequestContext& ctx, const std::string& cohort_id,
      const std::string& trainee_id);

  // CERTIFIED -> COMPLETED: the certificate is kept, marked revoked with
  // the reason. NOT_FOUND without a record, FAILED_PRECONDITION without a
  // valid certificate. Does not consult the enrollment service: a
  // revocation corrects this service's own record.
  // The code is required (INVALID_ARGUMENT "reason_code"), the note
  // optional (at most 500 characters, field "reason").
  absl::StatusOr<CertificateOutcome> RevokeCertificate(
      const RequestContext& ctx, const std::string& cohort_id,
      const std::string& trainee_id, RevocationReason code,
      const std::string& note);

  // Clears the trainee's free-text notes (drop-out and revocation notes, in
  // every cohort) in the records and in the stored answers of earlier
  // requests; codes, dates and events stay. Publishes nothing. OK with 0
  // for a trainee without records, and on a repeat; `ctx.request_id` is
  // validated but no answer is stored (the erasure is its own replay).
  absl::StatusOr<NotesErasure> EraseTraineeNotes(const RequestContext& ctx,
                                                 const std::string& trainee_id);

  // NOT_FOUND when nothing is recorded for the trainee in the cohort.
  // Reads take the caller's scope (libs/command/scope.h): a trainee or
  // cohort out of it reads exactly like one with nothing recorded.
  absl::StatusOr<TraineeProgress> GetTraineeProgress(
      const std::string& cohort_id, const std::string& trainee_id,
      const command::Scope& scope = {});
  // The cohort's trainees by trainee id (empty for an unknown cohort).
  absl::StatusOr<CohortProgressPage> ListCohortProgress(
      const std::string& cohort_id, PageQuery page,
      const command::Scope& scope = {});

  // The exit of the trainee's latest cohort here. NOT_FOUND when nothing is
  // recorded for the trainee. While the trainee is in training, asks the
  // enrollment service whether the trainee was withdrawn (recording it);
  // UNAVAILABLE when it cannot.
  // `peer`: the trace and deadline the enrollment lookup inherits.
  absl::StatusOr<TraineeExit> GetTraineeExit(
      const std::string& trainee_id, const command::Scope& scope = {},
      const command::PeerContext& peer = {});

 private:
  // The enrolment of a trainee the call may record something for: ENROLLED
  // in the cohort. Records a withdrawal the enrollment service reports.
  absl::StatusOr<TraineeEnrolment> RequireEnrolled(
      const RequestContext& ctx, const std::string& trainee_id,
      const std::string& cohort_id);
  // Moves a trainee in training to WITHDRAWN (with its event); no-op for a
  // trainee without a record or already out of training.
  absl::Status RecordWithdrawal(const RequestContext& ctx,
                                const TraineeEnrolment& enrolment);

  // The clock's time truncated to microseconds: stores keep microseconds, so
  // a first answer and its idempotent replay show the same times.
  absl::Time NowMicros() const;
  absl::CivilDay Today() const;
  // The day of a withdrawal: the enrolment's status time (UTC), or today
  // when the enrollment service did not say.
  absl::CivilDay WithdrawalDay(const TraineeEnrolment& enrolment) const;

  ProgressRepository* const repository_;
  EnrollmentClient* const enrollment_;
  const Clock* const clock_;
  const ProgressRules rules_;
};

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_PROGRESS_SERVICE_H_
