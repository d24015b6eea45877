// The served definition of a metric is the contract with its reader: these
// tests read each clause of the definitions of dropped_out, completed, placed
// and the placement rates as the registry serves it (both languages), then
// build a journey for each clause and check that the figure computed from
// the fold says the same thing.
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/aggregator/domain/fold.h"
#include "services/aggregator/domain/query.h"
#include "services/aggregator/domain/registry.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator {
namespace {

using testing::D;
using testing::Ev;
using ::testing::HasSubstr;
using ::testing::Not;
using K = EventKind;

const MetricDefinition& Def(const char* id) {
  const MetricDefinition* m = FindMetric(id);
  EXPECT_NE(m, nullptr) << id;
  static const MetricDefinition kNone;
  return m != nullptr ? *m : kNone;
}

// Every text the reader sees for a metric, in one language.
std::string TextFr(const MetricDefinition& m) {
  return absl::StrCat(m.title.fr, " | ", m.description.fr, " | ", m.numerator.fr, " | ",
                      m.denominator.fr, " | ", m.exclusions.fr, " | ", m.time_window.fr);
}
std::string TextAr(const MetricDefinition& m) {
  return absl::StrCat(m.title.ar, " | ", m.description.ar, " | ", m.numerator.ar, " | ",
                      m.denominator.ar, " | ", m.exclusions.ar, " | ", m.time_window.ar);
}

// A journey of trainee `t` in cohort c1 (Fquih Ben Salah, cybersecurity).
Ev J(K kind, const std::string& t, int64_t seq, const char* day) {
  Ev e(kind, t, seq, day);
  e.Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cybersecurity");
  return e;
}

// Applied, admitted and enrolled in January 2025, started in February.
void Enrol(Fold& fold, const std::string& t) {
  testing::Feed(fold, J(K::kApplicationSubmitted, t, 1, "2025-01-10"));
  testing::Feed(fold, J(K::kApplicationAdmitted, t, 2, "2025-01-20"));
  testing::Feed(fold, J(K::kEnrolmentConfirmed, t, 3, "2025-01-25"));
  testing::Feed(fold, J(K::kTrainingStarted, t, 1, "2025-02-03").Date("2025-02-03"));
}

void Complete(Fold& fold, const std::string& t, const char* day, int64_t seq = 10) {
  testing::Feed(fold, J(K::kTrainingCompleted, t, seq, day).Date(day));
}

void Job(Fold& fold, const std::string& t, const char* exit, PlacementType type,
         const char* start, int64_t seq = 1) {
  testing::Feed(fold, J(K::kPlacementStarted, t, seq, start)
                 .Exit(ExitKind::kCompleted, exit)
                 .Job(absl::StrCat("p-", t, "-", seq), type, start));
}

// The internal (exact) national figure of `id` on `today`.
FigureValue Figure(const Fold& fold, const char* id, const char* today = "2027-01-01") {
  for (const FigureValue& f : Summarize(fold, Query{}, ViewOptions{false, 5, D(today)})) {
    if (f.metric->id == id) return f;
  }
  ADD_FAILURE() << "no figure " << id;
  return {};
}

int64_t Count(const Fold& fold, const char* id) {
  const FigureValue f = Figure(fold, id);
  return f.state == FigureValue::State::kValue ? static_cast<int64_t>(f.value) : 0;
}

// ---------------------------------------------------------------- dropped_out

TEST(MetricDefinitionTest, DroppedOutIsADeclaredDropOutOnly) {
  const MetricDefinition& m = Def("dropped_out");
  // The definition says "declared", and names at-risk trainees as excluded,
  // in both languages.
  EXPECT_THAT(m.numerator.fr, HasSubstr("abandon déclaré"));
  EXPECT_THAT(m.numerator.ar, HasSubstr("انقطاع مصرح به"));
  EXPECT_THAT(m.exclusions.fr, HasSubstr("« à risque »"));
  EXPECT_THAT(m.exclusions.ar, HasSubstr("« في خطر »"));
  EXPECT_THAT(TextFr(m), Not(HasSubstr("ou absences")));
  EXPECT_THAT(TextAr(m), Not(HasSubstr("أو غيابات")));

  Fold fold;
  // Clause: a declared drop-out counts, on the day of the drop-out.
  Enrol(fold, "declared");
  testing::Feed(fold, J(K::kDroppedOut, "declared", 5, "2025-04-02").Date("2025-04-01"));
  // Exclusion: at risk after consecutive unexcused absences, not declared.
  Enrol(fold, "at-risk");
  testing::Feed(fold, J(K::kTraineeAtRisk, "at-risk", 5, "2025-03-10").Date("2025-03-10"));
  // Exclusion: a completed journey is never a drop-out.
  Enrol(fold, "completed");
  Complete(fold, "completed", "2025-06-30", 5);
  testing::Feed(fold, J(K::kDroppedOut, "completed", 6, "2025-07-02").Date("2025-07-01"));
  // Exclusion: one exit per journey, the earliest: withdrawn before.
  Enrol(fold, "withdrawn-first");
  testing::Feed(fold, J(K::kEnrolmentWithdrawn, "withdrawn-first", 4, "2025-03-01"));
  testing::Feed(fold, J(K::kDroppedOut, "withdrawn-first", 5, "2025-03-05").Date("2025-03-05"));
  // ... and the drop-out when both fall on the same day.
  Enrol(fold, "same-day");
  testing::Feed(fold, J(K::kEnrolmentWithdrawn, "same-day", 4, "2025-03-01"));
  testing::Feed(fold, J(K::kDroppedOut, "same-day", 5, "2025-03-01").Date("2025-03-01"));

  EXPECT_EQ(Count(fold, "dropped_out"), 2);  // declared, same-day
  EXPECT_EQ(Count(fold, "withdrawn"), 1);    // withdrawn-first
  EXPECT_EQ(Count(fold, "completed"), 1);
  EXPECT_EQ(Count(fold, "enrolled_now"), 1);  // at-risk is still enrolled
  EXPECT_EQ(Count(fold, "active_now"), 1);

  // Dated at the drop-out's date (2025-04-01), not the event's day.
  const auto series = Series(fold, m, Query{}, D("2025-03-31"), D("2025-04-01"),
                             ViewOptions{false, 5, 0});
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].figure.value, 1);  // same-day, on 2025-03-01
  EXPECT_EQ(series[1].figure.value, 2);
}

// ---------------------------------------------------------------- completed

TEST(MetricDefinitionTest, CompletedIsEveryRequiredModulePassed) {
  const MetricDefinition& m = Def("completed");
  EXPECT_THAT(m.numerator.fr, HasSubstr("tous les modules obligatoires sont validés"));
  EXPECT_THAT(m.numerator.ar, HasSubstr("جميع الوحدات الإجبارية"));

  Fold fold;
  // Clause: the training-progress service's completion (every required
  // module passed) counts, dated at the completion date.
  Enrol(fold, "done");
  Complete(fold, "done", "2025-06-30", 5);
  // A passed module alone is not a completion.
  Enrol(fold, "one-module");
  testing::Feed(fold, J(K::kModulePassed, "one-module", 5, "2025-04-01").Date("2025-04-01"));
  // Neither is a drop-out or a withdrawal.
  Enrol(fold, "dropped");
  testing::Feed(fold, J(K::kDroppedOut, "dropped", 5, "2025-04-01").Date("2025-04-01"));
  Enrol(fold, "withdrawn");
  testing::Feed(fold, J(K::kEnrolmentWithdrawn, "withdrawn", 4, "2025-03-01"));

  EXPECT_EQ(Count(fold, "completed"), 1);
  const auto series = Series(fold, m, Query{}, D("2025-06-29"), D("2025-06-30"),
                             ViewOptions{false, 5, 0});
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].figure.value, 0);
  EXPECT_EQ(series[1].figure.value, 1);

  // The completion rate: completers over every exit (completed + dropped out
  // + withdrawn); trainees still in training are in neither.
  const FigureValue rate = Figure(fold, "completion_rate");
  EXPECT_EQ(rate.numerator, 1);
  EXPECT_EQ(rate.denominator, 3);
}

// ---------------------------------------------------------------- placed

TEST(MetricDefinitionTest, PlacedIsAJobOrSelfEmploymentOfACompleterWithoutDeadline) {
  const MetricDefinition& m = Def("placed");
  EXPECT_THAT(m.numerator.fr, HasSubstr("emploi salarié (CDI, CDD) ou une activité "
                                        "indépendante"));
  EXPECT_THAT(m.numerator.fr, HasSubstr("sans limite de délai"));
  EXPECT_THAT(m.exclusions.fr, HasSubstr("Stages ; poursuite d'études ; sorties par "
                                         "abandon ou retrait"));
  EXPECT_THAT(m.numerator.ar, HasSubstr("دون أجل محدد"));

  Fold fold;
  int n = 0;
  auto completer = [&](const std::string& t) {
    Enrol(fold, t);
    Complete(fold, t, "2025-06-30", 5);
    ++n;
  };
  // Clauses: permanent, fixed-term and self-employment count...
  completer("cdi");
  Job(fold, "cdi", "2025-06-30", PlacementType::kSalariedPermanent, "2025-08-01");
  completer("cdd");
  Job(fold, "cdd", "2025-06-30", PlacementType::kSalariedFixedTerm, "2025-09-01");
  completer("self");
  Job(fold, "self", "2025-06-30", PlacementType::kSelfEmployed, "2025-10-01");
  // ... without a deadline: two years after the training.
  completer("late");
  Job(fold, "late", "2025-06-30", PlacementType::kSalariedPermanent, "2027-06-30");
  // Exclusions: internships and further study.
  completer("intern");
  Job(fold, "intern", "2025-06-30", PlacementType::kInternship, "2025-08-01");
  completer("study");
  Job(fold, "study", "2025-06-30", PlacementType::kFurtherStudy, "2025-09-15");
  // Exclusion: a job after a drop-out.
  Enrol(fold, "dropped");
  testing::Feed(fold, J(K::kDroppedOut, "dropped", 5, "2025-04-01").Date("2025-04-01"));
  testing::Feed(fold, J(K::kPlacementStarted, "dropped", 1, "2025-08-01")
                 .Exit(ExitKind::kDroppedOut, "2025-04-01")
                 .Job("p-dropped", PlacementType::kSalariedPermanent, "2025-08-01"));

  EXPECT_EQ(n, 6);
  FigureValue placed;
  for (const FigureValue& f :
       Summarize(fold, Query{}, ViewOptions{false, 5, D("2027-07-01")})) {
    if (f.metric->id == "placed") placed = f;
  }
  EXPECT_EQ(placed.value, 4);  // cdi, cdd, self, late
  // Dated at the start of the first job.
  const auto series = Series(fold, m, Query{}, D("2025-07-31"), D("2025-08-01"),
                             ViewOptions{false, 5, 0});
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].figure.value, 0);
  EXPECT_EQ(series[1].figure.value, 1);
}

// ---------------------------------------------------------------- rates

TEST(MetricDefinitionTest, PlacementRatesFollowTheirWindowsAndNeutraliseStudy) {
  for (int months : {6, 12}) {
    SCOPED_TRACE(months);
    const std::string closed_id = absl::StrCat("placement_rate_", months, "m");
    const std::string open_id = closed_id + "_provisional";
    const MetricDefinition& closed = Def(closed_id.c_str());
    const MetricDefinition& open = Def(open_id.c_str());
    // The clauses as served.
    EXPECT_THAT(closed.denominator.fr,
                HasSubstr(absl::StrCat("date d'achèvement + ", months,
                                       " mois ≤ date de la vue")));
    EXPECT_THAT(open.denominator.fr,
                HasSubstr(absl::StrCat("date d'achèvement + ", months,
                                       " mois > date de la vue")));
    EXPECT_THAT(closed.numerator.fr,
                HasSubstr(absl::StrCat("au plus tard ", months,
                                       " mois après la date d'achèvement")));
    EXPECT_THAT(closed.exclusions.fr,
                HasSubstr("retirée du numérateur ET du dénominateur"));
    EXPECT_THAT(closed.exclusions.fr, HasSubstr("Les stages ne comptent pas comme emploi"));
    EXPECT_THAT(closed.exclusions.fr, HasSubstr("Abandons et retraits : hors champ"));
    EXPECT_THAT(closed.numerator.ar, HasSubstr(absl::StrCat(months)));

    Fold fold;
    const char* exit = "2025-01-31";
    // The last day in the window is 31 + months (2025-07-31 / 2026-01-31).
    const std::string last_day = months == 6 ? "2025-07-31" : "2026-01-31";
    const std::string day_after = months == 6 ? "2025-08-01" : "2026-02-01";
    auto completer = [&](const std::string& t) {
      Enrol(fold, t);
      Complete(fold, t, exit, 5);
    };
    // Numerator clause: a job or self-employment started within the window,
    // the last day included.
    completer("on-time");
    Job(fold, "on-time", exit, PlacementType::kSalariedPermanent, "2025-03-01");
    completer("last-day");
    Job(fold, "last-day", exit, PlacementType::kSelfEmployed, last_day.c_str());
    // Denominator only: a job one day too late, an internship, no job.
    completer("too-late");
    Job(fold, "too-late", exit, PlacementType::kSalariedFixedTerm, day_after.c_str());
    completer("intern");
    Job(fold, "intern", exit, PlacementType::kInternship, "2025-03-01");
    completer("no-job");
    // Neutralised: further study within the window and no job.
    completer("study");
    Job(fold, "study", exit, PlacementType::kFurtherStudy, "2025-03-01");
    // Out of scope: drop-outs and withdrawals, even with a job.
    Enrol(fold, "dropped");
    testing::Feed(fold, J(K::kDroppedOut, "dropped", 5, exit).Date(exit));
    testing::Feed(fold, J(K::kPlacementStarted, "dropped", 1, "2025-03-01")
                   .Exit(ExitKind::kDroppedOut, exit)
                   .Job("p-dropped", PlacementType::kSalariedPermanent, "2025-03-01"));
    Enrol(fold, "withdrawn");
    testing::Feed(fold, J(K::kEnrolmentWithdrawn, "withdrawn", 4, exit));

    // The day before the window closes: closed rate has no data, the
    // provisional one counts what is known.
    const std::string before_close = months == 6 ? "2025-07-30" : "2026-01-30";
    for (const FigureValue& f :
         Summarize(fold, Query{}, ViewOptions{false, 5, D(before_close)})) {
      if (f.metric->id == closed_id) {
        EXPECT_EQ(f.state, FigureValue::State::kNoData);
      }
      if (f.metric->id == open_id) {
        EXPECT_EQ(f.denominator, 5) << "6 completers - study";
      }
    }
    // Closed on the window's last day: 2 placed of 6 completers less study.
    for (const FigureValue& f :
         Summarize(fold, Query{}, ViewOptions{false, 5, D(last_day)})) {
      if (f.metric->id == closed_id) {
        EXPECT_EQ(f.numerator, 2);
        EXPECT_EQ(f.denominator, 5);
        EXPECT_DOUBLE_EQ(f.value, 2.0 / 5.0);
      }
      if (f.metric->id == open_id) {
        EXPECT_EQ(f.state, FigureValue::State::kNoData);
      }
    }
  }
}

}  // namespace
}  // namespace jit::aggregator
