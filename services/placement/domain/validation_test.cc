#include "services/placement/domain/validation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::placement {
namespace {

std::vector<std::string> Fields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : status::GetFieldViolations(s)) out.push_back(v.field);
  return out;
}

TEST(NormalizeIceTest, AcceptsFifteenDigitsWithValidControlDigits) {
  EXPECT_EQ(*NormalizeIce("001561191000066"), "001561191000066");
  EXPECT_EQ(*NormalizeIce("00 21 36 09 30 00 040"), "002136093000040");
  EXPECT_EQ(*NormalizeIce("000036794000036"), "000036794000036");
}

TEST(NormalizeIceTest, RefusesWrongControlDigitsNamingTheField) {
  const auto r = NormalizeIce("001561191000065", "employer.ice");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(r.status()), ::testing::ElementsAre("employer.ice"));
  EXPECT_THAT(std::string(r.status().message()),
              ::testing::HasSubstr("control digits"));
}

TEST(NormalizeIceTest, RefusesWrongLengthLettersEmptyAndZeros) {
  for (const char* bad :
       {"", "12345", "0015611910000660", "00156119100006A", "X0156119100006Z",
        "001-561191000066", "000000000000000"}) {
    const auto r = NormalizeIce(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(Fields(r.status()), ::testing::ElementsAre("ice")) << bad;
  }
}

TEST(ValidateCodeTest, AcceptsKebabCaseCodes) {
  for (const char* ok : {"it-services", "banking", "bpo2", "a1"}) {
    EXPECT_TRUE(ValidateCode(ok, "sector").ok()) << ok;
  }
  for (const char* bad : {"", "a", "IT", "it_services", "1abc", "-x",
                          "it services", "é-commerce"}) {
    const absl::Status s = ValidateCode(bad, "sector");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_THAT(Fields(s), ::testing::ElementsAre("sector")) << bad;
  }
  EXPECT_FALSE(ValidateCode(std::string(64, 'a'), "sector").ok());
  EXPECT_TRUE(ValidateCode(std::string(63, 'a'), "sector").ok());
}

TEST(NormalizeTextTest, TrimsAndChecksLengthInCharacters) {
  EXPECT_EQ(*NormalizeText("  OCP Group  ", "name", 100, true), "OCP Group");
  // 100 Arabic letters are 200 bytes but 100 characters.
  std::string arabic;
  for (int i = 0; i < 100; ++i) arabic += "\xd8\xa8";
  EXPECT_TRUE(NormalizeText(arabic, "name", 100, true).ok());
  EXPECT_FALSE(NormalizeText(arabic + "\xd8\xa8", "name", 100, true).ok());
  EXPECT_FALSE(NormalizeText("  ", "name", 100, true).ok());
  EXPECT_EQ(*NormalizeText("  ", "name", 100, false), "");
  EXPECT_FALSE(NormalizeText("a\x01"
                             "b",
                             "name", 100, true)
                   .ok());
  EXPECT_FALSE(NormalizeText("a\nb", "name", 100, true).ok());
  EXPECT_TRUE(NormalizeText("a\nb", "reason", 500, true, true).ok());
  EXPECT_FALSE(NormalizeText("\xc3\x28", "name", 100, true).ok());
}

TEST(ValidateRequestIdTest, PrintableAsciiUpTo128) {
  EXPECT_TRUE(ValidateRequestId("req-1").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(128, 'x')).ok());
  EXPECT_FALSE(ValidateRequestId("").ok());
  EXPECT_FALSE(ValidateRequestId(std::string(129, 'x')).ok());
  EXPECT_FALSE(ValidateRequestId("a\tb").ok());
  EXPECT_THAT(Fields(ValidateRequestId("")),
              ::testing::ElementsAre("request_id"));
}

}  // namespace
}  // namespace jit::placement
