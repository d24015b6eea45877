// Seeded property test: random journeys across regions, tracks and genders,
// published as the three services would (per-trainee sequences per
// service), delivered in a random interleaving across topics and keys with
// redeliveries, folded; every figure of every metric, nationally, per
// region and with filters, equals the ground truth computed here directly
// from the journeys (not from the fold's rules).
#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/geo/geo.h"
#include "services/aggregator/domain/fold.h"
#include "services/aggregator/domain/query.h"
#include "services/aggregator/domain/registry.h"
#include "services/aggregator/domain/testing/event_builder.h"
#include "services/aggregator/domain/testing/linear_span.h"

namespace jit::aggregator {
namespace {

using K = EventKind;
using testing::D;

struct Job {
  PlacementType type;
  Day start;
};

// What happened to one journey, as the generator decided it.
struct Truth {
  std::string trainee, cohort, region, province, track;
  Gender gender = Gender::kUnspecified;
  bool known = true;  // the enrollment service published something
  bool admitted = false, waitlisted_now = false, enrolled = false, started = false;
  bool withdrawn = false, dropped = false, completed = false, certified = false;
  Day exit = 0;
  std::vector<Job> jobs;
  std::optional<FollowUpOutcome> follow_up6;
};

struct Generated {
  std::vector<Truth> truths;
  std::vector<Event> events;
};

Generated Generate(uint32_t seed, int journeys) {
  std::mt19937 rng(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const auto& provinces = geo::Atlas::Get().provinces();
  const std::vector<std::string> tracks = {"cybersecurity", "digital-management",
                                           "digital-marketing"};
  Generated g;
  for (int i = 0; i < journeys; ++i) {
    Truth t;
    t.trainee = absl::StrCat("tr", i % (journeys * 9 / 10));  // some trainees have 2 journeys
    const geo::Province& p = provinces[pick(12)];             // a few provinces, dense cells
    t.province = p.code;
    t.region = p.region_code;
    t.track = tracks[pick(3)];
    // A trainee's second journey is always in another cohort.
    t.cohort = absl::StrCat(t.province, "-", t.track, "-", i >= journeys * 9 / 10 ? 1 : 0);
    t.gender = static_cast<Gender>(pick(3));
    t.known = !chance(0.05);
    int64_t enr = 0, prog = 0, plc = 0;
    // Per trainee and service sequence numbers continue across journeys.
    for (const Event& e : g.events) {
      if (e.trainee_id != t.trainee) continue;
      int64_t& s = StreamOf(e.kind) == Stream::kEnrollment ? enr
                   : StreamOf(e.kind) == Stream::kProgress ? prog
                                                           : plc;
      s = std::max(s, e.sequence);
    }
    Day day = D("2024-01-01") + pick(500);
    auto ev = [&](K kind, int64_t& seq) {
      testing::Ev e(kind, t.trainee, ++seq, FormatDay(day));
      e.Cohort(t.cohort).Dims(t.gender, t.province, t.track);
      return e;
    };
    std::vector<Event> enrollment;
    auto enroll_ev = [&](K kind) {
      enrollment.push_back(ev(kind, enr));
      day += 1 + pick(10);
    };
    enroll_ev(K::kApplicationSubmitted);
    const int path = pick(20);
    if (path == 0) {
      enroll_ev(K::kApplicationRejected);
    } else if (path == 1) {
      enroll_ev(K::kApplicationWaitlisted);
      t.waitlisted_now = true;
    } else {
      if (path == 2) enroll_ev(K::kApplicationWaitlisted);
      enroll_ev(K::kApplicationAdmitted);
      t.admitted = true;
      if (path == 3) {
        enroll_ev(K::kAdmissionDeclined);
      } else {
        enroll_ev(K::kEnrolmentConfirmed);
        t.enrolled = true;
      }
    }
    if (t.known) g.events.insert(g.events.end(), enrollment.begin(), enrollment.end());
    if (!t.known) {
      // Only progress/placement events will exist: they stay held.
      t.admitted = t.waitlisted_now = t.enrolled = false;
    }
    if (t.enrolled || !t.known) {
      const int fate = pick(20);
      if (fate == 0 && t.known) {
        day += pick(20);
        g.events.push_back(ev(K::kEnrolmentWithdrawn, enr));
        t.withdrawn = true;
        t.exit = day;
      } else {
        day += 5 + pick(20);
        g.events.push_back(ev(K::kTrainingStarted, prog).Date(FormatDay(day)));
        t.started = true;
        day += 10 + pick(60);
        g.events.push_back(ev(K::kAttendanceRecorded, prog).Active(FormatDay(day)));
        day += 30 + pick(150);
        if (fate <= 3) {
          g.events.push_back(ev(K::kDroppedOut, prog).Date(FormatDay(day)));
          t.dropped = true;
          t.exit = day;
        } else if (fate == 4) {
          g.events.push_back(ev(K::kTrainingWithdrawn, prog).Date(FormatDay(day)));
          if (t.known) g.events.push_back(ev(K::kEnrolmentWithdrawn, enr));
          t.withdrawn = true;
          t.exit = day;
        } else {
          const Day completion = day;
          day += pick(3);
          g.events.push_back(ev(K::kTrainingCompleted, prog).Date(FormatDay(completion)));
          t.completed = true;
          t.exit = completion;
          if (chance(0.7)) {
            day += 1 + pick(10);
            g.events.push_back(ev(K::kCertificateIssued, prog)
                                   .Exit(ExitKind::kCompleted, FormatDay(completion)));
            t.certified = true;
            if (chance(0.1)) {
              day += 1 + pick(10);
              g.events.push_back(ev(K::kCertificateRevoked, prog));
              t.certified = false;
            }
          }
          day = completion + pick(30);
          g.events.push_back(ev(K::kJobSearchStarted, plc).Exit(ExitKind::kCompleted,
                                                               FormatDay(completion)));
          const int jobs = pick(4);
          for (int j = 0; j < jobs; ++j) {
            const auto type = static_cast<PlacementType>(1 + pick(5));
            const Day start = completion + pick(500);
            day = std::max(day, start) + pick(5);
            g.events.push_back(ev(K::kPlacementStarted, plc)
                                   .Exit(ExitKind::kCompleted, FormatDay(completion))
                                   .Job(absl::StrCat("p", i, "-", j), type, FormatDay(start)));
            t.jobs.push_back({type, start});
          }
          if (chance(0.6)) {
            const auto outcome = static_cast<FollowUpOutcome>(1 + pick(4));
            const Day at = AddMonths(completion, 6);
            day = std::max(day, at);
            g.events.push_back(ev(K::kFollowUpRecorded, plc)
                                   .Exit(ExitKind::kCompleted, FormatDay(completion))
                                   .FollowUp(6, outcome, FormatDay(at)));
            t.follow_up6 = outcome;
          }
        }
      }
    }
    g.truths.push_back(t);
  }
  // The enrollment service catalogues every track and cohort first; the
  // deliveries below reorder these events too (the fold's catalogue gate).
  g.events = testing::WithCatalogue(g.events);
  return g;
}

// Kafka's freedom: each (topic, key) keeps its order, anything else
// interleaves; every event is redelivered once later in its partition.
std::vector<Event> Deliver(const std::vector<Event>& events, uint32_t seed) {
  std::mt19937 rng(seed);
  std::map<std::pair<int, std::string>, std::vector<Event>> queues;
  for (const Event& e : events) {
    queues[{static_cast<int>(StreamOf(e.kind)), e.trainee_id}].push_back(e);
  }
  for (auto& [key, q] : queues) {
    const size_t n = q.size();
    for (size_t i = 0; i < n; ++i) {
      if (std::uniform_int_distribution<int>(0, 2)(rng) != 0) continue;
      const size_t at = std::uniform_int_distribution<size_t>(i + 1, q.size())(rng);
      q.insert(q.begin() + static_cast<std::ptrdiff_t>(at), q[i]);
    }
  }
  std::vector<std::vector<Event>*> open;
  for (auto& [key, q] : queues) open.push_back(&q);
  std::vector<size_t> pos(open.size(), 0);
  std::vector<Event> out;
  std::vector<size_t> live;
  for (size_t i = 0; i < open.size(); ++i) live.push_back(i);
  while (!live.empty()) {
    const size_t k = std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng);
    const size_t i = live[k];
    out.push_back((*open[i])[pos[i]++]);
    if (pos[i] == open[i]->size()) live.erase(live.begin() + static_cast<std::ptrdiff_t>(k));
  }
  return out;
}

bool InQuery(const Truth& t, const Query& q) {
  if (q.level == Level::kRegion && t.region != q.region_code) return false;
  if (q.level == Level::kProvince && t.province != q.province_code) return false;
  if (!q.track_id.empty() && t.track != q.track_id) return false;
  if (q.gender.has_value() && t.gender != *q.gender) return false;
  return true;
}

// The expected value of every metric, straight from the journeys.
std::map<std::string, std::pair<double, bool>> Expected(const std::vector<Truth>& truths,
                                                        const Query& q, Day today,
                                                        int64_t target) {
  std::map<std::string, int64_t> n;
  std::map<std::string, int64_t> women, men;
  std::vector<int32_t> days;
  int64_t closed[2] = {0, 0}, closed_placed[2] = {0, 0}, open_n[2] = {0, 0}, open_placed[2] = {0, 0};
  for (const Truth& t : truths) {
    if (!t.known || !InQuery(t, q)) continue;
    auto count = [&](const std::string& stage, bool yes) {
      if (!yes) return;
      ++n[stage];
      if (t.gender == Gender::kFemale) ++women[stage];
      if (t.gender == Gender::kMale) ++men[stage];
    };
    const bool admitted = t.admitted || t.enrolled;
    const bool exited = t.completed || t.dropped || t.withdrawn;
    std::optional<Day> first_job;
    for (const Job& j : t.jobs) {
      if (IsEmployment(j.type) && (!first_job || j.start < *first_job)) first_job = j.start;
    }
    count("applicants", true);
    count("admitted", admitted);
    count("waitlisted_now", t.waitlisted_now);
    count("enrolled", t.enrolled);
    count("enrolled_now", t.enrolled && !exited);
    count("active_now", t.started && !exited);
    count("withdrawn", t.withdrawn);
    count("dropped_out", t.dropped);
    count("completed", t.completed);
    count("certified", t.certified);
    count("placed", t.completed && first_job.has_value());
    if (!t.completed) continue;
    for (int i = 0; i < 2; ++i) {
      const int months = i == 0 ? 6 : 12;
      const Day limit = AddMonths(t.exit, months);
      bool job = false, study = false;
      for (const Job& j : t.jobs) {
        if (j.start > limit) continue;
        job = job || IsEmployment(j.type);
        study = study || j.type == PlacementType::kFurtherStudy;
      }
      if (!job && study) continue;  // neutral: out of both sides
      if (limit <= today) {
        ++closed[i];
        closed_placed[i] += job ? 1 : 0;
      } else {
        ++open_n[i];
        open_placed[i] += job ? 1 : 0;
      }
    }
    if (first_job.has_value()) {
      days.push_back(std::max<int32_t>(0, *first_job - t.exit));
      if (t.follow_up6.has_value() && *t.follow_up6 != FollowUpOutcome::kUnreachable) {
        ++n["fu_known"];
        if (*t.follow_up6 == FollowUpOutcome::kSameEmployer) ++n["fu_same"];
      }
    }
  }
  std::map<std::string, std::pair<double, bool>> out;  // value, defined
  auto ratio = [](int64_t a, int64_t b) {
    return b > 0 ? std::make_pair(static_cast<double>(a) / static_cast<double>(b), true)
                 : std::make_pair(0.0, false);
  };
  for (const char* id : {"applicants", "admitted", "waitlisted_now", "enrolled", "enrolled_now",
                         "active_now", "withdrawn", "dropped_out", "completed", "certified",
                         "placed"}) {
    out[id] = {static_cast<double>(n[id]), true};
  }
  out["completion_rate"] =
      ratio(n["completed"], n["completed"] + n["dropped_out"] + n["withdrawn"]);
  out["placement_rate_6m"] = ratio(closed_placed[0], closed[0]);
  out["placement_rate_6m_provisional"] = ratio(open_placed[0], open_n[0]);
  out["placement_rate_12m"] = ratio(closed_placed[1], closed[1]);
  out["placement_rate_12m_provisional"] = ratio(open_placed[1], open_n[1]);
  std::sort(days.begin(), days.end());
  if (days.empty()) {
    out["median_days_to_placement"] = {0, false};
  } else {
    const size_t m = days.size();
    out["median_days_to_placement"] = {(days[(m - 1) / 2] + days[m / 2]) / 2.0, true};
  }
  out["retention_same_employer_6m"] = ratio(n["fu_same"], n["fu_known"]);
  for (const char* stage : {"applicants", "admitted", "enrolled", "completed", "placed"}) {
    out[absl::StrCat("women_share_", stage)] =
        ratio(women[stage], women[stage] + men[stage]);
  }
  out["target_progress"] = ratio(n["completed"], target);
  return out;
}

class PropertyTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(PropertyTest, EveryFigureEqualsTheGroundTruth) {
  const uint32_t seed = GetParam();
  const Generated g = Generate(seed, 600);
  const std::vector<Event> delivered = Deliver(g.events, seed * 7 + 1);
  Fold fold;
  std::map<Fold::Outcome, int> outcomes;
  for (const Event& e : delivered) ++outcomes[fold.Apply(e)];
  EXPECT_EQ(fold.version(), static_cast<int64_t>(g.events.size()));
  EXPECT_EQ(outcomes[Fold::Outcome::kDuplicateEventId],
            static_cast<int>(delivered.size() - g.events.size()));
  ASSERT_EQ(fold.cells(), fold.RecomputeCells());
  int held = 0;
  for (const Truth& t : g.truths) held += t.known ? 0 : 1;
  EXPECT_GT(held, 0);
  EXPECT_GT(fold.held_events(), 0);

  // A fold of the events in publication order has the same canonical state.
  Fold ordered;
  for (const Event& e : g.events) ordered.Apply(e);
  EXPECT_EQ(ordered.CanonicalText(), fold.CanonicalText());

  const Day today = D("2026-06-30");
  std::vector<Query> queries = {Query{}};
  for (const char* r : {"MA-01", "MA-02"}) {
    Query q;
    q.level = Level::kRegion;
    q.region_code = r;
    queries.push_back(q);
  }
  Query women;
  women.gender = Gender::kFemale;
  queries.push_back(women);
  Query track;
  track.track_id = "cybersecurity";
  queries.push_back(track);
  Query province;
  province.level = Level::kProvince;
  province.province_code = geo::Atlas::Get().provinces()[0].code;
  ASSERT_TRUE(NormalizeQuery(province).ok());
  queries.push_back(province);

  for (const Query& q : queries) {
    const auto expected = Expected(g.truths, q, today, fold.national_target());
    const auto figures = Summarize(fold, q, ViewOptions{false, 5, today});
    ASSERT_EQ(figures.size(), Metrics().size());
    for (const FigureValue& f : figures) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, " query ", q.region_code, q.province_code,
                                q.track_id, " metric ", f.metric->id));
      auto it = expected.find(f.metric->id);
      ASSERT_NE(it, expected.end());
      const auto [value, defined] = it->second;
      if (!defined) {
        EXPECT_EQ(f.state, FigureValue::State::kNoData);
        continue;
      }
      ASSERT_EQ(f.state, FigureValue::State::kValue);
      EXPECT_NEAR(f.value, value, 1e-12);
    }
  }
}

// Public views of random journeys, audited from the outside: every count
// shown for every scope x track x gender is the true count, every small
// count is hidden, and no hidden count is a linear combination of the
// shown ones (over the province x track x gender cells that exist).
TEST_P(PropertyTest, NoHiddenPublicCountFollowsFromTheShownOnes) {
  const uint32_t seed = GetParam();
  const Generated g = Generate(seed, 500);
  Fold fold;
  for (const Event& e : g.events) fold.Apply(e);
  const Day today = D("2026-06-30");
  const geo::Atlas& atlas = geo::Atlas::Get();

  std::vector<CellKey> leaves;  // province x track x gender (cohort blank)
  for (const auto& [key, cell] : fold.cells()) {
    CellKey leaf = key;
    leaf.cohort_id.clear();
    if (leaves.empty() || leaves.back() != leaf) leaves.push_back(leaf);
  }
  std::sort(leaves.begin(), leaves.end());
  leaves.erase(std::unique(leaves.begin(), leaves.end()), leaves.end());
  std::set<std::string> tracks;
  for (const CellKey& l : leaves) tracks.insert(l.track_id);

  std::vector<Query> rows;
  std::vector<Query> geos = {Query{}};
  for (const geo::Region& r : atlas.regions()) {
    Query q;
    q.level = Level::kRegion;
    q.region_code = r.code;
    geos.push_back(q);
  }
  for (const geo::Province& p : atlas.provinces()) {
    Query q;
    q.level = Level::kProvince;
    q.province_code = p.code;
    q.region_code = p.region_code;
    geos.push_back(q);
  }
  for (const Query& geo_q : geos) {
    for (const std::string& t : tracks) {
      for (const std::string& track : {std::string(), t}) {
        if (track.empty() && t != *tracks.begin()) continue;  // once
        for (int gender = -1; gender < kGenderCount; ++gender) {
          Query q = geo_q;
          q.track_id = track;
          if (gender >= 0) q.gender = static_cast<Gender>(gender);
          rows.push_back(q);
        }
      }
    }
  }
  int hidden_total = 0, masked_total = 0;
  for (const MetricDefinition& m : Metrics()) {
    if (m.formula != Formula::kCount) continue;
    SCOPED_TRACE(absl::StrCat("seed ", seed, " metric ", m.id));
    const auto shown = Table(fold, rows, {&m}, ViewOptions{true, 5, today});
    const auto truth = Table(fold, rows, {&m}, ViewOptions{false, 5, today});
    testing::LinearSpan published;
    std::vector<std::vector<int64_t>> hidden;
    for (size_t r = 0; r < rows.size(); ++r) {
      std::vector<int64_t> indicator(leaves.size(), 0);
      for (size_t l = 0; l < leaves.size(); ++l) indicator[l] = Matches(leaves[l], rows[r]);
      const FigureValue& f = shown[r][0];
      const double v = truth[r][0].value;
      if (f.state == FigureValue::State::kValue) {
        EXPECT_EQ(f.value, v);
        EXPECT_FALSE(v >= 1 && v < 5) << "a small count is shown";
        published.Add(indicator);
      } else {
        if (f.state == FigureValue::State::kSuppressed) {
          EXPECT_TRUE(v >= 1 && v < 5) << "\"<5\" on a count of " << v;
          ++hidden_total;
        } else {
          ASSERT_EQ(f.state, FigureValue::State::kMasked);
          ++masked_total;
        }
        hidden.push_back(indicator);
      }
    }
    for (const auto& h : hidden) EXPECT_FALSE(published.Contains(h));
  }
  EXPECT_GT(hidden_total, 0);
  EXPECT_GT(masked_total, 0);
}

// Incremental checkpoints: the deltas taken between random batches, applied
// in order to a store, give back the whole state, and the event-id memory
// (here small, so that ids are forgotten between deltas) comes back as well.
TEST_P(PropertyTest, DeltasAppliedInOrderRebuildTheState) {
  const uint32_t seed = GetParam();
  const Generated g = Generate(seed, 300);
  const std::vector<Event> delivered = Deliver(g.events, seed * 11 + 3);
  FoldOptions options;
  options.event_id_memory = 150;
  Fold fold(options);
  struct Store {
    std::string header;
    std::map<std::pair<std::string, std::string>, std::string> journeys;
    std::map<std::string, std::string> sequences;
    std::map<int64_t, std::string> ids;
    int64_t total = 0, kept = 0;
  } store;
  auto write = [&](FoldParts delta) {
    store.header = delta.header;
    for (auto& [k, v] : delta.journeys) store.journeys[k] = v;
    for (auto& [k, v] : delta.sequences) store.sequences[k] = v;
    const int64_t first = delta.event_ids_total - static_cast<int64_t>(delta.event_ids.size()) + 1;
    for (size_t i = 0; i < delta.event_ids.size(); ++i) store.ids[first + i] = delta.event_ids[i];
    store.ids.erase(store.ids.begin(),
                    store.ids.upper_bound(delta.event_ids_total - delta.event_ids_kept));
    store.total = delta.event_ids_total;
    store.kept = delta.event_ids_kept;
  };
  auto read = [&] {
    FoldParts whole;
    whole.header = store.header;
    whole.journeys.assign(store.journeys.begin(), store.journeys.end());
    whole.sequences.assign(store.sequences.begin(), store.sequences.end());
    for (const auto& [ordinal, id] : store.ids) whole.event_ids.push_back(id);
    whole.event_ids_total = store.total;
    whole.event_ids_kept = store.kept;
    return whole;
  };
  std::mt19937 rng(seed);
  size_t i = 0, last_new = 0;
  int deltas = 0;
  while (i < delivered.size()) {
    const size_t batch = 1 + rng() % 120;
    for (size_t n = 0; n < batch && i < delivered.size(); ++n) {
      const Fold::Outcome o = fold.Apply(delivered[i]);
      if (o != Fold::Outcome::kDuplicateEventId && o != Fold::Outcome::kDuplicateSequence) {
        last_new = i;
      }
      ++i;
    }
    FoldParts delta = fold.TakeChanges();
    EXPECT_LE(delta.journeys.size(), batch);
    write(std::move(delta));
    ++deltas;
    auto restored = Fold::FromParts(read(), options);
    ASSERT_TRUE(restored.ok()) << restored.status();
    ASSERT_EQ(restored->CanonicalText(), fold.CanonicalText()) << "after delta " << deltas;
    ASSERT_EQ(restored->cells(), fold.cells());
    ASSERT_EQ(restored->held_events(), fold.held_events());
  }
  EXPECT_GT(deltas, 3);
  // The remembered ids came back: the newest one is a duplicate by id to
  // the restored fold; an empty delta changes nothing.
  auto restored = Fold::FromParts(read(), options);
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->Apply(delivered[last_new]), Fold::Outcome::kDuplicateEventId);
  const FoldParts empty = fold.TakeChanges();
  EXPECT_TRUE(empty.journeys.empty());
  EXPECT_TRUE(empty.sequences.empty());
  EXPECT_TRUE(empty.event_ids.empty());
  // MarkAllChanged: the next delta alone is the whole state.
  fold.MarkAllChanged();
  auto alone = Fold::FromParts(fold.TakeChanges(), options);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(alone->CanonicalText(), fold.CanonicalText());
  // A corrupt part is DATA_LOSS, not a crash.
  FoldParts bad = read();
  bad.journeys.front().second = "not cbor";
  EXPECT_EQ(Fold::FromParts(bad, options).status().code(), absl::StatusCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PropertyTest, ::testing::Values(1u, 2u, 3u, 42u, 2025u));

}  // namespace
}  // namespace jit::aggregator
