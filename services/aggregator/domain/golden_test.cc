// Golden-file tests: an event stream in (testdata/<name>.events, see
// testing/script.h), the dashboard out (testdata/<name>.golden): every
// registry metric for the nation, each region and each province with data,
// internal and public, and the public regions table.
//
// The expected files were checked by hand (the derivation of every figure of
// "basic" is in testdata/basic.md). To regenerate after an intended change:
//   JIT_UPDATE_GOLDEN=1 ./aggregator_domain_test --gtest_filter='Golden*'
// and review the diff.
#include <algorithm>
#include <map>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "gtest/gtest.h"
#include "services/aggregator/domain/fold.h"
#include "services/aggregator/domain/testing/event_builder.h"
#include "services/aggregator/domain/testing/script.h"

namespace jit::aggregator {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, EventStreamFoldsIntoExpectedDashboard) {
  const std::string base = std::string(JIT_AGGREGATOR_TESTDATA) + "/" + GetParam();
  auto script = testing::ParseScript(ReadText(base + ".events"));
  ASSERT_TRUE(script.ok()) << script.status();
  ASSERT_TRUE(script->today.has_value());
  // The enrollment service catalogues tracks and cohorts before any
  // application (the fold's catalogue gate); the interleavings below move
  // these events too.
  script->events = testing::WithCatalogue(script->events);
  Fold fold;
  for (const Event& e : script->events) fold.Apply(e);
  const std::string report = testing::RenderReport(fold, *script->today, 3);
  if (std::getenv("JIT_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(base + ".golden") << report;
  }
  EXPECT_EQ(report, ReadText(base + ".golden"));

  // The same stream in any interleaving Kafka allows (each key's events in
  // order within its topic, any order across keys and topics), with every
  // event redelivered later in its own partition, gives the same dashboard
  // and the same canonical state.
  std::mt19937 rng(20251015);
  for (int round = 0; round < 20; ++round) {
    std::map<std::pair<int, std::string>, std::vector<Event>> queues;
    for (const Event& e : script->events) {
      auto& q = queues[{static_cast<int>(StreamOf(e.kind)),
                        e.trainee_id.empty() ? e.aggregate_id : e.trainee_id}];
      q.push_back(e);
    }
    for (auto& [key, q] : queues) {
      const size_t n = q.size();
      for (size_t i = 0; i < n; ++i) {
        const size_t at = std::uniform_int_distribution<size_t>(i + 1, q.size())(rng);
        q.insert(q.begin() + static_cast<std::ptrdiff_t>(at), q[i]);
      }
    }
    std::vector<Event> shuffled;
    std::vector<std::vector<Event>*> open;
    for (auto& [key, q] : queues) open.push_back(&q);
    std::vector<size_t> pos(open.size(), 0);
    while (true) {
      std::vector<size_t> live;
      for (size_t i = 0; i < open.size(); ++i) {
        if (pos[i] < open[i]->size()) live.push_back(i);
      }
      if (live.empty()) break;
      const size_t pick = live[std::uniform_int_distribution<size_t>(0, live.size() - 1)(rng)];
      shuffled.push_back((*open[pick])[pos[pick]++]);
    }
    ASSERT_EQ(shuffled.size(), 2 * script->events.size());
    Fold other;
    for (const Event& e : shuffled) other.Apply(e);
    EXPECT_EQ(testing::RenderReport(other, *script->today, 3), report) << "round " << round;
    EXPECT_EQ(other.CanonicalText(), fold.CanonicalText()) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Scenarios, GoldenTest, ::testing::Values("basic"));

}  // namespace
}  // namespace jit::aggregator
