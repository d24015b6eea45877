// Reading the fold: figures for a scope and filters, tables of regions and
// provinces, daily series, and small-count suppression on public views.
//
// Suppression (public views, threshold k >= 2):
//   - primary: a count in 1..k-1 is shown as "<k" (0 is shown);
//   - complementary: a count belongs to additive groups, one per restricted
//     dimension (its region among the 12 regions, its province among the
//     provinces of its region, its track among tracks, its cohort among
//     cohorts, its gender among genders), each with the same other
//     restrictions. When a group holds exactly one primary-suppressed
//     count, its smallest other non-zero count is suppressed too, so the
//     group's total (published elsewhere) cannot be used to recover it.
//     Every view applies the same rule, so a cell hidden in the regions
//     table is hidden in that region's summary as well;
//   - ratios publish their value only (numerator and denominator are
//     zeroed), rounded to 0.1 point, and are suppressed when their
//     numerator, denominator or complement (denominator - numerator) is in
//     1..k-1, or when a count they are built from is suppressed;
//   - medians are suppressed below k observations;
//   - series points: primary suppression per point.
// Limits (documented in README): one level of complementary suppression per
// dimension; linear combinations across several dimensions and differences
// between consecutive days of a series are not protected.
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_QUERY_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_QUERY_H_

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/aggregator/domain/fold.h"
#include "services/aggregator/domain/registry.h"

namespace jit::aggregator {

enum class Level { kNational, kRegion, kProvince };

struct Query {
  Level level = Level::kNational;
  std::string region_code = {};
  std::string province_code = {};
  std::string track_id = {};
  std::string cohort_id = {};
  std::optional<Gender> gender = std::nullopt;
};

// INVALID_ARGUMENT (field violations: scope.region_code,
// scope.province_code, filters.gender) for unknown codes or a province
// outside the given region. Fills region_code from a province.
absl::Status NormalizeQuery(Query& query);

bool Matches(const CellKey& key, const Query& query);

struct ViewOptions {
  bool public_view = true;
  int threshold = 5;  // public views only
  Day today = 0;      // windows close relative to this date
};

struct FigureValue {
  const MetricDefinition* metric = nullptr;
  enum class State { kValue, kSuppressed, kNoData };
  State state = State::kNoData;
  double value = 0;
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::string display = "-";
};

// Every registry metric for `query`, in registry order.
std::vector<FigureValue> Summarize(const Fold& fold, const Query& query,
                                   const ViewOptions& options);

// `metrics` for each of `rows` (e.g. the 12 regions), suppressed row by row
// with the rule above.
std::vector<std::vector<FigureValue>> Table(
    const Fold& fold, const std::vector<Query>& rows,
    const std::vector<const MetricDefinition*>& metrics,
    const ViewOptions& options);

struct SeriesPoint {
  Day day;
  FigureValue figure;
};
// The value of `metric` at the end of each day of [from, to]: counts are the
// sum of the deltas dated up to the day; placement windows close relative to
// the day itself.
std::vector<SeriesPoint> Series(const Fold& fold,
                                const MetricDefinition& metric,
                                const Query& query, Day from, Day to,
                                const ViewOptions& options);

// Which of `values` an additive group must hide (see the file comment).
std::vector<bool> SuppressGroup(const std::vector<int64_t>& values,
                                int threshold);

// "1234", "73.2%", "45.5", "<5", "-".
std::string Display(const FigureValue& figure, int threshold);

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_QUERY_H_
