#include "services/placement/domain/model.h"

#include "gtest/gtest.h"

namespace jit::placement {
namespace {

namespace ev = ::jobintech::events::v1;

TEST(AddMonthsTest, AddsCalendarMonthsClampingToTheMonthEnd) {
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 6, 30), 3),
            absl::CivilDay(2025, 9, 30));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 8, 31), 6),
            absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 8, 31), 6),
            absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 11, 30), 3),
            absl::CivilDay(2026, 2, 28));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 10, 15), 12),
            absl::CivilDay(2026, 10, 15));
  EXPECT_EQ(AddMonths(absl::CivilDay(2025, 5, 31), 3),
            absl::CivilDay(2025, 8, 31));
}

TEST(FollowUpKeyTest, OrdersByDueDateThenTraineeThenMonths) {
  FollowUp a;
  a.trainee_id = "trn_b";
  a.months = 3;
  a.due_date = absl::CivilDay(2026, 1, 5);
  FollowUp b = a;
  b.trainee_id = "trn_a";
  b.due_date = absl::CivilDay(2026, 1, 6);
  FollowUp c = a;
  c.months = 12;
  EXPECT_EQ(FollowUpKey(a), "2026-01-05|trn_b|03");
  EXPECT_LT(FollowUpKey(a), FollowUpKey(b));
  EXPECT_LT(FollowUpKey(a), FollowUpKey(c));
}

TEST(NamesTest, ShortNamesWithoutPrefixes) {
  EXPECT_EQ(StateName(ev::PLACEMENT_STATE_JOB_SEEKING), "JOB_SEEKING");
  EXPECT_EQ(TypeName(ev::PLACEMENT_TYPE_FURTHER_STUDY), "FURTHER_STUDY");
  EXPECT_EQ(SourceName(ev::VERIFICATION_SOURCE_SOCIAL_SECURITY),
            "SOCIAL_SECURITY");
  EXPECT_EQ(OutcomeName(ev::FOLLOW_UP_OUTCOME_UNREACHABLE), "UNREACHABLE");
  EXPECT_EQ(ExitKindName(ev::EXIT_KIND_DROPPED_OUT), "DROPPED_OUT");
  EXPECT_EQ(BandName(ev::SALARY_BAND_5000_7999), "5000_7999");
  EXPECT_EQ(StateName(static_cast<PlacementState>(42)), "42");
}

}  // namespace
}  // namespace jit::placement
