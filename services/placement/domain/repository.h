// The placement service's storage boundary. One interface, several stores:
// SQLite (services/placement/storage), an in-memory fake for domain tests
// (domain/testing), PostgreSQL later; all pass the same contract suite
// (storage/repository_contract_test.h).
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_REPOSITORY_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_REPOSITORY_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/command/request.h"
#include "services/placement/domain/events.h"
#include "services/placement/domain/model.h"

namespace jit::placement {

// The first answer to a mutating request, kept for idempotent replay.
using ResponseSnapshot = std::variant<Employer, JobOffer, TraineeResult>;

using StoredRequest = command::StoredRequest<ResponseSnapshot>;

// Operations on the store inside one transaction (see Repository). Not
// thread-safe; valid only during the callback that received it.
//
// Errors: Insert* of an existing key is ALREADY_EXISTS (for employers also an
// ICE already held by another employer); Update* of a missing row is
// NOT_FOUND; a busy or failing database is UNAVAILABLE / INTERNAL. Find*
// return nullopt when absent. Lists are keyset-paged by their key.
//
// Idempotency records (FindRequest, InsertRequest, DeleteRequestsBefore) as
// in command::RequestStore.
class PlacementStore : public command::RequestStore<ResponseSnapshot> {
 public:
  // Employers, listed by employer id. `ice` is unique.
  virtual absl::StatusOr<std::optional<Employer>> FindEmployer(
      const std::string& employer_id) = 0;
  virtual absl::StatusOr<std::optional<Employer>> FindEmployerByIce(
      const std::string& ice) = 0;
  virtual absl::Status InsertEmployer(const Employer& employer) = 0;
  virtual absl::Status UpdateEmployer(const Employer& employer) = 0;
  virtual absl::StatusOr<Page<Employer>> ListEmployers(
      const EmployerFilter& filter, const PageQuery& page) = 0;

  // Job offers, listed by job offer id.
  virtual absl::StatusOr<std::optional<JobOffer>> FindJobOffer(
      const std::string& job_offer_id) = 0;
  virtual absl::Status InsertJobOffer(const JobOffer& offer) = 0;
  virtual absl::Status UpdateJobOffer(const JobOffer& offer) = 0;
  virtual absl::StatusOr<Page<JobOffer>> ListJobOffers(
      const JobOfferFilter& filter, const PageQuery& page) = 0;

  // Trainees' placement records.
  virtual absl::StatusOr<std::optional<Trainee>> FindTrainee(
      const std::string& trainee_id) = 0;
  virtual absl::Status InsertTrainee(const Trainee& trainee) = 0;
  virtual absl::Status UpdateTrainee(const Trainee& trainee) = 0;

  // Offers received by trainees.
  virtual absl::Status InsertOffer(const Offer& offer) = 0;
  // Every offer of a trainee, in insertion order.
  virtual absl::StatusOr<std::vector<Offer>> OffersOfTrainee(
      const std::string& trainee_id) = 0;

  // Placements, listed by placement id.
  virtual absl::StatusOr<std::optional<Placement>> FindPlacement(
      const std::string& placement_id) = 0;
  virtual absl::Status InsertPlacement(const Placement& placement) = 0;
  virtual absl::Status UpdatePlacement(const Placement& placement) = 0;
  // Every placement of a trainee, in insertion order.
  virtual absl::StatusOr<std::vector<Placement>> PlacementsOfTrainee(
      const std::string& trainee_id) = 0;
  // At least every stored request whose answer mentions the trainee (may
  // return more: callers check), and the rewrite of one answer (erasure).
  virtual absl::StatusOr<std::vector<StoredRequest>> StoredRequestsMentioning(
      const std::string& trainee_id) = 0;
  virtual absl::Status ReplaceStoredResponse(
      const std::string& request_id, const ResponseSnapshot& response) = 0;
  virtual absl::StatusOr<Page<Placement>> ListPlacements(
      const PlacementFilter& filter, const PageQuery& page) = 0;

  // Follow-ups, keyed by (trainee id, months).
  virtual absl::StatusOr<std::optional<FollowUp>> FindFollowUp(
      const std::string& trainee_id, int32_t months) = 0;
  virtual absl::Status InsertFollowUp(const FollowUp& follow_up) = 0;
  virtual absl::Status UpdateFollowUp(const FollowUp& follow_up) = 0;
  // A trainee's follow-ups by months.
  virtual absl::StatusOr<std::vector<FollowUp>> FollowUpsOfTrainee(
      const std::string& trainee_id) = 0;
  // Unrecorded follow-ups with due_date <= `as_of`, ordered and paged by
  // FollowUpKey (due date, trainee, months); the region filter is the
  // trainee's training region.
  virtual absl::StatusOr<Page<FollowUp>> ListDueFollowUps(
      absl::CivilDay as_of, const FollowUpFilter& filter,
      const PageQuery& page) = 0;

  // Appends the event to the outbox, in this transaction.
  virtual absl::Status Publish(const DomainEvent& event) = 0;
};

class PlacementRepository {
 public:
  virtual ~PlacementRepository() = default;
  // Runs `fn` in one write transaction: everything it did commits together
  // (business rows, the stored request, the outbox events) or, if it
  // returns an error, nothing does. Write transactions are serialized.
  virtual absl::Status Write(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) = 0;
  // Runs `fn` in a read transaction (consistent snapshot). Publish and the
  // Insert/Update methods fail with FAILED_PRECONDITION there.
  virtual absl::Status Read(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) = 0;
};

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_REPOSITORY_H_
