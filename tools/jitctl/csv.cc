#include "tools/jitctl/csv.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/csv/writer.h"

namespace jit::jitctl {

char DetectDelimiter(absl::string_view text) {
  bool in_quotes = false;
  int commas = 0;
  int semicolons = 0;
  for (char c : text) {
    if (c == '"') {
      in_quotes = !in_quotes;
    } else if (!in_quotes && (c == '\n' || c == '\r')) {
      break;
    } else if (!in_quotes && c == ',') {
      ++commas;
    } else if (!in_quotes && c == ';') {
      ++semicolons;
    }
  }
  return (semicolons > 0 && commas == 0) ? ';' : ',';
}

std::vector<CsvRecord> ParseCsv(absl::string_view text, char delimiter) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<CsvRecord> records;
  size_t i = 0;
  int line = 1;
  const size_t n = text.size();

  // Consumes a line break at i (CRLF, LF or CR); true when there was one.
  auto consume_break = [&]() {
    if (i >= n) return false;
    if (text[i] == '\r') {
      ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      return true;
    }
    if (text[i] == '\n') {
      ++i;
      ++line;
      return true;
    }
    return false;
  };

  while (i < n) {
    // Blank line: skip.
    if (text[i] == '\r' || text[i] == '\n') {
      consume_break();
      continue;
    }
    CsvRecord record;
    record.line = line;
    std::string field;
    bool done = false;
    while (!done) {
      field.clear();
      if (i < n && text[i] == '"') {
        // Quoted field.
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\r' || c == '\n') {
            // A line break inside quotes is part of the field (kept as LF
            // for CRLF, as is).
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
              field.push_back('\r');
              field.push_back('\n');
              i += 2;
            } else {
              field.push_back(c);
              ++i;
            }
            ++line;
            continue;
          }
          field.push_back(c);
          ++i;
        }
        if (!closed) {
          record.error = absl::StrCat("unterminated quoted field (opened on line ",
                                      record.line, "); the rest of the file was ignored");
          record.fields.push_back(std::move(field));
          records.push_back(std::move(record));
          return records;
        }
        // After the closing quote: a delimiter, a line break or the end.
        if (i < n && text[i] != delimiter && text[i] != '\r' && text[i] != '\n') {
          if (record.error.empty()) {
            record.error = absl::StrCat("unexpected character '", std::string(1, text[i]),
                                        "' after a closing quote in field ",
                                        record.fields.size() + 1);
          }
          // Resynchronise: skip to the next delimiter or line break.
          while (i < n && text[i] != delimiter && text[i] != '\r' && text[i] != '\n') {
            field.push_back(text[i]);
            ++i;
          }
        }
      } else {
        // Unquoted field.
        while (i < n && text[i] != delimiter && text[i] != '\r' && text[i] != '\n') {
          if (text[i] == '"' && record.error.empty()) {
            record.error = absl::StrCat(
                "a double quote inside an unquoted field (field ", record.fields.size() + 1,
                "); enclose the field in quotes and double the quote (\"\")");
          }
          field.push_back(text[i]);
          ++i;
        }
      }
      record.fields.push_back(field);
      if (i < n && text[i] == delimiter) {
        ++i;
        continue;  // next field (possibly empty at the end of the line)
      }
      consume_break();
      done = true;
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string CsvEscape(absl::string_view field, char delimiter) {
  return csv::Quote(field, delimiter);
}

}  // namespace jit::jitctl
