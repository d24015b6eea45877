#include "libs/protoconv/common.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace jit::protoconv {

bool IsUnset(const common::Date& date) {
  return date.year() == 0 && date.month() == 0 && date.day() == 0;
}

std::optional<absl::CivilDay> ToCivilDay(const common::Date& date) {
  const absl::CivilDay day(date.year(), date.month(), date.day());
  if (date.year() < 1900 || day.year() != date.year() ||
      day.month() != date.month() || day.day() != date.day()) {
    return std::nullopt;
  }
  return day;
}

std::string DateText(const common::Date& date) {
  return absl::StrCat(date.year(), "-", date.month(), "-", date.day());
}

std::optional<absl::CivilDay> FromProtoDate(const common::Date& date,
                                            absl::string_view field,
                                            status::FieldViolations& v) {
  if (IsUnset(date)) return std::nullopt;
  std::optional<absl::CivilDay> day = ToCivilDay(date);
  if (!day.has_value() || date.year() > 9999) {
    v.Add(std::string(field),
          absl::StrCat("not a valid date: ", DateText(date)));
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

absl::Time FromProtoTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

void SetLocation(common::Location* out, absl::string_view region_code,
                 absl::string_view province_code) {
  out->set_region_code(std::string(region_code));
  out->set_province_code(std::string(province_code));
}

}  // namespace jit::protoconv
