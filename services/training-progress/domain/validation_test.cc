#include "services/training-progress/domain/validation.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::progress {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<std::string> ViolatedFields(const absl::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : status::GetFieldViolations(s)) fields.push_back(v.field);
  return fields;
}

Module M(std::string id, int32_t order, bool required = true,
         double max_score = 100, double pass_mark = 60) {
  return Module{.module_id = std::move(id),
                .title = "  Module title  ",
                .order = order,
                .hours = 12.5,
                .required = required,
                .max_score = max_score,
                .pass_mark = pass_mark};
}

TEST(ValidationTest, RequestIdIsPrintableAsciiUpTo128) {
  EXPECT_TRUE(ValidateRequestId("req-1").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(128, 'x')).ok());
  EXPECT_THAT(ViolatedFields(ValidateRequestId("")), ElementsAre("request_id"));
  EXPECT_FALSE(ValidateRequestId(std::string(129, 'x')).ok());
  EXPECT_FALSE(ValidateRequestId("tab\there").ok());
}

TEST(ValidationTest, OpaqueIdsAreShortAndPlain) {
  EXPECT_TRUE(ValidateOpaqueId("trn_5v9k2m", "trainee_id").ok());
  EXPECT_TRUE(ValidateOpaqueId("coh-1.a:b", "cohort_id").ok());
  EXPECT_THAT(ViolatedFields(ValidateOpaqueId("", "trainee_id")),
              ElementsAre("trainee_id"));
  EXPECT_FALSE(ValidateOpaqueId("a b", "trainee_id").ok());
  EXPECT_FALSE(ValidateOpaqueId("a/b", "trainee_id").ok());
  EXPECT_FALSE(ValidateOpaqueId(std::string(129, 'a'), "trainee_id").ok());
}

TEST(ValidationTest, KebabIds) {
  EXPECT_TRUE(ValidateKebabId("network-basics", "module_id").ok());
  EXPECT_TRUE(ValidateKebabId("m2", "module_id").ok());
  for (const char* bad :
       {"", "a", "Network", "2fa", "net_basics", "net basics"}) {
    EXPECT_THAT(ViolatedFields(ValidateKebabId(bad, "module_id")),
                ElementsAre("module_id"))
        << bad;
  }
}

TEST(ValidationTest, TitlesAndReasonsAreTrimmedAndBounded) {
  EXPECT_EQ(*NormalizeTitle("  Réseaux  ", "title"), "Réseaux");
  EXPECT_FALSE(NormalizeTitle("   ", "title").ok());
  EXPECT_FALSE(NormalizeTitle("a\nb", "title").ok());
  EXPECT_FALSE(NormalizeTitle(std::string(201, 'a'), "title").ok());
  EXPECT_FALSE(NormalizeTitle("\xC3\x28", "title").ok());  // invalid UTF-8
  EXPECT_EQ(*NormalizeReason(" moved to Agadir\n"), "moved to Agadir");
  EXPECT_EQ(*NormalizeReason("line one\nline two"), "line one\nline two");
  EXPECT_THAT(ViolatedFields(NormalizeReason("").status()),
              ElementsAre("reason"));
  EXPECT_FALSE(NormalizeReason(std::string(501, 'a')).ok());
  EXPECT_FALSE(NormalizeReason("bell\a").ok());
}

TEST(ValidationTest, ModulesAreSortedByOrderAndTrimmed) {
  auto modules =
      ValidateModules({M("linux", 2), M("network-basics", 1, false)});
  ASSERT_TRUE(modules.ok()) << modules.status();
  ASSERT_EQ(modules->size(), 2u);
  EXPECT_EQ((*modules)[0].module_id, "network-basics");
  EXPECT_EQ((*modules)[1].module_id, "linux");
  EXPECT_EQ((*modules)[0].title, "Module title");
}

TEST(ValidationTest, ModulesReportEveryViolationWithItsPath) {
  Module no_title = M("ok-module", 3);
  no_title.title = " ";
  Module bad_numbers = M("numbers", 4);
  bad_numbers.hours = 0;
  bad_numbers.max_score = -1;
  bad_numbers.pass_mark = std::nan("");
  auto s = ValidateModules({M("Bad", 1), M("linux", 1),
                            M("linux", 2, true, 20, 30), no_title, bad_numbers})
               .status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      ViolatedFields(s),
      UnorderedElementsAre("modules[0].module_id", "modules[1].order",
                           "modules[2].module_id", "modules[2].pass_mark",
                           "modules[3].title", "modules[4].hours",
                           "modules[4].max_score", "modules[4].pass_mark"));
}

TEST(ValidationTest, ModulesNeedOneRequired) {
  EXPECT_THAT(ViolatedFields(ValidateModules({}).status()),
              ElementsAre("modules"));
  EXPECT_THAT(
      ViolatedFields(
          ValidateModules({M("a1", 1, false), M("a2", 2, false)}).status()),
      ElementsAre("modules"));
}

TEST(ValidationTest, PassMarkMayEqualMaxScore) {
  EXPECT_TRUE(ValidateModules({M("exam", 1, true, 20, 20)}).ok());
}

TEST(ValidationTest, ScoreIsBetweenZeroAndTheModuleMaximum) {
  const Module m = M("linux", 1, true, 20, 10);
  EXPECT_TRUE(ValidateScore(0, m).ok());
  EXPECT_TRUE(ValidateScore(20, m).ok());
  absl::Status above = ValidateScore(20.5, m);
  EXPECT_THAT(ViolatedFields(above), ElementsAre("score"));
  EXPECT_THAT(std::string(above.message()), HasSubstr("20"));
  EXPECT_FALSE(ValidateScore(-1, m).ok());
  EXPECT_FALSE(ValidateScore(std::numeric_limits<double>::infinity(), m).ok());
}

}  // namespace
}  // namespace jit::progress
