#include "libs/service/retention_pruner.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"

namespace jit::service {
namespace {

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1'000'000); }
};

// A table of creation times, pruned oldest first.
struct FakeTable {
  absl::Mutex mu;
  std::vector<absl::Time> rows;  // sorted
  std::vector<int64_t> limits_seen;
  absl::StatusOr<int64_t> Prune(absl::Time before, int64_t limit) {
    absl::MutexLock lock(&mu);
    limits_seen.push_back(limit);
    int64_t n = 0;
    while (n < limit && n < static_cast<int64_t>(rows.size()) && rows[n] < before) ++n;
    rows.erase(rows.begin(), rows.begin() + n);
    return n;
  }
};

TEST(RetentionPrunerTest, RunOnceDeletesEverythingOlderInBatches) {
  FixedClock clock;
  FakeTable table;
  const absl::Time now = clock.Now();
  for (int i = 0; i < 25; ++i) table.rows.push_back(now - absl::Hours(100) + absl::Minutes(i));
  for (int i = 0; i < 5; ++i) table.rows.push_back(now - absl::Hours(1));
  auto pruner = RetentionPruner::Start(
      {.what = "records", .retention = absl::Hours(48), .interval = absl::Hours(1), .batch = 10,
       .clock = &clock},
      [&](absl::Time before, int64_t limit) { return table.Prune(before, limit); });
  auto deleted = pruner->RunOnce();
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 25);
  EXPECT_EQ(table.rows.size(), 5u);  // the young ones stay
  // 10 + 10 + 5: the last short batch ends the pass.
  EXPECT_EQ(table.limits_seen.size(), 3u);
}

TEST(RetentionPrunerTest, ErrorsAreReturnedAndTheThreadRunsOnItsOwn) {
  FixedClock clock;
  absl::Mutex mu;
  int calls = 0;
  auto failing = RetentionPruner::Start(
      {.what = "records", .retention = absl::Hours(1), .interval = absl::Milliseconds(5),
       .batch = 10, .clock = &clock},
      [&](absl::Time, int64_t) -> absl::StatusOr<int64_t> {
        absl::MutexLock lock(&mu);
        ++calls;
        return absl::UnavailableError("database is busy");
      });
  EXPECT_EQ(failing->RunOnce().status().code(), absl::StatusCode::kUnavailable);
  // The background thread keeps trying at every interval.
  absl::MutexLock lock(&mu);
  EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(
                                      +[](int* c) { return *c >= 3; }, &calls),
                                  absl::Seconds(10)));
}

}  // namespace
}  // namespace jit::service
