// Rows of the enrollment tables: column lists, readers and binders
// (internal to enrollment_storage; see sqlite_repository.h).
#ifndef JIT_SERVICES_ENROLLMENT_STORAGE_ROWS_H_
#define JIT_SERVICES_ENROLLMENT_STORAGE_ROWS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/statement.h"
#include "services/enrollment/domain/model.h"

namespace jit::enrollment::rows {

inline constexpr char kCentreColumns[] =
    "centre_id, name, operator_name, province_code, region_code, create_time";
inline constexpr char kCohortColumns[] =
    "cohort_id, name, track_id, centre_id, province_code, region_code, "
    "capacity, start_date, end_date, status, event_sequence, create_time, "
    "update_time";
inline constexpr char kCandidateColumns[] =
    "trainee_id, cin_hash, given_name, family_name, national_id, birth_date, "
    "phone, email, event_sequence, create_time, erase_time";
inline constexpr char kApplicationColumns[] =
    "application_id, trainee_id, cohort_id, status, gender, age_band, "
    "education_level, residence_province_code, residence_region_code, "
    "training_province_code, training_region_code, track_id, "
    "dimension_cohort_id, centre_id, reason, waitlist_rank, submit_time, "
    "update_time, reason_code";
inline constexpr char kTrackColumns[] =
    "track_id, name_fr, name_ar, create_time";

// DATA_LOSS "stored ... status '<name>' is unknown" for an unknown name.
absl::StatusOr<CohortStatus> ParseCohortStatus(absl::string_view name);
absl::StatusOr<ApplicationStatus> ParseApplicationStatus(
    absl::string_view name);

// Readers of a row selected over the matching k*Columns.
Track ReadTrack(const storage::Statement& st);
Centre ReadCentre(const storage::Statement& st);
absl::StatusOr<Cohort> ReadCohort(const storage::Statement& st);
absl::StatusOr<Candidate> ReadCandidate(const storage::Statement& st);
absl::StatusOr<Application> ReadApplication(const storage::Statement& st);

// Binders of ?1..?n over the matching k*Columns (same order), for an INSERT
// or an UPDATE keyed by ?1.
absl::Status BindCentre(storage::Statement& st, const Centre& c);
absl::Status BindCohort(storage::Statement& st, const Cohort& c);
absl::Status BindCandidate(storage::Statement& st, const Candidate& c);
absl::Status BindApplication(storage::Statement& st, const Application& a);

}  // namespace jit::enrollment::rows

#endif  // JIT_SERVICES_ENROLLMENT_STORAGE_ROWS_H_
