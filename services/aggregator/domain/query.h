// Reading the fold: figures for a scope and filters, tables of regions and
// provinces, daily series, and small-count suppression on public views.
//
// Public views (threshold k >= 3): see disclosure.h for the guarantee.
//   - counts: the public tables are geography (national > region >
//     province) x track x gender, every combination, for every counter that
//     is published as a count or inside a ratio. A count in 1..k-1 is shown
//     as "<k" (0 is shown); the cells hidden to protect them (secondary
//     suppression, chosen over all the tables at once) are shown as "x".
//     Cohorts are not part of the public tables (a cohort is one class in
//     one place): a public view with a cohort filter is refused upstream and
//     masked here;
//   - ratios publish their value only (numerator and denominator zeroed),
//     rounded to 0.1 point; hidden ("<k") when their numerator, denominator
//     or complement is in 1..k-1, masked ("x") when a count they are built
//     from is hidden (for the women's share: the cell, its women or its men);
//   - medians are hidden below k observations;
//   - series: each day's geography table (national > region > province) is
//     protected the same way, day by day, and a series is hidden whole when
//     today's figure is hidden. Public series take no track, gender or
//     cohort filter and do not include the women's share (refused upstream,
//     masked here): those tables are not protected day by day.
// Not protected: differences over time (a live dashboard shows every change
// as it happens, so the change between two moments is public by nature).
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_QUERY_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_QUERY_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/aggregator/domain/disclosure.h"
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

// Which public cells are hidden, for one state of the fold.
class PublicPlan {
 public:
  static PublicPlan Build(const Fold& fold, int threshold);
  // The mark of `counter` in the query's cell (kPublished when the counter
  // is not published or the cell holds no data).
  Protection::Mark MarkOf(Counter counter, const Query& query) const;

 private:
  std::map<std::string, int> track_node_;
  std::array<std::shared_ptr<const Protection>, kCounterCount> by_counter_{};
};

struct ViewOptions {
  bool public_view = true;
  int threshold = 5;  // public views only
  Day today = 0;      // windows close relative to this date
  // The plan of the fold being read; built per call when null.
  const PublicPlan* plan = nullptr;
};

struct FigureValue {
  const MetricDefinition* metric = nullptr;
  // kSuppressed: a small count ("<k"); kMasked: hidden to protect one ("x").
  enum class State { kValue, kSuppressed, kMasked, kNoData };
  State state = State::kNoData;
  double value = 0;
  int64_t numerator = 0;
  int64_t denominator = 0;
  std::string display = "-";
};

// Every registry metric for `query`, in registry order.
std::vector<FigureValue> Summarize(const Fold& fold, const Query& query,
                                   const ViewOptions& options);

// `metrics` for each of `rows` (e.g. the 12 regions), with one plan.
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

// "1234", "73.2%", "45.5", "<5", "x", "-".
std::string Display(const FigureValue& figure, int threshold);

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_QUERY_H_
