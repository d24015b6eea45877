// Calendar days as small integers, for the fold's daily series and the
// placement windows. A Day is the number of days since 1970-01-01 of a civil
// date (no time zone: the events' dates are Africa/Casablanca dates, and
// instants are converted to dates by the events adapter).
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_DATES_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_DATES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace jit::aggregator {

using Day = int32_t;

// A valid Gregorian date with 1900 <= year <= 9999, else nullopt.
std::optional<Day> DayFromCivil(int year, int month, int day);
absl::CivilDay ToCivil(Day day);
// "2025-10-15".
std::string FormatDay(Day day);
// Parses "YYYY-MM-DD"; nullopt when malformed or out of range.
std::optional<Day> ParseDay(absl::string_view text);
// The date of `t` in `zone`.
Day DayOf(absl::Time t, const absl::TimeZone& zone);

// `day` plus `months` calendar months, clamped to the end of the month:
// 2025-08-31 + 6 months = 2026-02-28. `months` may be negative.
Day AddMonths(Day day, int months);

// The last exit date whose window of `months` months is closed on `today`:
// the largest E with AddMonths(E, months) <= today.
Day LastClosedExit(Day today, int months);

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_DATES_H_
