#include "services/aggregator/domain/fold.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator {
namespace {

using testing::D;
using testing::Ev;
using K = EventKind;

// A trainee event of journey (trainee, "c1") in Fquih Ben Salah.
Ev T(K kind, const char* trainee, int64_t seq, const char* day,
     Gender g = Gender::kFemale) {
  Ev e(kind, trainee, seq, day);
  e.Cohort("c1").Dims(g, "MA-FQH", "cybersecurity");
  return e;
}

// Totals of every counter over every cell.
std::map<Counter, int64_t> Totals(const Fold& fold) {
  std::map<Counter, int64_t> out;
  for (const auto& [key, cell] : fold.cells()) {
    for (const auto& [ck, series] : cell.counters) out[ck.first] += series.total;
  }
  for (auto it = out.begin(); it != out.end();) {
    it = it->second == 0 ? out.erase(it) : std::next(it);
  }
  return out;
}

int64_t Total(const Fold& fold, Counter c) {
  auto t = Totals(fold);
  return t.count(c) ? t[c] : 0;
}

std::vector<Event> FullJourney() {
  return {
      T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"),
      T(K::kApplicationAdmitted, "t1", 2, "2025-01-20"),
      T(K::kEnrolmentConfirmed, "t1", 3, "2025-01-25"),
      T(K::kTrainingStarted, "t1", 1, "2025-02-03").Date("2025-02-03"),
      T(K::kTrainingCompleted, "t1", 2, "2025-07-16").Date("2025-07-15"),
      T(K::kCertificateIssued, "t1", 3, "2025-07-20").Exit(ExitKind::kCompleted, "2025-07-15"),
      T(K::kPlacementStarted, "t1", 1, "2025-09-02")
          .Exit(ExitKind::kCompleted, "2025-07-15")
          .Job("p1", PlacementType::kSalariedPermanent, "2025-09-01"),
      T(K::kFollowUpRecorded, "t1", 2, "2026-01-20")
          .Exit(ExitKind::kCompleted, "2025-07-15")
          .FollowUp(6, FollowUpOutcome::kSameEmployer, "2026-01-15"),
  };
}

TEST(FoldTest, FullJourneyReachesEveryStageOnItsDate) {
  Fold fold;
  for (const Event& e : FullJourney()) EXPECT_EQ(testing::Feed(fold, e), Fold::Outcome::kApplied);
  ASSERT_EQ(fold.journeys().size(), 1u);
  const JourneyStages s = StagesOf(fold.journeys().begin()->second);
  EXPECT_EQ(s.applied, D("2025-01-10"));
  EXPECT_EQ(s.admitted, D("2025-01-20"));
  EXPECT_EQ(s.enrolled, D("2025-01-25"));
  EXPECT_EQ(s.started, D("2025-02-03"));
  EXPECT_EQ(s.completed, D("2025-07-15"));  // the business date, not the event day
  EXPECT_EQ(s.certified, D("2025-07-20"));
  EXPECT_EQ(s.first_job, D("2025-09-01"));
  EXPECT_EQ(s.exit, ExitKind::kCompleted);

  const std::map<Counter, int64_t> expected = {
      {Counter::kApplied, 1},  {Counter::kAdmitted, 1},     {Counter::kEnrolled, 1},
      {Counter::kCompleted, 1}, {Counter::kCertified, 1},   {Counter::kPlaced, 1},
      {Counter::kPlaced6, 1},   {Counter::kPlaced12, 1},    {Counter::kDaysToJob, 1},
      {Counter::kFollowUp6Known, 1}, {Counter::kFollowUp6Same, 1}};
  EXPECT_EQ(Totals(fold), expected);  // enrolled_now / active_now back to 0
  const Cell& cell = fold.cells().begin()->second;
  EXPECT_EQ(fold.cells().begin()->first,
            (CellKey{"MA-05", "MA-FQH", "cybersecurity", "c1", Gender::kFemale}));
  // Current counts: +1 on entry, -1 on exit, so the series shows the
  // trainee enrolled from 2025-01-25 to 2025-07-15.
  const DaySeries* enrolled_now = cell.Find(Counter::kEnrolledNow);
  ASSERT_NE(enrolled_now, nullptr);
  EXPECT_EQ(enrolled_now->total, 0);
  EXPECT_EQ(enrolled_now->SumThrough(D("2025-01-24")), 0);
  EXPECT_EQ(enrolled_now->SumThrough(D("2025-01-25")), 1);
  EXPECT_EQ(enrolled_now->SumThrough(D("2025-07-14")), 1);
  EXPECT_EQ(enrolled_now->SumThrough(D("2025-07-15")), 0);
  ASSERT_NE(cell.Find(Counter::kDaysToJob, 48), nullptr);  // 2025-07-15 -> 2025-09-01
}

TEST(FoldTest, CurrentCountsGoDownCumulativeCountsDoNot) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"));
  testing::Feed(fold, T(K::kApplicationAdmitted, "t1", 2, "2025-01-20"));
  testing::Feed(fold, T(K::kEnrolmentConfirmed, "t1", 3, "2025-01-25"));
  testing::Feed(fold, T(K::kTrainingStarted, "t1", 1, "2025-02-03").Date("2025-02-03"));
  EXPECT_EQ(Total(fold, Counter::kEnrolledNow), 1);
  EXPECT_EQ(Total(fold, Counter::kActiveNow), 1);
  testing::Feed(fold, T(K::kEnrolmentWithdrawn, "t1", 4, "2025-03-01"));
  EXPECT_EQ(Total(fold, Counter::kEnrolledNow), 0);
  EXPECT_EQ(Total(fold, Counter::kActiveNow), 0);
  EXPECT_EQ(Total(fold, Counter::kEnrolled), 1);
  EXPECT_EQ(Total(fold, Counter::kWithdrawn), 1);
  // The daily series keeps the history: +1 on 2025-01-25, -1 on 2025-03-01.
  const DaySeries* s = fold.cells().begin()->second.Find(Counter::kEnrolledNow);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->total, 0);
  EXPECT_EQ(s->SumThrough(D("2025-02-15")), 1);
  EXPECT_EQ(s->SumThrough(D("2025-03-01")), 0);
}

TEST(FoldTest, WaitlistIsCurrent) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"));
  testing::Feed(fold, T(K::kApplicationWaitlisted, "t1", 2, "2025-01-11"));
  EXPECT_EQ(Total(fold, Counter::kWaitlistedNow), 1);
  testing::Feed(fold, T(K::kApplicationAdmitted, "t1", 3, "2025-01-20"));
  EXPECT_EQ(Total(fold, Counter::kWaitlistedNow), 0);
  EXPECT_EQ(Total(fold, Counter::kAdmitted), 1);
}

TEST(FoldTest, DuplicatesByEventIdAndBySequenceAreNeverCountedTwice) {
  Fold fold;
  const Event submitted = T(K::kApplicationSubmitted, "t1", 1, "2025-01-10");
  EXPECT_EQ(testing::Feed(fold, submitted), Fold::Outcome::kApplied);
  const std::string before = fold.CanonicalText();
  EXPECT_EQ(testing::Feed(fold, submitted), Fold::Outcome::kDuplicateEventId);
  // Another event id with a sequence already applied for (t1, enrollment).
  EXPECT_EQ(testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-11").Id("other")),
            Fold::Outcome::kDuplicateSequence);
  EXPECT_EQ(fold.CanonicalText(), before);
  EXPECT_EQ(fold.version(), 3);  // the track, the cohort, the application
  EXPECT_EQ(Total(fold, Counter::kApplied), 1);
  // The same sequence number from another producing service is not a
  // duplicate: sequences are per trainee *and* service.
  EXPECT_EQ(testing::Feed(fold, T(K::kTrainingStarted, "t1", 1, "2025-02-01")), Fold::Outcome::kApplied);
}

TEST(FoldTest, SequencesCatchDuplicatesTheBoundedIdMemoryForgot) {
  Fold fold(FoldOptions{.event_id_memory = 2, .default_national_target = 15000});
  for (int i = 1; i <= 5; ++i) {
    EXPECT_EQ(testing::Feed(fold, T(K::kAttendanceRecorded, "t1", i, "2025-02-01")),
              Fold::Outcome::kHeld);
  }
  // Event 1's id is forgotten; its sequence is not.
  EXPECT_EQ(testing::Feed(fold, T(K::kAttendanceRecorded, "t1", 1, "2025-02-01")),
            Fold::Outcome::kDuplicateSequence);
  EXPECT_EQ(testing::Feed(fold, T(K::kAttendanceRecorded, "t1", 5, "2025-02-01")),
            Fold::Outcome::kDuplicateEventId);
}

TEST(FoldTest, SequenceSetCompactsAndRemembersGaps) {
  SequenceSet s;
  for (int64_t seq : {1, 2, 5, 4}) s.Add(seq);
  EXPECT_EQ(s.watermark(), 2);
  EXPECT_EQ(s.above(), (std::set<int64_t>{4, 5}));
  EXPECT_FALSE(s.Contains(3));
  s.Add(3);
  EXPECT_EQ(s.watermark(), 5);
  EXPECT_TRUE(s.above().empty());
  EXPECT_TRUE(s.Contains(4));
}

// Held events: a placement (or progress) event for a journey the enrollment
// service has not spoken about yet is kept, counted nowhere, and applied
// when the journey becomes known.
TEST(FoldTest, EventsForAnUnknownJourneyAreHeldThenApplied) {
  Fold fold;
  const Event placed = T(K::kPlacementStarted, "t1", 1, "2025-09-02")
                           .Exit(ExitKind::kCompleted, "2025-07-15")
                           .Job("p1", PlacementType::kSalariedPermanent, "2025-09-01");
  EXPECT_EQ(testing::Feed(fold, placed), Fold::Outcome::kHeld);
  EXPECT_EQ(testing::Feed(fold, T(K::kTrainingCompleted, "t1", 2, "2025-07-15").Date("2025-07-15")),
            Fold::Outcome::kHeld);
  EXPECT_EQ(fold.held_events(), 2);
  EXPECT_EQ(fold.held_journeys(), 1);
  EXPECT_TRUE(fold.cells().empty());

  EXPECT_EQ(testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10")),
            Fold::Outcome::kApplied);
  EXPECT_EQ(fold.held_events(), 0);
  EXPECT_EQ(fold.held_journeys(), 0);
  EXPECT_EQ(Total(fold, Counter::kPlaced), 1);
  EXPECT_EQ(Total(fold, Counter::kCompleted), 1);
  // Later stages imply earlier ones until their own events arrive.
  EXPECT_EQ(Total(fold, Counter::kEnrolled), 1);
  EXPECT_EQ(Total(fold, Counter::kAdmitted), 1);
}

TEST(FoldTest, OrderOfEventsAcrossAndWithinTopicsDoesNotMatter) {
  // Every permutation of a journey's events (including within one producing
  // service, which Kafka would not even do) folds into the same state.
  std::vector<Event> events = {
      T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"),
      T(K::kEnrolmentConfirmed, "t1", 3, "2025-01-25"),
      T(K::kTrainingStarted, "t1", 1, "2025-02-03").Date("2025-02-03"),
      T(K::kTrainingCompleted, "t1", 2, "2025-07-16").Date("2025-07-15"),
      T(K::kPlacementStarted, "t1", 1, "2025-09-02")
          .Exit(ExitKind::kCompleted, "2025-07-15")
          .Job("p1", PlacementType::kSalariedPermanent, "2025-09-01"),
      T(K::kFollowUpRecorded, "t1", 2, "2026-01-20")
          .Exit(ExitKind::kCompleted, "2025-07-15")
          .FollowUp(6, FollowUpOutcome::kOtherEmployer, "2026-01-15"),
  };
  Fold reference;
  for (const Event& e : events) testing::Feed(reference, e);
  const std::string expected = reference.CanonicalText();
  std::vector<int> order(events.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  int permutations = 0;
  do {
    Fold fold;
    for (int i : order) testing::Feed(fold, events[i]);
    ASSERT_EQ(fold.CanonicalText(), expected);
    ASSERT_EQ(fold.cells(), fold.RecomputeCells());
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(permutations, 720);
}

struct ExitCase {
  std::string name;
  std::vector<Event> events;
  ExitKind exit;
  Counter counted;
};

void PrintTo(const ExitCase& c, std::ostream* os) { *os << c.name; }

class ExitTest : public ::testing::TestWithParam<ExitCase> {};

TEST_P(ExitTest, OneExitPerJourney) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"));
  testing::Feed(fold, T(K::kEnrolmentConfirmed, "t1", 2, "2025-01-20"));
  for (const Event& e : GetParam().events) testing::Feed(fold, e);
  const JourneyStages s = StagesOf(fold.journeys().begin()->second);
  EXPECT_EQ(s.exit, GetParam().exit);
  const int64_t exits = Total(fold, Counter::kCompleted) + Total(fold, Counter::kDroppedOut) +
                        Total(fold, Counter::kWithdrawn);
  EXPECT_EQ(exits, 1);
  EXPECT_EQ(Total(fold, GetParam().counted), 1);
  EXPECT_EQ(Total(fold, Counter::kEnrolledNow), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Exits, ExitTest,
    ::testing::Values(
        ExitCase{"completion_wins_over_later_withdrawal",
                 {T(K::kTrainingCompleted, "t1", 1, "2025-07-15").Date("2025-07-15"),
                  T(K::kEnrolmentWithdrawn, "t1", 3, "2025-08-01")},
                 ExitKind::kCompleted, Counter::kCompleted},
        ExitCase{"earlier_of_dropout_and_withdrawal",
                 {T(K::kTrainingWithdrawn, "t1", 2, "2025-03-05").Date("2025-03-05"),
                  T(K::kDroppedOut, "t1", 1, "2025-03-01").Date("2025-03-01")},
                 ExitKind::kDroppedOut, Counter::kDroppedOut},
        ExitCase{"withdrawal_reported_by_both_services_counts_once",
                 {T(K::kEnrolmentWithdrawn, "t1", 3, "2025-03-01"),
                  T(K::kTrainingWithdrawn, "t1", 1, "2025-03-01").Date("2025-03-01")},
                 ExitKind::kWithdrawn, Counter::kWithdrawn},
        ExitCase{"exit_known_from_placement_only",
                 {T(K::kJobSearchStarted, "t1", 1, "2025-07-20")
                      .Exit(ExitKind::kCompleted, "2025-07-15")},
                 ExitKind::kCompleted, Counter::kCompleted}),
    [](const auto& info) { return info.param.name; });

TEST(FoldTest, RevokedCertificateIsNoLongerCounted) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"));
  testing::Feed(fold, T(K::kTrainingCompleted, "t1", 1, "2025-07-15").Date("2025-07-15"));
  testing::Feed(fold, T(K::kCertificateIssued, "t1", 2, "2025-07-20").Exit(ExitKind::kCompleted, "2025-07-15"));
  EXPECT_EQ(Total(fold, Counter::kCertified), 1);
  testing::Feed(fold, T(K::kCertificateRevoked, "t1", 3, "2025-08-01"));
  EXPECT_EQ(Total(fold, Counter::kCertified), 0);
  EXPECT_EQ(Total(fold, Counter::kCompleted), 1);
}

struct WindowCase {
  std::string name;
  std::vector<std::tuple<std::string, PlacementType, std::string>> jobs;  // id, type, start
  std::map<Counter, int64_t> expected;
};

void PrintTo(const WindowCase& c, std::ostream* os) { *os << c.name; }

class WindowTest : public ::testing::TestWithParam<WindowCase> {};

TEST_P(WindowTest, PlacementWindowsFromTheCompletionDate) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"));
  testing::Feed(fold, T(K::kTrainingCompleted, "t1", 1, "2025-03-31").Date("2025-03-31"));
  int64_t seq = 0;
  for (const auto& [id, type, start] : GetParam().jobs) {
    testing::Feed(fold, T(K::kPlacementStarted, "t1", ++seq, "2025-04-01")
                   .Exit(ExitKind::kCompleted, "2025-03-31")
                   .Job(id, type, start));
  }
  for (Counter c : {Counter::kPlaced, Counter::kPlaced6, Counter::kStudy6, Counter::kPlaced12,
                    Counter::kStudy12}) {
    const int64_t want = GetParam().expected.count(c) ? GetParam().expected.at(c) : 0;
    EXPECT_EQ(Total(fold, c), want) << CounterName(c);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Windows, WindowTest,
    ::testing::Values(
        // 2025-03-31 + 6 months = 2025-09-30 (inclusive).
        WindowCase{"job_on_the_last_day_of_the_window",
                   {{"p", PlacementType::kSalariedFixedTerm, "2025-09-30"}},
                   {{Counter::kPlaced, 1}, {Counter::kPlaced6, 1}, {Counter::kPlaced12, 1}}},
        WindowCase{"job_one_day_late_for_6_months",
                   {{"p", PlacementType::kSelfEmployed, "2025-10-01"}},
                   {{Counter::kPlaced, 1}, {Counter::kPlaced12, 1}}},
        WindowCase{"internship_is_not_a_job",
                   {{"i", PlacementType::kInternship, "2025-04-15"}}, {}},
        WindowCase{"further_study_is_neutral",
                   {{"s", PlacementType::kFurtherStudy, "2025-09-01"}},
                   {{Counter::kStudy6, 1}, {Counter::kStudy12, 1}}},
        WindowCase{"job_in_the_window_beats_further_study",
                   {{"s", PlacementType::kFurtherStudy, "2025-04-15"},
                    {"p", PlacementType::kSalariedPermanent, "2025-09-01"}},
                   {{Counter::kPlaced, 1}, {Counter::kPlaced6, 1}, {Counter::kPlaced12, 1}}},
        WindowCase{"study_first_job_after_6_months",
                   {{"s", PlacementType::kFurtherStudy, "2025-04-15"},
                    {"p", PlacementType::kSalariedPermanent, "2026-01-10"}},
                   {{Counter::kPlaced, 1}, {Counter::kStudy6, 1}, {Counter::kPlaced12, 1}}}),
    [](const auto& info) { return info.param.name; });

TEST(FoldTest, PlacementOfADropOutIsNotAPlacementOfTheProgramme) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10"));
  testing::Feed(fold, T(K::kDroppedOut, "t1", 1, "2025-03-01").Date("2025-03-01"));
  testing::Feed(fold, T(K::kPlacementStarted, "t1", 1, "2025-04-01")
                 .Exit(ExitKind::kDroppedOut, "2025-03-01")
                 .Job("p", PlacementType::kSalariedPermanent, "2025-04-01"));
  EXPECT_EQ(Total(fold, Counter::kPlaced), 0);
  EXPECT_EQ(Total(fold, Counter::kPlaced6), 0);
  EXPECT_EQ(Total(fold, Counter::kDroppedOut), 1);
}

TEST(FoldTest, NewerDimensionsMoveTheJourneyToItsNewCell) {
  Fold fold;
  testing::Feed(fold, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10", Gender::kUnspecified));
  testing::Feed(fold, T(K::kApplicationAdmitted, "t1", 2, "2025-01-20", Gender::kFemale));
  ASSERT_EQ(fold.cells().size(), 1u);
  EXPECT_EQ(fold.cells().begin()->first.gender, Gender::kFemale);
  // An older event arriving late does not override them.
  Fold late;
  testing::Feed(late, T(K::kApplicationAdmitted, "t1", 2, "2025-01-20", Gender::kFemale));
  testing::Feed(late, T(K::kApplicationSubmitted, "t1", 1, "2025-01-10", Gender::kUnspecified));
  EXPECT_EQ(late.CanonicalText(), fold.CanonicalText());
}

TEST(FoldTest, ProgrammeTargetFollowsTheHighestSequence) {
  Fold fold(FoldOptions{.event_id_memory = 100, .default_national_target = 15000});
  EXPECT_EQ(fold.national_target(), 15000);
  testing::Feed(fold, Ev(K::kProgrammeTargetChanged, "programme", 2, "2025-02-01").Target(18000));
  testing::Feed(fold, Ev(K::kProgrammeTargetChanged, "programme", 1, "2025-01-01").Target(20000));
  EXPECT_EQ(fold.national_target(), 18000);
  EXPECT_TRUE(fold.cells().empty());
  EXPECT_EQ(fold.version(), 2);
}

TEST(FoldTest, SerializeRoundTripKeepsEverything) {
  Fold fold;
  for (const Event& e : FullJourney()) testing::Feed(fold, e);
  testing::Feed(fold, T(K::kPlacementStarted, "t9", 1, "2025-09-02")
                 .Exit(ExitKind::kCompleted, "2025-07-15")
                 .Job("p9", PlacementType::kSalariedPermanent, "2025-09-01"));  // held
  testing::Feed(fold, Ev(K::kTrackAdded, "cybersecurity", 1, "2025-01-01"));
  auto restored = Fold::Deserialize(fold.Serialize(), fold.options());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->CanonicalText(), fold.CanonicalText());
  EXPECT_EQ(restored->held_events(), 1);
  // Dedupe memory survives: the same events are still duplicates.
  for (const Event& e : FullJourney()) {
    EXPECT_EQ(restored->Apply(e), Fold::Outcome::kDuplicateEventId);
  }
  EXPECT_FALSE(Fold::Deserialize("not cbor", {}).ok());
}

Event Catalogue(K kind, const std::string& id, int64_t seq = 1) {
  Event e = Ev(kind, id, seq, "2025-01-01");
  if (kind == K::kCohortOpened) e.cohort.cohort_id = id;
  return e;
}

// A journey in cohort `cohort` of track `track`.
Event Applicant(const std::string& trainee, const std::string& cohort,
                const std::string& track) {
  return Ev(K::kApplicationSubmitted, trainee, 1, "2025-01-10")
      .Cohort(cohort)
      .Dims(Gender::kFemale, "MA-FQH", track);
}

TEST(FoldCatalogueGateTest, AJourneyCountsOnceItsCohortAndTrackAreCatalogued) {
  Fold fold;
  EXPECT_EQ(fold.Apply(Applicant("t1", "c1", "cyber")), Fold::Outcome::kHeld);
  EXPECT_TRUE(fold.cells().empty());
  EXPECT_EQ(fold.held_events(), 1);
  EXPECT_EQ(fold.waiting_cohorts(), (std::map<std::string, int64_t>{{"c1", 1}}));
  EXPECT_EQ(fold.waiting_tracks(), (std::map<std::string, int64_t>{{"cyber", 1}}));

  EXPECT_EQ(fold.Apply(Catalogue(K::kTrackAdded, "cyber")), Fold::Outcome::kIgnored);
  EXPECT_TRUE(fold.cells().empty());  // the cohort is still unknown
  EXPECT_TRUE(fold.waiting_tracks().empty());

  fold.Apply(Catalogue(K::kCohortOpened, "c1"));
  EXPECT_EQ(Total(fold, Counter::kApplied), 1);
  EXPECT_EQ(fold.held_events(), 0);
  EXPECT_TRUE(fold.waiting_cohorts().empty());
  EXPECT_EQ(fold.cells(), fold.RecomputeCells());

  // The catalogue first gives the same state.
  Fold ordered;
  ordered.Apply(Catalogue(K::kCohortOpened, "c1"));
  ordered.Apply(Catalogue(K::kTrackAdded, "cyber"));
  EXPECT_EQ(ordered.Apply(Applicant("t1", "c1", "cyber")), Fold::Outcome::kApplied);
  EXPECT_EQ(ordered.CanonicalText(), fold.CanonicalText());
}

TEST(FoldCatalogueGateTest, FakeTracksNeverBecomeCellsAndTheirNumberIsBounded) {
  Fold fold(FoldOptions{.max_waiting_ids = 3});
  fold.Apply(Catalogue(K::kCohortOpened, "c1"));
  fold.Apply(Catalogue(K::kTrackAdded, "cyber"));
  fold.Apply(Applicant("real", "c1", "cyber"));
  const auto cells = fold.cells();
  int refused = 0;
  std::string reason;
  for (int i = 0; i < 10'000; ++i) {
    std::string why;
    const Fold::Outcome o =
        fold.Apply(Applicant(absl::StrCat("fake", i), "c1", absl::StrCat("track", i)), &why);
    if (o == Fold::Outcome::kRefused) {
      ++refused;
      reason = why;
    } else {
      EXPECT_EQ(o, Fold::Outcome::kHeld);
    }
  }
  EXPECT_EQ(refused, 10'000 - 3);
  EXPECT_EQ(reason,
            "metadata.dimensions.track_id: \"track9999\" is not in the catalogue and "
            "journeys already wait for 3 uncatalogued tracks");
  EXPECT_EQ(fold.cells(), cells);  // no cell for any fake track
  EXPECT_EQ(fold.waiting_tracks().size(), 3u);
  EXPECT_EQ(fold.journeys().size(), 1u + 3u);  // refused events changed nothing
  EXPECT_EQ(fold.version(), 3 + 3);
  // A refused event is not remembered: once room is made it applies.
  fold.Apply(Catalogue(K::kTrackAdded, "track0"));
  EXPECT_EQ(fold.waiting_tracks().size(), 2u);
  EXPECT_EQ(fold.Apply(Applicant("fake9999", "c1", "track9999")), Fold::Outcome::kHeld);
  // More journeys waiting for a track already waited for are fine.
  EXPECT_EQ(fold.Apply(Applicant("other", "c1", "track1")), Fold::Outcome::kHeld);
  EXPECT_EQ(fold.waiting_tracks().at("track1"), 2);
  EXPECT_EQ(Total(fold, Counter::kApplied), 2);  // real + fake0, now catalogued
}

TEST(FoldCatalogueGateTest, ACohortNamingItsTrackCataloguesAnInstalledTrack) {
  // Tracks the enrollment service was installed with have no TrackAdded.
  Fold fold(FoldOptions{.max_waiting_ids = 1});
  Event opened = Catalogue(K::kCohortOpened, "c1");
  opened.cohort.track_id = "cybersecurity";
  EXPECT_EQ(fold.Apply(Applicant("t1", "c1", "cybersecurity")), Fold::Outcome::kHeld);
  fold.Apply(opened);
  EXPECT_EQ(Total(fold, Counter::kApplied), 1);
  EXPECT_TRUE(fold.waiting_tracks().empty());
  // A real cohort with another, uncatalogued track: held, and bounded.
  EXPECT_EQ(fold.Apply(Applicant("t2", "c1", "fake-1")), Fold::Outcome::kHeld);
  std::string why;
  EXPECT_EQ(fold.Apply(Applicant("t3", "c1", "fake-2"), &why), Fold::Outcome::kRefused);
  EXPECT_EQ(why,
            "metadata.dimensions.track_id: \"fake-2\" is not in the catalogue and journeys "
            "already wait for 1 uncatalogued tracks");
  EXPECT_EQ(Total(fold, Counter::kApplied), 1);
  EXPECT_EQ(fold.cells(), fold.RecomputeCells());
}

TEST(FoldCatalogueGateTest, UncataloguedCohortsAreBoundedToo) {
  Fold fold(FoldOptions{.max_waiting_ids = 1});
  fold.Apply(Catalogue(K::kTrackAdded, "cyber"));
  EXPECT_EQ(fold.Apply(Applicant("t1", "c1", "cyber")), Fold::Outcome::kHeld);
  std::string why;
  const std::string before = fold.CanonicalText();
  EXPECT_EQ(fold.Apply(Applicant("t2", "c2", "cyber"), &why), Fold::Outcome::kRefused);
  EXPECT_EQ(fold.CanonicalText(), before);  // not even its sequence is kept
  EXPECT_EQ(why,
            "cohort_id: \"c2\" is not in the catalogue and journeys already wait for 1 "
            "uncatalogued cohorts");
  // Progress and placement events never set dimensions: not refused.
  EXPECT_EQ(fold.Apply(Ev(K::kTrainingStarted, "t3", 1, "2025-02-01").Cohort("c3")),
            Fold::Outcome::kHeld);
}

TEST(FoldCatalogueGateTest, TheCatalogueIsBounded) {
  Fold fold(FoldOptions{.max_tracks = 2, .max_cohorts = 1});
  EXPECT_EQ(fold.Apply(Catalogue(K::kTrackAdded, "a")), Fold::Outcome::kIgnored);
  EXPECT_EQ(fold.Apply(Catalogue(K::kTrackAdded, "b")), Fold::Outcome::kIgnored);
  std::string why;
  EXPECT_EQ(fold.Apply(Catalogue(K::kTrackAdded, "c"), &why), Fold::Outcome::kRefused);
  EXPECT_EQ(why,
            "metadata.aggregate_id: track \"c\" not added, the catalogue already holds 2 "
            "tracks");
  // Renaming a known track is no growth.
  EXPECT_EQ(fold.Apply(Catalogue(K::kTrackAdded, "a", 2)), Fold::Outcome::kIgnored);
  EXPECT_EQ(fold.Apply(Catalogue(K::kCohortOpened, "c1")), Fold::Outcome::kIgnored);
  EXPECT_EQ(fold.Apply(Catalogue(K::kCohortOpened, "c2"), &why), Fold::Outcome::kRefused);
  EXPECT_EQ(fold.Apply(Catalogue(K::kCohortChanged, "c1", 2)), Fold::Outcome::kIgnored);
  EXPECT_EQ(fold.tracks().size(), 2u);
  EXPECT_EQ(fold.cohorts().size(), 1u);
}

TEST(FoldCatalogueGateTest, WaitingJourneysSurviveACheckpoint) {
  Fold fold;
  fold.Apply(Catalogue(K::kTrackAdded, "cyber"));
  fold.Apply(Applicant("t1", "c1", "cyber"));
  auto restored = Fold::Deserialize(fold.Serialize(), fold.options());
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->waiting_cohorts(), fold.waiting_cohorts());
  EXPECT_EQ(restored->held_events(), 1);
  restored->Apply(Catalogue(K::kCohortOpened, "c1"));
  EXPECT_EQ(Total(*restored, Counter::kApplied), 1);
}

}  // namespace
}  // namespace jit::aggregator
