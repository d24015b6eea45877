// The metric definitions registry: every figure the aggregator publishes is
// computed from exactly one of these definitions and carries its id and
// version. Served by ListMetricDefinitions and shown on the page next to
// every figure.
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_REGISTRY_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_REGISTRY_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/aggregator/domain/fold.h"

namespace jit::aggregator {

struct LocalText {
  std::string fr;
  std::string ar;
};

enum class MetricKind { kCurrent, kCumulative, kRatio, kMedian };
enum class MetricUnit { kTrainees, kRatio, kDays };

// How the figure is computed from the fold's counters.
enum class Formula {
  kCount,              // the counter's total
  kCompletionRate,     // completed / (completed + dropped out + withdrawn)
  kPlacementClosed,    // placed within `months` / completers, closed windows
  kPlacementOpen,      // the same over windows still open (provisional)
  kMedianDaysToJob,    // median of the days-to-first-job distribution
  kRetention6,         // same employer / known outcomes at the +6 follow-up
  kWomenShare,         // women / (women + men) at the counter's stage
  kTargetProgress,     // completed / national target
};

struct MetricDefinition {
  std::string id;
  int version = 1;
  LocalText title;
  LocalText description;
  MetricKind kind = MetricKind::kCumulative;
  MetricUnit unit = MetricUnit::kTrainees;
  LocalText numerator;
  LocalText denominator;
  LocalText exclusions;
  LocalText time_window;
  LocalText series_date;
  bool provisional = false;
  bool key_figure = false;
  Formula formula = Formula::kCount;
  Counter counter = Counter::kApplied;  // kCount, kWomenShare
  int months = 0;                       // kPlacementClosed/Open
};

// Every metric, in display order. Ids are unique and stable.
const std::vector<MetricDefinition>& Metrics();
// nullptr when unknown.
const MetricDefinition* FindMetric(absl::string_view id);
// The ids of the key figures (region and province tables), in order.
std::vector<std::string> KeyFigureIds();

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_REGISTRY_H_
