// RFC 4180 CSV writing for files people open in a spreadsheet.
//
// A Writer renders rows of cells: fields separated by the delimiter (','),
// records ended by CRLF, a field enclosed in double quotes when it holds the
// delimiter, a double quote, a line break or leading/trailing spaces, with
// its quotes doubled. By default the text starts with a UTF-8 byte-order
// mark, so that Excel reads Arabic and accented French as UTF-8 instead of
// the machine's ANSI code page.
//
// Cells come in two kinds:
//  - Text: anything that may come from data (a name, a label). A text cell
//    that a spreadsheet would read as a formula (first character = + - @,
//    tab or carriage return) is prefixed with an apostrophe, the OWASP
//    defence against CSV/formula injection: the cell shows the text and is
//    never evaluated.
//  - Literal: a value the program wrote itself (a number, a date, a mark
//    such as "<5"); written as given (quoted if it needs quotes), never
//    altered, so that numbers stay numbers.
//
// Thread safety: a Writer is a value; use one per thread.
#ifndef JIT_LIBS_CSV_WRITER_H_
#define JIT_LIBS_CSV_WRITER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace jit::csv {

// EF BB BF, U+FEFF in UTF-8.
inline constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";

class Cell {
 public:
  // A cell that may come from data: guarded against formula injection.
  static Cell Text(absl::string_view text);
  // A value written as given (numbers, dates, marks produced by the program).
  static Cell Literal(absl::string_view text);
  // A number in the shortest decimal notation that reads back as the same
  // double, never in exponent form ("7", "0.732", "0.00005"); empty for NaN
  // or infinities.
  static Cell Number(double value);
  static Cell Integer(int64_t value);
  static Cell Empty() { return Literal(""); }

  // The field before quoting.
  const std::string& value() const { return value_; }

 private:
  explicit Cell(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

struct Options {
  // Write the UTF-8 byte-order mark first (default: for spreadsheets).
  bool byte_order_mark = true;
  char delimiter = ',';
};

class Writer {
 public:
  explicit Writer(Options options = {});

  // The header row: column names as Text cells.
  void Header(const std::vector<std::string>& names);
  void Row(const std::vector<Cell>& cells);

  // Data rows written so far (the header excluded).
  int rows() const { return rows_; }
  const std::string& str() const { return out_; }
  std::string Take() && { return std::move(out_); }

 private:
  void Write(const std::vector<Cell>& cells);

  Options options_;
  std::string out_;
  int rows_ = 0;
};

// One field in RFC 4180 form: quoted (quotes doubled) when it holds the
// delimiter, '"', CR or LF, or starts or ends with a space; as is otherwise.
std::string Quote(absl::string_view field, char delimiter = ',');

// `text` with an apostrophe in front when a spreadsheet would evaluate it
// (first character '=', '+', '-', '@', '\t' or '\r'); unchanged otherwise.
std::string GuardFormula(absl::string_view text);

// See Cell::Number.
std::string FormatNumber(double value);

}  // namespace jit::csv

#endif  // JIT_LIBS_CSV_WRITER_H_
