// The placement domain's entities. Plain values: no gRPC, Kafka or SQL types.
// The vocabulary enums (placement type, salary band, verification source,
// follow-up outcome, exit kind, placement state) are the contract's own
// (jobintech.events.v1, jobintech.common.v1), used as plain C++ enums.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_MODEL_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jobintech/common/v1/common.pb.h"
#include "jobintech/common/v1/reasons.pb.h"
#include "jobintech/events/v1/placement_events.pb.h"
#include "libs/command/paging.h"

namespace jit::placement {

using Gender = ::jobintech::common::v1::Gender;
using AgeBand = ::jobintech::common::v1::AgeBand;
using EducationLevel = ::jobintech::common::v1::EducationLevel;
using PlacementType = ::jobintech::events::v1::PlacementType;
using SalaryBand = ::jobintech::events::v1::SalaryBand;
using VerificationSource = ::jobintech::events::v1::VerificationSource;
using FollowUpOutcome = ::jobintech::events::v1::FollowUpOutcome;
using ExitKind = ::jobintech::events::v1::ExitKind;
using PlacementEndReason = ::jobintech::common::v1::PlacementEndReason;
// (none) -> JOB_SEEKING -> OFFERED -> PLACED -> ENDED; OFFERED -> OFFERED;
// JOB_SEEKING -> PLACED; ENDED -> OFFERED | PLACED.
using PlacementState = ::jobintech::events::v1::PlacementState;

// Short names without the enum prefix: "JOB_SEEKING", "SALARIED_PERMANENT",
// "EMPLOYER", "NOT_EMPLOYED", "COMPLETED", "UNDER_3000".
std::string StateName(PlacementState s);
std::string TypeName(PlacementType t);
std::string SourceName(VerificationSource v);
std::string OutcomeName(FollowUpOutcome o);
std::string ExitKindName(ExitKind k);
std::string BandName(SalaryBand b);

// Follow-ups happen at these months after exit.
inline constexpr int32_t kFollowUpMonths[] = {3, 6, 12};

// `day` + `months` calendar months, clamped to the last day of the target
// month (2025-08-31 + 6 months = 2026-02-28).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

// Non-identifying dimensions carried by every trainee event (copied from the
// training-progress service, which has them from enrollment).
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

struct Employer {
  std::string employer_id;  // "emp_..."
  std::string name;
  std::string ice;     // 15 digits, unique
  std::string sector;  // lower-kebab-case code
  std::string province_code;
  std::string region_code;  // derived from the province
  bool partner = false;
  // Per-employer event sequence (employer events are keyed by employer id).
  int64_t event_sequence = 0;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();

  friend bool operator==(const Employer&, const Employer&) = default;
};

struct JobOffer {
  std::string job_offer_id;  // "job_..."
  std::string employer_id;
  std::string title;
  std::string track_id;
  std::string province_code;
  std::string region_code;
  PlacementType contract_type =
      ::jobintech::events::v1::PLACEMENT_TYPE_UNSPECIFIED;
  SalaryBand salary_band = ::jobintech::events::v1::SALARY_BAND_UNSPECIFIED;
  int32_t openings = 0;
  bool open = true;
  // Per-offer event sequence (job offer events are keyed by job offer id).
  int64_t event_sequence = 0;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
  std::optional<absl::Time> close_time;

  friend bool operator==(const JobOffer&, const JobOffer&) = default;
};

// How and when a trainee left the training.
struct TraineeExit {
  ExitKind kind = ::jobintech::events::v1::EXIT_KIND_UNSPECIFIED;
  absl::CivilDay date;
  std::string cohort_id;

  friend bool operator==(const TraineeExit&, const TraineeExit&) = default;
};

// A trainee's placement record, created when the job search starts.
struct Trainee {
  std::string trainee_id;
  PlacementState state = ::jobintech::events::v1::PLACEMENT_STATE_JOB_SEEKING;
  TraineeExit exit;
  Dimensions dimensions;
  // The active placement, "" unless PLACED.
  std::string current_placement_id;
  // Start date of the first placement; fixes the follow-up schedule.
  std::optional<absl::CivilDay> first_placement_date;
  // Per-trainee event sequence (all of this trainee's placement events).
  int64_t event_sequence = 0;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();

  friend bool operator==(const Trainee&, const Trainee&) = default;
};

struct Offer {
  std::string offer_id;  // "ofr_..."
  std::string trainee_id;
  std::string job_offer_id;  // may be empty
  std::string employer_id;
  absl::CivilDay offered_on;
  absl::Time create_time = absl::UnixEpoch();

  friend bool operator==(const Offer&, const Offer&) = default;
};

struct Placement {
  std::string placement_id;  // "plc_..."
  std::string trainee_id;
  PlacementType type = ::jobintech::events::v1::PLACEMENT_TYPE_UNSPECIFIED;
  std::string employer_id;   // "" for self-employment and further study
  std::string job_offer_id;  // may be empty
  absl::CivilDay start_date;
  SalaryBand salary_band = ::jobintech::events::v1::SALARY_BAND_UNSPECIFIED;
  VerificationSource verification =
      ::jobintech::events::v1::VERIFICATION_SOURCE_UNSPECIFIED;
  std::optional<absl::Time> verify_time;
  std::optional<absl::CivilDay> end_date;  // set once ended
  // The staff's note on the end (free text, possibly empty; kept in this
  // store only, erasable) and the code (published). UNSPECIFIED until ended.
  std::string end_reason;
  PlacementEndReason end_reason_code =
      ::jobintech::common::v1::PLACEMENT_END_REASON_UNSPECIFIED;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();

  bool active() const { return !end_date.has_value(); }
  // Confirmed by the employer or a social-security record.
  bool verified() const {
    return verification ==
               ::jobintech::events::v1::VERIFICATION_SOURCE_EMPLOYER ||
           verification ==
               ::jobintech::events::v1::VERIFICATION_SOURCE_SOCIAL_SECURITY;
  }

  friend bool operator==(const Placement&, const Placement&) = default;
};

// One scheduled follow-up of a placed trainee.
struct FollowUp {
  std::string trainee_id;
  int32_t months = 0;  // 3, 6 or 12
  absl::CivilDay due_date;
  // UNSPECIFIED until recorded.
  FollowUpOutcome outcome =
      ::jobintech::events::v1::FOLLOW_UP_OUTCOME_UNSPECIFIED;
  std::string placement_id;  // the placement followed up
  std::string employer_id;   // the employer of the outcome, when employed
  std::optional<absl::CivilDay> recorded_on;
  std::optional<absl::Time> record_time;

  bool recorded() const {
    return outcome != ::jobintech::events::v1::FOLLOW_UP_OUTCOME_UNSPECIFIED;
  }

  friend bool operator==(const FollowUp&, const FollowUp&) = default;
};

// Orders due follow-ups: "YYYY-MM-DD|<trainee id>|MM" (due date, then
// trainee, then months). Also the keyset paging key of ListDueFollowUps.
std::string FollowUpKey(const FollowUp& f);

// The answer of every trainee mutation: the trainee after it, and the entity
// it created or changed.
struct TraineeResult {
  Trainee trainee;
  std::optional<Offer> offer;
  std::optional<Placement> placement;
  std::optional<FollowUp> follow_up;

  friend bool operator==(const TraineeResult&, const TraineeResult&) = default;
};

// What EraseTraineeNotes did.
struct NotesErasure {
  // Notes cleared: in the trainee's placements and in stored answers.
  int32_t notes_erased = 0;
  absl::Time erase_time = absl::UnixEpoch();
};

// A trainee's whole placement record.
struct TraineeView {
  Trainee trainee;
  std::vector<Offer> offers;          // in recording order
  std::vector<Placement> placements;  // in recording order
  std::vector<FollowUp> follow_ups;   // by months
};

struct DueFollowUp {
  FollowUp follow_up;
  Trainee trainee;
};

// Keyset paging (libs/command/paging.h).
using PageQuery = command::PageQuery;
template <typename T>
using Page = command::Page<T>;

struct EmployerFilter {
  std::string sector;
  std::string region_code;
  std::string province_code;
  std::optional<bool> partner;
};

struct JobOfferFilter {
  std::string employer_id;
  std::string track_id;
  std::string region_code;
  std::string province_code;
  std::optional<bool> open;
};

struct PlacementFilter {
  std::string employer_id;
  std::optional<bool> active;
  std::optional<bool> verified;
};

struct FollowUpFilter {
  // The trainee's training region.
  std::string region_code;
};

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_MODEL_H_
