#include "services/enrollment/api/mapping.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace jit::enrollment::api {

std::optional<CohortStatus> FromProto(pb::CohortStatus s,
                                      absl::string_view field,
                                      status::FieldViolations& v) {
  switch (s) {
    case pb::COHORT_STATUS_UNSPECIFIED:
      return std::nullopt;
    case pb::COHORT_STATUS_PLANNED:
      return CohortStatus::kPlanned;
    case pb::COHORT_STATUS_OPEN:
      return CohortStatus::kOpen;
    case pb::COHORT_STATUS_RUNNING:
      return CohortStatus::kRunning;
    case pb::COHORT_STATUS_CLOSED:
      return CohortStatus::kClosed;
    default:
      v.Add(std::string(field), absl::StrCat("unknown cohort status ", s));
      return std::nullopt;
  }
}

std::optional<ApplicationStatus> FromProto(pb::ApplicationStatus s,
                                           absl::string_view field,
                                           status::FieldViolations& v) {
  if (s == pb::APPLICATION_STATUS_UNSPECIFIED) return std::nullopt;
  if (s >= pb::APPLICATION_STATUS_APPLIED &&
      s <= pb::APPLICATION_STATUS_WITHDRAWN) {
    // The domain enum shares the contract's numbering.
    return static_cast<ApplicationStatus>(static_cast<int>(s));
  }
  v.Add(std::string(field), absl::StrCat("unknown application status ", s));
  return std::nullopt;
}

pb::CohortStatus ToProto(CohortStatus s) {
  return static_cast<pb::CohortStatus>(static_cast<int>(s));
}

pb::ApplicationStatus ToProto(ApplicationStatus s) {
  return static_cast<pb::ApplicationStatus>(static_cast<int>(s));
}

absl::StatusOr<PageQuery> FromProto(const common::PageRequest& page) {
  ASSIGN_OR_RETURN(protoconv::PageCursor cursor,
                   protoconv::ParsePageRequest(page));
  return PageQuery{.limit = cursor.limit,
                   .after_key = std::move(cursor.after_key)};
}

void ToProto(const Programme& in, pb::Programme* out) {
  out->set_name(in.name);
  out->set_national_target(in.national_target);
  *out->mutable_update_time() = ToProtoTime(in.update_time);
}

void ToProto(const Track& in, pb::Track* out) {
  out->set_track_id(in.track_id);
  out->set_name_fr(in.name_fr);
  out->set_name_ar(in.name_ar);
  *out->mutable_create_time() = ToProtoTime(in.create_time);
}

void ToProto(const Centre& in, pb::TrainingCentre* out) {
  out->set_centre_id(in.centre_id);
  out->set_name(in.name);
  out->set_operator_name(in.operator_name);
  out->mutable_location()->set_province_code(in.province_code);
  out->mutable_location()->set_region_code(in.region_code);
  *out->mutable_create_time() = ToProtoTime(in.create_time);
}

void ToProto(const CohortView& in, pb::Cohort* out) {
  const Cohort& c = in.cohort;
  out->set_cohort_id(c.cohort_id);
  out->set_name(c.name);
  out->set_track_id(c.track_id);
  out->set_centre_id(c.centre_id);
  out->mutable_location()->set_province_code(c.province_code);
  out->mutable_location()->set_region_code(c.region_code);
  out->set_capacity(c.capacity);
  *out->mutable_start_date() = ToProtoDate(c.start_date);
  *out->mutable_end_date() = ToProtoDate(c.end_date);
  out->set_status(ToProto(c.status));
  out->set_seats_held(in.seats.held());
  out->set_enrolled_count(in.seats.enrolled);
  out->set_waitlisted_count(in.seats.waitlisted);
  *out->mutable_create_time() = ToProtoTime(c.create_time);
  *out->mutable_update_time() = ToProtoTime(c.update_time);
}

void ToProto(const Dimensions& in, common::TraineeDimensions* out) {
  protoconv::ToProtoDimensions(in, out);
}

namespace {

void ToProto(const PersonalData& p, pb::Candidate* c) {
  c->set_given_name(p.given_name);
  c->set_family_name(p.family_name);
  c->set_national_id(p.national_id);
  *c->mutable_birth_date() = ToProtoDate(p.birth_date);
  c->set_phone(p.phone);
  c->set_email(p.email);
}

}  // namespace

void ToProto(const CandidateView& in, pb::UpdateCandidateContactResponse* out) {
  out->set_trainee_id(in.trainee_id);
  if (in.personal_data.has_value()) ToProto(*in.personal_data, out->mutable_candidate());
  *out->mutable_update_time() = ToProtoTime(in.update_time);
}

void ToProto(const ApplicationView& in, pb::Application* out) {
  const Application& a = in.application;
  out->set_application_id(a.application_id);
  out->set_trainee_id(a.trainee_id);
  out->set_cohort_id(a.cohort_id);
  out->set_status(ToProto(a.status));
  if (in.personal_data.has_value()) {
    ToProto(*in.personal_data, out->mutable_candidate());
  } else {
    out->set_personal_data_erased(true);
  }
  ToProto(a.dimensions, out->mutable_dimensions());
  out->set_reason(a.reason);
  switch (a.status) {
    case ApplicationStatus::kRejected:
      out->set_rejection_reason(
          static_cast<common::RejectionReason>(a.reason_code));
      break;
    case ApplicationStatus::kDeclined:
      out->set_decline_reason(static_cast<common::DeclineReason>(a.reason_code));
      break;
    case ApplicationStatus::kWithdrawn:
      out->set_withdrawal_reason(
          static_cast<common::WithdrawalReason>(a.reason_code));
      break;
    default:
      break;
  }
  out->set_waitlist_position(in.waitlist_position);
  *out->mutable_submit_time() = ToProtoTime(a.submit_time);
  *out->mutable_update_time() = ToProtoTime(a.update_time);
}

void ToProto(const TraineeRecord& in, pb::LookupTraineeResponse* out) {
  const Application& a = in.application;
  out->set_trainee_id(in.trainee_id);
  out->set_application_id(a.application_id);
  out->set_cohort_id(a.cohort_id);
  out->set_status(ToProto(a.status));
  ToProto(a.dimensions, out->mutable_dimensions());
  *out->mutable_cohort_start_date() = ToProtoDate(in.cohort_start_date);
  *out->mutable_cohort_end_date() = ToProtoDate(in.cohort_end_date);
  *out->mutable_status_time() = ToProtoTime(a.update_time);
}

}  // namespace jit::enrollment::api
