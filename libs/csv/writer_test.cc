// The CSV writer: RFC 4180 quoting, the byte-order mark, CRLF records,
// numbers that stay numbers, and the formula-injection guard.
#include "libs/csv/writer.h"

#include <cstdlib>
#include <limits>

#include "gtest/gtest.h"

namespace jit::csv {
namespace {

TEST(QuoteTest, PlainFieldsAreWrittenAsTheyAre) {
  EXPECT_EQ(Quote("MA-05"), "MA-05");
  EXPECT_EQ(Quote(""), "");
  EXPECT_EQ(Quote("Béni Mellal-Khénifra"), "Béni Mellal-Khénifra");
  EXPECT_EQ(Quote("بني ملال خنيفرة"), "بني ملال خنيفرة");
}

TEST(QuoteTest, DelimitersQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(Quote("Casablanca, Settat"), "\"Casablanca, Settat\"");
  EXPECT_EQ(Quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Quote("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Quote("two\r\nlines"), "\"two\r\nlines\"");
  EXPECT_EQ(Quote(" padded "), "\" padded \"");
  EXPECT_EQ(Quote("\""), "\"\"\"\"");
  // Another delimiter: the comma no longer needs quotes, the semicolon does.
  EXPECT_EQ(Quote("a,b", ';'), "a,b");
  EXPECT_EQ(Quote("a;b", ';'), "\"a;b\"");
}

TEST(WriterTest, StartsWithTheByteOrderMarkAndEndsRecordsWithCrlf) {
  Writer w;
  w.Header({"region_code", "name_fr"});
  w.Row({Cell::Text("MA-06"), Cell::Text("Casablanca-Settat")});
  w.Row({Cell::Text("MA-11"), Cell::Text("Guelmim, Oued Noun")});
  EXPECT_EQ(w.str(),
            "\xEF\xBB\xBF"
            "region_code,name_fr\r\n"
            "MA-06,Casablanca-Settat\r\n"
            "MA-11,\"Guelmim, Oued Noun\"\r\n");
  EXPECT_EQ(w.rows(), 2);
}

TEST(WriterTest, TheByteOrderMarkCanBeLeftOut) {
  Writer w({.byte_order_mark = false, .delimiter = ','});
  w.Header({"a"});
  EXPECT_EQ(w.str(), "a\r\n");
  EXPECT_EQ(w.rows(), 0);
}

TEST(WriterTest, EmptyCellsKeepTheirPlace) {
  Writer w({.byte_order_mark = false});
  w.Row({Cell::Empty(), Cell::Literal("1"), Cell::Empty()});
  EXPECT_EQ(w.str(), ",1,\r\n");
}

TEST(FormulaGuardTest, TextThatASpreadsheetWouldEvaluateIsPrefixed) {
  EXPECT_EQ(GuardFormula("=HYPERLINK(\"http://evil\",\"x\")"), "'=HYPERLINK(\"http://evil\",\"x\")");
  EXPECT_EQ(GuardFormula("+33 6"), "'+33 6");
  EXPECT_EQ(GuardFormula("-2+3"), "'-2+3");
  EXPECT_EQ(GuardFormula("@SUM(A1:A2)"), "'@SUM(A1:A2)");
  EXPECT_EQ(GuardFormula("\t=1"), "'\t=1");
  EXPECT_EQ(GuardFormula("\r=1"), "'\r=1");
  // Elsewhere in the text it is harmless.
  EXPECT_EQ(GuardFormula("MA-05"), "MA-05");
  EXPECT_EQ(GuardFormula("a=b"), "a=b");
  EXPECT_EQ(GuardFormula(""), "");
}

TEST(FormulaGuardTest, TextCellsAreGuardedAndLiteralsAreNot) {
  Writer w({.byte_order_mark = false});
  w.Row({Cell::Text("=1+1"), Cell::Text("@cmd, \"x\""), Cell::Literal("-"), Cell::Number(-3)});
  // The guarded text is then quoted like any other field.
  EXPECT_EQ(w.str(), "'=1+1,\"'@cmd, \"\"x\"\"\",-,-3\r\n");
}

TEST(NumberTest, ShortestRoundTripWithoutExponent) {
  EXPECT_EQ(FormatNumber(7), "7");
  EXPECT_EQ(FormatNumber(15000), "15000");
  EXPECT_EQ(FormatNumber(0.732), "0.732");
  EXPECT_EQ(FormatNumber(0.00005), "0.00005");
  EXPECT_EQ(FormatNumber(25.5), "25.5");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::quiet_NaN()), "");
  EXPECT_EQ(FormatNumber(std::numeric_limits<double>::infinity()), "");
  // Reads back as the same double.
  for (double v : {1.0 / 3, 2.0 / 7, 0.1 + 0.2, 123456.789, 1e-7}) {
    const std::string s = FormatNumber(v);
    EXPECT_EQ(s.find('e'), std::string::npos) << s;
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
  EXPECT_EQ(Cell::Integer(-42).value(), "-42");
}

}  // namespace
}  // namespace jit::csv
