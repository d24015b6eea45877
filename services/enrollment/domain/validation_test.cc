#include "services/enrollment/domain/validation.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::enrollment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

MATCHER_P(IsInvalidField, field, "") {
  if (arg.code() != absl::StatusCode::kInvalidArgument) return false;
  const auto v = status::GetFieldViolations(arg);
  return v.size() == 1 && v[0].field == field;
}

TEST(NormalizeCinTest, AcceptsOneOrTwoLettersThenDigits) {
  EXPECT_EQ(*NormalizeCin("AB123456"), "AB123456");
  EXPECT_EQ(*NormalizeCin("a1"), "A1");
  EXPECT_EQ(*NormalizeCin(" bk 12 34 56 "), "BK123456");
  EXPECT_EQ(*NormalizeCin("J987654"), "J987654");
}

TEST(NormalizeCinTest, RefusesMalformedNumbersWithoutEchoingThem) {
  for (const char* bad : {"", "   ", "123456", "ABC12345", "AB1234567", "AB",
                          "AB12X4", "A-123", "É12345", "AB 12\t3"}) {
    SCOPED_TRACE(bad);
    const absl::Status s = NormalizeCin(bad).status();
    EXPECT_THAT(s, IsInvalidField("candidate.national_id"));
    if (std::string(bad).size() > 3) {
      EXPECT_THAT(std::string(s.message()), Not(HasSubstr(bad)));
    }
  }
}

TEST(NormalizeCinTest, NamesTheGivenField) {
  EXPECT_THAT(NormalizeCin("x", "national_id").status(),
              IsInvalidField("national_id"));
}

TEST(NormalizePhoneTest, AcceptsNationalAndInternationalForms) {
  EXPECT_EQ(*NormalizePhone("0612345678"), "+212612345678");
  EXPECT_EQ(*NormalizePhone("07 12 34 56 78"), "+212712345678");
  EXPECT_EQ(*NormalizePhone("05.22.12.34.56"), "+212522123456");
  EXPECT_EQ(*NormalizePhone("+212612345678"), "+212612345678");
  EXPECT_EQ(*NormalizePhone("+212 6-12-34-56-78"), "+212612345678");
  EXPECT_EQ(*NormalizePhone("00212612345678"), "+212612345678");
  EXPECT_EQ(*NormalizePhone("212712345678"), "+212712345678");
}

TEST(NormalizePhoneTest, RefusesOtherNumbers) {
  for (const char* bad :
       {"", "061234567", "06123456789", "0812345678", "+212812345678",
        "+21261234567", "+2126123456789", "+33612345678", "612345678",
        "06123a5678", "(06)12345678", "2120612345678", "+2120612345678"}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(NormalizePhone(bad).status(),
                IsInvalidField("candidate.phone"));
  }
}

TEST(ValidateEmailTest, LowerCasesTheDomainOnly) {
  EXPECT_EQ(*ValidateEmail("Salma.B@Example.MA"), "Salma.B@example.ma");
  EXPECT_EQ(*ValidateEmail("  x@y.co  "), "x@y.co");
}

TEST(ValidateEmailTest, RefusesMalformedAddresses) {
  for (const std::string& bad :
       {std::string(""), std::string("no-at.example.ma"),
        std::string("two@@example.ma"), std::string("a@b@example.ma"),
        std::string("@example.ma"), std::string("a@localhost"),
        std::string("a b@example.ma"), std::string("a@.example.ma"),
        std::string("a@example.ma."), std::string("a@example..ma"),
        std::string("a\x01@example.ma"),
        absl::StrCat(std::string(250, 'a'), "@b.ma")}) {
    SCOPED_TRACE(bad);
    EXPECT_THAT(ValidateEmail(bad).status(), IsInvalidField("candidate.email"));
  }
  EXPECT_TRUE(ValidateEmail(absl::StrCat(std::string(249, 'a'), "@b.ma")).ok());
}

TEST(NormalizeNameTest, TrimsAndCountsCharactersNotBytes) {
  EXPECT_EQ(*NormalizeName("  Salma ", "f"), "Salma");
  EXPECT_EQ(*NormalizeName("سلمى", "f"), "سلمى");
  // 100 two-byte characters are fine, 101 are not.
  std::string arabic_100;
  for (int i = 0; i < 100; ++i) arabic_100 += "س";
  EXPECT_TRUE(NormalizeName(arabic_100, "f").ok());
  EXPECT_THAT(NormalizeName(arabic_100 + "س", "f").status(),
              IsInvalidField("f"));
}

TEST(NormalizeNameTest, RefusesEmptyControlAndInvalidUtf8) {
  EXPECT_THAT(NormalizeName("   ", "f").status(), IsInvalidField("f"));
  EXPECT_THAT(NormalizeName("a\nb", "f").status(), IsInvalidField("f"));
  EXPECT_THAT(NormalizeName("a\x7f", "f").status(), IsInvalidField("f"));
  EXPECT_THAT(NormalizeName("a\xc2\x85", "f").status(), IsInvalidField("f"));
  EXPECT_THAT(NormalizeName("\xff\xfe", "f").status(), IsInvalidField("f"));
  EXPECT_THAT(NormalizeName("\xc0\xaf", "f").status(), IsInvalidField("f"));
}

TEST(NormalizeReasonTest, RequiredOrOptionalAndBounded) {
  EXPECT_THAT(NormalizeReason(" ", true).status(), IsInvalidField("reason"));
  EXPECT_EQ(*NormalizeReason(" ", false), "");
  EXPECT_EQ(*NormalizeReason("found a job\nin Rabat", true),
            "found a job\nin Rabat");
  EXPECT_TRUE(NormalizeReason(std::string(500, 'x'), true).ok());
  EXPECT_THAT(NormalizeReason(std::string(501, 'x'), true).status(),
              IsInvalidField("reason"));
  EXPECT_THAT(NormalizeReason("a\x02", true).status(),
              IsInvalidField("reason"));
}

TEST(ValidateRequestIdTest, PrintableAsciiUpTo128) {
  EXPECT_TRUE(ValidateRequestId("3f1c2a9e-0b7d-4c55-9d0e-0f7d5d7c1a2b").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(128, 'r')).ok());
  EXPECT_THAT(ValidateRequestId(""), IsInvalidField("request_id"));
  EXPECT_THAT(ValidateRequestId(std::string(129, 'r')),
              IsInvalidField("request_id"));
  EXPECT_THAT(ValidateRequestId("tab\there"), IsInvalidField("request_id"));
  EXPECT_THAT(ValidateRequestId("é"), IsInvalidField("request_id"));
}

TEST(ValidateTrackIdTest, LowerKebabCase) {
  for (const char* good : {"cybersecurity", "digital-health", "ai2", "a-"}) {
    EXPECT_TRUE(ValidateTrackId(good).ok()) << good;
  }
  for (const char* bad :
       {"", "a", "Digital", "2fa", "-x", "digital_health", "digital health"}) {
    EXPECT_THAT(ValidateTrackId(bad), IsInvalidField("track.track_id")) << bad;
  }
  EXPECT_TRUE(ValidateTrackId(std::string(63, 'a')).ok());
  EXPECT_FALSE(ValidateTrackId(std::string(64, 'a')).ok());
}

TEST(AgeOnTest, CountsWholeYears) {
  const absl::CivilDay day(2025, 10, 15);
  EXPECT_EQ(AgeOn(absl::CivilDay(2007, 10, 15), day), 18);
  EXPECT_EQ(AgeOn(absl::CivilDay(2007, 10, 16), day), 17);
  EXPECT_EQ(AgeOn(absl::CivilDay(2007, 11, 1), day), 17);
  EXPECT_EQ(AgeOn(absl::CivilDay(1990, 1, 1), day), 35);
  EXPECT_EQ(AgeOn(absl::CivilDay(2026, 1, 1), day), -1);
}

TEST(AgeOnTest, LeapDayBirthdayFallsOnFirstOfMarchInCommonYears) {
  const absl::CivilDay birth(2004, 2, 29);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2022, 2, 28)), 17);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2022, 3, 1)), 18);
  EXPECT_EQ(AgeOn(birth, absl::CivilDay(2024, 2, 29)), 20);
}

TEST(AgeBandForTest, Boundaries) {
  using namespace ::jobintech::common::v1;  // NOLINT(build/namespaces)
  EXPECT_EQ(AgeBandFor(17), AGE_BAND_UNDER_18);
  EXPECT_EQ(AgeBandFor(18), AGE_BAND_18_20);
  EXPECT_EQ(AgeBandFor(20), AGE_BAND_18_20);
  EXPECT_EQ(AgeBandFor(21), AGE_BAND_21_24);
  EXPECT_EQ(AgeBandFor(24), AGE_BAND_21_24);
  EXPECT_EQ(AgeBandFor(25), AGE_BAND_25_29);
  EXPECT_EQ(AgeBandFor(29), AGE_BAND_25_29);
  EXPECT_EQ(AgeBandFor(30), AGE_BAND_30_35);
  EXPECT_EQ(AgeBandFor(35), AGE_BAND_30_35);
  EXPECT_EQ(AgeBandFor(36), AGE_BAND_OVER_35);
}

TEST(CollectViolationsTest, MergesFieldViolations) {
  status::FieldViolations v;
  EXPECT_TRUE(CollectViolations(absl::OkStatus(), v));
  EXPECT_FALSE(CollectViolations(ValidateRequestId(""), v));
  EXPECT_FALSE(CollectViolations(absl::InternalError("boom"), v, "other"));
  EXPECT_THAT(v.violations(),
              ElementsAre(status::FieldViolation{"request_id", "is required"},
                          status::FieldViolation{"other", "boom"}));
}

}  // namespace
}  // namespace jit::enrollment
