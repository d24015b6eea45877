#include "services/training-progress/storage/sqlite_repository.h"

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
#include "services/training-progress/events/event_mapper.h"
#include "services/training-progress/storage/schema.h"

namespace jit::progress {
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

constexpr TrainingStatus kStatuses[] = {
    TrainingStatus::kEnrolled,  TrainingStatus::kActive,
    TrainingStatus::kCompleted, TrainingStatus::kDroppedOut,
    TrainingStatus::kCertified, TrainingStatus::kWithdrawn};
constexpr AttendanceMark kMarks[] = {AttendanceMark::kPresent,
                                     AttendanceMark::kExcusedAbsence,
                                     AttendanceMark::kUnexcusedAbsence};

absl::StatusOr<TrainingStatus> ParseStatus(absl::string_view name) {
  for (TrainingStatus s : kStatuses) {
    if (StatusName(s) == name) return s;
  }
  return absl::DataLossError(
      absl::StrCat("stored training status '", name, "' is unknown"));
}

absl::StatusOr<AttendanceMark> ParseMark(absl::string_view name) {
  for (AttendanceMark m : kMarks) {
    if (MarkName(m) == name) return m;
  }
  return absl::DataLossError(
      absl::StrCat("stored attendance mark '", name, "' is unknown"));
}

// ---------------------------------------------------------------------------
// JSON snapshots. Readers throw nlohmann::json exceptions on a malformed
// document; SnapshotFromJson turns them into DATA_LOSS.

constexpr char kTypeKey[] = "type";
constexpr char kValueKey[] = "value";

json DayJson(const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? json(DayText(*day)) : json(nullptr);
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDayAt(const json& j,
                                                            const char* key) {
  const json& v = j.at(key);
  if (v.is_null()) return std::optional<absl::CivilDay>();
  ASSIGN_OR_RETURN(absl::CivilDay day, ParseDay(v.get<std::string>(), key));
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<absl::CivilDay> DayAt(const json& j, const char* key) {
  return ParseDay(j.at(key).get<std::string>(), key);
}

std::string StringAt(const json& j, const char* key) {
  return j.at(key).get<std::string>();
}
absl::Time TimeAt(const json& j, const char* key) {
  return FromMicros(j.at(key).get<int64_t>());
}

json ToJson(const Module& m) {
  return {{"module_id", m.module_id}, {"title", m.title},
          {"order", m.order},         {"hours", m.hours},
          {"required", m.required},   {"max_score", m.max_score},
          {"pass_mark", m.pass_mark}};
}
Module ModuleFromJson(const json& j) {
  return Module{.module_id = StringAt(j, "module_id"),
                .title = StringAt(j, "title"),
                .order = j.at("order").get<int32_t>(),
                .hours = j.at("hours").get<double>(),
                .required = j.at("required").get<bool>(),
                .max_score = j.at("max_score").get<double>(),
                .pass_mark = j.at("pass_mark").get<double>()};
}

json ToJson(const Curriculum& c) {
  json modules = json::array();
  for (const Module& m : c.modules) modules.push_back(ToJson(m));
  return {{"track_id", c.track_id},
          {"version", c.version},
          {"modules", modules},
          {"publish_time", Micros(c.publish_time)}};
}
Curriculum CurriculumFromJson(const json& j) {
  Curriculum c;
  c.track_id = StringAt(j, "track_id");
  c.version = j.at("version").get<int32_t>();
  for (const json& m : j.at("modules")) c.modules.push_back(ModuleFromJson(m));
  c.publish_time = TimeAt(j, "publish_time");
  return c;
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
Dimensions DimensionsFromJson(const json& j) {
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

json ToJson(const Certificate& c) {
  return {{"certificate_id", c.certificate_id},
          {"issued_on", DayText(c.issued_on)},
          {"revoked", c.revoked},
          {"revocation_reason", c.revocation_reason},
          {"revoked_on", DayJson(c.revoked_on)}};
}
absl::StatusOr<Certificate> CertificateFromJson(const json& j) {
  Certificate c;
  c.certificate_id = StringAt(j, "certificate_id");
  ASSIGN_OR_RETURN(c.issued_on, DayAt(j, "issued_on"));
  c.revoked = j.at("revoked").get<bool>();
  c.revocation_reason = StringAt(j, "revocation_reason");
  ASSIGN_OR_RETURN(c.revoked_on, OptionalDayAt(j, "revoked_on"));
  return c;
}

json ToJson(const TraineeRecord& r) {
  return {{"cohort_id", r.cohort_id},
          {"trainee_id", r.trainee_id},
          {"application_id", r.application_id},
          {"track_id", r.track_id},
          {"curriculum_version", r.curriculum_version},
          {"status", std::string(StatusName(r.status))},
          {"dimensions", ToJson(r.dimensions)},
          {"sessions_present", r.sessions_present},
          {"sessions_excused", r.sessions_excused},
          {"sessions_unexcused", r.sessions_unexcused},
          {"consecutive_unexcused", r.consecutive_unexcused},
          {"at_risk", r.at_risk},
          {"start_date", DayJson(r.start_date)},
          {"completion_date", DayJson(r.completion_date)},
          {"exit_date", DayJson(r.exit_date)},
          {"exit_reason", r.exit_reason},
          {"certificate",
           r.certificate.has_value() ? ToJson(*r.certificate) : json(nullptr)},
          {"create_time", Micros(r.create_time)},
          {"update_time", Micros(r.update_time)}};
}
absl::StatusOr<TraineeRecord> TraineeFromJson(const json& j) {
  TraineeRecord r;
  r.cohort_id = StringAt(j, "cohort_id");
  r.trainee_id = StringAt(j, "trainee_id");
  r.application_id = StringAt(j, "application_id");
  r.track_id = StringAt(j, "track_id");
  r.curriculum_version = j.at("curriculum_version").get<int32_t>();
  ASSIGN_OR_RETURN(r.status, ParseStatus(StringAt(j, "status")));
  r.dimensions = DimensionsFromJson(j.at("dimensions"));
  r.sessions_present = j.at("sessions_present").get<int32_t>();
  r.sessions_excused = j.at("sessions_excused").get<int32_t>();
  r.sessions_unexcused = j.at("sessions_unexcused").get<int32_t>();
  r.consecutive_unexcused = j.at("consecutive_unexcused").get<int32_t>();
  r.at_risk = j.at("at_risk").get<bool>();
  ASSIGN_OR_RETURN(r.start_date, OptionalDayAt(j, "start_date"));
  ASSIGN_OR_RETURN(r.completion_date, OptionalDayAt(j, "completion_date"));
  ASSIGN_OR_RETURN(r.exit_date, OptionalDayAt(j, "exit_date"));
  r.exit_reason = StringAt(j, "exit_reason");
  if (!j.at("certificate").is_null()) {
    ASSIGN_OR_RETURN(r.certificate, CertificateFromJson(j.at("certificate")));
  }
  r.create_time = TimeAt(j, "create_time");
  r.update_time = TimeAt(j, "update_time");
  return r;
}

json ToJson(const TraineeProgress& p) {
  json modules = json::array();
  for (const ModuleResult& m : p.modules) {
    modules.push_back({{"module_id", m.module_id},
                       {"required", m.required},
                       {"best_score", m.best_score},
                       {"passed", m.passed},
                       {"attempts", m.attempts}});
  }
  return {{"record", ToJson(p.record)},
          {"modules", modules},
          {"required_passed_ratio", p.required_passed_ratio},
          {"attendance_rate", p.attendance_rate}};
}
absl::StatusOr<TraineeProgress> ProgressFromJson(const json& j) {
  TraineeProgress p;
  ASSIGN_OR_RETURN(p.record, TraineeFromJson(j.at("record")));
  for (const json& m : j.at("modules")) {
    p.modules.push_back(
        ModuleResult{.module_id = StringAt(m, "module_id"),
                     .required = m.at("required").get<bool>(),
                     .best_score = m.at("best_score").get<double>(),
                     .passed = m.at("passed").get<bool>(),
                     .attempts = m.at("attempts").get<int32_t>()});
  }
  p.required_passed_ratio = j.at("required_passed_ratio").get<double>();
  p.attendance_rate = j.at("attendance_rate").get<double>();
  return p;
}

json ToJson(const AttendanceOutcome& o) {
  json progress = json::array();
  for (const TraineeProgress& p : o.progress) progress.push_back(ToJson(p));
  return {{"progress", progress}};
}
json ToJson(const AssessmentOutcome& o) {
  return {{"passed", o.passed},
          {"attempt", o.attempt},
          {"progress", ToJson(o.progress)}};
}
json ToJson(const DropOutOutcome& o) {
  return {{"progress", ToJson(o.progress)}};
}
json ToJson(const CertificateOutcome& o) {
  return {{"certificate", ToJson(o.certificate)},
          {"progress", ToJson(o.progress)}};
}

const char* TypeName(const ResponseSnapshot& s) {
  constexpr const char* kNames[] = {"Curriculum", "AttendanceOutcome",
                                    "AssessmentOutcome", "DropOutOutcome",
                                    "CertificateOutcome"};
  static_assert(std::size(kNames) == std::variant_size_v<ResponseSnapshot>);
  return kNames[s.index()];
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJsonValue(const json& doc) {
  const std::string type = StringAt(doc, kTypeKey);
  const json& j = doc.at(kValueKey);
  if (type == "Curriculum") return CurriculumFromJson(j);
  if (type == "AttendanceOutcome") {
    AttendanceOutcome o;
    for (const json& p : j.at("progress")) {
      ASSIGN_OR_RETURN(TraineeProgress progress, ProgressFromJson(p));
      o.progress.push_back(std::move(progress));
    }
    return o;
  }
  if (type == "AssessmentOutcome") {
    AssessmentOutcome o;
    o.passed = j.at("passed").get<bool>();
    o.attempt = j.at("attempt").get<int32_t>();
    ASSIGN_OR_RETURN(o.progress, ProgressFromJson(j.at("progress")));
    return o;
  }
  if (type == "DropOutOutcome") {
    DropOutOutcome o;
    ASSIGN_OR_RETURN(o.progress, ProgressFromJson(j.at("progress")));
    return o;
  }
  if (type == "CertificateOutcome") {
    CertificateOutcome o;
    ASSIGN_OR_RETURN(o.certificate, CertificateFromJson(j.at("certificate")));
    ASSIGN_OR_RETURN(o.progress, ProgressFromJson(j.at("progress")));
    return o;
  }
  return absl::DataLossError(
      absl::StrCat("stored response snapshot has unknown type '", type, "'"));
}

// ---------------------------------------------------------------------------
// Rows.

constexpr char kTraineeColumns[] =
    "cohort_id, trainee_id, application_id, track_id, curriculum_version, "
    "status, gender, age_band, education_level, residence_province_code, "
    "residence_region_code, training_province_code, training_region_code, "
    "dimension_track_id, dimension_cohort_id, centre_id, sessions_present, "
    "sessions_excused, sessions_unexcused, consecutive_unexcused, at_risk, "
    "start_date, completion_date, exit_date, exit_reason, certificate_id, "
    "certificate_issued_on, certificate_revoked, revocation_reason, "
    "certificate_revoked_on, create_time, update_time";
// The same columns as named parameters, in the same order.
constexpr char kTraineeParams[] =
    ":cohort_id, :trainee_id, :application_id, :track_id, "
    ":curriculum_version, :status, :gender, :age_band, :education_level, "
    ":residence_province_code, :residence_region_code, "
    ":training_province_code, :training_region_code, :dimension_track_id, "
    ":dimension_cohort_id, :centre_id, :sessions_present, :sessions_excused, "
    ":sessions_unexcused, :consecutive_unexcused, :at_risk, :start_date, "
    ":completion_date, :exit_date, :exit_reason, :certificate_id, "
    ":certificate_issued_on, :certificate_revoked, :revocation_reason, "
    ":certificate_revoked_on, :create_time, :update_time";

absl::Status BindOptionalDay(Statement& st, absl::string_view name,
                             const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? st.BindText(name, DayText(*day)) : st.BindNull(name);
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
  RETURN_IF_ERROR(BindOptionalDay(st, ":start_date", r.start_date));
  RETURN_IF_ERROR(BindOptionalDay(st, ":completion_date", r.completion_date));
  RETURN_IF_ERROR(BindOptionalDay(st, ":exit_date", r.exit_date));
  RETURN_IF_ERROR(st.BindText(":exit_reason", r.exit_reason));
  if (r.certificate.has_value()) {
    const Certificate& c = *r.certificate;
    RETURN_IF_ERROR(st.BindText(":certificate_id", c.certificate_id));
    RETURN_IF_ERROR(
        st.BindText(":certificate_issued_on", DayText(c.issued_on)));
    RETURN_IF_ERROR(st.BindInt64(":certificate_revoked", c.revoked ? 1 : 0));
    RETURN_IF_ERROR(st.BindText(":revocation_reason", c.revocation_reason));
    RETURN_IF_ERROR(
        BindOptionalDay(st, ":certificate_revoked_on", c.revoked_on));
  } else {
    RETURN_IF_ERROR(st.BindNull(":certificate_id"));
    RETURN_IF_ERROR(st.BindNull(":certificate_issued_on"));
    RETURN_IF_ERROR(st.BindInt64(":certificate_revoked", 0));
    RETURN_IF_ERROR(st.BindText(":revocation_reason", ""));
    RETURN_IF_ERROR(st.BindNull(":certificate_revoked_on"));
  }
  RETURN_IF_ERROR(st.BindInt64(":create_time", Micros(r.create_time)));
  return st.BindInt64(":update_time", Micros(r.update_time));
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDayColumn(
    const Statement& st, int column, absl::string_view what) {
  if (st.ColumnIsNull(column)) return std::optional<absl::CivilDay>();
  ASSIGN_OR_RETURN(absl::CivilDay day, ParseDay(st.ColumnText(column), what));
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<TraineeRecord> ReadTrainee(const Statement& st) {
  TraineeRecord r;
  r.cohort_id = st.ColumnText(0);
  r.trainee_id = st.ColumnText(1);
  r.application_id = st.ColumnText(2);
  r.track_id = st.ColumnText(3);
  r.curriculum_version = static_cast<int32_t>(st.ColumnInt64(4));
  ASSIGN_OR_RETURN(r.status, ParseStatus(st.ColumnText(5)));
  Dimensions& d = r.dimensions;
  d.gender = static_cast<Gender>(st.ColumnInt64(6));
  d.age_band = static_cast<AgeBand>(st.ColumnInt64(7));
  d.education_level = static_cast<EducationLevel>(st.ColumnInt64(8));
  d.residence_province_code = st.ColumnText(9);
  d.residence_region_code = st.ColumnText(10);
  d.training_province_code = st.ColumnText(11);
  d.training_region_code = st.ColumnText(12);
  d.track_id = st.ColumnText(13);
  d.cohort_id = st.ColumnText(14);
  d.centre_id = st.ColumnText(15);
  r.sessions_present = static_cast<int32_t>(st.ColumnInt64(16));
  r.sessions_excused = static_cast<int32_t>(st.ColumnInt64(17));
  r.sessions_unexcused = static_cast<int32_t>(st.ColumnInt64(18));
  r.consecutive_unexcused = static_cast<int32_t>(st.ColumnInt64(19));
  r.at_risk = st.ColumnInt64(20) != 0;
  ASSIGN_OR_RETURN(r.start_date, OptionalDayColumn(st, 21, "start_date"));
  ASSIGN_OR_RETURN(r.completion_date,
                   OptionalDayColumn(st, 22, "completion_date"));
  ASSIGN_OR_RETURN(r.exit_date, OptionalDayColumn(st, 23, "exit_date"));
  r.exit_reason = st.ColumnText(24);
  if (!st.ColumnIsNull(25)) {
    Certificate c;
    c.certificate_id = st.ColumnText(25);
    ASSIGN_OR_RETURN(c.issued_on,
                     ParseDay(st.ColumnText(26), "certificate_issued_on"));
    c.revoked = st.ColumnInt64(27) != 0;
    c.revocation_reason = st.ColumnText(28);
    ASSIGN_OR_RETURN(c.revoked_on,
                     OptionalDayColumn(st, 29, "certificate_revoked_on"));
    r.certificate = std::move(c);
  }
  r.create_time = FromMicros(st.ColumnInt64(30));
  r.update_time = FromMicros(st.ColumnInt64(31));
  return r;
}

// ---------------------------------------------------------------------------
// Errors.

absl::Status ReadOnly(absl::string_view operation) {
  return absl::FailedPreconditionError(absl::StrCat(
      operation, ": the store is read-only inside a read transaction"));
}

// A duplicate key becomes "<what> already exists"; other errors pass
// through (already mapped by libs/storage).
absl::Status MapInsertError(absl::Status s, const std::string& what) {
  if (storage::IsUniqueViolation(s)) {
    return absl::AlreadyExistsError(absl::StrCat(what, " already exists"));
  }
  return s;
}

std::string TraineeName(const std::string& cohort_id,
                        const std::string& trainee_id) {
  return absl::StrCat("trainee '", trainee_id, "' in cohort '", cohort_id, "'");
}

// ---------------------------------------------------------------------------
// The store handed to Write/Read callbacks.

class SqliteStore final : public ProgressStore {
 public:
  SqliteStore(Tx& tx, bool writable, const Clock* clock)
      : tx_(tx), writable_(writable), clock_(clock) {}

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


  absl::StatusOr<std::optional<Curriculum>> FindCurriculum(
      const std::string& track_id, int32_t version) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT version, publish_time FROM curricula "
                    "WHERE track_id = ?1 AND (?2 = 0 OR version = ?2) "
                    "ORDER BY version DESC LIMIT 1"));
    RETURN_IF_ERROR(st.BindText(1, track_id));
    RETURN_IF_ERROR(st.BindInt64(2, version));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<Curriculum>();
    Curriculum c;
    c.track_id = track_id;
    c.version = static_cast<int32_t>(st.ColumnInt64(0));
    c.publish_time = FromMicros(st.ColumnInt64(1));
    ASSIGN_OR_RETURN(
        Statement modules,
        tx_.Prepare("SELECT module_id, title, position, hours, required, "
                    "max_score, pass_mark FROM curriculum_modules "
                    "WHERE track_id = ?1 AND version = ?2 ORDER BY position"));
    RETURN_IF_ERROR(modules.BindText(1, track_id));
    RETURN_IF_ERROR(modules.BindInt64(2, c.version));
    while (true) {
      ASSIGN_OR_RETURN(bool more, modules.Step());
      if (!more) break;
      c.modules.push_back(
          Module{.module_id = modules.ColumnText(0),
                 .title = modules.ColumnText(1),
                 .order = static_cast<int32_t>(modules.ColumnInt64(2)),
                 .hours = modules.ColumnDouble(3),
                 .required = modules.ColumnInt64(4) != 0,
                 .max_score = modules.ColumnDouble(5),
                 .pass_mark = modules.ColumnDouble(6)});
    }
    return std::optional<Curriculum>(std::move(c));
  }

  absl::Status InsertCurriculum(const Curriculum& c) override {
    if (!writable_) return ReadOnly("InsertCurriculum");
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO curricula (track_id, version, "
                                 "publish_time) VALUES (?1, ?2, ?3)"));
    RETURN_IF_ERROR(st.BindText(1, c.track_id));
    RETURN_IF_ERROR(st.BindInt64(2, c.version));
    RETURN_IF_ERROR(st.BindInt64(3, Micros(c.publish_time)));
    RETURN_IF_ERROR(
        MapInsertError(st.Run(), absl::StrCat("curriculum version ", c.version,
                                              " of track '", c.track_id, "'")));
    for (const Module& m : c.modules) {
      ASSIGN_OR_RETURN(
          Statement mst,
          tx_.Prepare("INSERT INTO curriculum_modules (track_id, version, "
                      "module_id, title, position, hours, required, "
                      "max_score, pass_mark) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
      RETURN_IF_ERROR(mst.BindText(1, c.track_id));
      RETURN_IF_ERROR(mst.BindInt64(2, c.version));
      RETURN_IF_ERROR(mst.BindText(3, m.module_id));
      RETURN_IF_ERROR(mst.BindText(4, m.title));
      RETURN_IF_ERROR(mst.BindInt64(5, m.order));
      RETURN_IF_ERROR(mst.BindDouble(6, m.hours));
      RETURN_IF_ERROR(mst.BindInt64(7, m.required ? 1 : 0));
      RETURN_IF_ERROR(mst.BindDouble(8, m.max_score));
      RETURN_IF_ERROR(mst.BindDouble(9, m.pass_mark));
      RETURN_IF_ERROR(MapInsertError(
          mst.Run(), absl::StrCat("module '", m.module_id, "' (order ", m.order,
                                  ") of curriculum version ", c.version,
                                  " of track '", c.track_id, "'")));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<CohortCurriculum>> FindCohortCurriculum(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT track_id, version, pin_time "
                                 "FROM cohort_curricula WHERE cohort_id = ?1"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<CohortCurriculum>();
    return std::optional<CohortCurriculum>(
        CohortCurriculum{.cohort_id = cohort_id,
                         .track_id = st.ColumnText(0),
                         .version = static_cast<int32_t>(st.ColumnInt64(1)),
                         .pin_time = FromMicros(st.ColumnInt64(2))});
  }

  absl::Status InsertCohortCurriculum(const CohortCurriculum& pin) override {
    if (!writable_) return ReadOnly("InsertCohortCurriculum");
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO cohort_curricula (cohort_id, "
                                 "track_id, version, pin_time) "
                                 "VALUES (?1, ?2, ?3, ?4)"));
    RETURN_IF_ERROR(st.BindText(1, pin.cohort_id));
    RETURN_IF_ERROR(st.BindText(2, pin.track_id));
    RETURN_IF_ERROR(st.BindInt64(3, pin.version));
    RETURN_IF_ERROR(st.BindInt64(4, Micros(pin.pin_time)));
    return MapInsertError(
        st.Run(),
        absl::StrCat("the curriculum pin of cohort '", pin.cohort_id, "'"));
  }

  absl::StatusOr<std::optional<TraineeRecord>> FindTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st, tx_.Prepare(absl::StrCat(
                                       "SELECT ", kTraineeColumns,
                                       " FROM trainees WHERE cohort_id = ?1 "
                                       "AND trainee_id = ?2")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, trainee_id));
    return OptionalTrainee(st);
  }

  absl::Status InsertTrainee(const TraineeRecord& trainee) override {
    if (!writable_) return ReadOnly("InsertTrainee");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat("INSERT INTO trainees (", kTraineeColumns,
                                 ") VALUES (", kTraineeParams, ")")));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    return MapInsertError(st.Run(),
                          TraineeName(trainee.cohort_id, trainee.trainee_id));
  }

  absl::Status UpdateTrainee(const TraineeRecord& trainee) override {
    if (!writable_) return ReadOnly("UpdateTrainee");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare(absl::StrCat(
            "UPDATE trainees SET (", kTraineeColumns, ") = (", kTraineeParams,
            ") WHERE cohort_id = :cohort_id AND trainee_id = :trainee_id")));
    RETURN_IF_ERROR(BindTrainee(st, trainee));
    RETURN_IF_ERROR(st.Run());
    if (tx_.Changes() == 0) {
      return absl::NotFoundError(absl::StrCat(
          TraineeName(trainee.cohort_id, trainee.trainee_id), " not found"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Page<TraineeRecord>> ListTrainees(
      const std::string& cohort_id, const PageQuery& page) override {
    if (page.limit <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("page limit must be positive, got ", page.limit));
    }
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat(
                         "SELECT ", kTraineeColumns,
                         " FROM trainees WHERE cohort_id = ?1 AND "
                         "trainee_id > ?2 ORDER BY trainee_id LIMIT ?3")));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, page.after_key));
    RETURN_IF_ERROR(st.BindInt64(3, int64_t{page.limit} + 1));
    Page<TraineeRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      if (static_cast<int64_t>(out.items.size()) == page.limit) {
        out.next_after_key = out.items.back().trainee_id;
        break;
      }
      ASSIGN_OR_RETURN(TraineeRecord r, ReadTrainee(st));
      out.items.push_back(std::move(r));
    }
    return out;
  }

  absl::StatusOr<std::optional<TraineeRecord>> LatestTraineeRecord(
      const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare(absl::StrCat(
                         "SELECT ", kTraineeColumns,
                         " FROM trainees WHERE trainee_id = ?1 "
                         "ORDER BY create_time DESC, rowid DESC LIMIT 1")));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    return OptionalTrainee(st);
  }

  absl::StatusOr<AttendanceTotals> CohortAttendance(
      const std::string& cohort_id) override {
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("SELECT coalesce(sum(sessions_present), 0), "
                                 "coalesce(sum(sessions_excused), 0), "
                                 "coalesce(sum(sessions_unexcused), 0) "
                                 "FROM trainees WHERE cohort_id = ?1"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::InternalError("no attendance totals row");
    return AttendanceTotals{.present = st.ColumnInt64(0),
                            .excused = st.ColumnInt64(1),
                            .unexcused = st.ColumnInt64(2)};
  }

  absl::StatusOr<int64_t> NextTraineeSequence(
      const std::string& trainee_id) override {
    if (!writable_) return ReadOnly("NextTraineeSequence");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO trainee_sequences (trainee_id, sequence) "
                    "VALUES (?1, 1) ON CONFLICT (trainee_id) "
                    "DO UPDATE SET sequence = sequence + 1 "
                    "RETURNING sequence"));
    RETURN_IF_ERROR(st.BindText(1, trainee_id));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::InternalError("no trainee sequence row");
    const int64_t value = st.ColumnInt64(0);
    ASSIGN_OR_RETURN(bool more, st.Step());
    (void)more;
    return value;
  }

  absl::Status InsertAttendance(const AttendanceRecord& a) override {
    if (!writable_) return ReadOnly("InsertAttendance");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO attendance (cohort_id, trainee_id, "
                    "module_id, session_date, mark, request_id, record_time) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    RETURN_IF_ERROR(st.BindText(1, a.cohort_id));
    RETURN_IF_ERROR(st.BindText(2, a.trainee_id));
    RETURN_IF_ERROR(st.BindText(3, a.module_id));
    RETURN_IF_ERROR(st.BindText(4, DayText(a.session_date)));
    RETURN_IF_ERROR(st.BindText(5, MarkName(a.mark)));
    RETURN_IF_ERROR(st.BindText(6, a.request_id));
    RETURN_IF_ERROR(st.BindInt64(7, Micros(a.record_time)));
    return MapInsertError(
        st.Run(),
        absl::StrCat("attendance of ", TraineeName(a.cohort_id, a.trainee_id),
                     " at module '", a.module_id, "' on ",
                     DayText(a.session_date)));
  }

  absl::StatusOr<std::vector<AttendanceRecord>> AttendanceOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    // rowid order is insertion order: rows are never deleted.
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT module_id, session_date, mark, request_id, "
                    "record_time FROM attendance WHERE cohort_id = ?1 AND "
                    "trainee_id = ?2 ORDER BY session_date, rowid"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, trainee_id));
    std::vector<AttendanceRecord> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      AttendanceRecord a;
      a.cohort_id = cohort_id;
      a.trainee_id = trainee_id;
      a.module_id = st.ColumnText(0);
      ASSIGN_OR_RETURN(a.session_date,
                       ParseDay(st.ColumnText(1), "session_date"));
      ASSIGN_OR_RETURN(a.mark, ParseMark(st.ColumnText(2)));
      a.request_id = st.ColumnText(3);
      a.record_time = FromMicros(st.ColumnInt64(4));
      out.push_back(std::move(a));
    }
    return out;
  }

  absl::Status InsertAssessment(const Assessment& a) override {
    if (!writable_) return ReadOnly("InsertAssessment");
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("INSERT INTO assessments (cohort_id, trainee_id, "
                    "module_id, attempt, score, assessed_on, passed, "
                    "request_id, record_time) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    RETURN_IF_ERROR(st.BindText(1, a.cohort_id));
    RETURN_IF_ERROR(st.BindText(2, a.trainee_id));
    RETURN_IF_ERROR(st.BindText(3, a.module_id));
    RETURN_IF_ERROR(st.BindInt64(4, a.attempt));
    RETURN_IF_ERROR(st.BindDouble(5, a.score));
    RETURN_IF_ERROR(st.BindText(6, DayText(a.assessed_on)));
    RETURN_IF_ERROR(st.BindInt64(7, a.passed ? 1 : 0));
    RETURN_IF_ERROR(st.BindText(8, a.request_id));
    RETURN_IF_ERROR(st.BindInt64(9, Micros(a.record_time)));
    return MapInsertError(st.Run(),
                          absl::StrCat("attempt ", a.attempt, " of ",
                                       TraineeName(a.cohort_id, a.trainee_id),
                                       " at module '", a.module_id, "'"));
  }

  absl::StatusOr<std::vector<Assessment>> AssessmentsOfTrainee(
      const std::string& cohort_id, const std::string& trainee_id) override {
    ASSIGN_OR_RETURN(
        Statement st,
        tx_.Prepare("SELECT module_id, attempt, score, assessed_on, passed, "
                    "request_id, record_time FROM assessments "
                    "WHERE cohort_id = ?1 AND trainee_id = ?2 ORDER BY rowid"));
    RETURN_IF_ERROR(st.BindText(1, cohort_id));
    RETURN_IF_ERROR(st.BindText(2, trainee_id));
    std::vector<Assessment> out;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      Assessment a;
      a.cohort_id = cohort_id;
      a.trainee_id = trainee_id;
      a.module_id = st.ColumnText(0);
      a.attempt = static_cast<int32_t>(st.ColumnInt64(1));
      a.score = st.ColumnDouble(2);
      ASSIGN_OR_RETURN(a.assessed_on,
                       ParseDay(st.ColumnText(3), "assessed_on"));
      a.passed = st.ColumnInt64(4) != 0;
      a.request_id = st.ColumnText(5);
      a.record_time = FromMicros(st.ColumnInt64(6));
      out.push_back(std::move(a));
    }
    return out;
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
  static absl::StatusOr<std::optional<TraineeRecord>> OptionalTrainee(
      Statement& st) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return std::optional<TraineeRecord>();
    ASSIGN_OR_RETURN(TraineeRecord r, ReadTrainee(st));
    return std::optional<TraineeRecord>(std::move(r));
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

std::vector<storage::Migration> SqliteProgressRepository::Migrations() {
  std::vector<storage::Migration> m = {
      {1,
       "training progress: curricula, cohort curricula, trainees, sequences, "
       "attendance, assessments, idempotency requests",
       kProgressSchemaV1Sql}};
  for (storage::Migration& x : outbox::Migrations(2)) m.push_back(std::move(x));
  m.push_back(storage::IdempotencyCallerMigration(2 + outbox::kMigrationCount));
  return m;
}

absl::StatusOr<std::unique_ptr<SqliteProgressRepository>>
SqliteProgressRepository::Open(const storage::DatabaseOptions& options,
                               const Clock* clock) {
  if (clock == nullptr) {
    return absl::InvalidArgumentError("SqliteProgressRepository: no clock");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
                   storage::Database::Open(options));
  RETURN_IF_ERROR(db->Migrate(Migrations()));
  return std::unique_ptr<SqliteProgressRepository>(
      new SqliteProgressRepository(std::move(db), clock));
}

SqliteProgressRepository::SqliteProgressRepository(
    std::unique_ptr<storage::Database> db, const Clock* clock)
    : db_(std::move(db)), clock_(clock) {}

SqliteProgressRepository::~SqliteProgressRepository() = default;

absl::Status SqliteProgressRepository::Write(
    absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
  return db_->Transaction(storage::TxMode::kImmediate,
                          [&](Tx& tx) -> absl::Status {
                            SqliteStore store(tx, /*writable=*/true, clock_);
                            return fn(store);
                          });
}

absl::Status SqliteProgressRepository::Read(
    absl::FunctionRef<absl::Status(ProgressStore&)> fn) {
  return db_->Transaction(storage::TxMode::kDeferred,
                          [&](Tx& tx) -> absl::Status {
                            SqliteStore store(tx, /*writable=*/false, clock_);
                            return fn(store);
                          });
}

}  // namespace jit::progress
