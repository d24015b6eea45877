// The placement service's domain core: employers, job offers, and the
// placement lifecycle of trainees after exit, with validation, idempotency,
// the follow-up schedule and the events.
//
// Lifecycle (per trainee, explicit, every move checked; an illegal move is
// FAILED_PRECONDITION naming both states):
//   (none) -> JOB_SEEKING            StartJobSearch (after exit)
//   JOB_SEEKING | OFFERED | ENDED -> OFFERED     RecordOffer
//   JOB_SEEKING | OFFERED | ENDED -> PLACED      RecordPlacement
//   PLACED -> ENDED                              EndPlacement
//   VerifyPlacement and RecordFollowUp keep the state.
// RecordOffer and RecordPlacement start the job search first (event
// job_search.started) when the trainee has no record yet.
//
// The exit: a trainee's record is created from the training-progress
// service's answer (ProgressClient::GetTraineeExit): exited (completed,
// dropped out, withdrawn) with an exit date, and the dimensions. A trainee
// still in training is FAILED_PRECONDITION; unknown to it, the enrollment
// service is asked (EnrollmentClient, optional): a trainee withdrawn there
// has exited on the withdrawal day. A peer that cannot be asked fails the
// call with UNAVAILABLE before anything is written. Peers are asked only
// for trainees without a record, outside any transaction.
//
// Follow-ups: the first placement fixes the schedule: one follow-up at each
// of +3, +6 and +12 months after the exit date whose due date is on or after
// the first placement's start date. ListDueFollowUps lists the unrecorded
// ones due on the clock's day. Recording one for a trainee never placed is
// FAILED_PRECONDITION, as is one not yet due or not in the schedule.
//
// Every mutation runs in one repository write transaction that also stores
// the response under the request id and appends the events to the outbox: a
// repeat of a request id returns the first answer and writes nothing (and
// asks no peer).
//
// Thread-safe: concurrent calls are serialized by the repository's write
// transactions.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_PLACEMENT_SERVICE_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_PLACEMENT_SERVICE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "libs/clock/clock.h"
#include "libs/command/request.h"
#include "services/placement/domain/model.h"
#include "services/placement/domain/peers.h"
#include "services/placement/domain/repository.h"

namespace jit::placement {

struct PlacementRules {
  // 0 or negative PageQuery limits mean the default; larger than the
  // maximum are clamped.
  int default_page_size = 50;
  int max_page_size = 500;
};

// Who asks, for idempotency and tracing (libs/command/request.h).
using RequestContext = command::RequestContext;

struct NewEmployer {
  std::string name;
  std::string ice;
  std::string sector;
  std::string province_code;
  bool partner = false;
};

struct NewJobOffer {
  std::string employer_id;
  std::string title;
  std::string track_id;
  std::string province_code;  // the employer's when empty
  PlacementType contract_type =
      ::jobintech::events::v1::PLACEMENT_TYPE_UNSPECIFIED;
  SalaryBand salary_band = ::jobintech::events::v1::SALARY_BAND_UNSPECIFIED;
  int32_t openings = 0;
};

struct NewOffer {
  std::string trainee_id;
  std::string job_offer_id;
  std::string employer_id;
  std::optional<absl::CivilDay> offered_on;
};

struct NewPlacement {
  std::string trainee_id;
  PlacementType type = ::jobintech::events::v1::PLACEMENT_TYPE_UNSPECIFIED;
  std::string employer_id;
  std::string job_offer_id;
  std::optional<absl::CivilDay> start_date;
  SalaryBand salary_band = ::jobintech::events::v1::SALARY_BAND_UNSPECIFIED;
  VerificationSource verification =
      ::jobintech::events::v1::VERIFICATION_SOURCE_UNSPECIFIED;
};

struct NewFollowUp {
  std::string trainee_id;
  int32_t months_after_exit = 0;
  FollowUpOutcome outcome =
      ::jobintech::events::v1::FOLLOW_UP_OUTCOME_UNSPECIFIED;
  std::string employer_id;  // EMPLOYED_OTHER_EMPLOYER only (optional)
};

class PlacementService {
 public:
  // Pointers must outlive the service. `enrollment` may be null (then a
  // trainee unknown to training progress is NOT_FOUND).
  PlacementService(PlacementRepository* repository, const Clock* clock,
                   ProgressClient* progress, EnrollmentClient* enrollment,
                   PlacementRules rules = {});

  // Employers. ALREADY_EXISTS for an ICE already registered.
  absl::StatusOr<Employer> RegisterEmployer(const RequestContext& ctx,
                                            const NewEmployer& employer);
  absl::StatusOr<Employer> GetEmployer(const std::string& employer_id);
  absl::StatusOr<Page<Employer>> ListEmployers(const EmployerFilter& filter,
                                               PageQuery page);
  absl::StatusOr<Employer> SetEmployerPartner(const RequestContext& ctx,
                                              const std::string& employer_id,
                                              bool partner);

  // Job offers: salaried (permanent, fixed-term) or internship contracts,
  // 1-10,000 openings. Closing a closed offer is FAILED_PRECONDITION.
  absl::StatusOr<JobOffer> PostJobOffer(const RequestContext& ctx,
                                        const NewJobOffer& offer);
  absl::StatusOr<JobOffer> CloseJobOffer(const RequestContext& ctx,
                                         const std::string& job_offer_id);
  absl::StatusOr<JobOffer> GetJobOffer(const std::string& job_offer_id);
  absl::StatusOr<Page<JobOffer>> ListJobOffers(const JobOfferFilter& filter,
                                               PageQuery page);

  // Trainees. ALREADY_EXISTS when the job search already started.
  absl::StatusOr<TraineeResult> StartJobSearch(const RequestContext& ctx,
                                               const std::string& trainee_id);
  absl::StatusOr<TraineeResult> RecordOffer(const RequestContext& ctx,
                                            const NewOffer& offer);
  absl::StatusOr<TraineeResult> RecordPlacement(const RequestContext& ctx,
                                                const NewPlacement& placement);
  // EMPLOYER or SOCIAL_SECURITY, different from the current source.
  absl::StatusOr<TraineeResult> VerifyPlacement(
      const RequestContext& ctx, const std::string& placement_id,
      VerificationSource verification);
  // The active placement only; end_date defaults to today. The code is
  // required (INVALID_ARGUMENT "reason_code" when UNSPECIFIED or unknown),
  // the note optional (at most 500 characters, field "reason").
  absl::StatusOr<TraineeResult> EndPlacement(
      const RequestContext& ctx, const std::string& placement_id,
      std::optional<absl::CivilDay> end_date, PlacementEndReason code,
      const std::string& note);
  // Clears the trainee's free-text notes (placement end notes) in the
  // placements and in the stored answers of earlier requests; codes, dates
  // and events stay. Publishes nothing. OK with 0 for an unknown trainee and
  // on a repeat; `ctx.request_id` is validated but no answer is stored.
  absl::StatusOr<NotesErasure> EraseTraineeNotes(const RequestContext& ctx,
                                                 const std::string& trainee_id);
  absl::StatusOr<TraineeResult> RecordFollowUp(const RequestContext& ctx,
                                               const NewFollowUp& follow_up);

  // Reads take the caller's scope (libs/command/scope.h): a trainee (or its
  // placement) out of it reads exactly like a missing one; lists leave such
  // rows out. Mutations use RequestContext::scope the same way.
  absl::StatusOr<TraineeView> GetTrainee(const std::string& trainee_id,
                                         const command::Scope& scope = {});
  absl::StatusOr<Placement> GetPlacement(const std::string& placement_id,
                                         const command::Scope& scope = {});
  absl::StatusOr<Page<Placement>> ListPlacements(const PlacementFilter& filter,
                                                 PageQuery page,
                                                 const command::Scope& scope = {});
  // Unrecorded follow-ups due on the clock's day (UTC), oldest first.
  absl::StatusOr<Page<DueFollowUp>> ListDueFollowUps(
      const FollowUpFilter& filter, PageQuery page, const command::Scope& scope = {});

  // The clock's day (UTC).
  absl::CivilDay Today() const;

 private:
  // A trainee mutation: replay, else (asking the peers when the trainee has
  // no record yet) run `apply` on the trainee in a write transaction.
  template <typename Apply>
  absl::StatusOr<TraineeResult> MutateTrainee(const RequestContext& ctx,
                                              absl::string_view operation,
                                              const std::string& trainee_id,
                                              bool create_if_missing,
                                              Apply apply);
  // The exit of a trainee without a record, from the peers.
  absl::StatusOr<Trainee> NewTraineeFromPeers(const RequestContext& ctx,
                                              const std::string& trainee_id,
                                              absl::Time now);
  // NOT_FOUND as for an id none of the peers knows: also the answer, word
  // for word, to a trainee out of the caller's scope in the operations that
  // would start a job search.
  absl::Status UnknownTrainee(const std::string& trainee_id) const;

  // The clock's time truncated to microseconds: stores keep microseconds, so
  // a first answer and its idempotent replay show the same times.
  absl::Time NowMicros() const;

  PlacementRepository* const repository_;
  const Clock* const clock_;
  ProgressClient* const progress_;
  EnrollmentClient* const enrollment_;
  const PlacementRules rules_;
};

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_PLACEMENT_SERVICE_H_
