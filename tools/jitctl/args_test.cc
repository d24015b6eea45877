#include "tools/jitctl/args.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::jitctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<FlagSpec> kFlags = {
    {"cohort", "ID", FlagKind::kRequired, "the cohort"},
    {"mark", "T=M", FlagKind::kRepeated, "a mark"},
    {"partner", "", FlagKind::kBool, "partner"},
    {"name", "NAME", FlagKind::kValue, "name"},
};

TEST(ArgsTest, ValuesBoolsRepeatsAndPositionals) {
  auto p = ParseArgs({"APP_1", "--cohort", "c1", "--mark=a=present", "--mark", "b=A", "--partner", "extra"}, kFlags);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->positional, ElementsAre("APP_1", "extra"));
  EXPECT_EQ(p->Get("cohort"), "c1");
  EXPECT_THAT(p->All("mark"), ElementsAre("a=present", "b=A"));
  EXPECT_TRUE(p->Bool("partner"));
  EXPECT_FALSE(p->Has("name"));
  EXPECT_EQ(p->Get("name", "default"), "default");
}

TEST(ArgsTest, BoolFalseAndDoubleDash) {
  auto p = ParseArgs({"--cohort=c", "--partner=false", "--", "--not-a-flag"}, kFlags);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->Bool("partner"));
  EXPECT_THAT(p->positional, ElementsAre("--not-a-flag"));
}

TEST(ArgsTest, Errors) {
  EXPECT_THAT(ParseArgs({"--cohort", "c", "--nope"}, kFlags).status().message(), HasSubstr("unknown flag --nope"));
  EXPECT_THAT(ParseArgs({"--cohort"}, kFlags).status().message(), HasSubstr("needs a value"));
  EXPECT_THAT(ParseArgs({}, kFlags).status().message(), HasSubstr("missing required flag --cohort"));
  EXPECT_THAT(ParseArgs({"--cohort", "a", "--cohort", "b"}, kFlags).status().message(), HasSubstr("given twice"));
  EXPECT_THAT(ParseArgs({"--cohort", "a", "--partner=maybe"}, kFlags).status().message(), HasSubstr("true/false"));
}

TEST(ArgsTest, HelpListsFlags) {
  const std::string help = FlagsHelp(kFlags);
  EXPECT_THAT(help, HasSubstr("--cohort ID"));
  EXPECT_THAT(help, HasSubstr("(required)"));
  EXPECT_THAT(help, HasSubstr("(repeatable)"));
}

}  // namespace
}  // namespace jit::jitctl
