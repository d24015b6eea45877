// Rows of the placement tables: column lists, readers and binders
// (internal to placement_storage; see sqlite_repository.h).
#ifndef JIT_SERVICES_PLACEMENT_STORAGE_ROWS_H_
#define JIT_SERVICES_PLACEMENT_STORAGE_ROWS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/statement.h"
#include "services/placement/domain/model.h"

namespace jit::placement::rows {

inline constexpr char kEmployerColumns[] =
    "employer_id, name, ice, sector, province_code, region_code, partner, "
    "event_sequence, create_time, update_time";
inline constexpr char kJobOfferColumns[] =
    "job_offer_id, employer_id, title, track_id, province_code, region_code, "
    "contract_type, salary_band, openings, open, event_sequence, create_time, "
    "update_time, close_time";
inline constexpr char kTraineeColumns[] =
    "trainee_id, state, exit_kind, exit_date, exit_cohort_id, gender, "
    "age_band, education_level, residence_province_code, "
    "residence_region_code, training_province_code, training_region_code, "
    "track_id, cohort_id, centre_id, current_placement_id, "
    "first_placement_date, event_sequence, create_time, update_time";
inline constexpr char kOfferColumns[] =
    "offer_id, trainee_id, job_offer_id, employer_id, offered_on, create_time";
inline constexpr char kPlacementColumns[] =
    "placement_id, trainee_id, type, employer_id, job_offer_id, start_date, "
    "salary_band, verification, verify_time, end_date, end_reason, "
    "create_time, update_time, end_reason_code";
inline constexpr char kFollowUpColumns[] =
    "trainee_id, months, due_date, due_key, outcome, placement_id, "
    "employer_id, recorded_on, record_time";

// DATA_LOSS "stored placement state '<name>' is unknown".
absl::StatusOr<PlacementState> ParseState(absl::string_view name);

// Readers of a row selected over the matching k*Columns, and binders of
// ?1..?n over them (same order) for an INSERT or an UPDATE keyed by ?1.
absl::StatusOr<Employer> ReadEmployer(const storage::Statement& st);
absl::Status BindEmployer(storage::Statement& st, const Employer& e);
absl::StatusOr<JobOffer> ReadJobOffer(const storage::Statement& st);
absl::Status BindJobOffer(storage::Statement& st, const JobOffer& o);
absl::StatusOr<Trainee> ReadTrainee(const storage::Statement& st);
absl::Status BindTrainee(storage::Statement& st, const Trainee& t);
absl::StatusOr<Offer> ReadOffer(const storage::Statement& st);
absl::Status BindOffer(storage::Statement& st, const Offer& o);
absl::StatusOr<Placement> ReadPlacement(const storage::Statement& st);
absl::Status BindPlacement(storage::Statement& st, const Placement& p);
absl::StatusOr<FollowUp> ReadFollowUp(const storage::Statement& st);
absl::Status BindFollowUp(storage::Statement& st, const FollowUp& f);

}  // namespace jit::placement::rows

#endif  // JIT_SERVICES_PLACEMENT_STORAGE_ROWS_H_
