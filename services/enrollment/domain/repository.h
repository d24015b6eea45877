// The enrollment service's storage boundary. One interface, several stores:
// SQLite now (services/enrollment/storage), an in-memory fake for domain
// tests (domain/testing), PostgreSQL later; all pass the same contract suite
// (storage/repository_contract_test.h).
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_REPOSITORY_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_REPOSITORY_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/command/request.h"
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/model.h"

namespace jit::enrollment {

// The first answer to a mutating request, kept for idempotent replay.
// Snapshots never hold personal data (Application has none; personal data is
// re-read from the candidate on replay). An erasure scrubs the answers about
// the trainee (an Application's free-text note) and drops their request
// digests (command::EraseStoredAnswers).
using ResponseSnapshot = std::variant<Programme, Track, Centre, Cohort,
                                      Application, EraseResult, ContactUpdate>;

using StoredRequest = command::StoredRequest<ResponseSnapshot>;

// Operations on the store inside one transaction (see Repository). Not
// thread-safe; valid only during the callback that received it.
//
// Errors: Insert* of an existing key is ALREADY_EXISTS; Update* of a missing
// row is NOT_FOUND; a busy or failing database is UNAVAILABLE / INTERNAL.
// Find* return nullopt when absent.
//
// Idempotency records (FindRequest, InsertRequest, DeleteRequestsBefore,
// FindRequestsMentioning, EraseRequest) as in command::ErasableRequestStore.
class EnrollmentStore : public command::ErasableRequestStore<ResponseSnapshot> {
 public:
  // Programme (a single row, created with defaults by the store's schema).
  virtual absl::StatusOr<Programme> GetProgramme() = 0;
  virtual absl::Status UpdateProgramme(const Programme& programme) = 0;
  // Per-aggregate event sequences of catalogue aggregates that have no row
  // of their own to keep it on (tracks, the programme): returns the next
  // value (1, 2, ...) and stores it.
  virtual absl::StatusOr<int64_t> NextAggregateSequence(
      const std::string& aggregate_id) = 0;

  // Tracks (the three launch tracks are seeded by the store's schema).
  virtual absl::StatusOr<std::optional<Track>> FindTrack(
      const std::string& track_id) = 0;
  virtual absl::Status InsertTrack(const Track& track) = 0;
  virtual absl::StatusOr<std::vector<Track>> ListTracks() = 0;  // by id

  // Centres, listed by centre id.
  virtual absl::StatusOr<std::optional<Centre>> FindCentre(
      const std::string& centre_id) = 0;
  virtual absl::Status InsertCentre(const Centre& centre) = 0;
  virtual absl::StatusOr<Page<Centre>> ListCentres(const CentreFilter& filter,
                                                   const PageQuery& page) = 0;

  // Cohorts, listed by cohort id.
  virtual absl::StatusOr<std::optional<Cohort>> FindCohort(
      const std::string& cohort_id) = 0;
  virtual absl::Status InsertCohort(const Cohort& cohort) = 0;
  virtual absl::Status UpdateCohort(const Cohort& cohort) = 0;
  virtual absl::StatusOr<Page<Cohort>> ListCohorts(const CohortFilter& filter,
                                                   const PageQuery& page) = 0;
  virtual absl::StatusOr<SeatCounts> CountSeats(
      const std::string& cohort_id) = 0;

  // Candidates. cin_hash is unique among candidates that have one.
  virtual absl::StatusOr<std::optional<Candidate>> FindCandidate(
      const std::string& trainee_id) = 0;
  virtual absl::StatusOr<std::optional<Candidate>> FindCandidateByCinHash(
      const std::string& cin_hash) = 0;
  virtual absl::Status InsertCandidate(const Candidate& candidate) = 0;
  // Replaces every field (including clearing personal data and cin_hash).
  virtual absl::Status UpdateCandidate(const Candidate& candidate) = 0;

  // Applications, listed by application id.
  virtual absl::StatusOr<std::optional<Application>> FindApplication(
      const std::string& application_id) = 0;
  virtual absl::Status InsertApplication(const Application& application) = 0;
  virtual absl::Status UpdateApplication(const Application& application) = 0;
  virtual absl::StatusOr<Page<Application>> ListApplications(
      const ApplicationFilter& filter, const PageQuery& page) = 0;
  // Every application of a trainee, oldest first.
  virtual absl::StatusOr<std::vector<Application>> ApplicationsOfTrainee(
      const std::string& trainee_id) = 0;
  // The waitlisted application of the cohort with the lowest waitlist_rank.
  virtual absl::StatusOr<std::optional<Application>> FirstWaitlisted(
      const std::string& cohort_id) = 0;
  // 1-based position of a waitlisted application in its cohort's waitlist.
  virtual absl::StatusOr<int32_t> WaitlistPosition(
      const Application& application) = 0;
  // A value greater than every waitlist_rank given so far (store-wide).
  virtual absl::StatusOr<int64_t> NextWaitlistRank() = 0;

  // Appends the event to the outbox, in this transaction.
  virtual absl::Status Publish(const DomainEvent& event) = 0;
  // Removes the free text (reasons) from the trainee's events the store
  // still holds (the outbox rows, sent or not, so that no requeue publishes
  // it again); returns how many events changed. Ids, order and everything
  // else of the events stay.
  virtual absl::StatusOr<int64_t> EraseEventNotes(
      const std::string& trainee_id) = 0;
};

class EnrollmentRepository {
 public:
  virtual ~EnrollmentRepository() = default;
  // Runs `fn` in one write transaction: everything it did commits together
  // (business rows, the stored request, the outbox events) or, if it
  // returns an error, nothing does. Write transactions are serialized.
  virtual absl::Status Write(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) = 0;
  // Runs `fn` in a read transaction (consistent snapshot). Publish and the
  // Insert/Update methods fail with FAILED_PRECONDITION there.
  virtual absl::Status Read(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) = 0;
  // After a committed erasure: makes the erased bytes unrecoverable from the
  // store's own files (SQLite: truncating checkpoint of the WAL; freed space
  // is zeroed by secure_delete). When that cannot complete now (a reader
  // holds the WAL), the store keeps retrying on its own and reports it in
  // its logs; the erasure is committed either way, so there is nothing to
  // return. Stores with nothing to flush (in memory) keep this no-op.
  virtual void FlushErasure() {}
};

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_REPOSITORY_H_
