// Conversions between jobintech.common.v1 (and google.protobuf.Timestamp)
// messages and Abseil values, written once for every service, tool and peer
// client. Pure functions, no I/O, thread-safe.
//
//   common::Date d = protoconv::ToProtoDate(absl::CivilDay(2025, 9, 1));
//   std::optional<absl::CivilDay> day =
//       protoconv::FromProtoDate(request.start_date(), "start_date", v);
//   *out->mutable_create_time() = protoconv::ToProtoTime(absl::Now());
//   protoconv::ToProtoDimensions(domain_dimensions, out->mutable_dimensions());
//
// Page tokens are in page_token.h.
#ifndef JIT_LIBS_PROTOCONV_COMMON_H_
#define JIT_LIBS_PROTOCONV_COMMON_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "jobintech/common/v1/common.pb.h"
#include "libs/status/field_violations.h"

namespace jit::protoconv {

namespace common = ::jobintech::common::v1;

// ---- Dates ----------------------------------------------------------------

// True for the all-zero Date, the contract's "not set".
bool IsUnset(const common::Date& date);

// The calendar day of `date` when it is one (no 2025-02-30, no month 13) in
// year 1900 or later; nullopt otherwise (the unset Date included). No upper
// bound on the year: see FromProtoDate for the API's.
std::optional<absl::CivilDay> ToCivilDay(const common::Date& date);

// "2025-2-30": the Date as error messages print it (fields unpadded).
std::string DateText(const common::Date& date);

// A Date from a request: the unset Date is nullopt; an impossible one, or a
// year outside 1900..9999, is nullopt plus a violation on `field`
// ("not a valid date: 2025-2-30").
std::optional<absl::CivilDay> FromProtoDate(const common::Date& date,
                                            absl::string_view field,
                                            status::FieldViolations& v);

common::Date ToProtoDate(absl::CivilDay day);

// ---- Timestamps -----------------------------------------------------------

// Exact to the nanosecond for times after the Unix epoch (nanos in
// 0..999999999).
google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& ts);

// ---- Locations and trainee dimensions -------------------------------------

void SetLocation(common::Location* out, absl::string_view region_code,
                 absl::string_view province_code);

// The services each keep a `Dimensions` struct of the same fields (gender,
// age_band, education_level, residence_/training_ region and province codes,
// track_id, cohort_id, centre_id); these map any of them.
template <typename Dimensions>
void ToProtoDimensions(const Dimensions& in, common::TraineeDimensions* out) {
  out->set_gender(in.gender);
  out->set_age_band(in.age_band);
  out->set_education_level(in.education_level);
  SetLocation(out->mutable_residence(), in.residence_region_code,
              in.residence_province_code);
  SetLocation(out->mutable_training_location(), in.training_region_code,
              in.training_province_code);
  out->set_track_id(in.track_id);
  out->set_cohort_id(in.cohort_id);
  out->set_centre_id(in.centre_id);
}

template <typename Dimensions>
Dimensions FromProtoDimensions(const common::TraineeDimensions& in) {
  Dimensions out;
  out.gender = in.gender();
  out.age_band = in.age_band();
  out.education_level = in.education_level();
  out.residence_province_code = in.residence().province_code();
  out.residence_region_code = in.residence().region_code();
  out.training_province_code = in.training_location().province_code();
  out.training_region_code = in.training_location().region_code();
  out.track_id = in.track_id();
  out.cohort_id = in.cohort_id();
  out.centre_id = in.centre_id();
  return out;
}

}  // namespace jit::protoconv

#endif  // JIT_LIBS_PROTOCONV_COMMON_H_
