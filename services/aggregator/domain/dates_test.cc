#include "services/aggregator/domain/dates.h"

#include "gtest/gtest.h"

namespace jit::aggregator {
namespace {

Day D(const char* s) { return *ParseDay(s); }

TEST(DatesTest, ParseFormatRoundTrip) {
  EXPECT_EQ(FormatDay(D("2025-10-15")), "2025-10-15");
  EXPECT_EQ(*ParseDay("1970-01-01"), 0);
  EXPECT_FALSE(ParseDay("2025-02-29").has_value());
  EXPECT_TRUE(ParseDay("2024-02-29").has_value());
  EXPECT_FALSE(ParseDay("2025-13-01").has_value());
  EXPECT_FALSE(ParseDay("2025-1-01").has_value());
  EXPECT_FALSE(ParseDay("garbage").has_value());
  EXPECT_FALSE(DayFromCivil(1899, 12, 31).has_value());
}

TEST(DatesTest, AddMonthsClampsToTheEndOfTheMonth) {
  struct Case {
    const char* from;
    int months;
    const char* to;
  };
  for (const Case& c : std::vector<Case>{{"2025-07-15", 6, "2026-01-15"},
                                         {"2025-08-31", 6, "2026-02-28"},
                                         {"2023-08-31", 6, "2024-02-29"},
                                         {"2025-03-31", 6, "2025-09-30"},
                                         {"2025-03-31", 12, "2026-03-31"},
                                         {"2024-02-29", 12, "2025-02-28"},
                                         {"2026-02-28", -6, "2025-08-28"}}) {
    EXPECT_EQ(FormatDay(AddMonths(D(c.from), c.months)), c.to) << c.from << " + " << c.months;
  }
}

TEST(DatesTest, LastClosedExitIsTheLargestClosedExit) {
  // On 2026-02-28, exits from 2025-08-28 to 2025-08-31 all close (their
  // window ends 2026-02-28); 2025-09-01 does not.
  EXPECT_EQ(FormatDay(LastClosedExit(D("2026-02-28"), 6)), "2025-08-31");
  EXPECT_EQ(FormatDay(LastClosedExit(D("2026-01-15"), 6)), "2025-07-15");
  EXPECT_EQ(FormatDay(LastClosedExit(D("2026-01-14"), 6)), "2025-07-14");
  // Brute force over two years.
  for (Day today = D("2025-01-01"); today < D("2027-01-01"); ++today) {
    for (int months : {6, 12}) {
      const Day e = LastClosedExit(today, months);
      ASSERT_LE(AddMonths(e, months), today) << FormatDay(today);
      ASSERT_GT(AddMonths(e + 1, months), today) << FormatDay(today);
    }
  }
}

}  // namespace
}  // namespace jit::aggregator
