#include "services/aggregator/domain/query.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator {
namespace {

using testing::D;
using testing::Ev;
using K = EventKind;

// Applies `n` submitted applications in `province` with `gender`.
void Applicants(Fold& fold, int n, const char* province, Gender g, const char* track = "cyber",
                const char* cohort = nullptr) {
  static int next = 0;
  for (int i = 0; i < n; ++i) {
    const std::string t = absl::StrCat("a", ++next);
    testing::Feed(fold, Ev(K::kApplicationSubmitted, t, 1, "2025-01-10")
                   .Cohort(cohort != nullptr ? cohort : absl::StrCat(province, "-", track))
                   .Dims(g, province, track));
  }
}

std::map<std::string, FigureValue> ById(const std::vector<FigureValue>& figures) {
  std::map<std::string, FigureValue> out;
  for (const FigureValue& f : figures) out[f.metric->id] = f;
  return out;
}

Query Region(const char* code) {
  Query q;
  q.level = Level::kRegion;
  q.region_code = code;
  return q;
}

TEST(QueryTest, PublicRegionsCannotBeRecoveredFromTheNationalTotal) {
  Fold fold;
  Applicants(fold, 20, "MA-FQH", Gender::kFemale);  // MA-05
  Applicants(fold, 3, "MA-CAS", Gender::kFemale);   // MA-06: small
  Applicants(fold, 9, "MA-TNG", Gender::kFemale);   // MA-01
  const ViewOptions pub{true, 5, D("2026-01-01")};
  EXPECT_EQ(ById(Summarize(fold, Query{}, pub))["applicants"].display, "32");
  std::vector<Query> rows = {Region("MA-01"), Region("MA-05"), Region("MA-06")};
  const auto table = Table(fold, rows, {FindMetric("applicants")}, pub);
  // The complement: the region of least value (9 < 20), shown "x".
  EXPECT_EQ(table[0][0].display, "x");
  EXPECT_EQ(table[0][0].state, FigureValue::State::kMasked);
  EXPECT_EQ(table[1][0].display, "20");
  EXPECT_EQ(table[2][0].display, "<5");  // primary
  EXPECT_EQ(table[2][0].state, FigureValue::State::kSuppressed);
  EXPECT_EQ(table[2][0].value, 0);
  // The same plan in a single-region summary.
  EXPECT_EQ(ById(Summarize(fold, Region("MA-01"), pub))["applicants"].display, "x");
  // Internal views are exact.
  const ViewOptions internal{false, 5, D("2026-01-01")};
  EXPECT_EQ(ById(Summarize(fold, Region("MA-06"), internal))["applicants"].display, "3");
}

TEST(QueryTest, ProvinceNeverRevealsAHiddenRegion) {
  Fold fold;
  Applicants(fold, 20, "MA-FQH", Gender::kFemale);  // only province of MA-05 with data
  Applicants(fold, 3, "MA-CAS", Gender::kFemale);
  const ViewOptions pub{true, 5, D("2026-01-01")};
  // MA-05 is the complement of MA-06's small count...
  EXPECT_EQ(ById(Summarize(fold, Region("MA-05"), pub))["applicants"].display, "x");
  // ...so its only province must not show it either.
  Query fqh;
  fqh.level = Level::kProvince;
  fqh.province_code = "MA-FQH";
  ASSERT_TRUE(NormalizeQuery(fqh).ok());
  EXPECT_EQ(ById(Summarize(fold, fqh, pub))["applicants"].display, "x");
}

TEST(QueryTest, GenderSplitIsProtectedToo) {
  Fold fold;
  Applicants(fold, 30, "MA-FQH", Gender::kMale);
  Applicants(fold, 2, "MA-FQH", Gender::kFemale);
  const ViewOptions pub{true, 5, D("2026-01-01")};
  Query women;
  women.gender = Gender::kFemale;
  Query men;
  men.gender = Gender::kMale;
  EXPECT_EQ(ById(Summarize(fold, women, pub))["applicants"].display, "<5");
  // Men = total - women would reveal women: men are hidden as the complement.
  EXPECT_EQ(ById(Summarize(fold, men, pub))["applicants"].display, "x");
  // The women's share is a ratio with a small numerator: hidden.
  EXPECT_EQ(ById(Summarize(fold, Query{}, pub))["women_share_applicants"].state,
            FigureValue::State::kSuppressed);
  EXPECT_EQ(ById(Summarize(fold, Query{}, pub))["applicants"].display, "32");
}

TEST(QueryTest, RatiosOnPublicViewsHideTheirCounts) {
  Fold fold;
  for (int i = 0; i < 10; ++i) {
    const std::string t = absl::StrCat("c", i);
    testing::Feed(fold, Ev(K::kApplicationSubmitted, t, 1, "2025-01-10")
                   .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber"));
    if (i < 9) {
      testing::Feed(fold, Ev(K::kTrainingCompleted, t, 1, "2025-06-30")
                     .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber").Date("2025-06-30"));
    } else {
      testing::Feed(fold, Ev(K::kDroppedOut, t, 1, "2025-03-01")
                     .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber").Date("2025-03-01"));
    }
  }
  const auto internal = ById(Summarize(fold, Query{}, ViewOptions{false, 5, D("2026-01-01")}));
  EXPECT_EQ(internal.at("completion_rate").numerator, 9);
  EXPECT_EQ(internal.at("completion_rate").denominator, 10);
  EXPECT_EQ(internal.at("completion_rate").display, "90.0%");
  // 9/10 reveals that one trainee (10 - 9 < 5) dropped out: hidden.
  const auto pub = ById(Summarize(fold, Query{}, ViewOptions{true, 5, D("2026-01-01")}));
  EXPECT_EQ(pub.at("completion_rate").state, FigureValue::State::kSuppressed);
  EXPECT_EQ(pub.at("completion_rate").numerator, 0);
  EXPECT_EQ(pub.at("dropped_out").display, "<5");
  EXPECT_EQ(pub.at("completed").display, "9");
}

TEST(QueryTest, PlacementRatesCloseWindowsAtTheViewDate) {
  Fold fold;
  // Four completers on 2025-03-31: two placed within 6 months, one in
  // further study, one without job. Two completers on 2025-12-31 (open).
  auto completer = [&](const std::string& t, const char* exit) {
    testing::Feed(fold, Ev(K::kApplicationSubmitted, t, 1, "2024-09-01")
                   .Cohort("c1").Dims(Gender::kMale, "MA-FQH", "cyber"));
    testing::Feed(fold, Ev(K::kTrainingCompleted, t, 1, exit)
                   .Cohort("c1").Dims(Gender::kMale, "MA-FQH", "cyber").Date(exit));
  };
  auto job = [&](const std::string& t, const char* exit, PlacementType type, const char* start) {
    testing::Feed(fold, Ev(K::kPlacementStarted, t, 1, start)
                   .Cohort("c1").Dims(Gender::kMale, "MA-FQH", "cyber")
                   .Exit(ExitKind::kCompleted, exit).Job("p", type, start));
  };
  for (const char* t : {"a", "b", "c", "d"}) completer(t, "2025-03-31");
  job("a", "2025-03-31", PlacementType::kSalariedPermanent, "2025-05-01");
  job("b", "2025-03-31", PlacementType::kSelfEmployed, "2025-09-30");
  job("c", "2025-03-31", PlacementType::kFurtherStudy, "2025-09-01");
  for (const char* t : {"e", "f"}) completer(t, "2025-12-31");
  job("e", "2025-12-31", PlacementType::kSalariedFixedTerm, "2026-01-20");

  // 2025-09-29: the March window is still open.
  auto before = ById(Summarize(fold, Query{}, ViewOptions{false, 5, D("2025-09-29")}));
  EXPECT_EQ(before.at("placement_rate_6m").state, FigureValue::State::kNoData);
  // 2026-02-01: March closed (2 / (4 - 1)), December open (1 / 2).
  auto after = ById(Summarize(fold, Query{}, ViewOptions{false, 5, D("2026-02-01")}));
  EXPECT_EQ(after.at("placement_rate_6m").numerator, 2);
  EXPECT_EQ(after.at("placement_rate_6m").denominator, 3);
  EXPECT_EQ(after.at("placement_rate_6m_provisional").numerator, 1);
  EXPECT_EQ(after.at("placement_rate_6m_provisional").denominator, 2);
  EXPECT_EQ(after.at("placement_rate_12m").state, FigureValue::State::kNoData);
  // Median days: a 31, b 183, e 20 -> 31.
  EXPECT_EQ(after.at("median_days_to_placement").value, 31);
  EXPECT_EQ(after.at("median_days_to_placement").denominator, 3);

  // The daily series closes windows relative to each day.
  const auto series = Series(fold, *FindMetric("placement_rate_6m"), Query{},
                             D("2025-09-29"), D("2025-10-01"), ViewOptions{false, 5, 0});
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0].figure.state, FigureValue::State::kNoData);  // 09-29: open
  EXPECT_EQ(series[1].figure.numerator, 2);                        // 09-30: closed
  EXPECT_EQ(series[1].figure.denominator, 3);
}

TEST(QueryTest, MedianOfAnEvenNumberIsTheMeanOfTheMiddleTwo) {
  Fold fold;
  int i = 0;
  for (const char* start : {"2025-04-10", "2025-04-20", "2025-05-01", "2025-08-01"}) {
    const std::string t = absl::StrCat("m", ++i);
    testing::Feed(fold, Ev(K::kApplicationSubmitted, t, 1, "2024-09-01")
                   .Cohort("c1").Dims(Gender::kMale, "MA-FQH", "cyber"));
    testing::Feed(fold, Ev(K::kTrainingCompleted, t, 1, "2025-03-31")
                   .Cohort("c1").Dims(Gender::kMale, "MA-FQH", "cyber").Date("2025-03-31"));
    testing::Feed(fold, Ev(K::kPlacementStarted, t, 1, start)
                   .Cohort("c1").Dims(Gender::kMale, "MA-FQH", "cyber")
                   .Exit(ExitKind::kCompleted, "2025-03-31")
                   .Job("p", PlacementType::kSalariedPermanent, start));
  }
  // 10, 20, 31, 123 days -> (20 + 31) / 2.
  auto f = ById(Summarize(fold, Query{}, ViewOptions{false, 5, D("2026-01-01")}));
  EXPECT_EQ(f.at("median_days_to_placement").value, 25.5);
  EXPECT_EQ(f.at("median_days_to_placement").display, "25.5");
  // Public: 4 observations < 5.
  auto p = ById(Summarize(fold, Query{}, ViewOptions{true, 5, D("2026-01-01")}));
  EXPECT_EQ(p.at("median_days_to_placement").display, "<5");
}

TEST(QueryTest, SeriesOfCurrentAndCumulativeCounts) {
  Fold fold;
  auto ev = [](K kind, const char* t, int64_t seq, const char* day) {
    Ev e(kind, t, seq, day);
    e.Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber");
    return e;
  };
  testing::Feed(fold, ev(K::kApplicationSubmitted, "x", 1, "2025-01-01"));
  testing::Feed(fold, ev(K::kEnrolmentConfirmed, "x", 2, "2025-01-02"));
  testing::Feed(fold, ev(K::kApplicationSubmitted, "y", 1, "2025-01-02"));
  testing::Feed(fold, ev(K::kEnrolmentConfirmed, "y", 2, "2025-01-03"));
  testing::Feed(fold, ev(K::kEnrolmentWithdrawn, "x", 3, "2025-01-04"));
  const ViewOptions internal{false, 5, D("2025-01-05")};
  std::vector<std::string> now, total;
  for (const SeriesPoint& p : Series(fold, *FindMetric("enrolled_now"), Query{},
                                     D("2025-01-01"), D("2025-01-05"), internal)) {
    now.push_back(p.figure.display);
  }
  for (const SeriesPoint& p : Series(fold, *FindMetric("enrolled"), Query{}, D("2025-01-01"),
                                     D("2025-01-05"), internal)) {
    total.push_back(p.figure.display);
  }
  EXPECT_EQ(now, (std::vector<std::string>{"0", "1", "2", "1", "1"}));
  EXPECT_EQ(total, (std::vector<std::string>{"0", "1", "2", "2", "2"}));
}

TEST(QueryTest, ProgressTowardsTheTarget) {
  Fold fold(FoldOptions{.event_id_memory = 100, .default_national_target = 10});
  testing::Feed(fold, Ev(K::kApplicationSubmitted, "x", 1, "2025-01-01")
                 .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber"));
  testing::Feed(fold, Ev(K::kTrainingCompleted, "x", 1, "2025-06-01")
                 .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber"));
  auto f = ById(Summarize(fold, Query{}, ViewOptions{false, 5, D("2026-01-01")}));
  EXPECT_EQ(f.at("target_progress").numerator, 1);
  EXPECT_EQ(f.at("target_progress").denominator, 10);
  testing::Feed(fold, Ev(K::kProgrammeTargetChanged, "programme", 1, "2025-01-01").Target(4));
  f = ById(Summarize(fold, Query{}, ViewOptions{false, 5, D("2026-01-01")}));
  EXPECT_EQ(f.at("target_progress").display, "25.0%");
}

TEST(QueryTest, NormalizeQueryValidatesCodes) {
  Query q;
  q.level = Level::kProvince;
  q.province_code = "MA-FQH";
  ASSERT_TRUE(NormalizeQuery(q).ok());
  EXPECT_EQ(q.region_code, "MA-05");

  Query bad_region = Region("MA-13");
  auto s = NormalizeQuery(bad_region);
  ASSERT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(s).at(0).field, "scope.region_code");

  Query mismatch;
  mismatch.level = Level::kProvince;
  mismatch.province_code = "MA-FQH";
  mismatch.region_code = "MA-06";
  EXPECT_EQ(status::GetFieldViolations(NormalizeQuery(mismatch)).at(0).field,
            "scope.region_code");

  Query missing;
  missing.level = Level::kRegion;
  EXPECT_FALSE(NormalizeQuery(missing).ok());
}

}  // namespace
}  // namespace jit::aggregator
