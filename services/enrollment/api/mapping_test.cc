#include "services/enrollment/api/mapping.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::enrollment::api {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

TEST(MappingTest, DatesRoundTripAndUnsetIsNullopt) {
  status::FieldViolations v;
  common::Date d;
  EXPECT_FALSE(FromProtoDate(d, "start_date", v).has_value());
  EXPECT_TRUE(v.empty());
  d.set_year(2025);
  d.set_month(10);
  d.set_day(15);
  auto day = FromProtoDate(d, "start_date", v);
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(*day, absl::CivilDay(2025, 10, 15));
  EXPECT_EQ(ToProtoDate(*day).SerializeAsString(), d.SerializeAsString());
}

TEST(MappingTest, ImpossibleDatesAreViolationsOnTheField) {
  status::FieldViolations v;
  common::Date d;
  d.set_year(2025);
  d.set_month(2);
  d.set_day(30);
  EXPECT_FALSE(FromProtoDate(d, "candidate.birth_date", v).has_value());
  common::Date partial;
  partial.set_year(2025);
  EXPECT_FALSE(FromProtoDate(partial, "end_date", v).has_value());
  EXPECT_THAT(v.violations(),
              ElementsAre(Field(&status::FieldViolation::field, "candidate.birth_date"),
                          Field(&status::FieldViolation::field, "end_date")));
}

TEST(MappingTest, PageTokensAreOpaqueAndValidated) {
  common::PageRequest page;
  page.set_page_size(20);
  page.set_page_token(EncodePageToken("coh_123"));
  auto q = FromProto(page);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->limit, 20);
  EXPECT_EQ(q->after_key, "coh_123");
  EXPECT_EQ(EncodePageToken(""), "");

  page.set_page_token("coh_123");  // a raw key is not a token
  auto bad = FromProto(page);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(bad.status())[0].field, "page.page_token");

  common::PageRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(status::GetFieldViolations(FromProto(negative).status())[0].field,
            "page.page_size");
}

TEST(MappingTest, StatusesMapBothWaysAndUnknownNumbersAreRejected) {
  status::FieldViolations v;
  for (int i = 1; i <= 7; ++i) {
    auto s = FromProto(static_cast<pb::ApplicationStatus>(i), "status", v);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(ToProto(*s), static_cast<pb::ApplicationStatus>(i));
  }
  for (int i = 1; i <= 4; ++i) {
    auto s = FromProto(static_cast<pb::CohortStatus>(i), "status", v);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(ToProto(*s), static_cast<pb::CohortStatus>(i));
  }
  EXPECT_TRUE(v.empty());
  EXPECT_FALSE(FromProto(static_cast<pb::ApplicationStatus>(42), "status", v));
  EXPECT_FALSE(FromProto(static_cast<pb::CohortStatus>(9), "status", v));
  EXPECT_EQ(v.violations().size(), 2u);
}

TEST(MappingTest, ErasedCandidatesAreMarkedAndCarryNoPersonalData) {
  ApplicationView view;
  view.application.application_id = "app_1";
  view.application.trainee_id = "trn_1";
  view.application.status = ApplicationStatus::kWaitlisted;
  view.waitlist_position = 3;
  pb::Application out;
  ToProto(view, &out);
  EXPECT_TRUE(out.personal_data_erased());
  EXPECT_FALSE(out.has_candidate());
  EXPECT_EQ(out.status(), pb::APPLICATION_STATUS_WAITLISTED);
  EXPECT_EQ(out.waitlist_position(), 3);

  view.personal_data = PersonalData{"Salma", "Idrissi", "AB123456",
                                    absl::CivilDay(2001, 5, 4), "+212612345678",
                                    "salma@example.ma"};
  pb::Application with;
  ToProto(view, &with);
  EXPECT_FALSE(with.personal_data_erased());
  EXPECT_EQ(with.candidate().national_id(), "AB123456");
  EXPECT_EQ(with.candidate().birth_date().year(), 2001);
}

}  // namespace
}  // namespace jit::enrollment::api
