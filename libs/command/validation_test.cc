#include "libs/command/validation.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::command {
namespace {

using status::FieldViolation;
using status::GetFieldViolations;
using ::testing::ElementsAre;

// The single violation of `s`, or a marker when there is not exactly one.
FieldViolation Violation(const absl::Status& s) {
  std::vector<FieldViolation> v = GetFieldViolations(s);
  if (s.code() != absl::StatusCode::kInvalidArgument || v.size() != 1) {
    return {"<not one violation>", s.ToString()};
  }
  return v[0];
}

TEST(ValidateRequestIdTest, AcceptsPrintableAsciiUpTo128) {
  EXPECT_TRUE(ValidateRequestId("3f2b8c1e-0a4d-4c55-9a57-6f1d2e3c4b5a").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(128, '~')).ok());
  EXPECT_TRUE(ValidateRequestId(" ").ok());
}

TEST(ValidateRequestIdTest, RefusesEmptyLongAndNonPrintable) {
  EXPECT_EQ(Violation(ValidateRequestId("")),
            (FieldViolation{"request_id", "is required"}));
  EXPECT_EQ(Violation(ValidateRequestId(std::string(129, 'a'))),
            (FieldViolation{"request_id", "must be at most 128 characters"}));
  for (const std::string& bad :
       {std::string("a\tb"), std::string("a\x7F"),
        std::string("\xC3\xA9t\xC3\xA9"), std::string("a\0b", 3)}) {
    EXPECT_EQ(Violation(ValidateRequestId(bad)),
              (FieldViolation{"request_id",
                              "must contain only printable ASCII characters"}))
        << bad;
  }
}

TEST(MutationViolationsTest, StartsWithTheRequestIdsViolation) {
  EXPECT_TRUE(MutationViolations({.request_id = "r1"}).empty());
  status::FieldViolations v = MutationViolations({.request_id = ""});
  v.Add("name", "is required");
  EXPECT_THAT(GetFieldViolations(v.ToStatus()),
              ElementsAre(FieldViolation{"request_id", "is required"},
                          FieldViolation{"name", "is required"}));
}

TEST(ScanTextTest, CountsCodePointsAndFindsControls) {
  TextScan arabic =
      ScanText("\xD8\xA7\xD9\x84\xD8\xB1\xD8\xA8\xD8\xA7\xD8\xB7");
  EXPECT_TRUE(arabic.valid);
  EXPECT_EQ(arabic.chars, 6);
  EXPECT_FALSE(arabic.has_control);
  EXPECT_EQ(ScanText("\xF0\x9F\x98\x80").chars, 1);  // an emoji

  TextScan lines = ScanText("a\tb\r\nc");
  EXPECT_TRUE(lines.has_line_control);
  EXPECT_FALSE(lines.has_control);
  EXPECT_TRUE(ScanText(std::string("a\0b", 3)).has_control);
  EXPECT_TRUE(ScanText("a\x7F").has_control);
  EXPECT_TRUE(ScanText("\xC2\x85").has_control);  // C1 NEL
}

TEST(ScanTextTest, RefusesMalformedUtf8) {
  for (const char* bad :
       {"\xC3\x28", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
        "\xF4\x90\x80\x80", "\xE2\x82", "\xFF", "\x80"}) {
    EXPECT_FALSE(ScanText(bad).valid) << bad;
  }
}

TEST(NormalizeTextTest, TrimsAndAppliesTheRules) {
  EXPECT_EQ(*NormalizeText("  Casablanca Tech  ", "name", {.max_chars = 100}),
            "Casablanca Tech");
  EXPECT_EQ(Violation(NormalizeText(" \t ", "name", {}).status()),
            (FieldViolation{"name", "is required"}));
  EXPECT_EQ(*NormalizeText("   ", "reason", {.required = false}), "");
  EXPECT_EQ(Violation(NormalizeText("a\xC3\x28", "name", {}).status()),
            (FieldViolation{"name", "must be valid UTF-8"}));
  EXPECT_EQ(Violation(NormalizeText("a\nb", "name", {}).status()),
            (FieldViolation{"name", "must not contain control characters"}));
  EXPECT_EQ(*NormalizeText("a\nb", "reason", {.multiline = true}), "a\nb");
  EXPECT_EQ(
      Violation(NormalizeText("a\x01", "reason", {.multiline = true}).status()),
      (FieldViolation{"reason", "must not contain control characters"}));
}

TEST(NormalizeTextTest, CountsCharactersNotBytes) {
  const std::string five_arabic = "\xD8\xA7\xD8\xA7\xD8\xA7\xD8\xA7\xD8\xA7";
  EXPECT_TRUE(NormalizeText(five_arabic, "title", {.max_chars = 5}).ok());
  EXPECT_EQ(
      Violation(
          NormalizeText(five_arabic + "b", "title", {.max_chars = 5}).status()),
      (FieldViolation{"title", "must be at most 5 characters"}));
}

bool KnownUpToThree(int v) { return v >= 0 && v <= 3; }

TEST(ValidateReasonCodeTest, RequiresAKnownNonZeroCode) {
  EXPECT_TRUE(ValidateReasonCode(1, &KnownUpToThree).ok());
  EXPECT_TRUE(ValidateReasonCode(3, &KnownUpToThree, "code").ok());
  EXPECT_EQ(Violation(ValidateReasonCode(0, &KnownUpToThree)),
            (FieldViolation{"reason_code", "is required"}));
  EXPECT_EQ(Violation(ValidateReasonCode(4, &KnownUpToThree, "code")),
            (FieldViolation{"code", "is not a known value"}));
  EXPECT_EQ(Violation(ValidateReasonCode(-1, &KnownUpToThree)),
            (FieldViolation{"reason_code", "is not a known value"}));
}

TEST(ValidateKebabIdTest, AcceptsLowerKebabCase) {
  for (const char* ok :
       {"ab", "digital-health", "a1", "x-2-y",
        "a12345678901234567890123456789012345678901234567890123456789012"}) {
    EXPECT_TRUE(ValidateKebabId(ok, "track_id").ok()) << ok;
  }
}

TEST(ValidateKebabIdTest, RefusesOtherShapes) {
  EXPECT_EQ(Violation(ValidateKebabId("", "track_id")),
            (FieldViolation{"track_id", "is required"}));
  for (const char* bad :
       {"a", "1ab", "-ab", "Ab", "aB", "a_b", "a b",
        "a123456789012345678901234567890123456789012345678901234567890123"}) {
    EXPECT_EQ(Violation(ValidateKebabId(bad, "track_id")),
              (FieldViolation{"track_id",
                              "must be lower-kebab-case: a lower-case letter, "
                              "then 1-62 lower-case letters, digits or '-'"}))
        << bad;
  }
  EXPECT_EQ(Violation(ValidateKebabId("X", "module_id", "network-basics")),
            (FieldViolation{"module_id",
                            "must be lower-kebab-case: a lower-case letter, "
                            "then 1-62 lower-case letters, digits or '-' "
                            "(e.g. \"network-basics\")"}));
}

TEST(CollectViolationsTest, KeepsFieldsAndFallsBackForPlainErrors) {
  status::FieldViolations v;
  EXPECT_TRUE(CollectViolations(absl::OkStatus(), v, "x"));
  EXPECT_TRUE(v.empty());
  EXPECT_FALSE(CollectViolations(status::InvalidField("a", "bad"), v, "x"));
  EXPECT_FALSE(CollectViolations(absl::InvalidArgumentError("plain"), v, "x"));
  EXPECT_THAT(v.violations(), ElementsAre(FieldViolation{"a", "bad"},
                                          FieldViolation{"x", "plain"}));
}

TEST(CollectIntoTest, StoresTheValueOrCollectsTheViolations) {
  status::FieldViolations v;
  std::string name = "unchanged";
  CollectInto(NormalizeText(" n ", "name", {}), &name, v);
  EXPECT_EQ(name, "n");
  CollectInto(NormalizeText("", "name", {}), &name, v);
  EXPECT_EQ(name, "n");
  EXPECT_THAT(v.violations(),
              ElementsAre(FieldViolation{"name", "is required"}));
}

}  // namespace
}  // namespace jit::command
