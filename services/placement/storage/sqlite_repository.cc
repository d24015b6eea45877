#include "services/placement/storage/sqlite_repository.h"

#include <sqlite3.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/errors.h"
#include "libs/storage/idempotency.h"
#include "libs/storage/statement.h"
#include "nlohmann/json.hpp"
#include "services/placement/events/event_mapper.h"
#include "services/placement/storage/schema.h"

namespace jit::placement {
namespace {

namespace ev = ::jobintech::events::v1;
using ::nlohmann::json;
using storage::Statement;
using storage::Tx;

// ---------------------------------------------------------------------------
// Value encodings shared by the columns and the JSON snapshots.

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text,
                                        absl::string_view what) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::DataLossError(
        absl::StrCat("stored ", what, " '", text, "' is not a YYYY-MM-DD day"));
  }
  return day;
}

constexpr PlacementState kStates[] = {
    ev::PLACEMENT_STATE_JOB_SEEKING, ev::PLACEMENT_STATE_OFFERED,
    ev::PLACEMENT_STATE_PLACED, ev::PLACEMENT_STATE_ENDED};

absl::StatusOr<PlacementState> ParseState(const std::string& name) {
  for (PlacementState s : kStates) {
    if (StateName(s) == name) return s;
  }
  return absl::DataLossError(
      absl::StrCat("stored placement state '", name, "' is unknown"));
}

// ---------------------------------------------------------------------------
// JSON snapshots. Readers throw nlohmann::json exceptions on a malformed
// document; SnapshotFromJson turns them into DATA_LOSS.

constexpr char kTypeKey[] = "type";
constexpr char kValueKey[] = "value";

json OptDayJson(const std::optional<absl::CivilDay>& d) {
  return d.has_value() ? json(DayText(*d)) : json(nullptr);
}
json OptTimeJson(const std::optional<absl::Time>& t) {
  return t.has_value() ? json(Micros(*t)) : json(nullptr);
}

json ToJson(const Employer& e) {
  return {{"employer_id", e.employer_id},
          {"name", e.name},
          {"ice", e.ice},
          {"sector", e.sector},
          {"province_code", e.province_code},
          {"region_code", e.region_code},
          {"partner", e.partner},
          {"event_sequence", e.event_sequence},
          {"create_time", Micros(e.create_time)},
          {"update_time", Micros(e.update_time)}};
}
json ToJson(const JobOffer& o) {
  return {{"job_offer_id", o.job_offer_id},
          {"employer_id", o.employer_id},
          {"title", o.title},
          {"track_id", o.track_id},
          {"province_code", o.province_code},
          {"region_code", o.region_code},
          {"contract_type", static_cast<int>(o.contract_type)},
          {"salary_band", static_cast<int>(o.salary_band)},
          {"openings", o.openings},
          {"open", o.open},
          {"event_sequence", o.event_sequence},
          {"create_time", Micros(o.create_time)},
          {"update_time", Micros(o.update_time)},
          {"close_time", OptTimeJson(o.close_time)}};
}
json ToJson(const Dimensions& d) {
  return {{"gender", static_cast<int>(d.gender)},
          {"age_band", static_cast<int>(d.age_band)},
          {"education_level", static_cast<int>(d.education_level)},
          {"residence_province_code", d.residence_province_code},
          {"residence_region_code", d.residence_region_code},
          {"training_province_code", d.training_province_code},
          {"training_region_code", d.training_region_code},
          {"track_id", d.track_id},
          {"cohort_id", d.cohort_id},
          {"centre_id", d.centre_id}};
}
json ToJson(const Trainee& t) {
  return {{"trainee_id", t.trainee_id},
          {"state", StateName(t.state)},
          {"exit_kind", static_cast<int>(t.exit.kind)},
          {"exit_date", DayText(t.exit.date)},
          {"exit_cohort_id", t.exit.cohort_id},
          {"dimensions", ToJson(t.dimensions)},
          {"current_placement_id", t.current_placement_id},
          {"first_placement_date", OptDayJson(t.first_placement_date)},
          {"event_sequence", t.event_sequence},
          {"create_time", Micros(t.create_time)},
          {"update_time", Micros(t.update_time)}};
}
json ToJson(const Offer& o) {
  return {{"offer_id", o.offer_id},
          {"trainee_id", o.trainee_id},
          {"job_offer_id", o.job_offer_id},
          {"employer_id", o.employer_id},
          {"offered_on", DayText(o.offered_on)},
          {"create_time", Micros(o.create_time)}};
}
json ToJson(const Placement& p) {
  return {{"placement_id", p.placement_id},
          {"trainee_id", p.trainee_id},
          {"type", static_cast<int>(p.type)},
          {"employer_id", p.employer_id},
          {"job_offer_id", p.job_offer_id},
          {"start_date", DayText(p.start_date)},
          {"salary_band", static_cast<int>(p.salary_band)},
          {"verification", static_cast<int>(p.verification)},
          {"verify_time", OptTimeJson(p.verify_time)},
          {"end_date", OptDayJson(p.end_date)},
          {"end_reason", p.end_reason},
          {"create_time", Micros(p.create_time)},
          {"update_time", Micros(p.update_time)}};
}
json ToJson(const FollowUp& f) {
  return {{"trainee_id", f.trainee_id},
          {"months", f.months},
          {"due_date", DayText(f.due_date)},
          {"outcome", static_cast<int>(f.outcome)},
          {"placement_id", f.placement_id},
          {"employer_id", f.employer_id},
          {"recorded_on", OptDayJson(f.recorded_on)},
          {"record_time", OptTimeJson(f.record_time)}};
}
json ToJson(const TraineeResult& r) {
  json j = {{"trainee", ToJson(r.trainee)}};
  j["offer"] = r.offer.has_value() ? ToJson(*r.offer) : json(nullptr);
  j["placement"] =
      r.placement.has_value() ? ToJson(*r.placement) : json(nullptr);
  j["follow_up"] =
      r.follow_up.has_value() ? ToJson(*r.follow_up) : json(nullptr);
  return j;
}

const char* TypeName(const ResponseSnapshot& s) {
  constexpr const char* kNames[] = {"Employer", "JobOffer", "TraineeResult"};
  static_assert(std::size(kNames) == std::variant_size_v<ResponseSnapshot>);
  return kNames[s.index()];
}

absl::Time TimeAt(const json& j, const char* key) {
  return FromMicros(j.at(key).get<int64_t>());
}
std::optional<absl::Time> OptTimeAt(const json& j, const char* key) {
  if (j.at(key).is_null()) return std::nullopt;
  return TimeAt(j, key);
}
std::string StringAt(const json& j, const char* key) {
  return j.at(key).get<std::string>();
}
absl::StatusOr<absl::CivilDay> DayAt(const json& j, const char* key) {
  return ParseDay(StringAt(j, key), key);
}
absl::StatusOr<std::optional<absl::CivilDay>> OptDayAt(const json& j,
                                                       const char* key) {
  if (j.at(key).is_null()) return std::optional<absl::CivilDay>();
  ASSIGN_OR_RETURN(absl::CivilDay d, DayAt(j, key));
  return std::optional<absl::CivilDay>(d);
}
template <typename E>
E EnumAt(const json& j, const char* key) {
  return static_cast<E>(j.at(key).get<int>());
}

Employer EmployerFromJson(const json& j) {
  Employer e;
  e.employer_id = StringAt(j, "employer_id");
  e.name = StringAt(j, "name");
  e.ice = StringAt(j, "ice");
  e.sector = StringAt(j, "sector");
  e.province_code = StringAt(j, "province_code");
  e.region_code = StringAt(j, "region_code");
  e.partner = j.at("partner").get<bool>();
  e.event_sequence = j.at("event_sequence").get<int64_t>();
  e.create_time = TimeAt(j, "create_time");
  e.update_time = TimeAt(j, "update_time");
  return e;
}

JobOffer JobOfferFromJson(const json& j) {
  JobOffer o;
  o.job_offer_id = StringAt(j, "job_offer_id");
  o.employer_id = StringAt(j, "employer_id");
  o.title = StringAt(j, "title");
  o.track_id = StringAt(j, "track_id");
  o.province_code = StringAt(j, "province_code");
  o.region_code = StringAt(j, "region_code");
  o.contract_type = EnumAt<PlacementType>(j, "contract_type");
  o.salary_band = EnumAt<SalaryBand>(j, "salary_band");
  o.openings = j.at("openings").get<int32_t>();
  o.open = j.at("open").get<bool>();
  o.event_sequence = j.at("event_sequence").get<int64_t>();
  o.create_time = TimeAt(j, "create_time");
  o.update_time = TimeAt(j, "update_time");
  o.close_time = OptTimeAt(j, "close_time");
  return o;
}

Dimensions DimensionsFromJson(const json& j) {
  Dimensions d;
  d.gender = EnumAt<Gender>(j, "gender");
  d.age_band = EnumAt<AgeBand>(j, "age_band");
  d.education_level = EnumAt<EducationLevel>(j, "education_level");
  d.residence_province_code = StringAt(j, "residence_province_code");
  d.residence_region_code = StringAt(j, "residence_region_code");
  d.training_province_code = StringAt(j, "training_province_code");
  d.training_region_code = StringAt(j, "training_region_code");
  d.track_id = StringAt(j, "track_id");
  d.cohort_id = StringAt(j, "cohort_id");
  d.centre_id = StringAt(j, "centre_id");
  return d;
}

absl::StatusOr<Trainee> TraineeFromJson(const json& j) {
  Trainee t;
  t.trainee_id = StringAt(j, "trainee_id");
  ASSIGN_OR_RETURN(t.state, ParseState(StringAt(j, "state")));
  t.exit.kind = EnumAt<ExitKind>(j, "exit_kind");
  ASSIGN_OR_RETURN(t.exit.date, DayAt(j, "exit_date"));
  t.exit.cohort_id = StringAt(j, "exit_cohort_id");
  t.dimensions = DimensionsFromJson(j.at("dimensions"));
  t.current_placement_id = StringAt(j, "current_placement_id");
  ASSIGN_OR_RETURN(t.first_placement_date, OptDayAt(j, "first_placement_date"));
  t.event_sequence = j.at("event_sequence").get<int64_t>();
  t.create_time = TimeAt(j, "create_time");
  t.update_time = TimeAt(j, "update_time");
  return t;
}

absl::StatusOr<Offer> OfferFromJson(const json& j) {
  Offer o;
  o.offer_id = StringAt(j, "offer_id");
  o.trainee_id = StringAt(j, "trainee_id");
  o.job_offer_id = StringAt(j, "job_offer_id");
  o.employer_id = StringAt(j, "employer_id");
  ASSIGN_OR_RETURN(o.offered_on, DayAt(j, "offered_on"));
  o.create_time = TimeAt(j, "create_time");
  return o;
}

absl::StatusOr<Placement> PlacementFromJson(const json& j) {
  Placement p;
  p.placement_id = StringAt(j, "placement_id");
  p.trainee_id = StringAt(j, "trainee_id");
  p.type = EnumAt<PlacementType>(j, "type");
  p.employer_id = StringAt(j, "employer_id");
  p.job_offer_id = StringAt(j, "job_offer_id");
  ASSIGN_OR_RETURN(p.start_date, DayAt(j, "start_date"));
  p.salary_band = EnumAt<SalaryBand>(j, "salary_band");
  p.verification = EnumAt<VerificationSource>(j, "verification");
  p.verify_time = OptTimeAt(j, "verify_time");
  ASSIGN_OR_RETURN(p.end_date, OptDayAt(j, "end_date"));
  p.end_reason = StringAt(j, "end_reason");
  p.create_time = TimeAt(j, "create_time");
  p.update_time = TimeAt(j, "update_time");
  return p;
}

absl::StatusOr<FollowUp> FollowUpFromJson(const json& j) {
  FollowUp f;
  f.trainee_id = StringAt(j, "trainee_id");
  f.months = j.at("months").get<int32_t>();
  ASSIGN_OR_RETURN(f.due_date, DayAt(j, "due_date"));
  f.outcome = EnumAt<FollowUpOutcome>(j, "outcome");
  f.placement_id = StringAt(j, "placement_id");
  f.employer_id = StringAt(j, "employer_id");
  ASSIGN_OR_RETURN(f.recorded_on, OptDayAt(j, "recorded_on"));
  f.record_time = OptTimeAt(j, "record_time");
  return f;
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJsonValue(const json& doc) {
  const std::string type = StringAt(doc, kTypeKey);
  const json& j = doc.at(kValueKey);
  if (type == "Employer") return EmployerFromJson(j);
  if (type == "JobOffer") return JobOfferFromJson(j);
  if (type == "TraineeResult") {
    TraineeResult r;
    ASSIGN_OR_RETURN(r.trainee, TraineeFromJson(j.at("trainee")));
    if (!j.at("offer").is_null()) {
      ASSIGN_OR_RETURN(r.offer, OfferFromJson(j.at("offer")));
    }
    if (!j.at("placement").is_null()) {
      ASSIGN_OR_RETURN(r.placement, PlacementFromJson(j.at("placement")));
    }
    if (!j.at("follow_up").is_null()) {
      ASSIGN_OR_RETURN(r.follow_up, FollowUpFromJson(j.at("follow_up")));
    }
    return r;
  }
  return absl::DataLossError(
      absl::StrCat("stored response snapshot has unknown type '", type, "'"));
}

// ---------------------------------------------------------------------------
// Rows.

constexpr char kEmployerColumns[] =
    "employer_id, name, ice, sector, province_code, region_code, partner, "
    "event_sequence, create_time, update_time";
constexpr char kJobOfferColumns[] =
    "job_offer_id, employer_id, title, track_id, province_code, region_code, "
    "contract_type, salary_band, openings, open, event_sequence, create_time, "
    "update_time, close_time";
constexpr char kTraineeColumns[] =
    "trainee_id, state, exit_kind, exit_date, exit_cohort_id, gender, "
    "age_band, education_level, residence_province_code, "
    "residence_region_code, training_province_code, training_region_code, "
    "track_id, cohort_id, centre_id, current_placement_id, "
    "first_placement_date, event_sequence, create_time, update_time";
constexpr char kOfferColumns[] =
    "offer_id, trainee_id, job_offer_id, employer_id, offered_on, create_time";
constexpr char kPlacementColumns[] =
    "placement_id, trainee_id, type, employer_id, job_offer_id, start_date, "
    "salary_band, verification, verify_time, end_date, end_reason, "
    "create_time, update_time";
constexpr char kFollowUpColumns[] =
    "trainee_id, months, due_date, due_key, outcome, placement_id, "
    "employer_id, recorded_on, record_time";

// "?1, ?2, ..., ?n".
std::string Placeholders(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) absl::StrAppend(&out, i > 1 ? ", " : "", "?", i);
  return out;
}

std::optional<absl::Time> OptTimeColumn(const Statement& st, int col) {
  if (st.ColumnIsNull(col)) return std::nullopt;
  return FromMicros(st.ColumnInt64(col));
}
absl::StatusOr<std::optional<absl::CivilDay>> OptDayColumn(
    const Statement& st, int col, absl::string_view what) {
  if (st.ColumnIsNull(col)) return std::optional<absl::CivilDay>();
  ASSIGN_OR_RETURN(absl::CivilDay d, ParseDay(st.ColumnText(col), what));
  return std::optional<absl::CivilDay>(d);
}
absl::Status BindOptTime(Statement& st, int index,
                         const std::optional<absl::Time>& t) {
  return t.has_value() ? st.BindInt64(index, Micros(*t)) : st.BindNull(index);
}
absl::Status BindOptDay(Statement& st, int index,
                        const std::optional<absl::CivilDay>& d) {
  return d.has_value() ? st.BindText(index, DayText(*d)) : st.BindNull(index);
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
  RETURN_IF_ERROR(st.BindInt64(9, Micros(e.create_time)));
  return st.BindInt64(10, Micros(e.update_time));
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
  o.close_time = OptTimeColumn(st, 13);
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
  RETURN_IF_ERROR(st.BindInt64(12, Micros(o.create_time)));
  RETURN_IF_ERROR(st.BindInt64(13, Micros(o.update_time)));
  return BindOptTime(st, 14, o.close_time);
}

absl::StatusOr<Trainee> ReadTrainee(const Statement& st) {
  Trainee t;
  t.trainee_id = st.ColumnText(0);
  ASSIGN_OR_RETURN(t.state, ParseState(st.ColumnText(1)));
  t.exit.kind = static_cast<ExitKind>(st.ColumnInt64(2));
  ASSIGN_OR_RETURN(t.exit.date, ParseDay(st.ColumnText(3), "exit_date"));
  t.exit.cohort_id = st.ColumnText(4);
  Dimensions& d = t.dimensions;
  d.gender = static_cast<Gender>(st.ColumnInt64(5));
  d.age_band = static_cast<AgeBand>(st.ColumnInt64(6));
  d.education_level = static_cast<EducationLevel>(st.ColumnInt64(7));
  d.residence_province_code = st.ColumnText(8);
  d.residence_region_code = st.ColumnText(9);
  d.training_province_code = st.ColumnText(10);
  d.training_region_code = st.ColumnText(11);
  d.track_id = st.ColumnText(12);
  d.cohort_id = st.ColumnText(13);
  d.centre_id = st.ColumnText(14);
  t.current_placement_id = st.ColumnText(15);
  ASSIGN_OR_RETURN(t.first_placement_date,
                   OptDayColumn(st, 16, "first_placement_date"));
  t.event_sequence = st.ColumnInt64(17);
  t.create_time = FromMicros(st.ColumnInt64(18));
  t.update_time = FromMicros(st.ColumnInt64(19));
  return t;
}
absl::Status BindTrainee(Statement& st, const Trainee& t) {
  const Dimensions& d = t.dimensions;
  RETURN_IF_ERROR(st.BindText(1, t.trainee_id));
  RETURN_IF_ERROR(st.BindText(2, StateName(t.state)));
  RETURN_IF_ERROR(st.BindInt64(3, static_cast<int64_t>(t.exit.kind)));
  RETURN_IF_ERROR(st.BindText(4, DayText(t.exit.date)));
  RETURN_IF_ERROR(st.BindText(5, t.exit.cohort_id));
  RETURN_IF_ERROR(st.BindInt64(6, static_cast<int64_t>(d.gender)));
  RETURN_IF_ERROR(st.BindInt64(7, static_cast<int64_t>(d.age_band)));
  RETURN_IF_ERROR(st.BindInt64(8, static_cast<int64_t>(d.education_level)));
  RETURN_IF_ERROR(st.BindText(9, d.residence_province_code));
  RETURN_IF_ERROR(st.BindText(10, d.residence_region_code));
  RETURN_IF_ERROR(st.BindText(11, d.training_province_code));
  RETURN_IF_ERROR(st.BindText(12, d.training_region_code));
  RETURN_IF_ERROR(st.BindText(13, d.track_id));
  RETURN_IF_ERROR(st.BindText(14, d.cohort_id));
  RETURN_IF_ERROR(st.BindText(15, d.centre_id));
  RETURN_IF_ERROR(st.BindText(16, t.current_placement_id));
  RETURN_IF_ERROR(BindOptDay(st, 17, t.first_placement_date));
  RETURN_IF_ERROR(st.BindInt64(18, t.event_sequence));
  RETURN_IF_ERROR(st.BindInt64(19, Micros(t.create_time)));
  return st.BindInt64(20, Micros(t.update_time));
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
  p.verify_time = OptTimeColumn(st, 8);
  ASSIGN_OR_RETURN(p.end_date, OptDayColumn(st, 9, "end_date"));
  p.end_reason = st.ColumnText(10);
  p.create_time = FromMicros(st.ColumnInt64(11));
  p.update_time = FromMicros(st.ColumnInt64(12));
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
  RETURN_IF_ERROR(BindOptTime(st, 9, p.verify_time));
  RETURN_IF_ERROR(BindOptDay(st, 10, p.end_date));
  RETURN_IF_ERROR(st.BindText(11, p.end_reason));
  RETURN_IF_ERROR(st.BindInt64(12, Micros(p.create_time)));
  return st.BindInt64(13, Micros(p.update_time));
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
  ASSIGN_OR_RETURN(f.recorded_on, OptDayColumn(st, 7, "recorded_on"));
  f.record_time = OptTimeColumn(st, 8);
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
  RETURN_IF_ERROR(BindOptDay(st, 8, f.recorded_on));
  return BindOptTime(st, 9, f.record_time);
}

// ---------------------------------------------------------------------------
// Errors.

absl::Status AlreadyExists(absl::string_view what, absl::string_view id) {
  return absl::AlreadyExistsError(
      absl::StrCat(what, " '", id, "' already exists"));
}

absl::Status NotFound(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
}

absl::Status MapInsertError(absl::Status s, absl::string_view what,
                            absl::string_view id) {
  if (storage::IsUniqueViolation(s)) return AlreadyExists(what, id);
  return s;
}

// For employers: the primary key or the ICE.
absl::Status MapEmployerError(absl::Status s, const Employer& e) {
  if (!storage::IsUniqueViolation(s)) return s;
  if (storage::SqliteResultCode(s) == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExists("employer", e.employer_id);
  }
  return absl::AlreadyExistsError(
      absl::StrCat("an employer with ICE ", e.ice, " already exists"));
}

absl::Status ReadOnly(absl::string_view operation) {
  return absl::FailedPreconditionError(absl::StrCat(
      operation, ": the store is read-only inside a read transaction"));
}

absl::Status CheckLimit(const PageQuery& page) {
  if (page.limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page limit must be positive, got ", page.limit));
  }
  return absl::OkStatus();
}

// A keyset-paged SELECT: "SELECT <columns> FROM <from> WHERE <key> > ?1
// [AND <condition> ...] ORDER BY <key> LIMIT ?last". The SQL text depends
// only on which filters are set, so the statement cache serves it.
class PagedQuery {
 public:
  PagedQuery(absl::string_view columns, absl::string_view from,
             absl::string_view key, const PageQuery& page)
      : key_(key), page_(page) {
    absl::StrAppend(&sql_, "SELECT ", columns, " FROM ", from, " WHERE ", key,
                    " > ?1");
    binds_.push_back(Bind{page.after_key, 0, false});
  }
  // Adds "<column> = ?" when `value` is not empty.
  void Equal(absl::string_view column, const std::string& value) {
    if (value.empty()) return;
    binds_.push_back(Bind{value, 0, false});
    absl::StrAppend(&sql_, " AND ", column, " = ?", binds_.size());
  }
  // Adds "<column> <op> ?" (always).
  void Compare(absl::string_view column, absl::string_view op,
               const std::string& value) {
    binds_.push_back(Bind{value, 0, false});
    absl::StrAppend(&sql_, " AND ", column, " ", op, " ?", binds_.size());
  }
  void EqualInt(absl::string_view column, int64_t value) {
    binds_.push_back(Bind{"", value, true});
    absl::StrAppend(&sql_, " AND ", column, " = ?", binds_.size());
  }
  // Adds a parameterless condition.
  void Condition(absl::string_view condition) {
    absl::StrAppend(&sql_, " AND ", condition);
  }
  template <typename T, typename Read, typename KeyOf>
  absl::StatusOr<Page<T>> Run(Tx& tx, Read read, KeyOf key_of) {
    RETURN_IF_ERROR(CheckLimit(page_));
    const std::string sql =
        absl::StrCat(sql_, " ORDER BY ", key_, " LIMIT ?", binds_.size() + 1);
    ASSIGN_OR_RETURN(Statement st, tx.Prepare(sql));
    int index = 1;
    for (const Bind& b : binds_) {
      RETURN_IF_ERROR(b.is_int ? st.BindInt64(index, b.number)
                               : st.BindText(index, b.text));
      ++index;
    }
    RETURN_IF_ERROR(st.BindInt64(index, int64_t{page_.limit} + 1));
    Page<T> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (static_cast<int64_t>(out.items.size()) == page_.limit) {
        out.next_after_key = key_of(out.items.back());
        break;
      }
      ASSIGN_OR_RETURN(T item, read(st));
      out.items.push_back(std::move(item));
    }
    return out;
  }

 private:
  struct Bind {
    std::string text;
    int64_t number;
    bool is_int;
  };
  std::string key_;
  PageQuery page_;
  std::string sql_;
  std::vector<Bind> binds_;
};

// ---------------------------------------------------------------------------
// The store handed to Write/Read callbacks.

class SqliteStore final : public PlacementStore {
 public:
  SqliteStore(Tx& tx, bool writable, const Clock* clock)
      : tx_(tx), writable_(writable), clock_(clock) {}

  // Idempotency.
  absl::StatusOr<std::optional<StoredRequest>> FindRequest(
      const std::string& request_id) override {
    ASSIGN_OR_RETURN(std::optional<storage::RequestRecord> record,
                     storage::FindRequestRecord(tx_, request_id));
    if (!record.has_value()) return std::optional<StoredRequest>();
    absl::StatusOr<ResponseSnapshot> response = SnapshotFromJson(record->response);
    if (!response.ok()) {
      return absl::DataLossError(absl::StrCat(
          "stored request '", request_id, "': ", response.status().message()));
    }
    StoredRequest r;
    r.request_id = request_id;
    r.operation = std::move(record->operation);
    r.response = *std::move(response);
    r.create_time = record->create_time;
    r.actor_id = std::move(record->actor_id);
    r.fingerprint = std::move(record->fingerprint);
    return std::optional<StoredRequest>(std::move(r));
  }

  absl::StatusOr<int64_t> DeleteRequestsBefore(absl::Time before, int64_t limit) override {
    if (!writable_) return ReadOnly("DeleteRequestsBefore");
    return storage::DeleteRequestRecordsBefore(tx_, before, limit);
  }

  absl::Status InsertRequest(const StoredRequest& request) override {
    if (!writable_) return ReadOnly("InsertRequest");
    return storage::InsertRequestRecord(
        tx_, request.request_id,
        {.operation = request.operation,
         .response = SnapshotToJson(request.response),
         .create_time = request.create_time,
         .actor_id = request.actor_id,
         .fingerprint = request.fingerprint});
  }


  // Employers.
  absl::StatusOr<std::optional<Employer>> FindEmployer(
      const std::string& employer_id) override {
    return FindOne<Employer>(kEmployerColumns, "employers", "employer_id",
                             employer_id, ReadEmployer);
  }
  absl::StatusOr<std::optional<Employer>> FindEmployerByIce(
      const std::string& ice) override {
    return FindOne<Employer>(kEmployerColumns, "employers", "ice", ice,
                             ReadEmployer);
  }
  absl::Status InsertEmployer(const Employer& employer) override {
    if (!writable_) return ReadOnly("InsertEmployer");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO employers (", kEmployerColumns,
                                 ") VALUES (", Placeholders(10), ")")));
    RETURN_IF_ERROR(BindEmployer(st, employer));
    return MapEmployerError(st.Run(), employer);
  }
  absl::Status UpdateEmployer(const Employer& employer) override {
    if (!writable_) return ReadOnly("UpdateEmployer");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE employers SET name = ?2, ice = ?3, sector = ?4, "
                    "province_code = ?5, region_code = ?6, partner = ?7, "
                    "event_sequence = ?8, create_time = ?9, update_time = ?10 "
                    "WHERE employer_id = ?1"));
    RETURN_IF_ERROR(BindEmployer(st, employer));
    RETURN_IF_ERROR(MapEmployerError(st.Run(), employer));
    if (tx_.Changes() == 0) return NotFound("employer", employer.employer_id);
    return absl::OkStatus();
  }
  absl::StatusOr<Page<Employer>> ListEmployers(const EmployerFilter& filter,
                                               const PageQuery& page) override {
    PagedQuery q(kEmployerColumns, "employers", "employer_id", page);
    q.Equal("sector", filter.sector);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    if (filter.partner.has_value()) q.EqualInt("partner", *filter.partner);
    return q.Run<Employer>(tx_, ReadEmployer,
                           [](const Employer& e) { return e.employer_id; });
  }

  // Job offers.
  absl::StatusOr<std::optional<JobOffer>> FindJobOffer(
      const std::string& job_offer_id) override {
    return FindOne<JobOffer>(kJobOfferColumns, "job_offers", "job_offer_id",
                             job_offer_id, ReadJobOffer);
  }
  absl::Status InsertJobOffer(const JobOffer& offer) override {
    if (!writable_) return ReadOnly("InsertJobOffer");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO job_offers (", kJobOfferColumns,
                                 ") VALUES (", Placeholders(14), ")")));
    RETURN_IF_ERROR(BindJobOffer(st, offer));
    return MapInsertError(st.Run(), "job offer", offer.job_offer_id);
  }
  absl::Status UpdateJobOffer(const JobOffer& offer) override {
    if (!writable_) return ReadOnly("UpdateJobOffer");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE job_offers SET employer_id = ?2, title = ?3, "
                    "track_id = ?4, province_code = ?5, region_code = ?6, "
                    "contract_type = ?7, salary_band = ?8, openings = ?9, "
                    "open = ?10, event_sequence = ?11, create_time = ?12, "
                    "update_time = ?13, close_time = ?14 "
                    "WHERE job_offer_id = ?1"));
    RETURN_IF_ERROR(BindJobOffer(st, offer));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) return NotFound("job offer", offer.job_offer_id);
    return absl::OkStatus();
  }
  absl::StatusOr<Page<JobOffer>> ListJobOffers(const JobOfferFilter& filter,
                                               const PageQuery& page) override {
    PagedQuery q(kJobOfferColumns, "job_offers", "job_offer_id", page);
    q.Equal("employer_id", filter.employer_id);
    q.Equal("track_id", filter.track_id);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    if (filter.open.has_value()) q.EqualInt("open", *filter.open);
    return q.Run<JobOffer>(tx_, ReadJobOffer,
                           [](const JobOffer& o) { return o.job_offer_id; });
  }

  // Trainees.
  absl::StatusOr<std::optional<Trainee>> FindTrainee(
      const std::string& trainee_id) override {
    return FindOne<Trainee>(kTraineeColumns, "trainees", "trainee_id",
                            trainee_id, ReadTrainee);
  }
  absl::Status InsertTrainee(const Trainee& trainee) override {
    if (!writable_) return ReadOnly("InsertTrainee");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO trainees (", kTraineeColumns,
                                 ") VALUES (", Placeholders(20), ")")));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    return MapInsertError(st.Run(), "trainee", trainee.trainee_id);
  }
  absl::Status UpdateTrainee(const Trainee& trainee) override {
    if (!writable_) return ReadOnly("UpdateTrainee");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(
            "UPDATE trainees SET state = ?2, exit_kind = ?3, exit_date = ?4, "
            "exit_cohort_id = ?5, gender = ?6, age_band = ?7, "
            "education_level = ?8, residence_province_code = ?9, "
            "residence_region_code = ?10, training_province_code = ?11, "
            "training_region_code = ?12, track_id = ?13, cohort_id = ?14, "
            "centre_id = ?15, current_placement_id = ?16, "
            "first_placement_date = ?17, event_sequence = ?18, "
            "create_time = ?19, update_time = ?20 WHERE trainee_id = ?1"));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) return NotFound("trainee", trainee.trainee_id);
    return absl::OkStatus();
  }

  // Offers.
  absl::Status InsertOffer(const Offer& o) override {
    if (!writable_) return ReadOnly("InsertOffer");
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "INSERT INTO offers (", kOfferColumns,
                                       ") VALUES (", Placeholders(6), ")")));
    RETURN_IF_ERROR(st.BindText(1, o.offer_id));
    RETURN_IF_ERROR(st.BindText(2, o.trainee_id));
    RETURN_IF_ERROR(st.BindText(3, o.job_offer_id));
    RETURN_IF_ERROR(st.BindText(4, o.employer_id));
    RETURN_IF_ERROR(st.BindText(5, DayText(o.offered_on)));
    RETURN_IF_ERROR(st.BindInt64(6, Micros(o.create_time)));
    return MapInsertError(st.Run(), "offer", o.offer_id);
  }
  absl::StatusOr<std::vector<Offer>> OffersOfTrainee(
      const std::string& trainee_id) override {
    // rowid order is insertion order: rows are never deleted.
    return ListOf<Offer>(absl::StrCat("SELECT ", kOfferColumns,
                                      " FROM offers WHERE trainee_id = ?1 "
                                      "ORDER BY rowid"),
                         trainee_id, ReadOffer);
  }

  // Placements.
  absl::StatusOr<std::optional<Placement>> FindPlacement(
      const std::string& placement_id) override {
    return FindOne<Placement>(kPlacementColumns, "placements", "placement_id",
                              placement_id, ReadPlacement);
  }
  absl::Status InsertPlacement(const Placement& p) override {
    if (!writable_) return ReadOnly("InsertPlacement");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO placements (", kPlacementColumns,
                                 ") VALUES (", Placeholders(13), ")")));
    RETURN_IF_ERROR(BindPlacement(st, p));
    return MapInsertError(st.Run(), "placement", p.placement_id);
  }
  absl::Status UpdatePlacement(const Placement& p) override {
    if (!writable_) return ReadOnly("UpdatePlacement");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE placements SET trainee_id = ?2, type = ?3, "
                    "employer_id = ?4, job_offer_id = ?5, start_date = ?6, "
                    "salary_band = ?7, verification = ?8, verify_time = ?9, "
                    "end_date = ?10, end_reason = ?11, create_time = ?12, "
                    "update_time = ?13 WHERE placement_id = ?1"));
    RETURN_IF_ERROR(BindPlacement(st, p));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) return NotFound("placement", p.placement_id);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<Placement>> PlacementsOfTrainee(
      const std::string& trainee_id) override {
    return ListOf<Placement>(absl::StrCat("SELECT ", kPlacementColumns,
                                          " FROM placements WHERE "
                                          "trainee_id = ?1 ORDER BY rowid"),
                             trainee_id, ReadPlacement);
  }
  absl::StatusOr<Page<Placement>> ListPlacements(
      const PlacementFilter& filter, const PageQuery& page) override {
    PagedQuery q(kPlacementColumns, "placements", "placement_id", page);
    q.Equal("employer_id", filter.employer_id);
    if (filter.active.has_value()) {
      q.Condition(*filter.active ? "end_date IS NULL" : "end_date IS NOT NULL");
    }
    if (filter.verified.has_value()) {
      const std::string verified = absl::StrCat(
          "verification IN (",
          static_cast<int>(ev::VERIFICATION_SOURCE_EMPLOYER), ", ",
          static_cast<int>(ev::VERIFICATION_SOURCE_SOCIAL_SECURITY), ")");
      q.Condition(*filter.verified ? verified : absl::StrCat("NOT ", verified));
    }
    return q.Run<Placement>(tx_, ReadPlacement,
                            [](const Placement& p) { return p.placement_id; });
  }

  // Follow-ups.
  absl::StatusOr<std::optional<FollowUp>> FindFollowUp(
      const std::string& trainee_id, int32_t months) override {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", kFollowUpColumns,
                                       " FROM follow_ups WHERE "
                                       "trainee_id = ?1 AND months = ?2")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    RETURN_IF_ERROR(st.BindInt64(2, months));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<FollowUp>();
    ASSIGN_OR_RETURN(FollowUp f, ReadFollowUp(st));
    return std::optional<FollowUp>(std::move(f));
  }
  absl::Status InsertFollowUp(const FollowUp& f) override {
    if (!writable_) return ReadOnly("InsertFollowUp");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO follow_ups (", kFollowUpColumns,
                                 ") VALUES (", Placeholders(9), ")")));
    RETURN_IF_ERROR(BindFollowUp(st, f));
    return MapInsertError(
        st.Run(), "follow-up",
        absl::StrCat(f.trainee_id, "/+", f.months, " months"));
  }
  absl::Status UpdateFollowUp(const FollowUp& f) override {
    if (!writable_) return ReadOnly("UpdateFollowUp");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE follow_ups SET due_date = ?3, due_key = ?4, "
                    "outcome = ?5, placement_id = ?6, employer_id = ?7, "
                    "recorded_on = ?8, record_time = ?9 "
                    "WHERE trainee_id = ?1 AND months = ?2"));
    RETURN_IF_ERROR(BindFollowUp(st, f));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return NotFound("follow-up",
                      absl::StrCat(f.trainee_id, "/+", f.months, " months"));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<FollowUp>> FollowUpsOfTrainee(
      const std::string& trainee_id) override {
    return ListOf<FollowUp>(absl::StrCat("SELECT ", kFollowUpColumns,
                                         " FROM follow_ups WHERE "
                                         "trainee_id = ?1 ORDER BY months"),
                            trainee_id, ReadFollowUp);
  }
  absl::StatusOr<Page<FollowUp>> ListDueFollowUps(
      absl::CivilDay as_of, const FollowUpFilter& filter,
      const PageQuery& page) override {
    std::string columns;
    for (absl::string_view c :
         {"trainee_id", "months", "due_date", "due_key", "outcome",
          "placement_id", "employer_id", "recorded_on", "record_time"}) {
      absl::StrAppend(&columns, columns.empty() ? "" : ", ", "f.", c);
    }
    PagedQuery q(columns,
                 filter.region_code.empty()
                     ? "follow_ups f"
                     : "follow_ups f JOIN trainees t USING (trainee_id)",
                 "f.due_key", page);
    q.EqualInt("f.outcome", 0);
    // Days as YYYY-MM-DD text compare in calendar order.
    q.Compare("f.due_date", "<=", DayText(as_of));
    q.Equal("t.training_region_code", filter.region_code);
    return q.Run<FollowUp>(tx_, ReadFollowUp,
                           [](const FollowUp& f) { return FollowUpKey(f); });
  }

  absl::Status Publish(const DomainEvent& event) override {
    if (!writable_) return ReadOnly("Publish");
    absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(event);
    if (!row.ok()) {
      // The domain built an event that does not say what its kind says: a
      // bug, not the caller's fault.
      return absl::InternalError(absl::StrCat("cannot publish ",
                                              EventType(event.kind), ": ",
                                              row.status().message()));
    }
    return outbox::Append(tx_, *row, clock_->Now());
  }

 private:
  template <typename T, typename Read>
  absl::StatusOr<std::optional<T>> FindOne(absl::string_view columns,
                                           absl::string_view table,
                                           absl::string_view key_column,
                                           const std::string& key, Read read) {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", columns, " FROM ", table,
                                       " WHERE ", key_column, " = ?1")));
    RETURN_IF_ERROR(st.BindText(1, key));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<T>();
    ASSIGN_OR_RETURN(T value, read(st));
    return std::optional<T>(std::move(value));
  }

  template <typename T, typename Read>
  absl::StatusOr<std::vector<T>> ListOf(const std::string& sql,
                                        const std::string& key, Read read) {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(sql));
    RETURN_IF_ERROR(st.BindText(1, key));
    std::vector<T> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(T value, read(st));
      out.push_back(std::move(value));
    }
    return out;
  }

  Tx& tx_;
  const bool writable_;
  const Clock* const clock_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Snapshots.

std::string SnapshotToJson(const ResponseSnapshot& snapshot) {
  json doc;
  doc[kTypeKey] = TypeName(snapshot);
  doc[kValueKey] =
      std::visit([](const auto& v) { return ToJson(v); }, snapshot);
  return doc.dump();
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJson(const std::string& text) {
  try {
    return SnapshotFromJsonValue(json::parse(text));
  } catch (const json::exception& e) {
    return absl::DataLossError(
        absl::StrCat("malformed response snapshot: ", e.what()));
  }
}

// ---------------------------------------------------------------------------
// Repository.

std::vector<storage::Migration> SqlitePlacementRepository::Migrations() {
  std::vector<storage::Migration> m = {
      {1,
       "placement: employers, job offers, trainees, offers, placements, "
       "follow-ups, idempotency requests",
       kPlacementSchemaV1Sql}};
  for (storage::Migration& x : outbox::Migrations(2)) m.push_back(std::move(x));
  m.push_back(storage::IdempotencyCallerMigration(2 + outbox::kMigrationCount));
  return m;
}

absl::StatusOr<std::unique_ptr<SqlitePlacementRepository>>
SqlitePlacementRepository::Open(const storage::DatabaseOptions& options,
                                const Clock* clock) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("SqlitePlacementRepository: no clock");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(options));
  RETURN_IF_ERROR(db->Migrate(Migrations()));
  return std::unique_ptr<SqlitePlacementRepository>(
      new SqlitePlacementRepository(std::move(db), clock));
}

SqlitePlacementRepository::SqlitePlacementRepository(
    std::unique_ptr<storage::Database> db, const Clock* clock)
    : db_(std::move(db)), clock_(clock) {}

SqlitePlacementRepository::~SqlitePlacementRepository() = default;

absl::Status SqlitePlacementRepository::Write(
    absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
  return db_->Transaction(storage::TxMode::kImmediate,
                          [&](Tx& tx) -> absl::Status {
                            SqliteStore store(tx, /*writable=*/true, clock_);
                            return fn(store);
                          });
}

absl::Status SqlitePlacementRepository::Read(
    absl::FunctionRef<absl::Status(PlacementStore&)> fn) {
  return db_->Transaction(storage::TxMode::kDeferred,
                          [&](Tx& tx) -> absl::Status {
                            SqliteStore store(tx, /*writable=*/false, clock_);
                            return fn(store);
                          });
}

}  // namespace jit::placement
