#include "libs/csv/writer.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace jit::csv {

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "";
  if (value == 0) return "0";  // also -0
  // Fixed notation, shortest digits that round-trip: at most 309 integer
  // digits and 17 significant fraction digits plus leading zeros.
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (ec != std::errc()) return absl::StrCat(value);
  return std::string(buf, end);
}

std::string GuardFormula(absl::string_view text) {
  if (text.empty()) return "";
  switch (text.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return absl::StrCat("'", text);
    default:
      return std::string(text);
  }
}

std::string Quote(absl::string_view field, char delimiter) {
  bool needs_quotes = !field.empty() && (field.front() == ' ' || field.back() == ' ');
  for (char c : field) {
    if (c == delimiter || c == '"' || c == '\r' || c == '\n') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

Cell Cell::Text(absl::string_view text) { return Cell(GuardFormula(text)); }
Cell Cell::Literal(absl::string_view text) { return Cell(std::string(text)); }
Cell Cell::Number(double value) { return Cell(FormatNumber(value)); }
Cell Cell::Integer(int64_t value) { return Cell(absl::StrCat(value)); }

Writer::Writer(Options options) : options_(options) {
  if (options_.byte_order_mark) out_.append(kByteOrderMark.data(), kByteOrderMark.size());
}

void Writer::Header(const std::vector<std::string>& names) {
  std::vector<Cell> cells;
  cells.reserve(names.size());
  for (const std::string& n : names) cells.push_back(Cell::Text(n));
  Write(cells);
}

void Writer::Row(const std::vector<Cell>& cells) {
  Write(cells);
  ++rows_;
}

void Writer::Write(const std::vector<Cell>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out_.push_back(options_.delimiter);
    out_ += Quote(cells[i].value(), options_.delimiter);
  }
  out_ += "\r\n";
}

}  // namespace jit::csv
