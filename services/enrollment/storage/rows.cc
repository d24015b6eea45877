#include "services/enrollment/storage/rows.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/status_macros.h"
#include "libs/storage/rows.h"

namespace jit::enrollment::rows {

using storage::DayText;
using storage::FromMicros;
using storage::ParseDay;
using storage::Statement;
using storage::ToMicros;

namespace {

constexpr CohortStatus kCohortStatuses[] = {
    CohortStatus::kPlanned, CohortStatus::kOpen, CohortStatus::kRunning,
    CohortStatus::kClosed};
constexpr ApplicationStatus kApplicationStatuses[] = {
    ApplicationStatus::kApplied,    ApplicationStatus::kAdmitted,
    ApplicationStatus::kWaitlisted, ApplicationStatus::kRejected,
    ApplicationStatus::kEnrolled,   ApplicationStatus::kDeclined,
    ApplicationStatus::kWithdrawn};

}  // namespace

absl::StatusOr<CohortStatus> ParseCohortStatus(absl::string_view name) {
  return storage::ParseName(
      kCohortStatuses, [](CohortStatus s) { return StatusName(s); }, name,
      "cohort status");
}

absl::StatusOr<ApplicationStatus> ParseApplicationStatus(
    absl::string_view name) {
  return storage::ParseName(
      kApplicationStatuses, [](ApplicationStatus s) { return StatusName(s); },
      name, "application status");
}

Track ReadTrack(const Statement& st) {
  Track t;
  t.track_id = st.ColumnText(0);
  t.name_fr = st.ColumnText(1);
  t.name_ar = st.ColumnText(2);
  t.create_time = FromMicros(st.ColumnInt64(3));
  return t;
}

Centre ReadCentre(const Statement& st) {
  Centre c;
  c.centre_id = st.ColumnText(0);
  c.name = st.ColumnText(1);
  c.operator_name = st.ColumnText(2);
  c.province_code = st.ColumnText(3);
  c.region_code = st.ColumnText(4);
  c.create_time = FromMicros(st.ColumnInt64(5));
  return c;
}

absl::StatusOr<Cohort> ReadCohort(const Statement& st) {
  Cohort c;
  c.cohort_id = st.ColumnText(0);
  c.name = st.ColumnText(1);
  c.track_id = st.ColumnText(2);
  c.centre_id = st.ColumnText(3);
  c.province_code = st.ColumnText(4);
  c.region_code = st.ColumnText(5);
  c.capacity = static_cast<int32_t>(st.ColumnInt64(6));
  ASSIGN_OR_RETURN(c.start_date, ParseDay(st.ColumnText(7), "start_date"));
  ASSIGN_OR_RETURN(c.end_date, ParseDay(st.ColumnText(8), "end_date"));
  ASSIGN_OR_RETURN(c.status, ParseCohortStatus(st.ColumnText(9)));
  c.event_sequence = st.ColumnInt64(10);
  c.create_time = FromMicros(st.ColumnInt64(11));
  c.update_time = FromMicros(st.ColumnInt64(12));
  return c;
}

absl::StatusOr<Candidate> ReadCandidate(const Statement& st) {
  Candidate c;
  c.trainee_id = st.ColumnText(0);
  c.cin_hash = st.ColumnText(1);  // NULL reads as ""
  if (!st.ColumnIsNull(2)) {
    PersonalData pd;
    pd.given_name = st.ColumnText(2);
    pd.family_name = st.ColumnText(3);
    pd.national_id = st.ColumnText(4);
    ASSIGN_OR_RETURN(pd.birth_date, ParseDay(st.ColumnText(5), "birth_date"));
    pd.phone = st.ColumnText(6);
    pd.email = st.ColumnText(7);
    c.personal_data = std::move(pd);
  }
  c.event_sequence = st.ColumnInt64(8);
  c.create_time = FromMicros(st.ColumnInt64(9));
  if (!st.ColumnIsNull(10)) c.erase_time = FromMicros(st.ColumnInt64(10));
  return c;
}

absl::StatusOr<Application> ReadApplication(const Statement& st) {
  Application a;
  a.application_id = st.ColumnText(0);
  a.trainee_id = st.ColumnText(1);
  a.cohort_id = st.ColumnText(2);
  ASSIGN_OR_RETURN(a.status, ParseApplicationStatus(st.ColumnText(3)));
  storage::ReadDimensions(st, 4, a.dimensions);
  a.reason = st.ColumnText(14);
  a.waitlist_rank = st.ColumnInt64(15);
  a.submit_time = FromMicros(st.ColumnInt64(16));
  a.update_time = FromMicros(st.ColumnInt64(17));
  a.reason_code = static_cast<int32_t>(st.ColumnInt64(18));
  return a;
}

// Binds ?1.. of an INSERT or UPDATE over kApplicationColumns (same order).
absl::Status BindApplication(Statement& st, const Application& a) {
  RETURN_IF_ERROR(st.BindText(1, a.application_id));
  RETURN_IF_ERROR(st.BindText(2, a.trainee_id));
  RETURN_IF_ERROR(st.BindText(3, a.cohort_id));
  RETURN_IF_ERROR(st.BindText(4, StatusName(a.status)));
  RETURN_IF_ERROR(storage::BindDimensions(st, 5, a.dimensions));
  RETURN_IF_ERROR(st.BindText(15, a.reason));
  RETURN_IF_ERROR(st.BindInt64(16, a.waitlist_rank));
  RETURN_IF_ERROR(st.BindInt64(17, ToMicros(a.submit_time)));
  RETURN_IF_ERROR(st.BindInt64(18, ToMicros(a.update_time)));
  return st.BindInt64(19, a.reason_code);
}

// Binds ?1..?11 over kCandidateColumns (same order).
absl::Status BindCandidate(Statement& st, const Candidate& c) {
  RETURN_IF_ERROR(st.BindText(1, c.trainee_id));
  RETURN_IF_ERROR(c.cin_hash.empty() ? st.BindNull(2)
                                     : st.BindText(2, c.cin_hash));
  if (c.personal_data.has_value()) {
    const PersonalData& pd = *c.personal_data;
    RETURN_IF_ERROR(st.BindText(3, pd.given_name));
    RETURN_IF_ERROR(st.BindText(4, pd.family_name));
    RETURN_IF_ERROR(st.BindText(5, pd.national_id));
    RETURN_IF_ERROR(st.BindText(6, DayText(pd.birth_date)));
    RETURN_IF_ERROR(st.BindText(7, pd.phone));
    RETURN_IF_ERROR(st.BindText(8, pd.email));
  } else {
    for (int i = 3; i <= 8; ++i) RETURN_IF_ERROR(st.BindNull(i));
  }
  RETURN_IF_ERROR(st.BindInt64(9, c.event_sequence));
  RETURN_IF_ERROR(st.BindInt64(10, ToMicros(c.create_time)));
  return c.erase_time.has_value() ? st.BindInt64(11, ToMicros(*c.erase_time))
                                  : st.BindNull(11);
}

// Binds ?1..?13 over kCohortColumns (same order).
absl::Status BindCohort(Statement& st, const Cohort& c) {
  RETURN_IF_ERROR(st.BindText(1, c.cohort_id));
  RETURN_IF_ERROR(st.BindText(2, c.name));
  RETURN_IF_ERROR(st.BindText(3, c.track_id));
  RETURN_IF_ERROR(st.BindText(4, c.centre_id));
  RETURN_IF_ERROR(st.BindText(5, c.province_code));
  RETURN_IF_ERROR(st.BindText(6, c.region_code));
  RETURN_IF_ERROR(st.BindInt64(7, c.capacity));
  RETURN_IF_ERROR(st.BindText(8, DayText(c.start_date)));
  RETURN_IF_ERROR(st.BindText(9, DayText(c.end_date)));
  RETURN_IF_ERROR(st.BindText(10, StatusName(c.status)));
  RETURN_IF_ERROR(st.BindInt64(11, c.event_sequence));
  RETURN_IF_ERROR(st.BindInt64(12, ToMicros(c.create_time)));
  return st.BindInt64(13, ToMicros(c.update_time));
}

absl::Status BindCentre(Statement& st, const Centre& c) {
  RETURN_IF_ERROR(st.BindText(1, c.centre_id));
  RETURN_IF_ERROR(st.BindText(2, c.name));
  RETURN_IF_ERROR(st.BindText(3, c.operator_name));
  RETURN_IF_ERROR(st.BindText(4, c.province_code));
  RETURN_IF_ERROR(st.BindText(5, c.region_code));
  return st.BindInt64(6, ToMicros(c.create_time));
}

}  // namespace jit::enrollment::rows
