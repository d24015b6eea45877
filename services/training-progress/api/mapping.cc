#include "services/training-progress/api/mapping.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace jit::progress::api {

std::optional<absl::CivilDay> FromProtoDate(const common::Date& date,
                                            absl::string_view field,
                                            status::FieldViolations& v) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return std::nullopt;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1900 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    v.Add(std::string(field), absl::StrCat("not a valid date: ", date.year(),
                                           "-", date.month(), "-", date.day()));
    return std::nullopt;
  }
  return day;
}

common::Date ToProtoDate(absl::CivilDay day) {
  common::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

ev::TrainingState ToProto(TrainingStatus s) {
  return static_cast<ev::TrainingState>(static_cast<int>(s));
}

ev::ExitKind ToProto(ExitKind k) {
  return static_cast<ev::ExitKind>(static_cast<int>(k));
}

AttendanceMark FromProto(ev::AttendanceMark m) {
  return static_cast<AttendanceMark>(static_cast<int>(m));
}

std::string EncodePageToken(absl::string_view after_key) {
  if (after_key.empty()) return "";
  return absl::WebSafeBase64Escape(absl::StrCat("v1:", after_key));
}

absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page) {
  PageQuery q;
  if (page.page_size() < 0) {
    return status::InvalidField("page.page_size", "must not be negative");
  }
  q.limit = page.page_size();
  if (!page.page_token().empty()) {
    std::string raw;
    if (!absl::WebSafeBase64Unescape(page.page_token(), &raw) ||
        !absl::StartsWith(raw, "v1:") || raw.size() == 3) {
      return status::InvalidField(
          "page.page_token",
          "not a page token from this service (use next_page_token)");
    }
    q.after_key = raw.substr(3);
  }
  return q;
}

Module FromProto(const pb::Module& in) {
  return Module{.module_id = in.module_id(),
                .title = in.title(),
                .order = in.order(),
                .hours = in.hours(),
                .required = in.required(),
                .max_score = in.max_score(),
                .pass_mark = in.pass_mark()};
}

void ToProto(const Module& in, pb::Module* out) {
  out->set_module_id(in.module_id);
  out->set_title(in.title);
  out->set_order(in.order);
  out->set_hours(in.hours);
  out->set_required(in.required);
  out->set_max_score(in.max_score);
  out->set_pass_mark(in.pass_mark);
}

void ToProto(const Curriculum& in, pb::Curriculum* out) {
  out->set_track_id(in.track_id);
  out->set_version(in.version);
  for (const Module& m : in.modules) ToProto(m, out->add_modules());
  *out->mutable_publish_time() = ToProtoTime(in.publish_time);
}

void ToProto(const Certificate& in, pb::Certificate* out) {
  out->set_certificate_id(in.certificate_id);
  *out->mutable_issued_on() = ToProtoDate(in.issued_on);
  out->set_revoked(in.revoked);
  out->set_revocation_reason(in.revocation_reason);
}

void ToProto(const Dimensions& in, common::TraineeDimensions* out) {
  out->set_gender(in.gender);
  out->set_age_band(in.age_band);
  out->set_education_level(in.education_level);
  out->mutable_residence()->set_province_code(in.residence_province_code);
  out->mutable_residence()->set_region_code(in.residence_region_code);
  out->mutable_training_location()->set_province_code(
      in.training_province_code);
  out->mutable_training_location()->set_region_code(in.training_region_code);
  out->set_track_id(in.track_id);
  out->set_cohort_id(in.cohort_id);
  out->set_centre_id(in.centre_id);
}

void ToProto(const TraineeProgress& in, pb::TraineeProgress* out) {
  const TraineeRecord& r = in.record;
  out->set_trainee_id(r.trainee_id);
  out->set_cohort_id(r.cohort_id);
  out->set_state(ToProto(r.status));
  out->set_curriculum_version(r.curriculum_version);
  out->set_required_passed_ratio(in.required_passed_ratio);
  out->set_attendance_rate(in.attendance_rate);
  out->set_consecutive_unexcused_absences(r.consecutive_unexcused);
  out->set_at_risk(r.at_risk);
  for (const ModuleResult& m : in.modules) {
    pb::ModuleResult* o = out->add_modules();
    o->set_module_id(m.module_id);
    o->set_required(m.required);
    o->set_best_score(m.best_score);
    o->set_passed(m.passed);
    o->set_attempts(m.attempts);
  }
  if (r.certificate.has_value())
    ToProto(*r.certificate, out->mutable_certificate());
  if (r.exit_date.has_value() && !InTraining(r.status)) {
    *out->mutable_exit_date() = ToProtoDate(*r.exit_date);
  }
}

void ToProto(const TraineeExit& in, pb::GetTraineeExitResponse* out) {
  out->set_trainee_id(in.trainee_id);
  out->set_cohort_id(in.cohort_id);
  out->set_exited(in.exited);
  if (in.kind.has_value()) out->set_kind(ToProto(*in.kind));
  if (in.exit_date.has_value())
    *out->mutable_exit_date() = ToProtoDate(*in.exit_date);
  out->set_state(ToProto(in.status));
  ToProto(in.dimensions, out->mutable_dimensions());
}

}  // namespace jit::progress::api
