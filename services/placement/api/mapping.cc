#include "services/placement/api/mapping.h"

#include <utility>

#include "libs/status/status_macros.h"

namespace jit::placement::api {

absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page) {
  ASSIGN_OR_RETURN(protoconv::PageCursor cursor,
                   protoconv::ParsePageRequest(page));
  return PageQuery{.limit = cursor.limit,
                   .after_key = std::move(cursor.after_key)};
}

void ToProto(const Dimensions& in, common::TraineeDimensions* out) {
  protoconv::ToProtoDimensions(in, out);
}

void ToProto(const Employer& in, pb::Employer* out) {
  out->set_employer_id(in.employer_id);
  out->set_name(in.name);
  out->set_ice(in.ice);
  out->set_sector(in.sector);
  out->mutable_location()->set_province_code(in.province_code);
  out->mutable_location()->set_region_code(in.region_code);
  out->set_partner(in.partner);
  *out->mutable_create_time() = ToProtoTime(in.create_time);
  *out->mutable_update_time() = ToProtoTime(in.update_time);
}

void ToProto(const JobOffer& in, pb::JobOffer* out) {
  out->set_job_offer_id(in.job_offer_id);
  out->set_employer_id(in.employer_id);
  out->set_title(in.title);
  out->set_track_id(in.track_id);
  out->mutable_location()->set_province_code(in.province_code);
  out->mutable_location()->set_region_code(in.region_code);
  out->set_contract_type(in.contract_type);
  out->set_salary_band(in.salary_band);
  out->set_openings(in.openings);
  out->set_open(in.open);
  *out->mutable_create_time() = ToProtoTime(in.create_time);
  if (in.close_time.has_value()) {
    *out->mutable_close_time() = ToProtoTime(*in.close_time);
  }
}

void ToProto(const Trainee& in, pb::TraineePlacement* out) {
  out->set_trainee_id(in.trainee_id);
  out->set_state(in.state);
  out->mutable_exit()->set_kind(in.exit.kind);
  *out->mutable_exit()->mutable_exit_date() = ToProtoDate(in.exit.date);
  out->mutable_exit()->set_cohort_id(in.exit.cohort_id);
  ToProto(in.dimensions, out->mutable_dimensions());
  out->set_current_placement_id(in.current_placement_id);
  if (in.first_placement_date.has_value()) {
    *out->mutable_first_placement_date() =
        ToProtoDate(*in.first_placement_date);
  }
  *out->mutable_create_time() = ToProtoTime(in.create_time);
  *out->mutable_update_time() = ToProtoTime(in.update_time);
}

void ToProto(const Offer& in, pb::Offer* out) {
  out->set_offer_id(in.offer_id);
  out->set_trainee_id(in.trainee_id);
  out->set_job_offer_id(in.job_offer_id);
  out->set_employer_id(in.employer_id);
  *out->mutable_offered_on() = ToProtoDate(in.offered_on);
  *out->mutable_create_time() = ToProtoTime(in.create_time);
}

void ToProto(const Placement& in, pb::Placement* out) {
  out->set_placement_id(in.placement_id);
  out->set_trainee_id(in.trainee_id);
  out->set_type(in.type);
  out->set_employer_id(in.employer_id);
  out->set_job_offer_id(in.job_offer_id);
  *out->mutable_start_date() = ToProtoDate(in.start_date);
  out->set_salary_band(in.salary_band);
  out->set_verification(in.verification);
  if (in.verify_time.has_value()) {
    *out->mutable_verify_time() = ToProtoTime(*in.verify_time);
  }
  out->set_ended(in.end_date.has_value());
  if (in.end_date.has_value()) {
    *out->mutable_end_date() = ToProtoDate(*in.end_date);
  }
  out->set_end_reason(in.end_reason);
  out->set_end_reason_code(in.end_reason_code);
  *out->mutable_create_time() = ToProtoTime(in.create_time);
  *out->mutable_update_time() = ToProtoTime(in.update_time);
}

void ToProto(const FollowUp& in, pb::FollowUp* out) {
  out->set_trainee_id(in.trainee_id);
  out->set_months_after_exit(in.months);
  *out->mutable_due_date() = ToProtoDate(in.due_date);
  out->set_recorded(in.recorded());
  out->set_outcome(in.outcome);
  out->set_placement_id(in.placement_id);
  out->set_employer_id(in.employer_id);
  if (in.recorded_on.has_value()) {
    *out->mutable_recorded_on() = ToProtoDate(*in.recorded_on);
  }
}

}  // namespace jit::placement::api
