#include "services/training-progress/api/mapping.h"

#include <utility>

#include "libs/status/status_macros.h"

namespace jit::progress::api {

ev::TrainingState ToProto(TrainingStatus s) {
  return static_cast<ev::TrainingState>(static_cast<int>(s));
}

ev::ExitKind ToProto(ExitKind k) {
  return static_cast<ev::ExitKind>(static_cast<int>(k));
}

AttendanceMark FromProto(ev::AttendanceMark m) {
  return static_cast<AttendanceMark>(static_cast<int>(m));
}

absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page) {
  ASSIGN_OR_RETURN(protoconv::PageCursor cursor,
                   protoconv::ParsePageRequest(page));
  return PageQuery{.limit = cursor.limit,
                   .after_key = std::move(cursor.after_key)};
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
  out->set_revocation_reason_code(in.revocation_reason_code);
}

void ToProto(const Dimensions& in, common::TraineeDimensions* out) {
  protoconv::ToProtoDimensions(in, out);
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
  out->set_drop_out_reason(r.exit_reason_code);
  out->set_exit_note(r.exit_reason);
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
