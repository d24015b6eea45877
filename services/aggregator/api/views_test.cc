#include "services/aggregator/api/views.h"

#include "gtest/gtest.h"
#include "libs/status/field_violations.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator::api {
namespace {

using testing::Ev;

class ViewsTest : public ::testing::Test {
 protected:
  ViewsTest() : state_(FoldOptions{}) {
    state_.Mutate([](Fold& fold, IngestStats& stats) {
      for (int i = 0; i < 12; ++i) {
        const std::string t = "t" + std::to_string(i);
        testing::Feed(fold, Ev(EventKind::kApplicationSubmitted, t, 1, "2025-10-01")
                       .Cohort("c1").Dims(i % 2 ? Gender::kFemale : Gender::kMale, "MA-FQH", "cyber"));
        testing::Feed(fold, Ev(EventKind::kEnrolmentConfirmed, t, 2, "2025-10-05")
                       .Cohort("c1").Dims(i % 2 ? Gender::kFemale : Gender::kMale, "MA-FQH", "cyber"));
      }
      testing::Feed(fold, Ev(EventKind::kApplicationSubmitted, "lonely", 1, "2025-10-01")
                     .Cohort("c2").Dims(Gender::kFemale, "MA-CAS", "cyber"));
      stats.topics["jobintech.enrollment.v1"].applied = 25;
      stats.topics["jobintech.enrollment.v1"].partitions[0] = {25, 30};
      return 0;
    });
  }

  ViewConfig Config(bool public_only = false) {
    return ViewConfig{.suppression_threshold = 5, .public_only = public_only,
                      .zone = absl::UTCTimeZone(), .clock = &clock_};
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 15, 12, 0, 0), absl::UTCTimeZone())};
  DashboardState state_;
};

const pb::Figure& FigureOf(const pb::Summary& s, const std::string& id) {
  for (const pb::Figure& f : s.figures()) {
    if (f.metric_id() == id) return f;
  }
  static const pb::Figure kNone;
  return kNone;
}

TEST_F(ViewsTest, SummaryCarriesEveryMetricWithItsDefinitionAndFreshness) {
  DashboardViews views(&state_, Config());
  pb::Scope scope;
  scope.set_level(pb::SCOPE_LEVEL_REGION);
  scope.set_region_code("MA-05");
  auto s = views.Summary(scope, pb::Filters(), pb::VISIBILITY_INTERNAL);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->figures_size(), static_cast<int>(Metrics().size()));
  for (const pb::Figure& f : s->figures()) {
    EXPECT_NE(FindMetric(f.metric_id()), nullptr);
    EXPECT_EQ(f.metric_version(), FindMetric(f.metric_id())->version);
  }
  EXPECT_EQ(FigureOf(*s, "applicants").value(), 12);
  EXPECT_EQ(FigureOf(*s, "enrolled_now").display(), "12");
  EXPECT_EQ(s->visibility(), pb::VISIBILITY_INTERNAL);
  EXPECT_EQ(s->suppression_threshold(), 0);
  EXPECT_EQ(s->state_version(), 28);  // 25 and the catalogue: a track, 2 cohorts
  EXPECT_EQ(s->freshness().total_lag(), 5);
  EXPECT_EQ(s->as_of().seconds(), absl::ToUnixSeconds(clock_.Now()));
}

TEST_F(ViewsTest, PublicIsTheDefaultAndInternalCanBeRefused) {
  DashboardViews views(&state_, Config());
  pb::Scope scope;
  scope.set_level(pb::SCOPE_LEVEL_PROVINCE);
  scope.set_province_code("MA-CAS");
  auto s = views.Summary(scope, pb::Filters(), pb::VISIBILITY_UNSPECIFIED);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->visibility(), pb::VISIBILITY_PUBLIC);
  EXPECT_EQ(s->suppression_threshold(), 5);
  EXPECT_EQ(s->scope().region_code(), "MA-06");
  EXPECT_EQ(FigureOf(*s, "applicants").state(), pb::FIGURE_STATE_SUPPRESSED);
  EXPECT_EQ(FigureOf(*s, "applicants").display(), "<5");

  DashboardViews public_only(&state_, Config(true));
  auto refused = public_only.Summary(scope, pb::Filters(), pb::VISIBILITY_INTERNAL);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(refused.status()).at(0).field, "visibility");
}

TEST_F(ViewsTest, InvalidRequestsNameTheirFields) {
  DashboardViews views(&state_, Config());
  pb::Scope scope;
  scope.set_level(pb::SCOPE_LEVEL_REGION);
  scope.set_region_code("MA-13");
  pb::Filters filters;
  filters.set_gender(static_cast<jobintech::common::v1::Gender>(7));
  auto s = views.Summary(scope, filters, pb::VISIBILITY_PUBLIC);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(s.status()).at(0).field, "filters.gender");

  pb::GetProvinceTableRequest bad_region;
  bad_region.set_region_code("MA-99");
  auto t = views.GetProvinceTable(bad_region);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(status::GetFieldViolations(t.status()).at(0).field, "region_code");

  pb::GetTimeSeriesRequest unknown;
  unknown.set_metric_id("nope");
  auto u = views.GetTimeSeries(unknown);
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(status::GetFieldViolations(u.status()).at(0).field, "metric_id");

  pb::GetTimeSeriesRequest reversed;
  reversed.set_metric_id("applicants");
  reversed.mutable_start_date()->set_year(2025);
  reversed.mutable_start_date()->set_month(10);
  reversed.mutable_start_date()->set_day(10);
  reversed.mutable_end_date()->set_year(2025);
  reversed.mutable_end_date()->set_month(10);
  reversed.mutable_end_date()->set_day(1);
  EXPECT_FALSE(views.GetTimeSeries(reversed).ok());
}

TEST_F(ViewsTest, RegionsAndProvinceTables) {
  DashboardViews views(&state_, Config());
  pb::ListRegionsRequest req;
  req.set_visibility(pb::VISIBILITY_INTERNAL);
  auto regions = views.ListRegions(req);
  ASSERT_TRUE(regions.ok());
  ASSERT_EQ(regions->regions_size(), 12);
  EXPECT_EQ(regions->regions(4).region_code(), "MA-05");
  EXPECT_FALSE(regions->regions(4).name_ar().empty());
  EXPECT_EQ(regions->national().region_code(), "MA");
  ASSERT_EQ(regions->metric_ids_size(), regions->regions(0).figures_size());
  EXPECT_EQ(regions->regions(4).figures(0).metric_id(), regions->metric_ids(0));
  EXPECT_EQ(regions->regions(4).figures(0).value(), 12);
  EXPECT_EQ(regions->national().figures(0).value(), 13);

  pb::GetProvinceTableRequest p;
  p.set_region_code("MA-05");
  p.set_visibility(pb::VISIBILITY_INTERNAL);
  auto table = views.GetProvinceTable(p);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->provinces_size(), 5);  // Azilal, Béni Mellal, Fquih Ben Salah, Khénifra, Khouribga
  EXPECT_EQ(table->total().region_code(), "MA-05");
  EXPECT_EQ(table->total().figures(0).value(), 12);

  pb::GetProvinceTableRequest all;
  auto everything = views.GetProvinceTable(all);
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(everything->provinces_size(), 75);
}

TEST_F(ViewsTest, PublicTablesMaskWhatWouldRevealASmallCount) {
  DashboardViews views(&state_, Config());
  pb::ListRegionsRequest req;  // public by default
  auto regions = views.ListRegions(req);
  ASSERT_TRUE(regions.ok()) << regions.status();
  ASSERT_EQ(regions->metric_ids(0), "applicants");
  // MA-06 holds the lone applicant: "<5". MA-05's 12 would give it away
  // through the national 13: masked, "x". The national total stays.
  EXPECT_EQ(regions->regions(5).figures(0).state(), pb::FIGURE_STATE_SUPPRESSED);
  EXPECT_EQ(regions->regions(5).figures(0).display(), "<5");
  EXPECT_EQ(regions->regions(4).figures(0).state(), pb::FIGURE_STATE_MASKED);
  EXPECT_EQ(regions->regions(4).figures(0).display(), "x");
  EXPECT_EQ(regions->regions(4).figures(0).value(), 0);
  EXPECT_EQ(regions->national().figures(0).state(), pb::FIGURE_STATE_VALUE);
  EXPECT_EQ(regions->national().figures(0).value(), 13);
}

TEST_F(ViewsTest, PublicViewsRefuseWhatTheyCannotProtect) {
  DashboardViews views(&state_, Config());
  pb::Filters cohort;
  cohort.set_cohort_id("c1");
  auto s = views.Summary(pb::Scope(), cohort, pb::VISIBILITY_PUBLIC);
  ASSERT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(s.status()).at(0).field, "filters.cohort_id");
  EXPECT_TRUE(views.Summary(pb::Scope(), cohort, pb::VISIBILITY_INTERNAL).ok());

  pb::GetTimeSeriesRequest by_track;
  by_track.set_metric_id("applicants");
  by_track.mutable_filters()->set_track_id("cyber");
  auto t = views.GetTimeSeries(by_track);
  ASSERT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(t.status()).at(0).field, "filters.track_id");
  by_track.set_visibility(pb::VISIBILITY_INTERNAL);
  EXPECT_TRUE(views.GetTimeSeries(by_track).ok());

  pb::GetTimeSeriesRequest share;
  share.set_metric_id("women_share_applicants");
  auto w = views.GetTimeSeries(share);
  ASSERT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(w.status()).at(0).field, "metric_id");

  // By geography, public series are served, protected day by day: the
  // national series shows 13 at the end; MA-05's is masked like its total.
  pb::GetTimeSeriesRequest national;
  national.set_metric_id("applicants");
  auto n = views.GetTimeSeries(national);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->points(n->points_size() - 1).figure().value(), 13);
  pb::GetTimeSeriesRequest region = national;
  region.mutable_scope()->set_level(pb::SCOPE_LEVEL_REGION);
  region.mutable_scope()->set_region_code("MA-05");
  auto r = views.GetTimeSeries(region);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->points(r->points_size() - 1).figure().state(), pb::FIGURE_STATE_MASKED);
}

TEST_F(ViewsTest, TimeSeriesDefaultsToNinetyDaysEndingToday) {
  DashboardViews views(&state_, Config());
  pb::GetTimeSeriesRequest req;
  req.set_metric_id("enrolled_now");
  req.set_visibility(pb::VISIBILITY_INTERNAL);
  auto s = views.GetTimeSeries(req);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->points_size(), 90);
  const auto& last = s->points(89);
  EXPECT_EQ(last.date().day(), 15);
  EXPECT_EQ(last.figure().value(), 12);
  EXPECT_EQ(views.ListMetricDefinitions().metrics_size(), static_cast<int>(Metrics().size()));
}

}  // namespace
}  // namespace jit::aggregator::api
