#include "libs/clock/clock.h"

#include "gtest/gtest.h"

namespace jit {
namespace {

TEST(FakeClockTest, StandsStillUntilMoved) {
  FakeClock clock(absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100));
  clock.Advance(absl::Hours(24));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(100 + 86400));
  clock.Set(absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(5));
}

TEST(SystemClockTest, FollowsWallTime) {
  const absl::Time before = absl::Now();
  const absl::Time t = SystemClock::Get().Now();
  EXPECT_GE(t, before);
  EXPECT_LE(t, absl::Now());
}

}  // namespace
}  // namespace jit
