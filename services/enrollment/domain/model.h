// The enrollment domain's entities. Plain values: no gRPC, Kafka or SQL types.
// The shared vocabulary enums (gender, age band, education level) are the
// contract's own (jobintech.common.v1), used as plain C++ enums.
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_MODEL_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_MODEL_H_

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
#include "libs/command/scope.h"

namespace jit::enrollment {

using Gender = ::jobintech::common::v1::Gender;
using AgeBand = ::jobintech::common::v1::AgeBand;
using EducationLevel = ::jobintech::common::v1::EducationLevel;
using RejectionReason = ::jobintech::common::v1::RejectionReason;
using DeclineReason = ::jobintech::common::v1::DeclineReason;
using WithdrawalReason = ::jobintech::common::v1::WithdrawalReason;

// PLANNED -> OPEN -> RUNNING -> CLOSED; forward only (steps may be skipped).
// Applications are accepted while OPEN; admissions and enrolment confirmations
// while OPEN or RUNNING.
enum class CohortStatus { kPlanned = 1, kOpen = 2, kRunning = 3, kClosed = 4 };

// APPLIED -> ADMITTED | WAITLISTED | REJECTED; WAITLISTED -> ADMITTED |
// REJECTED; ADMITTED -> ENROLLED | DECLINED; ENROLLED -> WITHDRAWN.
enum class ApplicationStatus {
  kApplied = 1,
  kAdmitted = 2,
  kWaitlisted = 3,
  kRejected = 4,
  kEnrolled = 5,
  kDeclined = 6,
  kWithdrawn = 7,
};

absl::string_view StatusName(CohortStatus s);       // "OPEN"
absl::string_view StatusName(ApplicationStatus s);  // "WAITLISTED"

// True for statuses in which an application holds a seat of its cohort.
inline bool HoldsSeat(ApplicationStatus s) {
  return s == ApplicationStatus::kAdmitted || s == ApplicationStatus::kEnrolled;
}
// True while an application is still live (blocks a second application).
inline bool IsActive(ApplicationStatus s) {
  return s == ApplicationStatus::kApplied || s == ApplicationStatus::kAdmitted ||
         s == ApplicationStatus::kWaitlisted ||
         s == ApplicationStatus::kEnrolled;
}

struct Programme {
  std::string name = "JobInTech";
  int32_t national_target = 15000;
  absl::Time update_time = absl::UnixEpoch();
};

struct Track {
  std::string track_id;  // lower-kebab-case, e.g. "digital-health"
  std::string name_fr;
  std::string name_ar;
  absl::Time create_time = absl::UnixEpoch();
};

struct Centre {
  std::string centre_id;
  std::string name;
  std::string operator_name;
  std::string province_code;
  std::string region_code;  // derived from the province
  absl::Time create_time = absl::UnixEpoch();
};

struct Cohort {
  std::string cohort_id;
  std::string name;
  std::string track_id;
  std::string centre_id;
  std::string province_code;  // the centre's
  std::string region_code;    // the centre's
  int32_t capacity = 0;
  absl::CivilDay start_date;
  absl::CivilDay end_date;
  CohortStatus status = CohortStatus::kPlanned;
  // Per-cohort event sequence (catalogue events are keyed by cohort id).
  int64_t event_sequence = 0;
  absl::Time create_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
};

// Seats of a cohort, counted from its applications.
struct SeatCounts {
  int32_t admitted = 0;
  int32_t enrolled = 0;
  int32_t waitlisted = 0;
  int32_t held() const { return admitted + enrolled; }
};

// Personal data. Lives only in the enrollment store; never in an event, a
// log line, or a response to another service.
struct PersonalData {
  std::string given_name;
  std::string family_name;
  std::string national_id;  // normalized CIN, e.g. "AB123456"
  absl::CivilDay birth_date;
  std::string phone;  // normalized E.164, e.g. "+212612345678"
  std::string email;  // lower-cased domain

  friend bool operator==(const PersonalData&, const PersonalData&) = default;
};

// A person, known outside this service only by the trainee id.
struct Candidate {
  std::string trainee_id;  // opaque, random ("trn_...")
  // Keyed hash of the normalized CIN (duplicate detection). Empty once erased.
  std::string cin_hash;
  // nullopt once erased (law 09-08); the pseudonymous history stays.
  std::optional<PersonalData> personal_data;
  // Per-trainee event sequence (all of this person's events, in order).
  int64_t event_sequence = 0;
  absl::Time create_time = absl::UnixEpoch();
  std::optional<absl::Time> erase_time;
};

// Non-identifying dimensions carried by every trainee event.
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
};

struct Application {
  std::string application_id;
  std::string trainee_id;
  std::string cohort_id;
  ApplicationStatus status = ApplicationStatus::kApplied;
  Dimensions dimensions;
  // The staff's free-text note on the rejection, decline or withdrawal
  // (possibly empty). Stays in this store: never in an event.
  std::string reason;
  // The reason code of that transition: the number of a RejectionReason,
  // DeclineReason or WithdrawalReason value (jobintech.common.v1), by
  // `status`; 0 (UNSPECIFIED) in the other statuses. Published.
  int32_t reason_code = 0;
  // Orders the waitlist (lower first); set when the application is
  // waitlisted, 0 otherwise.
  int64_t waitlist_rank = 0;
  absl::Time submit_time = absl::UnixEpoch();
  absl::Time update_time = absl::UnixEpoch();
};

// An application as shown to operators: with the candidate's personal data
// (nullopt once erased) and its waitlist position (1 = next, 0 = not
// waitlisted).
struct ApplicationView {
  Application application;
  std::optional<PersonalData> personal_data;
  int32_t waitlist_position = 0;
};

struct CohortView {
  Cohort cohort;
  SeatCounts seats;
};

// What other services may know of a trainee: no personal data.
struct TraineeRecord {
  std::string trainee_id;
  Application application;  // the one matching the lookup
  absl::CivilDay cohort_start_date;
  absl::CivilDay cohort_end_date;
};

struct EraseResult {
  std::string trainee_id;
  absl::Time erase_time = absl::UnixEpoch();
};

// The answer kept for a contact change (UpdateCandidateContact): no personal
// data; the response re-reads the candidate (CandidateView).
struct ContactUpdate {
  std::string trainee_id;
  absl::Time update_time = absl::UnixEpoch();
};

// A candidate as shown to operators in scope: personal data, nullopt once
// erased.
struct CandidateView {
  std::string trainee_id;
  std::optional<PersonalData> personal_data;
  absl::Time update_time = absl::UnixEpoch();
};

// Keyset paging (libs/command/paging.h).
using PageQuery = command::PageQuery;
template <typename T>
using Page = command::Page<T>;

struct CentreFilter {
  std::string region_code;
  std::string province_code;
};

struct CohortFilter {
  std::string track_id;
  std::string centre_id;
  std::string region_code;
  std::string province_code;
  std::optional<CohortStatus> status;
};

struct ApplicationFilter {
  std::string cohort_id;
  std::optional<ApplicationStatus> status;
  std::string region_code;    // of the cohort's centre
  std::string province_code;  // of the cohort's centre
  // Only the rows the caller may see (libs/command/scope.h).
  command::Scope scope = {};
};

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_MODEL_H_
