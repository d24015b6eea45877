// The training-progress service's storage boundary. One interface, several
// stores: SQLite (services/training-progress/storage), an in-memory fake for
// domain tests (domain/testing), PostgreSQL later; all pass the same
// contract suite (storage/repository_contract_test.h).
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_REPOSITORY_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_REPOSITORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/command/request.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress {

// The first answer to a mutating request, kept for idempotent replay.
using ResponseSnapshot =
    std::variant<Curriculum, AttendanceOutcome, AssessmentOutcome,
                 DropOutOutcome, CertificateOutcome>;

using StoredRequest = command::StoredRequest<ResponseSnapshot>;

// Operations on the store inside one transaction (see ProgressRepository).
// Not thread-safe; valid only during the callback that received it.
//
// Errors: Insert* of an existing key is ALREADY_EXISTS; Update* of a missing
// row is NOT_FOUND; a busy or failing database is UNAVAILABLE / INTERNAL.
// Find* return nullopt when absent.
//
// Idempotency records (FindRequest, InsertRequest, DeleteRequestsBefore) as
// in command::RequestStore.
class ProgressStore : public command::RequestStore<ResponseSnapshot> {
 public:
  // Curricula, keyed by (track id, version). `version` 0 finds the latest.
  virtual absl::StatusOr<std::optional<Curriculum>> FindCurriculum(
      const std::string& track_id, int32_t version) = 0;
  virtual absl::Status InsertCurriculum(const Curriculum& curriculum) = 0;

  // The curriculum version each cohort follows.
  virtual absl::StatusOr<std::optional<CohortCurriculum>> FindCohortCurriculum(
      const std::string& cohort_id) = 0;
  virtual absl::Status InsertCohortCurriculum(const CohortCurriculum& pin) = 0;

  // Trainee records, keyed by (cohort id, trainee id).
  virtual absl::StatusOr<std::optional<TraineeRecord>> FindTrainee(
      const std::string& cohort_id, const std::string& trainee_id) = 0;
  virtual absl::Status InsertTrainee(const TraineeRecord& trainee) = 0;
  virtual absl::Status UpdateTrainee(const TraineeRecord& trainee) = 0;
  // A cohort's trainees by trainee id (PageQuery keys are trainee ids).
  virtual absl::StatusOr<Page<TraineeRecord>> ListTrainees(
      const std::string& cohort_id, const PageQuery& page) = 0;
  // The trainee's most recently created record in any cohort.
  virtual absl::StatusOr<std::optional<TraineeRecord>> LatestTraineeRecord(
      const std::string& trainee_id) = 0;
  // Every record of the trainee, in any cohort (erasure).
  virtual absl::StatusOr<std::vector<TraineeRecord>> TraineeRecordsOf(
      const std::string& trainee_id) = 0;
  // At least every stored request whose answer mentions the trainee (may
  // return more: callers check), and the rewrite of one answer (erasure).
  virtual absl::StatusOr<std::vector<StoredRequest>> StoredRequestsMentioning(
      const std::string& trainee_id) = 0;
  virtual absl::Status ReplaceStoredResponse(
      const std::string& request_id, const ResponseSnapshot& response) = 0;
  // Attendance counters summed over the cohort's trainees.
  virtual absl::StatusOr<AttendanceTotals> CohortAttendance(
      const std::string& cohort_id) = 0;
  // The trainee's next event sequence (1, 2, ... across cohorts), stored.
  virtual absl::StatusOr<int64_t> NextTraineeSequence(
      const std::string& trainee_id) = 0;

  // Attendance; (cohort, trainee, module, session date) is unique.
  virtual absl::Status InsertAttendance(const AttendanceRecord& record) = 0;
  // A trainee's attendance in a cohort by session date, then insertion.
  virtual absl::StatusOr<std::vector<AttendanceRecord>> AttendanceOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) = 0;

  // Assessments; (cohort, trainee, module, attempt) is unique.
  virtual absl::Status InsertAssessment(const Assessment& assessment) = 0;
  // A trainee's assessments in a cohort, in insertion order.
  virtual absl::StatusOr<std::vector<Assessment>> AssessmentsOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) = 0;

  // Appends the event to the outbox, in this transaction.
  virtual absl::Status Publish(const DomainEvent& event) = 0;
};

class ProgressRepository {
 public:
  virtual ~ProgressRepository() = default;
  // Runs `fn` in one write transaction: everything it did commits together
  // (business rows, the stored request, the outbox events) or, if it
  // returns an error, nothing does. Write transactions are serialized.
  virtual absl::Status Write(
      absl::FunctionRef<absl::Status(ProgressStore&)> fn) = 0;
  // Runs `fn` in a read transaction (consistent snapshot). Publish and the
  // Insert/Update/Next methods fail with FAILED_PRECONDITION there.
  virtual absl::Status Read(
      absl::FunctionRef<absl::Status(ProgressStore&)> fn) = 0;
};

}  // namespace jit::progress

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_REPOSITORY_H_
