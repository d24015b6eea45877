#include "services/training-progress/storage/snapshot_codec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/status/status_macros.h"
#include "libs/storage/snapshot_codec.h"
#include "nlohmann/json.hpp"
#include "services/training-progress/storage/rows.h"

namespace jit::progress {
namespace {

using ::nlohmann::json;
using storage::DayAt;
using storage::DayText;
using storage::StringAt;
using storage::TimeAt;
using storage::ToMicros;

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
          {"publish_time", ToMicros(c.publish_time)}};
}
Curriculum CurriculumFromJson(const json& j) {
  Curriculum c;
  c.track_id = StringAt(j, "track_id");
  c.version = j.at("version").get<int32_t>();
  for (const json& m : j.at("modules")) c.modules.push_back(ModuleFromJson(m));
  c.publish_time = TimeAt(j, "publish_time");
  return c;
}

json ToJson(const Certificate& c) {
  return {{"certificate_id", c.certificate_id},
          {"issued_on", DayText(c.issued_on)},
          {"revoked", c.revoked},
          {"revocation_reason", c.revocation_reason},
          {"revocation_reason_code", static_cast<int>(c.revocation_reason_code)},
          {"revoked_on", storage::OptionalDayJson(c.revoked_on)}};
}
absl::StatusOr<Certificate> CertificateFromJson(const json& j) {
  Certificate c;
  c.certificate_id = StringAt(j, "certificate_id");
  ASSIGN_OR_RETURN(c.issued_on, DayAt(j, "issued_on"));
  c.revoked = j.at("revoked").get<bool>();
  c.revocation_reason = StringAt(j, "revocation_reason");
  // Answers stored before schema v4 have no code: OTHER when revoked, as the
  // v4 migration does for the rows.
  c.revocation_reason_code = static_cast<RevocationReason>(
      j.contains("revocation_reason_code")
          ? j.at("revocation_reason_code").get<int>()
          : (c.revoked ? 1 : 0));
  ASSIGN_OR_RETURN(c.revoked_on, storage::OptionalDayAt(j, "revoked_on"));
  return c;
}

json ToJson(const TraineeRecord& r) {
  return {{"cohort_id", r.cohort_id},
          {"trainee_id", r.trainee_id},
          {"application_id", r.application_id},
          {"track_id", r.track_id},
          {"curriculum_version", r.curriculum_version},
          {"status", std::string(StatusName(r.status))},
          {"dimensions", storage::DimensionsToJson(r.dimensions)},
          {"sessions_present", r.sessions_present},
          {"sessions_excused", r.sessions_excused},
          {"sessions_unexcused", r.sessions_unexcused},
          {"consecutive_unexcused", r.consecutive_unexcused},
          {"at_risk", r.at_risk},
          {"start_date", storage::OptionalDayJson(r.start_date)},
          {"completion_date", storage::OptionalDayJson(r.completion_date)},
          {"exit_date", storage::OptionalDayJson(r.exit_date)},
          {"exit_reason", r.exit_reason},
          {"exit_reason_code", static_cast<int>(r.exit_reason_code)},
          {"certificate",
           r.certificate.has_value() ? ToJson(*r.certificate) : json(nullptr)},
          {"create_time", ToMicros(r.create_time)},
          {"update_time", ToMicros(r.update_time)}};
}
absl::StatusOr<TraineeRecord> TraineeFromJson(const json& j) {
  TraineeRecord r;
  r.cohort_id = StringAt(j, "cohort_id");
  r.trainee_id = StringAt(j, "trainee_id");
  r.application_id = StringAt(j, "application_id");
  r.track_id = StringAt(j, "track_id");
  r.curriculum_version = j.at("curriculum_version").get<int32_t>();
  ASSIGN_OR_RETURN(r.status, rows::ParseStatus(StringAt(j, "status")));
  r.dimensions = storage::DimensionsFromJson<Dimensions>(j.at("dimensions"));
  r.sessions_present = j.at("sessions_present").get<int32_t>();
  r.sessions_excused = j.at("sessions_excused").get<int32_t>();
  r.sessions_unexcused = j.at("sessions_unexcused").get<int32_t>();
  r.consecutive_unexcused = j.at("consecutive_unexcused").get<int32_t>();
  r.at_risk = j.at("at_risk").get<bool>();
  ASSIGN_OR_RETURN(r.start_date, storage::OptionalDayAt(j, "start_date"));
  ASSIGN_OR_RETURN(r.completion_date,
                   storage::OptionalDayAt(j, "completion_date"));
  ASSIGN_OR_RETURN(r.exit_date, storage::OptionalDayAt(j, "exit_date"));
  r.exit_reason = StringAt(j, "exit_reason");
  r.exit_reason_code = static_cast<DropOutReason>(
      j.contains("exit_reason_code")
          ? j.at("exit_reason_code").get<int>()
          : (r.status == TrainingStatus::kDroppedOut ? 1 : 0));
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

absl::StatusOr<AttendanceOutcome> AttendanceOutcomeFromJson(const json& j) {
  AttendanceOutcome o;
  for (const json& p : j.at("progress")) {
    ASSIGN_OR_RETURN(TraineeProgress progress, ProgressFromJson(p));
    o.progress.push_back(std::move(progress));
  }
  return o;
}

absl::StatusOr<AssessmentOutcome> AssessmentOutcomeFromJson(const json& j) {
  AssessmentOutcome o;
  o.passed = j.at("passed").get<bool>();
  o.attempt = j.at("attempt").get<int32_t>();
  ASSIGN_OR_RETURN(o.progress, ProgressFromJson(j.at("progress")));
  return o;
}

absl::StatusOr<DropOutOutcome> DropOutOutcomeFromJson(const json& j) {
  DropOutOutcome o;
  ASSIGN_OR_RETURN(o.progress, ProgressFromJson(j.at("progress")));
  return o;
}

absl::StatusOr<CertificateOutcome> CertificateOutcomeFromJson(const json& j) {
  CertificateOutcome o;
  ASSIGN_OR_RETURN(o.certificate, CertificateFromJson(j.at("certificate")));
  ASSIGN_OR_RETURN(o.progress, ProgressFromJson(j.at("progress")));
  return o;
}

const storage::SnapshotCodec<ResponseSnapshot>& Codec() {
  // In the variant's order.
  static const auto* const kCodec =
      new storage::SnapshotCodec<ResponseSnapshot>({{
          {"Curriculum",
           storage::DecodeAs<ResponseSnapshot, Curriculum, CurriculumFromJson>},
          {"AttendanceOutcome",
           storage::DecodeAs<ResponseSnapshot, AttendanceOutcome,
                             AttendanceOutcomeFromJson>},
          {"AssessmentOutcome",
           storage::DecodeAs<ResponseSnapshot, AssessmentOutcome,
                             AssessmentOutcomeFromJson>},
          {"DropOutOutcome", storage::DecodeAs<ResponseSnapshot, DropOutOutcome,
                                               DropOutOutcomeFromJson>},
          {"CertificateOutcome",
           storage::DecodeAs<ResponseSnapshot, CertificateOutcome,
                             CertificateOutcomeFromJson>},
      }});
  return *kCodec;
}

}  // namespace

std::string SnapshotToJson(const ResponseSnapshot& snapshot) {
  return Codec().Encode(snapshot, [](const auto& v) { return ToJson(v); });
}

absl::StatusOr<ResponseSnapshot> SnapshotFromJson(const std::string& text) {
  return Codec().Decode(text);
}

}  // namespace jit::progress
