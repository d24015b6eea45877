#include "services/enrollment/storage/sqlite_repository.h"

#include <sqlite3.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/errors.h"
#include "libs/storage/idempotency.h"
#include "libs/storage/statement.h"
#include "nlohmann/json.hpp"
#include "services/enrollment/events/event_mapper.h"
#include "services/enrollment/storage/schema.h"

namespace jit::enrollment {
namespace {

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

constexpr CohortStatus kCohortStatuses[] = {
    CohortStatus::kPlanned, CohortStatus::kOpen, CohortStatus::kRunning,
    CohortStatus::kClosed};
constexpr ApplicationStatus kApplicationStatuses[] = {
    ApplicationStatus::kApplied,    ApplicationStatus::kAdmitted,
    ApplicationStatus::kWaitlisted, ApplicationStatus::kRejected,
    ApplicationStatus::kEnrolled,   ApplicationStatus::kDeclined,
    ApplicationStatus::kWithdrawn};

absl::StatusOr<CohortStatus> ParseCohortStatus(absl::string_view name) {
  for (CohortStatus s : kCohortStatuses) {
    if (StatusName(s) == name) return s;
  }
  return absl::DataLossError(
      absl::StrCat("stored cohort status '", name, "' is unknown"));
}

absl::StatusOr<ApplicationStatus> ParseApplicationStatus(
    absl::string_view name) {
  for (ApplicationStatus s : kApplicationStatuses) {
    if (StatusName(s) == name) return s;
  }
  return absl::DataLossError(
      absl::StrCat("stored application status '", name, "' is unknown"));
}

std::string Text(absl::string_view s) { return std::string(s); }

// ---------------------------------------------------------------------------
// JSON snapshots. Readers throw nlohmann::json exceptions on a malformed
// document; SnapshotFromJson turns them into DATA_LOSS.

constexpr char kTypeKey[] = "type";
constexpr char kValueKey[] = "value";

json ToJson(const Programme& p) {
  return {{"name", p.name},
          {"national_target", p.national_target},
          {"update_time", Micros(p.update_time)}};
}
json ToJson(const Track& t) {
  return {{"track_id", t.track_id},
          {"name_fr", t.name_fr},
          {"name_ar", t.name_ar},
          {"create_time", Micros(t.create_time)}};
}
json ToJson(const Centre& c) {
  return {{"centre_id", c.centre_id},
          {"name", c.name},
          {"operator_name", c.operator_name},
          {"province_code", c.province_code},
          {"region_code", c.region_code},
          {"create_time", Micros(c.create_time)}};
}
json ToJson(const Cohort& c) {
  return {{"cohort_id", c.cohort_id},
          {"name", c.name},
          {"track_id", c.track_id},
          {"centre_id", c.centre_id},
          {"province_code", c.province_code},
          {"region_code", c.region_code},
          {"capacity", c.capacity},
          {"start_date", DayText(c.start_date)},
          {"end_date", DayText(c.end_date)},
          {"status", Text(StatusName(c.status))},
          {"event_sequence", c.event_sequence},
          {"create_time", Micros(c.create_time)},
          {"update_time", Micros(c.update_time)}};
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
json ToJson(const Application& a) {
  return {{"application_id", a.application_id},
          {"trainee_id", a.trainee_id},
          {"cohort_id", a.cohort_id},
          {"status", Text(StatusName(a.status))},
          {"dimensions", ToJson(a.dimensions)},
          {"reason", a.reason},
          {"waitlist_rank", a.waitlist_rank},
          {"submit_time", Micros(a.submit_time)},
          {"update_time", Micros(a.update_time)}};
}
json ToJson(const EraseResult& e) {
  return {{"trainee_id", e.trainee_id}, {"erase_time", Micros(e.erase_time)}};
}

const char* TypeName(const ResponseSnapshot& s) {
  constexpr const char* kNames[] = {"Programme", "Track",       "Centre",
                                    "Cohort",    "Application", "EraseResult"};
  static_assert(std::size(kNames) == std::variant_size_v<ResponseSnapshot>);
  return kNames[s.index()];
}

absl::Time TimeAt(const json& j, const char* key) {
  return FromMicros(j.at(key).get<int64_t>());
}
std::string StringAt(const json& j, const char* key) {
  return j.at(key).get<std::string>();
}

absl::StatusOr<Dimensions> DimensionsFromJson(const json& j) {
  Dimensions d;
  d.gender = static_cast<Gender>(j.at("gender").get<int>());
  d.age_band = static_cast<AgeBand>(j.at("age_band").get<int>());
  d.education_level =
      static_cast<EducationLevel>(j.at("education_level").get<int>());
  d.residence_province_code = StringAt(j, "residence_province_code");
  d.residence_region_code = StringAt(j, "residence_region_code");
  d.training_province_code = StringAt(j, "training_province_code");
  d.training_region_code = StringAt(j, "training_region_code");
  d.track_id = StringAt(j, "track_id");
  d.cohort_id = StringAt(j, "cohort_id");
  d.centre_id = StringAt(j, "centre_id");
  return d;
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJsonValue(const json& doc) {
  const std::string type = StringAt(doc, kTypeKey);
  const json& j = doc.at(kValueKey);
  if (type == "Programme") {
    Programme p;
    p.name = StringAt(j, "name");
    p.national_target = j.at("national_target").get<int32_t>();
    p.update_time = TimeAt(j, "update_time");
    return p;
  }
  if (type == "Track") {
    Track t;
    t.track_id = StringAt(j, "track_id");
    t.name_fr = StringAt(j, "name_fr");
    t.name_ar = StringAt(j, "name_ar");
    t.create_time = TimeAt(j, "create_time");
    return t;
  }
  if (type == "Centre") {
    Centre c;
    c.centre_id = StringAt(j, "centre_id");
    c.name = StringAt(j, "name");
    c.operator_name = StringAt(j, "operator_name");
    c.province_code = StringAt(j, "province_code");
    c.region_code = StringAt(j, "region_code");
    c.create_time = TimeAt(j, "create_time");
    return c;
  }
  if (type == "Cohort") {
    Cohort c;
    c.cohort_id = StringAt(j, "cohort_id");
    c.name = StringAt(j, "name");
    c.track_id = StringAt(j, "track_id");
    c.centre_id = StringAt(j, "centre_id");
    c.province_code = StringAt(j, "province_code");
    c.region_code = StringAt(j, "region_code");
    c.capacity = j.at("capacity").get<int32_t>();
    ASSIGN_OR_RETURN(c.start_date,
                     ParseDay(StringAt(j, "start_date"), "start_date"));
    ASSIGN_OR_RETURN(c.end_date, ParseDay(StringAt(j, "end_date"), "end_date"));
    ASSIGN_OR_RETURN(c.status, ParseCohortStatus(StringAt(j, "status")));
    c.event_sequence = j.at("event_sequence").get<int64_t>();
    c.create_time = TimeAt(j, "create_time");
    c.update_time = TimeAt(j, "update_time");
    return c;
  }
  if (type == "Application") {
    Application a;
    a.application_id = StringAt(j, "application_id");
    a.trainee_id = StringAt(j, "trainee_id");
    a.cohort_id = StringAt(j, "cohort_id");
    ASSIGN_OR_RETURN(a.status, ParseApplicationStatus(StringAt(j, "status")));
    ASSIGN_OR_RETURN(a.dimensions, DimensionsFromJson(j.at("dimensions")));
    a.reason = StringAt(j, "reason");
    a.waitlist_rank = j.at("waitlist_rank").get<int64_t>();
    a.submit_time = TimeAt(j, "submit_time");
    a.update_time = TimeAt(j, "update_time");
    return a;
  }
  if (type == "EraseResult") {
    EraseResult e;
    e.trainee_id = StringAt(j, "trainee_id");
    e.erase_time = TimeAt(j, "erase_time");
    return e;
  }
  return absl::DataLossError(
      absl::StrCat("stored response snapshot has unknown type '", type, "'"));
}

// ---------------------------------------------------------------------------
// Rows.

constexpr char kCentreColumns[] =
    "centre_id, name, operator_name, province_code, region_code, create_time";
constexpr char kCohortColumns[] =
    "cohort_id, name, track_id, centre_id, province_code, region_code, "
    "capacity, start_date, end_date, status, event_sequence, create_time, "
    "update_time";
constexpr char kCandidateColumns[] =
    "trainee_id, cin_hash, given_name, family_name, national_id, birth_date, "
    "phone, email, event_sequence, create_time, erase_time";
constexpr char kApplicationColumns[] =
    "application_id, trainee_id, cohort_id, status, gender, age_band, "
    "education_level, residence_province_code, residence_region_code, "
    "training_province_code, training_region_code, track_id, "
    "dimension_cohort_id, centre_id, reason, waitlist_rank, submit_time, "
    "update_time";

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
  Dimensions& d = a.dimensions;
  d.gender = static_cast<Gender>(st.ColumnInt64(4));
  d.age_band = static_cast<AgeBand>(st.ColumnInt64(5));
  d.education_level = static_cast<EducationLevel>(st.ColumnInt64(6));
  d.residence_province_code = st.ColumnText(7);
  d.residence_region_code = st.ColumnText(8);
  d.training_province_code = st.ColumnText(9);
  d.training_region_code = st.ColumnText(10);
  d.track_id = st.ColumnText(11);
  d.cohort_id = st.ColumnText(12);
  d.centre_id = st.ColumnText(13);
  a.reason = st.ColumnText(14);
  a.waitlist_rank = st.ColumnInt64(15);
  a.submit_time = FromMicros(st.ColumnInt64(16));
  a.update_time = FromMicros(st.ColumnInt64(17));
  return a;
}

// Binds ?1.. of an INSERT or UPDATE over kApplicationColumns (same order).
absl::Status BindApplication(Statement& st, const Application& a) {
  const Dimensions& d = a.dimensions;
  RETURN_IF_ERROR(st.BindText(1, a.application_id));
  RETURN_IF_ERROR(st.BindText(2, a.trainee_id));
  RETURN_IF_ERROR(st.BindText(3, a.cohort_id));
  RETURN_IF_ERROR(st.BindText(4, StatusName(a.status)));
  RETURN_IF_ERROR(st.BindInt64(5, static_cast<int64_t>(d.gender)));
  RETURN_IF_ERROR(st.BindInt64(6, static_cast<int64_t>(d.age_band)));
  RETURN_IF_ERROR(st.BindInt64(7, static_cast<int64_t>(d.education_level)));
  RETURN_IF_ERROR(st.BindText(8, d.residence_province_code));
  RETURN_IF_ERROR(st.BindText(9, d.residence_region_code));
  RETURN_IF_ERROR(st.BindText(10, d.training_province_code));
  RETURN_IF_ERROR(st.BindText(11, d.training_region_code));
  RETURN_IF_ERROR(st.BindText(12, d.track_id));
  RETURN_IF_ERROR(st.BindText(13, d.cohort_id));
  RETURN_IF_ERROR(st.BindText(14, d.centre_id));
  RETURN_IF_ERROR(st.BindText(15, a.reason));
  RETURN_IF_ERROR(st.BindInt64(16, a.waitlist_rank));
  RETURN_IF_ERROR(st.BindInt64(17, Micros(a.submit_time)));
  return st.BindInt64(18, Micros(a.update_time));
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
  RETURN_IF_ERROR(st.BindInt64(10, Micros(c.create_time)));
  return c.erase_time.has_value() ? st.BindInt64(11, Micros(*c.erase_time))
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
  RETURN_IF_ERROR(st.BindInt64(12, Micros(c.create_time)));
  return st.BindInt64(13, Micros(c.update_time));
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

// A duplicate primary key becomes "<what> '<id>' already exists"; other
// errors pass through (already mapped by libs/storage).
absl::Status MapInsertError(absl::Status s, absl::string_view what,
                            absl::string_view id) {
  if (storage::IsUniqueViolation(s)) return AlreadyExists(what, id);
  return s;
}

// For candidates: the primary key (trainee id) or the cin_hash.
absl::Status MapCandidateError(absl::Status s, const Candidate& c) {
  if (!storage::IsUniqueViolation(s)) return s;
  if (storage::SqliteResultCode(s) == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExists("candidate", c.trainee_id);
  }
  return absl::AlreadyExistsError(
      "another candidate has the same national ID hash");
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

// A keyset-paged SELECT: "SELECT <columns> FROM <table> WHERE <key> > ?1
// [AND <condition> = ?n ...] ORDER BY <key> LIMIT ?last". The SQL text
// depends only on which filters are set, so the statement cache serves it.
class PagedQuery {
 public:
  PagedQuery(absl::string_view columns, absl::string_view table,
             absl::string_view key, const PageQuery& page)
      : key_(key), page_(page) {
    absl::StrAppend(&sql_, "SELECT ", columns, " FROM ", table, " WHERE ", key,
                    " > ?1");
    values_.push_back(page.after_key);
  }
  // Adds "<column> = ?" when `value` is not empty.
  void Equal(absl::string_view column, const std::string& value) {
    if (value.empty()) return;
    values_.push_back(value);
    absl::StrAppend(&sql_, " AND ", column, " = ?", values_.size());
  }
  // Adds "(<region_column> IN (...) OR <centre_column> IN (...))" unless the
  // scope is national; a limited scope with neither matches nothing.
  void InScope(absl::string_view region_column, absl::string_view centre_column,
               const command::Scope& scope) {
    if (scope.national) return;
    std::vector<std::string> terms;
    const auto in = [&](absl::string_view column, const std::vector<std::string>& values) {
      if (values.empty()) return;
      std::vector<std::string> marks;
      for (const std::string& v : values) {
        values_.push_back(v);
        marks.push_back(absl::StrCat("?", values_.size()));
      }
      terms.push_back(absl::StrCat(column, " IN (", absl::StrJoin(marks, ", "), ")"));
    };
    in(region_column, scope.regions);
    in(centre_column, scope.centres);
    absl::StrAppend(&sql_, " AND (", terms.empty() ? "0" : absl::StrJoin(terms, " OR "), ")");
  }
  // Runs the query; `read` turns the current row into an item and `key_of`
  // gives the item's key.
  template <typename T, typename Read, typename KeyOf>
  absl::StatusOr<Page<T>> Run(Tx& tx, Read read, KeyOf key_of) {
    RETURN_IF_ERROR(CheckLimit(page_));
    const std::string sql =
        absl::StrCat(sql_, " ORDER BY ", key_, " LIMIT ?", values_.size() + 1);
    ASSIGN_OR_RETURN(Statement st, tx.Prepare(sql));
    int index = 1;
    for (const std::string& v : values_)
      RETURN_IF_ERROR(st.BindText(index++, v));
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
  std::string key_;
  PageQuery page_;
  std::string sql_;
  std::vector<std::string> values_;
};

// ---------------------------------------------------------------------------
// The store handed to Write/Read callbacks.

class SqliteStore final : public EnrollmentStore {
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


  // Programme.
  absl::StatusOr<Programme> GetProgramme() override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT name, national_target, update_time "
                                 "FROM programme WHERE id = 1"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::DataLossError("the programme row is missing");
    Programme p;
    p.name = st.ColumnText(0);
    p.national_target = static_cast<int32_t>(st.ColumnInt64(1));
    p.update_time = FromMicros(st.ColumnInt64(2));
    return p;
  }

  absl::Status UpdateProgramme(const Programme& programme) override {
    if (!writable_) return ReadOnly("UpdateProgramme");
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("UPDATE programme SET name = ?1, "
                                 "national_target = ?2, update_time = ?3 "
                                 "WHERE id = 1"));
    RETURN_IF_ERROR(st.BindText(1, programme.name));
    RETURN_IF_ERROR(st.BindInt64(2, programme.national_target));
    RETURN_IF_ERROR(st.BindInt64(3, Micros(programme.update_time)));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return absl::DataLossError("the programme row is missing");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> NextAggregateSequence(
      const std::string& aggregate_id) override {
    if (!writable_) return ReadOnly("NextAggregateSequence");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO aggregate_sequences (aggregate_id, sequence) "
                    "VALUES (?1, 1) ON CONFLICT (aggregate_id) "
                    "DO UPDATE SET sequence = sequence + 1 "
                    "RETURNING sequence"));
    RETURN_IF_ERROR(st.BindText(1, aggregate_id));
    return SingleInt64(st, "aggregate sequence");
  }

  // Tracks.
  absl::StatusOr<std::optional<Track>> FindTrack(
      const std::string& track_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT track_id, name_fr, name_ar, "
                                 "create_time FROM tracks "
                                 "WHERE track_id = ?1"));
    RETURN_IF_ERROR(st.BindText(1, track_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Track>();
    return std::optional<Track>(ReadTrack(st));
  }

  absl::Status InsertTrack(const Track& track) override {
    if (!writable_) return ReadOnly("InsertTrack");
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO tracks (track_id, name_fr, "
                                 "name_ar, create_time) "
                                 "VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(st.BindText(1, track.track_id));
    RETURN_IF_ERROR(st.BindText(2, track.name_fr));
    RETURN_IF_ERROR(st.BindText(3, track.name_ar));
    RETURN_IF_ERROR(st.BindInt64(4, Micros(track.create_time)));
    return MapInsertError(st.Run(), "track", track.track_id);
  }

  absl::StatusOr<std::vector<Track>> ListTracks() override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT track_id, name_fr, name_ar, "
                                 "create_time FROM tracks "
                                 "ORDER BY track_id"));
    std::vector<Track> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      out.push_back(ReadTrack(st));
    }
    return out;
  }

  // Centres.
  absl::StatusOr<std::optional<Centre>> FindCentre(
      const std::string& centre_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCentreColumns,
                                              " FROM centres "
                                              "WHERE centre_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, centre_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Centre>();
    return std::optional<Centre>(ReadCentre(st));
  }

  absl::Status InsertCentre(const Centre& centre) override {
    if (!writable_) return ReadOnly("InsertCentre");
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "INSERT INTO centres (", kCentreColumns,
                                       ") VALUES (?1, ?2, ?3, ?4, "
                                       "?5, ?6)")));
    RETURN_IF_ERROR(st.BindText(1, centre.centre_id));
    RETURN_IF_ERROR(st.BindText(2, centre.name));
    RETURN_IF_ERROR(st.BindText(3, centre.operator_name));
    RETURN_IF_ERROR(st.BindText(4, centre.province_code));
    RETURN_IF_ERROR(st.BindText(5, centre.region_code));
    RETURN_IF_ERROR(st.BindInt64(6, Micros(centre.create_time)));
    return MapInsertError(st.Run(), "centre", centre.centre_id);
  }

  absl::StatusOr<Page<Centre>> ListCentres(const CentreFilter& filter,
                                           const PageQuery& page) override {
    PagedQuery q(kCentreColumns, "centres", "centre_id", page);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    return q.Run<Centre>(
        tx_,
        [](const Statement& st) -> absl::StatusOr<Centre> {
          return ReadCentre(st);
        },
        [](const Centre& c) { return c.centre_id; });
  }

  // Cohorts.
  absl::StatusOr<std::optional<Cohort>> FindCohort(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCohortColumns,
                                              " FROM cohorts "
                                              "WHERE cohort_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Cohort>();
    ASSIGN_OR_RETURN(Cohort c, ReadCohort(st));
    return std::optional<Cohort>(std::move(c));
  }

  absl::Status InsertCohort(const Cohort& cohort) override {
    if (!writable_) return ReadOnly("InsertCohort");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO cohorts (", kCohortColumns,
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                 "?9, ?10, ?11, ?12, ?13)")));
    RETURN_IF_ERROR(BindCohort(st, cohort));
    return MapInsertError(st.Run(), "cohort", cohort.cohort_id);
  }

  absl::Status UpdateCohort(const Cohort& cohort) override {
    if (!writable_) return ReadOnly("UpdateCohort");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE cohorts SET name = ?2, track_id = ?3, "
                    "centre_id = ?4, province_code = ?5, region_code = ?6, "
                    "capacity = ?7, start_date = ?8, end_date = ?9, "
                    "status = ?10, event_sequence = ?11, create_time = ?12, "
                    "update_time = ?13 WHERE cohort_id = ?1"));
    RETURN_IF_ERROR(BindCohort(st, cohort));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) return NotFound("cohort", cohort.cohort_id);
    return absl::OkStatus();
  }

  absl::StatusOr<Page<Cohort>> ListCohorts(const CohortFilter& filter,
                                           const PageQuery& page) override {
    PagedQuery q(kCohortColumns, "cohorts", "cohort_id", page);
    q.Equal("track_id", filter.track_id);
    q.Equal("centre_id", filter.centre_id);
    q.Equal("region_code", filter.region_code);
    q.Equal("province_code", filter.province_code);
    if (filter.status.has_value()) {
      q.Equal("status", Text(StatusName(*filter.status)));
    }
    return q.Run<Cohort>(tx_, ReadCohort,
                         [](const Cohort& c) { return c.cohort_id; });
  }

  absl::StatusOr<SeatCounts> CountSeats(const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT status, count(*) FROM applications "
                    "WHERE cohort_id = ?1 AND status IN "
                    "('ADMITTED', 'ENROLLED', 'WAITLISTED') GROUP BY status"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    SeatCounts seats;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(ApplicationStatus status,
                       ParseApplicationStatus(st.ColumnText(0)));
      const int32_t n = static_cast<int32_t>(st.ColumnInt64(1));
      if (status == ApplicationStatus::kAdmitted) seats.admitted = n;
      if (status == ApplicationStatus::kEnrolled) seats.enrolled = n;
      if (status == ApplicationStatus::kWaitlisted) seats.waitlisted = n;
    }
    return seats;
  }

  // Candidates.
  absl::StatusOr<std::optional<Candidate>> FindCandidate(
      const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCandidateColumns,
                                              " FROM candidates "
                                              "WHERE trainee_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return OptionalCandidate(st);
  }

  absl::StatusOr<std::optional<Candidate>> FindCandidateByCinHash(
      const std::string& cin_hash) override {
    if (cin_hash.empty()) return std::optional<Candidate>();
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kCandidateColumns,
                                              " FROM candidates "
                                              "WHERE cin_hash = ?1")));
    RETURN_IF_ERROR(st.BindText(1, cin_hash));
    return OptionalCandidate(st);
  }

  absl::Status InsertCandidate(const Candidate& candidate) override {
    if (!writable_) return ReadOnly("InsertCandidate");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO candidates (", kCandidateColumns,
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                 "?9, ?10, ?11)")));
    RETURN_IF_ERROR(BindCandidate(st, candidate));
    return MapCandidateError(st.Run(), candidate);
  }

  absl::Status UpdateCandidate(const Candidate& candidate) override {
    if (!writable_) return ReadOnly("UpdateCandidate");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE candidates SET cin_hash = ?2, given_name = ?3, "
                    "family_name = ?4, national_id = ?5, birth_date = ?6, "
                    "phone = ?7, email = ?8, event_sequence = ?9, "
                    "create_time = ?10, erase_time = ?11 "
                    "WHERE trainee_id = ?1"));
    RETURN_IF_ERROR(BindCandidate(st, candidate));
    RETURN_IF_ERROR(MapCandidateError(st.Run(), candidate));
    if (tx_.Changes() == 0) return NotFound("candidate", candidate.trainee_id);
    return absl::OkStatus();
  }

  // Applications.
  absl::StatusOr<std::optional<Application>> FindApplication(
      const std::string& application_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                                              " FROM applications "
                                              "WHERE application_id = ?1")));
    RETURN_IF_ERROR(st.BindText(1, application_id));
    return OptionalApplication(st);
  }

  absl::Status InsertApplication(const Application& application) override {
    if (!writable_) return ReadOnly("InsertApplication");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat(
            "INSERT INTO applications (", kApplicationColumns,
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
            "?13, ?14, ?15, ?16, ?17, ?18)")));
    RETURN_IF_ERROR(BindApplication(st, application));
    return MapInsertError(st.Run(), "application", application.application_id);
  }

  absl::Status UpdateApplication(const Application& application) override {
    if (!writable_) return ReadOnly("UpdateApplication");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE applications SET trainee_id = ?2, cohort_id = ?3, "
                    "status = ?4, gender = ?5, age_band = ?6, "
                    "education_level = ?7, residence_province_code = ?8, "
                    "residence_region_code = ?9, "
                    "training_province_code = ?10, "
                    "training_region_code = ?11, track_id = ?12, "
                    "dimension_cohort_id = ?13, centre_id = ?14, "
                    "reason = ?15, waitlist_rank = ?16, submit_time = ?17, "
                    "update_time = ?18 WHERE application_id = ?1"));
    RETURN_IF_ERROR(BindApplication(st, application));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return NotFound("application", application.application_id);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Page<Application>> ListApplications(
      const ApplicationFilter& filter, const PageQuery& page) override {
    PagedQuery q(kApplicationColumns, "applications", "application_id", page);
    q.Equal("cohort_id", filter.cohort_id);
    if (filter.status.has_value()) {
      q.Equal("status", Text(StatusName(*filter.status)));
    }
    // The training location is the cohort's centre's.
    q.Equal("training_region_code", filter.region_code);
    q.Equal("training_province_code", filter.province_code);
    q.InScope("training_region_code", "centre_id", filter.scope);
    return q.Run<Application>(tx_, ReadApplication, [](const Application& a) {
      return a.application_id;
    });
  }

  absl::StatusOr<std::vector<Application>> ApplicationsOfTrainee(
      const std::string& trainee_id) override {
    // rowid order is insertion order: rows are never deleted.
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                                              " FROM applications "
                                              "WHERE trainee_id = ?1 "
                                              "ORDER BY rowid")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    std::vector<Application> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      ASSIGN_OR_RETURN(Application a, ReadApplication(st));
      out.push_back(std::move(a));
    }
    return out;
  }

  absl::StatusOr<std::optional<Application>> FirstWaitlisted(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("SELECT ", kApplicationColumns,
                                 " FROM applications WHERE cohort_id = ?1 "
                                 "AND status = 'WAITLISTED' "
                                 "ORDER BY waitlist_rank, application_id "
                                 "LIMIT 1")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    return OptionalApplication(st);
  }

  absl::StatusOr<int32_t> WaitlistPosition(
      const Application& application) override {
    if (application.status != ApplicationStatus::kWaitlisted) return 0;
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT count(*) FROM applications "
                    "WHERE cohort_id = ?1 AND status = 'WAITLISTED' "
                    "AND application_id <> ?3 AND (waitlist_rank < ?2 OR "
                    "(waitlist_rank = ?2 AND application_id < ?3))"));
    RETURN_IF_ERROR(st.BindText(1, application.cohort_id));
    RETURN_IF_ERROR(st.BindInt64(2, application.waitlist_rank));
    RETURN_IF_ERROR(st.BindText(3, application.application_id));
    ASSIGN_OR_RETURN(int64_t ahead, SingleInt64(st, "waitlist position"));
    return static_cast<int32_t>(ahead + 1);
  }

  absl::StatusOr<int64_t> NextWaitlistRank() override {
    if (!writable_) return ReadOnly("NextWaitlistRank");
    // Above every rank handed out and every rank stored.
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("UPDATE counters SET value = max(value, "
                    "(SELECT coalesce(max(waitlist_rank), 0) "
                    "FROM applications)) + 1 "
                    "WHERE name = 'waitlist_rank' RETURNING value"));
    return SingleInt64(st, "waitlist rank");
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
  static Track ReadTrack(const Statement& st) {
    Track t;
    t.track_id = st.ColumnText(0);
    t.name_fr = st.ColumnText(1);
    t.name_ar = st.ColumnText(2);
    t.create_time = FromMicros(st.ColumnInt64(3));
    return t;
  }

  // The first column of the only row (steps the statement to its end).
  static absl::StatusOr<int64_t> SingleInt64(Statement& st,
                                             absl::string_view what) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::InternalError(absl::StrCat("no ", what, " row"));
    const int64_t value = st.ColumnInt64(0);
    ASSIGN_OR_RETURN(bool more, st.Step());
    (void)more;
    return value;
  }

  static absl::StatusOr<std::optional<Candidate>> OptionalCandidate(
      Statement& st) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Candidate>();
    ASSIGN_OR_RETURN(Candidate c, ReadCandidate(st));
    return std::optional<Candidate>(std::move(c));
  }

  static absl::StatusOr<std::optional<Application>> OptionalApplication(
      Statement& st) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Application>();
    ASSIGN_OR_RETURN(Application a, ReadApplication(st));
    return std::optional<Application>(std::move(a));
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

std::vector<storage::Migration> SqliteEnrollmentRepository::Migrations() {
  std::vector<storage::Migration> m = {
      {1,
       "enrollment: programme, tracks, centres, cohorts, candidates, "
       "applications, sequences, idempotency requests",
       kEnrollmentSchemaV1Sql}};
  for (storage::Migration& x : outbox::Migrations(2)) m.push_back(std::move(x));
  m.push_back(storage::IdempotencyCallerMigration(2 + outbox::kMigrationCount));
  return m;
}

absl::StatusOr<std::unique_ptr<SqliteEnrollmentRepository>>
SqliteEnrollmentRepository::Open(const storage::DatabaseOptions& options,
                                 const Clock* clock) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("SqliteEnrollmentRepository: no clock");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(options));
  // Erased personal data is overwritten in the file, not left in free space.
  if (!options.read_only) {
    RETURN_IF_ERROR(db->Execute("PRAGMA secure_delete = ON"));
  }
  RETURN_IF_ERROR(db->Migrate(Migrations()));
  return std::unique_ptr<SqliteEnrollmentRepository>(
      new SqliteEnrollmentRepository(std::move(db), clock));
}

SqliteEnrollmentRepository::SqliteEnrollmentRepository(
    std::unique_ptr<storage::Database> db, const Clock* clock)
    : db_(std::move(db)), clock_(clock) {}

SqliteEnrollmentRepository::~SqliteEnrollmentRepository() = default;

absl::Status SqliteEnrollmentRepository::Write(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  return db_->Transaction(storage::TxMode::kImmediate,
                          [&](Tx& tx) -> absl::Status {
                            SqliteStore store(tx, /*writable=*/true, clock_);
                            return fn(store);
                          });
}

absl::Status SqliteEnrollmentRepository::Read(
    absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) {
  return db_->Transaction(storage::TxMode::kDeferred,
                          [&](Tx& tx) -> absl::Status {
                            SqliteStore store(tx, /*writable=*/false, clock_);
                            return fn(store);
                          });
}

}  // namespace jit::enrollment
