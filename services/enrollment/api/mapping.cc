#include "services/enrollment/api/mapping.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace jit::enrollment::api {

std::optional<absl::CivilDay> FromProtoDate(const common::Date& date,
                                            absl::string_view field,
                                            status::FieldViolations& v) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return std::nullopt;
  }
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1900 || date.year() > 9999 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    v.Add(std::string(field),
          absl::StrCat("not a valid date: ", date.year(), "-", date.month(),
                       "-", date.day()));
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

void ToProto(const ApplicationView& in, pb::Application* out) {
  const Application& a = in.application;
  out->set_application_id(a.application_id);
  out->set_trainee_id(a.trainee_id);
  out->set_cohort_id(a.cohort_id);
  out->set_status(ToProto(a.status));
  if (in.personal_data.has_value()) {
    const PersonalData& p = *in.personal_data;
    auto* c = out->mutable_candidate();
    c->set_given_name(p.given_name);
    c->set_family_name(p.family_name);
    c->set_national_id(p.national_id);
    *c->mutable_birth_date() = ToProtoDate(p.birth_date);
    c->set_phone(p.phone);
    c->set_email(p.email);
  } else {
    out->set_personal_data_erased(true);
  }
  ToProto(a.dimensions, out->mutable_dimensions());
  out->set_reason(a.reason);
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
