#include "libs/protoconv/common.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::protoconv {
namespace {

using ::testing::HasSubstr;

common::Date MakeDate(int y, int m, int d) {
  common::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

struct TestDimensions {
  common::Gender gender = common::GENDER_UNSPECIFIED;
  common::AgeBand age_band = common::AGE_BAND_UNSPECIFIED;
  common::EducationLevel education_level = common::EDUCATION_LEVEL_UNSPECIFIED;
  std::string residence_province_code;
  std::string residence_region_code;
  std::string training_province_code;
  std::string training_region_code;
  std::string track_id;
  std::string cohort_id;
  std::string centre_id;
  friend bool operator==(const TestDimensions&,
                         const TestDimensions&) = default;
};

TEST(ProtoconvDateTest, RoundTripsACalendarDay) {
  const common::Date d = ToProtoDate(absl::CivilDay(2025, 9, 1));
  EXPECT_EQ(d.year(), 2025);
  EXPECT_EQ(d.month(), 9);
  EXPECT_EQ(d.day(), 1);
  EXPECT_EQ(ToCivilDay(d), absl::CivilDay(2025, 9, 1));
  status::FieldViolations v;
  EXPECT_EQ(FromProtoDate(d, "start_date", v), absl::CivilDay(2025, 9, 1));
  EXPECT_TRUE(v.ToStatus().ok());
}

TEST(ProtoconvDateTest, UnsetDateIsNulloptWithoutViolation) {
  status::FieldViolations v;
  EXPECT_TRUE(IsUnset(common::Date()));
  EXPECT_FALSE(IsUnset(MakeDate(2025, 1, 0)));
  EXPECT_EQ(FromProtoDate(common::Date(), "start_date", v), std::nullopt);
  EXPECT_TRUE(v.ToStatus().ok());
  // Not a calendar day either, for callers that require a date.
  EXPECT_EQ(ToCivilDay(common::Date()), std::nullopt);
}

TEST(ProtoconvDateTest, ImpossibleDatesAreViolationsOnTheField) {
  for (const common::Date& d :
       {MakeDate(2025, 2, 30), MakeDate(2025, 13, 1), MakeDate(2025, 0, 10),
        MakeDate(1899, 12, 31), MakeDate(10000, 1, 1), MakeDate(2025, 4, 31)}) {
    SCOPED_TRACE(DateText(d));
    status::FieldViolations v;
    EXPECT_EQ(FromProtoDate(d, "cohort.start_date", v), std::nullopt);
    const absl::Status s = v.ToStatus();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    const auto violations = status::GetFieldViolations(s);
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].field, "cohort.start_date");
    EXPECT_THAT(violations[0].description,
                HasSubstr("not a valid date: " + DateText(d)));
  }
  EXPECT_EQ(DateText(MakeDate(2025, 2, 30)), "2025-2-30");
}

TEST(ProtoconvDateTest, ToCivilDayHasNoUpperYearBound) {
  // Peers' answers are checked for a calendar day only.
  EXPECT_EQ(ToCivilDay(MakeDate(10000, 1, 1)), absl::CivilDay(10000, 1, 1));
  EXPECT_EQ(ToCivilDay(MakeDate(2024, 2, 29)), absl::CivilDay(2024, 2, 29));
  EXPECT_EQ(ToCivilDay(MakeDate(2025, 2, 29)), std::nullopt);
}

TEST(ProtoconvTimeTest, RoundTripsToTheNanosecond) {
  const absl::Time t = absl::FromUnixNanos(1'763'000'000'123'456'789);
  const google::protobuf::Timestamp ts = ToProtoTime(t);
  EXPECT_EQ(ts.seconds(), 1'763'000'000);
  EXPECT_EQ(ts.nanos(), 123'456'789);
  EXPECT_EQ(FromProtoTime(ts), t);
  EXPECT_EQ(FromProtoTime(google::protobuf::Timestamp()), absl::UnixEpoch());
}

TEST(ProtoconvDimensionsTest, MapsEveryFieldBothWays) {
  TestDimensions d;
  d.gender = common::GENDER_FEMALE;
  d.age_band = common::AGE_BAND_21_24;
  d.education_level = common::EDUCATION_LEVEL_BAC_PLUS_2;
  d.residence_province_code = "MA-FQH";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-BEM";
  d.training_region_code = "MA-06";
  d.track_id = "cybersecurity";
  d.cohort_id = "coh_1";
  d.centre_id = "ctr_1";
  common::TraineeDimensions pb;
  ToProtoDimensions(d, &pb);
  EXPECT_EQ(pb.gender(), common::GENDER_FEMALE);
  EXPECT_EQ(pb.age_band(), common::AGE_BAND_21_24);
  EXPECT_EQ(pb.education_level(), common::EDUCATION_LEVEL_BAC_PLUS_2);
  EXPECT_EQ(pb.residence().province_code(), "MA-FQH");
  EXPECT_EQ(pb.residence().region_code(), "MA-05");
  EXPECT_EQ(pb.training_location().province_code(), "MA-BEM");
  EXPECT_EQ(pb.training_location().region_code(), "MA-06");
  EXPECT_EQ(pb.track_id(), "cybersecurity");
  EXPECT_EQ(pb.cohort_id(), "coh_1");
  EXPECT_EQ(pb.centre_id(), "ctr_1");
  EXPECT_EQ(FromProtoDimensions<TestDimensions>(pb), d);
}

}  // namespace
}  // namespace jit::protoconv
