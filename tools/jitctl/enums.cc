#include "tools/jitctl/enums.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/protoconv/common.h"

namespace jit::jitctl {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;

struct Alias {
  const char* enum_name;  // full name of the enum type
  const char* alias;      // normalized (upper-case, '_')
  const char* value;      // short name of the value
};

// Aliases seen on paper forms and spreadsheets.
constexpr Alias kAliases[] = {
    {"jobintech.common.v1.Gender", "F", "FEMALE"},
    {"jobintech.common.v1.Gender", "FEMME", "FEMALE"},
    {"jobintech.common.v1.Gender", "W", "FEMALE"},
    {"jobintech.common.v1.Gender", "WOMAN", "FEMALE"},
    {"jobintech.common.v1.Gender", "M", "MALE"},
    {"jobintech.common.v1.Gender", "H", "MALE"},
    {"jobintech.common.v1.Gender", "HOMME", "MALE"},
    {"jobintech.common.v1.Gender", "MAN", "MALE"},
    {"jobintech.common.v1.EducationLevel", "BELOW_BAC", "BELOW_BACCALAUREATE"},
    {"jobintech.common.v1.EducationLevel", "BAC", "BACCALAUREATE"},
    {"jobintech.common.v1.EducationLevel", "BAC+2", "BAC_PLUS_2"},
    {"jobintech.common.v1.EducationLevel", "BAC+3", "BAC_PLUS_3"},
    {"jobintech.common.v1.EducationLevel", "BAC+5", "BAC_PLUS_5"},
    {"jobintech.common.v1.EducationLevel", "LICENCE", "BAC_PLUS_3"},
    {"jobintech.common.v1.EducationLevel", "MASTER", "BAC_PLUS_5"},
    {"jobintech.common.v1.EducationLevel", "DOCTORAT", "DOCTORATE"},
    {"jobintech.common.v1.EducationLevel", "PHD", "DOCTORATE"},
    {"jobintech.events.v1.AttendanceMark", "P", "PRESENT"},
    {"jobintech.events.v1.AttendanceMark", "E", "EXCUSED_ABSENCE"},
    {"jobintech.events.v1.AttendanceMark", "EXCUSED", "EXCUSED_ABSENCE"},
    {"jobintech.events.v1.AttendanceMark", "AJ", "EXCUSED_ABSENCE"},
    {"jobintech.events.v1.AttendanceMark", "A", "UNEXCUSED_ABSENCE"},
    {"jobintech.events.v1.AttendanceMark", "ABSENT", "UNEXCUSED_ABSENCE"},
    {"jobintech.events.v1.AttendanceMark", "UNEXCUSED", "UNEXCUSED_ABSENCE"},
    {"jobintech.events.v1.AttendanceMark", "ANJ", "UNEXCUSED_ABSENCE"},
    {"jobintech.events.v1.PlacementType", "PERMANENT", "SALARIED_PERMANENT"},
    {"jobintech.events.v1.PlacementType", "CDI", "SALARIED_PERMANENT"},
    {"jobintech.events.v1.PlacementType", "FIXED_TERM", "SALARIED_FIXED_TERM"},
    {"jobintech.events.v1.PlacementType", "CDD", "SALARIED_FIXED_TERM"},
    {"jobintech.events.v1.PlacementType", "STAGE", "INTERNSHIP"},
    {"jobintech.events.v1.PlacementType", "STUDY", "FURTHER_STUDY"},
    {"jobintech.events.v1.VerificationSource", "SELF", "SELF_REPORT"},
    {"jobintech.events.v1.VerificationSource", "CNSS", "SOCIAL_SECURITY"},
    {"jobintech.events.v1.FollowUpOutcome", "SAME", "EMPLOYED_SAME_EMPLOYER"},
    {"jobintech.events.v1.FollowUpOutcome", "SAME_EMPLOYER", "EMPLOYED_SAME_EMPLOYER"},
    {"jobintech.events.v1.FollowUpOutcome", "OTHER", "EMPLOYED_OTHER_EMPLOYER"},
    {"jobintech.events.v1.FollowUpOutcome", "OTHER_EMPLOYER", "EMPLOYED_OTHER_EMPLOYER"},
    {"jobintech.events.v1.FollowUpOutcome", "UNEMPLOYED", "NOT_EMPLOYED"},
    {"jobintech.events.v1.SalaryBand", "UNDISCLOSED", "UNDISCLOSED"},
    {"jobintech.events.v1.SalaryBand", "12000+", "12000_AND_ABOVE"},
    {"jobintech.dashboard.v1.ScopeLevel", "COUNTRY", "NATIONAL"},
};

// The prefix shared by the enum's values: "GENDER_" from GENDER_UNSPECIFIED.
std::string PrefixOf(const EnumDescriptor* d) {
  const EnumValueDescriptor* zero = d->FindValueByNumber(0);
  if (zero != nullptr) {
    absl::string_view name = zero->name();
    if (absl::ConsumeSuffix(&name, "UNSPECIFIED")) return std::string(name);
  }
  return "";
}

std::string Normalize(absl::string_view text) {
  std::string out(absl::StripAsciiWhitespace(text));
  absl::AsciiStrToUpper(&out);
  for (char& c : out) {
    if (c == '-' || c == ' ') c = '_';
  }
  return out;
}

}  // namespace

absl::StatusOr<int> ParseEnum(const EnumDescriptor* d, absl::string_view text,
                              bool allow_unspecified) {
  const std::string prefix = PrefixOf(d);
  const std::string wanted = Normalize(text);
  if (wanted.empty() || wanted == "UNSPECIFIED" || wanted == prefix + "UNSPECIFIED") {
    if (allow_unspecified) return 0;
    return absl::InvalidArgumentError(
        absl::StrCat("is required; one of: ", EnumChoices(d)));
  }
  std::string short_name = wanted;
  for (const Alias& a : kAliases) {
    if (d->full_name() == a.enum_name && wanted == a.alias) short_name = a.value;
  }
  for (int i = 0; i < d->value_count(); ++i) {
    const EnumValueDescriptor* v = d->value(i);
    if (v->number() == 0) continue;
    if (v->name() == short_name || v->name() == prefix + short_name) return v->number();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", absl::StripAsciiWhitespace(text), "' is not one of: ", EnumChoices(d)));
}

std::string ShortEnumName(const EnumDescriptor* d, int value) {
  const EnumValueDescriptor* v = d->FindValueByNumber(value);
  if (v == nullptr) return absl::StrCat(value);
  absl::string_view name = v->name();
  const std::string prefix = PrefixOf(d);
  absl::ConsumePrefix(&name, prefix);
  std::string out = absl::AsciiStrToLower(name);
  for (char& c : out) {
    if (c == '_') c = '-';
  }
  return out;
}

std::string EnumChoices(const EnumDescriptor* d) {
  std::vector<std::string> names;
  for (int i = 0; i < d->value_count(); ++i) {
    if (d->value(i)->number() == 0) continue;
    names.push_back(ShortEnumName(d, d->value(i)->number()));
  }
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  int y = 0, m = 0, d = 0;
  bool parsed = false;
  if (std::vector<absl::string_view> p = absl::StrSplit(t, '-'); p.size() == 3) {
    parsed = p[0].size() == 4 && absl::SimpleAtoi(p[0], &y) && absl::SimpleAtoi(p[1], &m) &&
             absl::SimpleAtoi(p[2], &d);
  } else if (std::vector<absl::string_view> q = absl::StrSplit(t, '/'); q.size() == 3) {
    parsed = q[2].size() == 4 && absl::SimpleAtoi(q[0], &d) && absl::SimpleAtoi(q[1], &m) &&
             absl::SimpleAtoi(q[2], &y);
  }
  if (!parsed) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", t, "' is not a date: use YYYY-MM-DD (or DD/MM/YYYY)"));
  }
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d || y < 1900 || y > 9999) {
    return absl::InvalidArgumentError(absl::StrCat("'", t, "' is not a valid calendar date"));
  }
  return day;
}

absl::StatusOr<jobintech::common::v1::Date> ParseDate(absl::string_view text) {
  auto day = ParseDay(text);
  if (!day.ok()) return day.status();
  return ToDate(*day);
}

jobintech::common::v1::Date ToDate(absl::CivilDay day) { return protoconv::ToProtoDate(day); }

absl::CivilDay FromDate(const jobintech::common::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

std::string FormatDate(const jobintech::common::v1::Date& date) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

}  // namespace jit::jitctl
