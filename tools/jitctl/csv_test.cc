#include "tools/jitctl/csv.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::jitctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

TEST(CsvTest, PlainRecordsWithLfAndCrlf) {
  auto r = ParseCsv("a,b,c\n1,2,3\r\n4,5,6");
  ASSERT_THAT(r, SizeIs(3));
  EXPECT_THAT(r[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_THAT(r[1].fields, ElementsAre("1", "2", "3"));
  EXPECT_THAT(r[2].fields, ElementsAre("4", "5", "6"));
  EXPECT_EQ(r[2].line, 3);
  for (const auto& rec : r) EXPECT_THAT(rec.error, IsEmpty());
}

TEST(CsvTest, QuotedFieldsHoldDelimitersQuotesAndLineBreaks) {
  auto r = ParseCsv("name,note\n\"El Amrani, Salma\",\"she said \"\"hi\"\"\"\n\"two\nlines\",x\nlast,row\n");
  ASSERT_THAT(r, SizeIs(4));
  EXPECT_THAT(r[1].fields, ElementsAre("El Amrani, Salma", "she said \"hi\""));
  EXPECT_THAT(r[2].fields, ElementsAre("two\nlines", "x"));
  EXPECT_EQ(r[2].line, 3);
  EXPECT_EQ(r[3].line, 5);  // the quoted line break counts
}

TEST(CsvTest, EmptyFieldsAndTrailingDelimiter) {
  auto r = ParseCsv("a,,c,\n,,\n");
  ASSERT_THAT(r, SizeIs(2));
  EXPECT_THAT(r[0].fields, ElementsAre("a", "", "c", ""));
  EXPECT_THAT(r[1].fields, ElementsAre("", "", ""));
}

TEST(CsvTest, BlankLinesAreSkippedAndBomDropped) {
  auto r = ParseCsv("\xEF\xBB\xBFh1,h2\n\n\r\nv1,v2\n\n");
  ASSERT_THAT(r, SizeIs(2));
  EXPECT_THAT(r[0].fields, ElementsAre("h1", "h2"));
  EXPECT_EQ(r[1].line, 4);
}

TEST(CsvTest, QuoteInsideUnquotedFieldIsAnErrorForThatRecordOnly) {
  auto r = ParseCsv("a,b\nfo\"o,1\nok,2\n");
  ASSERT_THAT(r, SizeIs(3));
  EXPECT_THAT(r[1].error, HasSubstr("double quote inside an unquoted field"));
  EXPECT_THAT(r[2].error, IsEmpty());
  EXPECT_THAT(r[2].fields, ElementsAre("ok", "2"));
}

TEST(CsvTest, TextAfterClosingQuoteIsAnError) {
  auto r = ParseCsv("\"abc\"def,1\nx,y\n");
  ASSERT_THAT(r, SizeIs(2));
  EXPECT_THAT(r[0].error, HasSubstr("after a closing quote"));
  EXPECT_THAT(r[1].fields, ElementsAre("x", "y"));
}

TEST(CsvTest, UnterminatedQuoteSwallowsTheRest) {
  auto r = ParseCsv("a,b\n\"open,1\nmore,2\n");
  ASSERT_THAT(r, SizeIs(2));
  EXPECT_THAT(r[1].error, HasSubstr("unterminated quoted field"));
  EXPECT_EQ(r[1].line, 2);
}

TEST(CsvTest, SemicolonDelimiterIsDetected) {
  EXPECT_EQ(DetectDelimiter("a;b;c\n1;2;3"), ';');
  EXPECT_EQ(DetectDelimiter("a,b;c\n"), ',');
  EXPECT_EQ(DetectDelimiter("\"x;y\",b\n"), ',');
  auto r = ParseCsv("a;b\n\"1;2\";3\n", ';');
  EXPECT_THAT(r[1].fields, ElementsAre("1;2", "3"));
}

TEST(CsvTest, EscapeRoundTrips) {
  const std::vector<std::string> fields = {"plain", "with,comma", "with \"quote\"", "two\nlines", " padded "};
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + CsvEscape(fields[i]);
  auto r = ParseCsv(line + "\n");
  ASSERT_THAT(r, SizeIs(1));
  EXPECT_EQ(r[0].fields, fields);
}

}  // namespace
}  // namespace jit::jitctl
