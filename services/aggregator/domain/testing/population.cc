#include "services/aggregator/domain/testing/population.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "libs/geo/geo.h"
#include "services/aggregator/domain/dates.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator::testing {

using K = EventKind;

const std::vector<std::string>& SeededTracks() {
  static const std::vector<std::string>* const tracks = new std::vector<std::string>{
      "cybersecurity", "digital-management", "digital-marketing"};
  return *tracks;
}

// Journeys through the three services, in order (the fold's order
// insensitivity is tested elsewhere).
std::vector<Event> SeededJourneys(uint32_t seed, int journeys, int provinces) {
  std::mt19937 rng(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const auto& atlas = geo::Atlas::Get().provinces();
  std::vector<Event> events;
  for (int i = 0; i < journeys; ++i) {
    const std::string trainee = absl::StrCat("t", i);
    // Spread over regions: every 7th province of the atlas.
    const geo::Province& p = atlas[(pick(provinces) * 7) % atlas.size()];
    const std::string track = SeededTracks()[pick(3)];
    const std::string cohort = absl::StrCat(p.code, "-", track);
    const auto gender = static_cast<Gender>(chance(0.1) ? 0 : 1 + pick(2));
    int64_t enr = 0, prog = 0, plc = 0;
    Day day = D("2024-01-01") + pick(500);
    auto ev = [&](K kind, int64_t& seq) {
      Ev e(kind, trainee, ++seq, FormatDay(day));
      e.Cohort(cohort).Dims(gender, p.code, track);
      day += 1 + pick(10);
      return e;
    };
    events.push_back(ev(K::kApplicationSubmitted, enr));
    const int path = pick(20);
    if (path == 0) {
      events.push_back(ev(K::kApplicationRejected, enr));
      continue;
    }
    if (path <= 2) {
      events.push_back(ev(K::kApplicationWaitlisted, enr));
      if (path == 1) continue;
    }
    events.push_back(ev(K::kApplicationAdmitted, enr));
    if (path == 3) {
      events.push_back(ev(K::kAdmissionDeclined, enr));
      continue;
    }
    events.push_back(ev(K::kEnrolmentConfirmed, enr));
    const int fate = pick(20);
    if (fate == 0) {
      events.push_back(ev(K::kEnrolmentWithdrawn, enr));
      continue;
    }
    if (fate == 1) continue;  // enrolled, not started yet
    events.push_back(ev(K::kTrainingStarted, prog).Date(FormatDay(day)));
    if (fate <= 5) continue;  // in training
    day += 30 + pick(150);
    if (fate <= 8) {
      events.push_back(ev(K::kDroppedOut, prog).Date(FormatDay(day)));
      continue;
    }
    if (fate == 9) {
      events.push_back(ev(K::kTrainingWithdrawn, prog).Date(FormatDay(day)));
      continue;
    }
    const std::string completion = FormatDay(day);
    events.push_back(ev(K::kTrainingCompleted, prog).Date(completion));
    if (chance(0.7)) {
      events.push_back(
          ev(K::kCertificateIssued, prog).Exit(ExitKind::kCompleted, completion));
    }
    if (chance(0.6)) {
      events.push_back(ev(K::kPlacementStarted, plc)
                           .Exit(ExitKind::kCompleted, completion)
                           .Job(absl::StrCat("p", i), PlacementType::kSalariedPermanent,
                                FormatDay(day + pick(200))));
    }
  }
  // Preceded by the catalogue of their tracks and cohorts (the fold's
  // catalogue gate).
  return WithCatalogue(events);
}

}  // namespace jit::aggregator::testing
