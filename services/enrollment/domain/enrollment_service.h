// The enrollment service's domain core: catalogue, applications and the
// enrolment lifecycle, with validation, capacity and waitlist rules,
// eligibility, duplicate detection, idempotency and events.
//
// Every mutation runs in one repository write transaction that also stores
// the response under the request id and appends the events to the outbox:
// a repeat of a request id returns the first answer and writes nothing.
//
// Field names in INVALID_ARGUMENT violations are the API's field paths
// (e.g. "candidate.national_id"), so the gRPC adapter passes them through.
//
// Thread-safe: concurrent calls are serialized by the repository's write
// transactions.
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_ENROLLMENT_SERVICE_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_ENROLLMENT_SERVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/clock/clock.h"
#include "libs/command/request.h"
#include "services/enrollment/domain/model.h"
#include "services/enrollment/domain/repository.h"

namespace jit::enrollment {

// Keyed hash of a normalized national ID (HMAC-SHA256 with a secret key in
// production; see storage/cin_hasher.h). Duplicate applications are found by
// this hash, never by storing the CIN twice.
class CinHasher {
 public:
  virtual ~CinHasher() = default;
  virtual std::string Hash(absl::string_view normalized_cin) const = 0;
};

struct EnrollmentRules {
  // Eligible ages (inclusive) on the day of application.
  int min_age = 18;
  int max_age = 35;
  // Upper bound of PageQuery.limit; 0 or negative limits mean the default.
  int default_page_size = 50;
  int max_page_size = 500;
};

// Who asks, for idempotency and tracing (libs/command/request.h).
using RequestContext = command::RequestContext;

struct NewCentre {
  std::string name;
  std::string operator_name;
  std::string province_code;
};

struct NewCohort {
  std::string name;
  std::string track_id;
  std::string centre_id;
  int32_t capacity = 0;
  std::optional<absl::CivilDay> start_date;
  std::optional<absl::CivilDay> end_date;
  std::optional<CohortStatus> status;  // PLANNED when absent
};

struct CohortUpdate {
  std::optional<int32_t> capacity;
  std::optional<CohortStatus> status;
};

// Candidate input as received (normalized by the service).
struct CandidateInput {
  std::string given_name;
  std::string family_name;
  std::string national_id;
  std::optional<absl::CivilDay> birth_date;
  std::string phone;
  std::string email;
};

// New contact data of a known candidate (normalized by the service).
struct ContactInput {
  std::string phone;
  std::string email;
};

struct NewApplication {
  std::string cohort_id;
  CandidateInput candidate;
  Gender gender = ::jobintech::common::v1::GENDER_UNSPECIFIED;
  EducationLevel education_level =
      ::jobintech::common::v1::EDUCATION_LEVEL_UNSPECIFIED;
  std::string residence_province_code;
};

class EnrollmentService {
 public:
  // Pointers must outlive the service.
  EnrollmentService(EnrollmentRepository* repository, const Clock* clock,
                    const CinHasher* cin_hasher, EnrollmentRules rules = {});

  // Programme.
  absl::StatusOr<Programme> GetProgramme();
  // national_target 1..10,000,000 when set; name 1..100 chars when set.
  absl::StatusOr<Programme> UpdateProgramme(const RequestContext& ctx,
                                            std::optional<int32_t> target,
                                            std::optional<std::string> name);

  // Tracks. ALREADY_EXISTS for an existing id.
  absl::StatusOr<Track> CreateTrack(const RequestContext& ctx, Track track);
  absl::StatusOr<std::vector<Track>> ListTracks();

  // Centres.
  absl::StatusOr<Centre> CreateCentre(const RequestContext& ctx,
                                      const NewCentre& centre);
  absl::StatusOr<Centre> GetCentre(const std::string& centre_id);
  absl::StatusOr<Page<Centre>> ListCentres(const CentreFilter& filter,
                                           PageQuery page);

  // Cohorts.
  absl::StatusOr<CohortView> CreateCohort(const RequestContext& ctx,
                                          const NewCohort& cohort);
  absl::StatusOr<CohortView> GetCohort(const std::string& cohort_id);
  absl::StatusOr<Page<CohortView>> ListCohorts(const CohortFilter& filter,
                                               PageQuery page);
  // Capacity >= 1 and >= seats held (FAILED_PRECONDITION otherwise); status
  // forward only (FAILED_PRECONDITION otherwise).
  absl::StatusOr<CohortView> UpdateCohort(const RequestContext& ctx,
                                          const std::string& cohort_id,
                                          const CohortUpdate& update);

  // Applications. Submitting needs an OPEN cohort and an eligible age
  // (FAILED_PRECONDITION); a person with an active application (APPLIED,
  // WAITLISTED, ADMITTED, ENROLLED) is ALREADY_EXISTS, naming that
  // application and its status only when `ctx.scope` can read it. An
  // application never changes a known person's stored data: a known national
  // ID with other personal data than stored is FAILED_PRECONDITION (change
  // the contact data with UpdateCandidateContact first).
  absl::StatusOr<ApplicationView> SubmitApplication(const RequestContext& ctx,
                                                    const NewApplication& app);
  // `scope`: the caller's rows (libs/command/scope.h); an application out of
  // it is NOT_FOUND, like a missing one. Lists return in-scope rows only
  // (ApplicationFilter::scope).
  absl::StatusOr<ApplicationView> GetApplication(
      const std::string& application_id, const command::Scope& scope = {});
  absl::StatusOr<Page<ApplicationView>> ListApplications(
      const ApplicationFilter& filter, PageQuery page);

  // APPLIED -> ADMITTED, or WAITLISTED when the cohort is full;
  // WAITLISTED -> ADMITTED (FAILED_PRECONDITION when full).
  absl::StatusOr<ApplicationView> Admit(const RequestContext& ctx,
                                        const std::string& application_id);
  absl::StatusOr<ApplicationView> Waitlist(const RequestContext& ctx,
                                           const std::string& application_id);
  // Rejections, declines and withdrawals take a reason code (required:
  // INVALID_ARGUMENT "reason_code" when UNSPECIFIED or unknown) and an
  // optional staff note (at most 500 characters, field "reason") that stays
  // in the store.
  absl::StatusOr<ApplicationView> Reject(const RequestContext& ctx,
                                         const std::string& application_id,
                                         RejectionReason code,
                                         const std::string& note);
  absl::StatusOr<ApplicationView> ConfirmEnrolment(
      const RequestContext& ctx, const std::string& application_id);
  absl::StatusOr<ApplicationView> DeclineAdmission(
      const RequestContext& ctx, const std::string& application_id,
      DeclineReason code, const std::string& note);
  absl::StatusOr<ApplicationView> WithdrawEnrolment(
      const RequestContext& ctx, const std::string& application_id,
      WithdrawalReason code, const std::string& note);
  // Admits the first waitlisted application of the cohort. NOT_FOUND when
  // nobody waits; FAILED_PRECONDITION when no seat is free.
  absl::StatusOr<ApplicationView> AdmitFromWaitlist(
      const RequestContext& ctx, const std::string& cohort_id);

  // For other services: no personal data. With a cohort id, the trainee's
  // latest application to that cohort (NOT_FOUND if none); without, the
  // trainee's latest application.
  absl::StatusOr<TraineeRecord> LookupTrainee(const std::string& trainee_id,
                                              const std::string& cohort_id,
                                              const command::Scope& scope = {});

  // Removes, in one transaction, the candidate's personal data and CIN hash,
  // the free-text notes (reasons) of the candidate's applications and
  // events, and scrubs the stored answers of earlier requests about the
  // trainee (their notes and request digests); then asks the repository to
  // flush the erased bytes out of its files (FlushErasure). Applications,
  // statuses, dimensions, events and the trainee id stay. Idempotent: a
  // later call answers the first erase time and purges again whatever is
  // left (e.g. of an erasure made by an older version). NOT_FOUND for an
  // unknown trainee.
  absl::StatusOr<EraseResult> EraseCandidate(const RequestContext& ctx,
                                             const std::string& trainee_id);

  // Replaces the candidate's phone and e-mail. NOT_FOUND (as for an unknown
  // trainee) unless one of the candidate's applications is in `ctx.scope`;
  // FAILED_PRECONDITION once the personal data is erased. No event (events
  // never carry personal data).
  absl::StatusOr<CandidateView> UpdateCandidateContact(
      const RequestContext& ctx, const std::string& trainee_id,
      const ContactInput& contact);

 private:
  // The clock's time truncated to microseconds: stores keep microseconds, so
  // a first answer and its idempotent replay show the same times.
  absl::Time NowMicros() const;

  EnrollmentRepository* const repository_;
  const Clock* const clock_;
  const CinHasher* const cin_hasher_;
  const EnrollmentRules rules_;
};

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_ENROLLMENT_SERVICE_H_
