#include "services/placement/storage/rows.h"

#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/status_macros.h"
#include "libs/storage/rows.h"

namespace jit::placement::rows {

namespace ev = ::jobintech::events::v1;
using storage::BindOptionalDay;
using storage::BindOptionalTime;
using storage::DayText;
using storage::FromMicros;
using storage::OptionalDayColumn;
using storage::OptionalTimeColumn;
using storage::ParseDay;
using storage::Statement;
using storage::ToMicros;

namespace {

constexpr PlacementState kStates[] = {
    ev::PLACEMENT_STATE_JOB_SEEKING, ev::PLACEMENT_STATE_OFFERED,
    ev::PLACEMENT_STATE_PLACED, ev::PLACEMENT_STATE_ENDED};

}  // namespace

absl::StatusOr<PlacementState> ParseState(absl::string_view name) {
  return storage::ParseName(
      kStates, [](PlacementState s) { return StateName(s); }, name,
      "placement state");
}

absl::StatusOr<Employer> ReadEmployer(const Statement& st) {
  Employer e;
  e.employer_id = st.ColumnText(0);
  e.name = st.ColumnText(1);
  e.ice = st.ColumnText(2);
  e.sector = st.ColumnText(3);
  e.province_code = st.ColumnText(4);
  e.region_code = st.ColumnText(5);
  e.partner = st.ColumnInt64(6) != 0;
  e.event_sequence = st.ColumnInt64(7);
  e.create_time = FromMicros(st.ColumnInt64(8));
  e.update_time = FromMicros(st.ColumnInt64(9));
  return e;
}
absl::Status BindEmployer(Statement& st, const Employer& e) {
  RETURN_IF_ERROR(st.BindText(1, e.employer_id));
  RETURN_IF_ERROR(st.BindText(2, e.name));
  RETURN_IF_ERROR(st.BindText(3, e.ice));
  RETURN_IF_ERROR(st.BindText(4, e.sector));
  RETURN_IF_ERROR(st.BindText(5, e.province_code));
  RETURN_IF_ERROR(st.BindText(6, e.region_code));
  RETURN_IF_ERROR(st.BindInt64(7, e.partner ? 1 : 0));
  RETURN_IF_ERROR(st.BindInt64(8, e.event_sequence));
  RETURN_IF_ERROR(st.BindInt64(9, ToMicros(e.create_time)));
  return st.BindInt64(10, ToMicros(e.update_time));
}

absl::StatusOr<JobOffer> ReadJobOffer(const Statement& st) {
  JobOffer o;
  o.job_offer_id = st.ColumnText(0);
  o.employer_id = st.ColumnText(1);
  o.title = st.ColumnText(2);
  o.track_id = st.ColumnText(3);
  o.province_code = st.ColumnText(4);
  o.region_code = st.ColumnText(5);
  o.contract_type = static_cast<PlacementType>(st.ColumnInt64(6));
  o.salary_band = static_cast<SalaryBand>(st.ColumnInt64(7));
  o.openings = static_cast<int32_t>(st.ColumnInt64(8));
  o.open = st.ColumnInt64(9) != 0;
  o.event_sequence = st.ColumnInt64(10);
  o.create_time = FromMicros(st.ColumnInt64(11));
  o.update_time = FromMicros(st.ColumnInt64(12));
  o.close_time = OptionalTimeColumn(st, 13);
  return o;
}
absl::Status BindJobOffer(Statement& st, const JobOffer& o) {
  RETURN_IF_ERROR(st.BindText(1, o.job_offer_id));
  RETURN_IF_ERROR(st.BindText(2, o.employer_id));
  RETURN_IF_ERROR(st.BindText(3, o.title));
  RETURN_IF_ERROR(st.BindText(4, o.track_id));
  RETURN_IF_ERROR(st.BindText(5, o.province_code));
  RETURN_IF_ERROR(st.BindText(6, o.region_code));
  RETURN_IF_ERROR(st.BindInt64(7, static_cast<int64_t>(o.contract_type)));
  RETURN_IF_ERROR(st.BindInt64(8, static_cast<int64_t>(o.salary_band)));
  RETURN_IF_ERROR(st.BindInt64(9, o.openings));
  RETURN_IF_ERROR(st.BindInt64(10, o.open ? 1 : 0));
  RETURN_IF_ERROR(st.BindInt64(11, o.event_sequence));
  RETURN_IF_ERROR(st.BindInt64(12, ToMicros(o.create_time)));
  RETURN_IF_ERROR(st.BindInt64(13, ToMicros(o.update_time)));
  return BindOptionalTime(st, 14, o.close_time);
}

absl::StatusOr<Trainee> ReadTrainee(const Statement& st) {
  Trainee t;
  t.trainee_id = st.ColumnText(0);
  ASSIGN_OR_RETURN(t.state, ParseState(st.ColumnText(1)));
  t.exit.kind = static_cast<ExitKind>(st.ColumnInt64(2));
  ASSIGN_OR_RETURN(t.exit.date, ParseDay(st.ColumnText(3), "exit_date"));
  t.exit.cohort_id = st.ColumnText(4);
  storage::ReadDimensions(st, 5, t.dimensions);
  t.current_placement_id = st.ColumnText(15);
  ASSIGN_OR_RETURN(t.first_placement_date,
                   OptionalDayColumn(st, 16, "first_placement_date"));
  t.event_sequence = st.ColumnInt64(17);
  t.create_time = FromMicros(st.ColumnInt64(18));
  t.update_time = FromMicros(st.ColumnInt64(19));
  return t;
}
absl::Status BindTrainee(Statement& st, const Trainee& t) {
  RETURN_IF_ERROR(st.BindText(1, t.trainee_id));
  RETURN_IF_ERROR(st.BindText(2, StateName(t.state)));
  RETURN_IF_ERROR(st.BindInt64(3, static_cast<int64_t>(t.exit.kind)));
  RETURN_IF_ERROR(st.BindText(4, DayText(t.exit.date)));
  RETURN_IF_ERROR(st.BindText(5, t.exit.cohort_id));
  RETURN_IF_ERROR(storage::BindDimensions(st, 6, t.dimensions));
  RETURN_IF_ERROR(st.BindText(16, t.current_placement_id));
  RETURN_IF_ERROR(BindOptionalDay(st, 17, t.first_placement_date));
  RETURN_IF_ERROR(st.BindInt64(18, t.event_sequence));
  RETURN_IF_ERROR(st.BindInt64(19, ToMicros(t.create_time)));
  return st.BindInt64(20, ToMicros(t.update_time));
}

absl::StatusOr<Offer> ReadOffer(const Statement& st) {
  Offer o;
  o.offer_id = st.ColumnText(0);
  o.trainee_id = st.ColumnText(1);
  o.job_offer_id = st.ColumnText(2);
  o.employer_id = st.ColumnText(3);
  ASSIGN_OR_RETURN(o.offered_on, ParseDay(st.ColumnText(4), "offered_on"));
  o.create_time = FromMicros(st.ColumnInt64(5));
  return o;
}

absl::StatusOr<Placement> ReadPlacement(const Statement& st) {
  Placement p;
  p.placement_id = st.ColumnText(0);
  p.trainee_id = st.ColumnText(1);
  p.type = static_cast<PlacementType>(st.ColumnInt64(2));
  p.employer_id = st.ColumnText(3);
  p.job_offer_id = st.ColumnText(4);
  ASSIGN_OR_RETURN(p.start_date, ParseDay(st.ColumnText(5), "start_date"));
  p.salary_band = static_cast<SalaryBand>(st.ColumnInt64(6));
  p.verification = static_cast<VerificationSource>(st.ColumnInt64(7));
  p.verify_time = OptionalTimeColumn(st, 8);
  ASSIGN_OR_RETURN(p.end_date, OptionalDayColumn(st, 9, "end_date"));
  p.end_reason = st.ColumnText(10);
  p.create_time = FromMicros(st.ColumnInt64(11));
  p.update_time = FromMicros(st.ColumnInt64(12));
  p.end_reason_code = static_cast<PlacementEndReason>(st.ColumnInt64(13));
  return p;
}
absl::Status BindPlacement(Statement& st, const Placement& p) {
  RETURN_IF_ERROR(st.BindText(1, p.placement_id));
  RETURN_IF_ERROR(st.BindText(2, p.trainee_id));
  RETURN_IF_ERROR(st.BindInt64(3, static_cast<int64_t>(p.type)));
  RETURN_IF_ERROR(st.BindText(4, p.employer_id));
  RETURN_IF_ERROR(st.BindText(5, p.job_offer_id));
  RETURN_IF_ERROR(st.BindText(6, DayText(p.start_date)));
  RETURN_IF_ERROR(st.BindInt64(7, static_cast<int64_t>(p.salary_band)));
  RETURN_IF_ERROR(st.BindInt64(8, static_cast<int64_t>(p.verification)));
  RETURN_IF_ERROR(BindOptionalTime(st, 9, p.verify_time));
  RETURN_IF_ERROR(BindOptionalDay(st, 10, p.end_date));
  RETURN_IF_ERROR(st.BindText(11, p.end_reason));
  RETURN_IF_ERROR(st.BindInt64(12, ToMicros(p.create_time)));
  RETURN_IF_ERROR(st.BindInt64(13, ToMicros(p.update_time)));
  return st.BindInt64(14, static_cast<int64_t>(p.end_reason_code));
}

absl::StatusOr<FollowUp> ReadFollowUp(const Statement& st) {
  FollowUp f;
  f.trainee_id = st.ColumnText(0);
  f.months = static_cast<int32_t>(st.ColumnInt64(1));
  ASSIGN_OR_RETURN(f.due_date, ParseDay(st.ColumnText(2), "due_date"));
  // Column 3 is due_key, derived.
  f.outcome = static_cast<FollowUpOutcome>(st.ColumnInt64(4));
  f.placement_id = st.ColumnText(5);
  f.employer_id = st.ColumnText(6);
  ASSIGN_OR_RETURN(f.recorded_on, OptionalDayColumn(st, 7, "recorded_on"));
  f.record_time = OptionalTimeColumn(st, 8);
  return f;
}
absl::Status BindFollowUp(Statement& st, const FollowUp& f) {
  RETURN_IF_ERROR(st.BindText(1, f.trainee_id));
  RETURN_IF_ERROR(st.BindInt64(2, f.months));
  RETURN_IF_ERROR(st.BindText(3, DayText(f.due_date)));
  RETURN_IF_ERROR(st.BindText(4, FollowUpKey(f)));
  RETURN_IF_ERROR(st.BindInt64(5, static_cast<int64_t>(f.outcome)));
  RETURN_IF_ERROR(st.BindText(6, f.placement_id));
  RETURN_IF_ERROR(st.BindText(7, f.employer_id));
  RETURN_IF_ERROR(BindOptionalDay(st, 8, f.recorded_on));
  return BindOptionalTime(st, 9, f.record_time);
}

absl::Status BindOffer(Statement& st, const Offer& o) {
  RETURN_IF_ERROR(st.BindText(1, o.offer_id));
  RETURN_IF_ERROR(st.BindText(2, o.trainee_id));
  RETURN_IF_ERROR(st.BindText(3, o.job_offer_id));
  RETURN_IF_ERROR(st.BindText(4, o.employer_id));
  RETURN_IF_ERROR(st.BindText(5, DayText(o.offered_on)));
  return st.BindInt64(6, ToMicros(o.create_time));
}

}  // namespace jit::placement::rows
