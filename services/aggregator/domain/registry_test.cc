#include "services/aggregator/domain/registry.h"

#include <set>

#include "gtest/gtest.h"
#include "services/aggregator/domain/query.h"

namespace jit::aggregator {
namespace {

bool HasBoth(const LocalText& t) { return !t.fr.empty() && !t.ar.empty(); }

bool IsSnakeCase(const std::string& id) {
  if (id.empty() || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

TEST(RegistryTest, EveryDefinitionIsComplete) {
  std::set<std::string> ids;
  for (const MetricDefinition& m : Metrics()) {
    SCOPED_TRACE(m.id);
    EXPECT_TRUE(IsSnakeCase(m.id));
    EXPECT_TRUE(ids.insert(m.id).second) << "duplicate id";
    EXPECT_GE(m.version, 1);
    EXPECT_TRUE(HasBoth(m.title));
    EXPECT_TRUE(HasBoth(m.description));
    EXPECT_TRUE(HasBoth(m.numerator));
    EXPECT_TRUE(HasBoth(m.exclusions));
    EXPECT_TRUE(HasBoth(m.time_window));
    EXPECT_TRUE(HasBoth(m.series_date));
    const bool ratio = m.kind == MetricKind::kRatio || m.kind == MetricKind::kMedian;
    EXPECT_EQ(HasBoth(m.denominator), ratio) << "ratios and medians need a denominator";
    EXPECT_EQ(m.unit == MetricUnit::kRatio, m.kind == MetricKind::kRatio);
    EXPECT_EQ(m.provisional, m.formula == Formula::kPlacementOpen);
    if (m.provisional) {
      EXPECT_NE(m.title.fr.find("provisoire"), std::string::npos);
      EXPECT_NE(m.title.ar.find("مؤقتة"), std::string::npos);
    }
    EXPECT_EQ(FindMetric(m.id), &m);
  }
  EXPECT_EQ(FindMetric("no_such_metric"), nullptr);
}

TEST(RegistryTest, HasTheMetricsTheProgrammeAsksFor) {
  for (const char* id :
       {"applicants", "admitted", "waitlisted_now", "enrolled", "enrolled_now", "active_now",
        "withdrawn", "dropped_out", "completed", "certified", "placed", "completion_rate",
        "placement_rate_6m", "placement_rate_6m_provisional", "placement_rate_12m",
        "placement_rate_12m_provisional", "median_days_to_placement",
        "retention_same_employer_6m", "women_share_applicants", "women_share_admitted",
        "women_share_enrolled", "women_share_completed", "women_share_placed",
        "target_progress"}) {
    EXPECT_NE(FindMetric(id), nullptr) << id;
  }
  // Current vs cumulative, named.
  EXPECT_EQ(FindMetric("enrolled_now")->kind, MetricKind::kCurrent);
  EXPECT_EQ(FindMetric("active_now")->kind, MetricKind::kCurrent);
  EXPECT_EQ(FindMetric("waitlisted_now")->kind, MetricKind::kCurrent);
  EXPECT_EQ(FindMetric("enrolled")->kind, MetricKind::kCumulative);
  EXPECT_EQ(FindMetric("completed")->kind, MetricKind::kCumulative);
  EXPECT_EQ(FindMetric("placement_rate_6m")->months, 6);
  EXPECT_EQ(FindMetric("placement_rate_12m")->months, 12);
  EXPECT_FALSE(KeyFigureIds().empty());
}

TEST(RegistryTest, EveryFigureIsTracedToItsDefinition) {
  Fold fold;
  const auto figures = Summarize(fold, Query{}, ViewOptions{false, 5, 20000});
  ASSERT_EQ(figures.size(), Metrics().size());
  for (size_t i = 0; i < figures.size(); ++i) {
    EXPECT_EQ(figures[i].metric, &Metrics()[i]);
  }
}

}  // namespace
}  // namespace jit::aggregator
