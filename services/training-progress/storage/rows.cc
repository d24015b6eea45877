#include "services/training-progress/storage/rows.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/status_macros.h"
#include "libs/storage/rows.h"

namespace jit::progress::rows {

using storage::DayText;
using storage::FromMicros;
using storage::Statement;
using storage::ToMicros;

namespace {

constexpr TrainingStatus kStatuses[] = {
    TrainingStatus::kEnrolled,  TrainingStatus::kActive,
    TrainingStatus::kCompleted, TrainingStatus::kDroppedOut,
    TrainingStatus::kCertified, TrainingStatus::kWithdrawn};
constexpr AttendanceMark kMarks[] = {AttendanceMark::kPresent,
                                     AttendanceMark::kExcusedAbsence,
                                     AttendanceMark::kUnexcusedAbsence};

}  // namespace

absl::StatusOr<TrainingStatus> ParseStatus(absl::string_view name) {
  return storage::ParseName(
      kStatuses, [](TrainingStatus s) { return StatusName(s); }, name,
      "training status");
}

absl::StatusOr<AttendanceMark> ParseMark(absl::string_view name) {
  return storage::ParseName(
      kMarks, [](AttendanceMark m) { return MarkName(m); }, name,
      "attendance mark");
}

absl::Status BindTrainee(Statement& st, const TraineeRecord& r) {
  const Dimensions& d = r.dimensions;
  RETURN_IF_ERROR(st.BindText(":cohort_id", r.cohort_id));
  RETURN_IF_ERROR(st.BindText(":trainee_id", r.trainee_id));
  RETURN_IF_ERROR(st.BindText(":application_id", r.application_id));
  RETURN_IF_ERROR(st.BindText(":track_id", r.track_id));
  RETURN_IF_ERROR(st.BindInt64(":curriculum_version", r.curriculum_version));
  RETURN_IF_ERROR(st.BindText(":status", StatusName(r.status)));
  RETURN_IF_ERROR(st.BindInt64(":gender", static_cast<int64_t>(d.gender)));
  RETURN_IF_ERROR(st.BindInt64(":age_band", static_cast<int64_t>(d.age_band)));
  RETURN_IF_ERROR(st.BindInt64(":education_level",
                               static_cast<int64_t>(d.education_level)));
  RETURN_IF_ERROR(
      st.BindText(":residence_province_code", d.residence_province_code));
  RETURN_IF_ERROR(
      st.BindText(":residence_region_code", d.residence_region_code));
  RETURN_IF_ERROR(
      st.BindText(":training_province_code", d.training_province_code));
  RETURN_IF_ERROR(st.BindText(":training_region_code", d.training_region_code));
  RETURN_IF_ERROR(st.BindText(":dimension_track_id", d.track_id));
  RETURN_IF_ERROR(st.BindText(":dimension_cohort_id", d.cohort_id));
  RETURN_IF_ERROR(st.BindText(":centre_id", d.centre_id));
  RETURN_IF_ERROR(st.BindInt64(":sessions_present", r.sessions_present));
  RETURN_IF_ERROR(st.BindInt64(":sessions_excused", r.sessions_excused));
  RETURN_IF_ERROR(st.BindInt64(":sessions_unexcused", r.sessions_unexcused));
  RETURN_IF_ERROR(
      st.BindInt64(":consecutive_unexcused", r.consecutive_unexcused));
  RETURN_IF_ERROR(st.BindInt64(":at_risk", r.at_risk ? 1 : 0));
  RETURN_IF_ERROR(storage::BindOptionalDay(st, ":start_date", r.start_date));
  RETURN_IF_ERROR(
      storage::BindOptionalDay(st, ":completion_date", r.completion_date));
  RETURN_IF_ERROR(storage::BindOptionalDay(st, ":exit_date", r.exit_date));
  RETURN_IF_ERROR(st.BindText(":exit_reason", r.exit_reason));
  if (r.certificate.has_value()) {
    const Certificate& c = *r.certificate;
    RETURN_IF_ERROR(st.BindText(":certificate_id", c.certificate_id));
    RETURN_IF_ERROR(
        st.BindText(":certificate_issued_on", DayText(c.issued_on)));
    RETURN_IF_ERROR(st.BindInt64(":certificate_revoked", c.revoked ? 1 : 0));
    RETURN_IF_ERROR(st.BindText(":revocation_reason", c.revocation_reason));
    RETURN_IF_ERROR(
        storage::BindOptionalDay(st, ":certificate_revoked_on", c.revoked_on));
    RETURN_IF_ERROR(
        st.BindInt64(":revocation_reason_code", c.revocation_reason_code));
  } else {
    RETURN_IF_ERROR(st.BindNull(":certificate_id"));
    RETURN_IF_ERROR(st.BindNull(":certificate_issued_on"));
    RETURN_IF_ERROR(st.BindInt64(":certificate_revoked", 0));
    RETURN_IF_ERROR(st.BindText(":revocation_reason", ""));
    RETURN_IF_ERROR(st.BindNull(":certificate_revoked_on"));
    RETURN_IF_ERROR(st.BindInt64(":revocation_reason_code", 0));
  }
  RETURN_IF_ERROR(st.BindInt64(":exit_reason_code", r.exit_reason_code));
  RETURN_IF_ERROR(st.BindInt64(":create_time", ToMicros(r.create_time)));
  return st.BindInt64(":update_time", ToMicros(r.update_time));
}

absl::StatusOr<TraineeRecord> ReadTrainee(const Statement& st) {
  TraineeRecord r;
  r.cohort_id = st.ColumnText(0);
  r.trainee_id = st.ColumnText(1);
  r.application_id = st.ColumnText(2);
  r.track_id = st.ColumnText(3);
  r.curriculum_version = static_cast<int32_t>(st.ColumnInt64(4));
  ASSIGN_OR_RETURN(r.status, ParseStatus(st.ColumnText(5)));
  storage::ReadDimensions(st, 6, r.dimensions);
  r.sessions_present = static_cast<int32_t>(st.ColumnInt64(16));
  r.sessions_excused = static_cast<int32_t>(st.ColumnInt64(17));
  r.sessions_unexcused = static_cast<int32_t>(st.ColumnInt64(18));
  r.consecutive_unexcused = static_cast<int32_t>(st.ColumnInt64(19));
  r.at_risk = st.ColumnInt64(20) != 0;
  ASSIGN_OR_RETURN(r.start_date,
                   storage::OptionalDayColumn(st, 21, "start_date"));
  ASSIGN_OR_RETURN(r.completion_date,
                   storage::OptionalDayColumn(st, 22, "completion_date"));
  ASSIGN_OR_RETURN(r.exit_date,
                   storage::OptionalDayColumn(st, 23, "exit_date"));
  r.exit_reason = st.ColumnText(24);
  if (!st.ColumnIsNull(25)) {
    Certificate c;
    c.certificate_id = st.ColumnText(25);
    ASSIGN_OR_RETURN(c.issued_on, storage::ParseDay(st.ColumnText(26),
                                                    "certificate_issued_on"));
    c.revoked = st.ColumnInt64(27) != 0;
    c.revocation_reason = st.ColumnText(28);
    ASSIGN_OR_RETURN(c.revoked_on, storage::OptionalDayColumn(
                                       st, 29, "certificate_revoked_on"));
    c.revocation_reason_code =
        static_cast<RevocationReason>(st.ColumnInt64(33));
    r.certificate = std::move(c);
  }
  r.create_time = FromMicros(st.ColumnInt64(30));
  r.update_time = FromMicros(st.ColumnInt64(31));
  r.exit_reason_code = static_cast<DropOutReason>(st.ColumnInt64(32));
  return r;
}

}  // namespace jit::progress::rows
