#include "tools/jitctl/output.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.pb.h"
#include "tools/jitctl/enums.h"

namespace jit::jitctl {
namespace {

using ::testing::HasSubstr;
namespace ev1 = jobintech::enrollment::v1;

ev1::ListCohortsResponse Cohorts() {
  ev1::ListCohortsResponse resp;
  auto* c = resp.add_cohorts();
  c->set_cohort_id("coh_1");
  c->set_name("Cybersécurité BM");
  c->set_status(ev1::COHORT_STATUS_OPEN);
  c->mutable_location()->set_region_code("MA-05");
  c->mutable_start_date()->set_year(2026);
  c->mutable_start_date()->set_month(1);
  c->mutable_start_date()->set_day(5);
  c->set_capacity(30);
  return resp;
}

TEST(OutputTest, FieldTextFormatsEnumsDatesAndPaths) {
  const auto resp = Cohorts();
  const auto& c = resp.cohorts(0);
  EXPECT_EQ(FieldText(c, "status"), "open");
  EXPECT_EQ(FieldText(c, "start_date"), "2026-01-05");
  EXPECT_EQ(FieldText(c, "end_date"), "");
  EXPECT_EQ(FieldText(c, "location.region_code"), "MA-05");
  EXPECT_EQ(FieldText(c, "capacity"), "30");
  EXPECT_EQ(FieldText(resp, "cohorts"), "1");
}

TEST(OutputTest, TableAlignsUtf8) {
  const std::string t = RepeatedTable(Cohorts(), "cohorts", {{"ID", "cohort_id"}, {"NAME", "name"}, {"S", "status"}});
  EXPECT_EQ(t,
            "ID     NAME              S\n"
            "coh_1  Cybersécurité BM  open\n");
}

TEST(OutputTest, JsonPrintsDefaults) {
  ev1::Cohort c;
  c.set_cohort_id("x");
  const std::string j = ToJson(c);
  EXPECT_THAT(j, HasSubstr("\"cohortId\":\"x\""));
  EXPECT_THAT(j, HasSubstr("\"capacity\":0"));
}

TEST(OutputTest, ObjectTextFlattens) {
  const std::string t = ObjectText(Cohorts());
  EXPECT_THAT(t, HasSubstr("cohorts[0].location.region_code: MA-05"));
  EXPECT_THAT(t, HasSubstr("cohorts[0].start_date: 2026-01-05"));
}

TEST(EnumsTest, ParseShortNamesAndAliases) {
  namespace cv1 = jobintech::common::v1;
  EXPECT_EQ(*ParseEnum(cv1::Gender_descriptor(), "female"), cv1::GENDER_FEMALE);
  EXPECT_EQ(*ParseEnum(cv1::Gender_descriptor(), " F "), cv1::GENDER_FEMALE);
  EXPECT_EQ(*ParseEnum(cv1::Gender_descriptor(), "H"), cv1::GENDER_MALE);
  EXPECT_EQ(*ParseEnum(cv1::Gender_descriptor(), "GENDER_MALE"), cv1::GENDER_MALE);
  EXPECT_EQ(*ParseEnum(cv1::EducationLevel_descriptor(), "bac+2"), cv1::EDUCATION_LEVEL_BAC_PLUS_2);
  EXPECT_EQ(*ParseEnum(cv1::EducationLevel_descriptor(), "bac-plus-5"), cv1::EDUCATION_LEVEL_BAC_PLUS_5);
  EXPECT_EQ(*ParseEnum(cv1::Gender_descriptor(), "", true), 0);
  EXPECT_FALSE(ParseEnum(cv1::Gender_descriptor(), "").ok());
  auto bad = ParseEnum(cv1::Gender_descriptor(), "x");
  EXPECT_THAT(bad.status().message(), HasSubstr("female, male"));
  EXPECT_EQ(ShortEnumName(cv1::EducationLevel_descriptor(), cv1::EDUCATION_LEVEL_BAC_PLUS_2), "bac-plus-2");
}

TEST(EnumsTest, Dates) {
  EXPECT_EQ(FormatDate(*ParseDate("2026-02-03")), "2026-02-03");
  EXPECT_EQ(FormatDate(*ParseDate("03/02/2026")), "2026-02-03");
  EXPECT_FALSE(ParseDate("2026-02-30").ok());
  EXPECT_FALSE(ParseDate("26-02-03").ok());
  EXPECT_FALSE(ParseDate("tomorrow").ok());
}

}  // namespace
}  // namespace jit::jitctl
