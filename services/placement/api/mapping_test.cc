#include "services/placement/api/mapping.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::placement::api {
namespace {

namespace ev = ::jobintech::events::v1;

TEST(MappingTest, DatesUnsetValidAndImpossible) {
  status::FieldViolations v;
  common::Date d;
  EXPECT_FALSE(FromProtoDate(d, "start_date", v).has_value());
  EXPECT_TRUE(v.empty());
  d.set_year(2025);
  d.set_month(2);
  d.set_day(28);
  EXPECT_EQ(FromProtoDate(d, "start_date", v), absl::CivilDay(2025, 2, 28));
  d.set_day(30);
  EXPECT_FALSE(FromProtoDate(d, "start_date", v).has_value());
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_EQ(v.violations()[0].field, "start_date");
  const common::Date back = ToProtoDate(absl::CivilDay(2026, 6, 30));
  EXPECT_EQ(back.year(), 2026);
  EXPECT_EQ(back.month(), 6);
  EXPECT_EQ(back.day(), 30);
}

TEST(MappingTest, PageTokensRoundTripAndForeignOnesAreRefused) {
  EXPECT_EQ(EncodePageToken(""), "");
  common::PageRequest page;
  page.set_page_size(20);
  page.set_page_token(EncodePageToken("2026-01-05|trn_1|03"));
  auto q = FromProto(page);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limit, 20);
  EXPECT_EQ(q->after_key, "2026-01-05|trn_1|03");
  page.set_page_token("garbage!");
  EXPECT_EQ(status::GetFieldViolations(FromProto(page).status())[0].field,
            "page.page_token");
  page.clear_page_token();
  page.set_page_size(-1);
  EXPECT_EQ(status::GetFieldViolations(FromProto(page).status())[0].field,
            "page.page_size");
}

TEST(MappingTest, PlacementAndFollowUpAndTrainee) {
  Placement p;
  p.placement_id = "plc_1";
  p.trainee_id = "trn_1";
  p.type = ev::PLACEMENT_TYPE_INTERNSHIP;
  p.start_date = absl::CivilDay(2025, 8, 1);
  p.verification = ev::VERIFICATION_SOURCE_EMPLOYER;
  p.verify_time = absl::FromUnixSeconds(1'760'000'000);
  pb::Placement out;
  ToProto(p, &out);
  EXPECT_FALSE(out.ended());
  EXPECT_FALSE(out.has_end_date());
  EXPECT_EQ(out.verify_time().seconds(), 1'760'000'000);
  p.end_date = absl::CivilDay(2025, 9, 1);
  ToProto(p, &out);
  EXPECT_TRUE(out.ended());
  EXPECT_EQ(out.end_date().month(), 9);

  FollowUp f;
  f.trainee_id = "trn_1";
  f.months = 6;
  f.due_date = absl::CivilDay(2025, 12, 30);
  pb::FollowUp fo;
  ToProto(f, &fo);
  EXPECT_FALSE(fo.recorded());
  EXPECT_FALSE(fo.has_recorded_on());
  EXPECT_EQ(fo.months_after_exit(), 6);

  Trainee t;
  t.trainee_id = "trn_1";
  t.state = ev::PLACEMENT_STATE_OFFERED;
  t.exit.kind = ev::EXIT_KIND_WITHDRAWN;
  t.exit.date = absl::CivilDay(2025, 3, 3);
  t.exit.cohort_id = "coh_1";
  t.dimensions.training_region_code = "MA-05";
  pb::TraineePlacement to;
  ToProto(t, &to);
  EXPECT_EQ(to.state(), ev::PLACEMENT_STATE_OFFERED);
  EXPECT_EQ(to.exit().kind(), ev::EXIT_KIND_WITHDRAWN);
  EXPECT_EQ(to.exit().exit_date().day(), 3);
  EXPECT_EQ(to.dimensions().training_location().region_code(), "MA-05");
  EXPECT_FALSE(to.has_first_placement_date());
}

}  // namespace
}  // namespace jit::placement::api
