// Rows of the training-progress tables: the trainees' columns, reader and
// binder (internal to progress_storage; see sqlite_repository.h).
#ifndef JIT_SERVICES_TRAINING_PROGRESS_STORAGE_ROWS_H_
#define JIT_SERVICES_TRAINING_PROGRESS_STORAGE_ROWS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/statement.h"
#include "services/training-progress/domain/model.h"

namespace jit::progress::rows {

inline constexpr char kTraineeColumns[] =
    "cohort_id, trainee_id, application_id, track_id, curriculum_version, "
    "status, gender, age_band, education_level, residence_province_code, "
    "residence_region_code, training_province_code, training_region_code, "
    "dimension_track_id, dimension_cohort_id, centre_id, sessions_present, "
    "sessions_excused, sessions_unexcused, consecutive_unexcused, at_risk, "
    "start_date, completion_date, exit_date, exit_reason, certificate_id, "
    "certificate_issued_on, certificate_revoked, revocation_reason, "
    "certificate_revoked_on, create_time, update_time, exit_reason_code, "
    "revocation_reason_code";
// The same columns as named parameters, in the same order.
inline constexpr char kTraineeParams[] =
    ":cohort_id, :trainee_id, :application_id, :track_id, "
    ":curriculum_version, :status, :gender, :age_band, :education_level, "
    ":residence_province_code, :residence_region_code, "
    ":training_province_code, :training_region_code, :dimension_track_id, "
    ":dimension_cohort_id, :centre_id, :sessions_present, :sessions_excused, "
    ":sessions_unexcused, :consecutive_unexcused, :at_risk, :start_date, "
    ":completion_date, :exit_date, :exit_reason, :certificate_id, "
    ":certificate_issued_on, :certificate_revoked, :revocation_reason, "
    ":certificate_revoked_on, :create_time, :update_time, :exit_reason_code, "
    ":revocation_reason_code";

// DATA_LOSS "stored training status '<name>' is unknown" and "stored
// attendance mark '<name>' is unknown".
absl::StatusOr<TrainingStatus> ParseStatus(absl::string_view name);
absl::StatusOr<AttendanceMark> ParseMark(absl::string_view name);

// Binds the named parameters of kTraineeParams.
absl::Status BindTrainee(storage::Statement& st, const TraineeRecord& r);
// Reads a row selected over kTraineeColumns.
absl::StatusOr<TraineeRecord> ReadTrainee(const storage::Statement& st);

}  // namespace jit::progress::rows

#endif  // JIT_SERVICES_TRAINING_PROGRESS_STORAGE_ROWS_H_
