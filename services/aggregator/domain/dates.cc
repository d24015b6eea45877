#include "services/aggregator/domain/dates.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace jit::aggregator {
namespace {

const absl::CivilDay kEpoch(1970, 1, 1);

int DaysInMonth(int64_t year, int month) {
  const absl::CivilMonth m(year, month);
  return static_cast<int>(absl::CivilDay(m + 1) - absl::CivilDay(m));
}

}  // namespace

std::optional<Day> DayFromCivil(int year, int month, int day) {
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return std::nullopt;
  }
  return static_cast<Day>(absl::CivilDay(year, month, day) - kEpoch);
}

absl::CivilDay ToCivil(Day day) { return kEpoch + day; }

std::string FormatDay(Day day) {
  const absl::CivilDay c = ToCivil(day);
  return absl::StrFormat("%04d-%02d-%02d", c.year(), c.month(), c.day());
}

std::optional<Day> ParseDay(absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  if (parts.size() != 3 || parts[0].size() != 4 || parts[1].size() != 2 ||
      parts[2].size() != 2) {
    return std::nullopt;
  }
  int y = 0, m = 0, d = 0;
  if (!absl::SimpleAtoi(parts[0], &y) || !absl::SimpleAtoi(parts[1], &m) ||
      !absl::SimpleAtoi(parts[2], &d)) {
    return std::nullopt;
  }
  return DayFromCivil(y, m, d);
}

Day DayOf(absl::Time t, const absl::TimeZone& zone) {
  return static_cast<Day>(absl::ToCivilDay(t, zone) - kEpoch);
}

Day AddMonths(Day day, int months) {
  const absl::CivilDay c = ToCivil(day);
  const absl::CivilMonth target = absl::CivilMonth(c) + months;
  const int last = DaysInMonth(target.year(), target.month());
  const int d = c.day() < last ? c.day() : last;
  return static_cast<Day>(absl::CivilDay(target.year(), target.month(), d) -
                          kEpoch);
}

Day LastClosedExit(Day today, int months) {
  // AddMonths is non-decreasing, so the closed exits are a prefix of days.
  // AddMonths(today, -months) is closed; end-of-month clamping can close up
  // to three more days (2025-08-29..31 + 6 months = 2026-02-28).
  Day e = AddMonths(today, -months);
  while (AddMonths(e + 1, months) <= today) ++e;
  while (AddMonths(e, months) > today) --e;
  return e;
}

}  // namespace jit::aggregator
