// RFC 4180 CSV parsing for the bulk imports of jitctl.
//
// Accepted: fields separated by a delimiter (',' or ';', the latter being what
// French-locale spreadsheets export), records ended by CRLF, LF or CR, fields
// enclosed in double quotes that may hold delimiters, line breaks and doubled
// quotes (""), an optional UTF-8 byte-order mark, an optional final line
// break. Blank lines are skipped (hand-edited files have them).
//
// A malformed record (a quote inside an unquoted field, text after a closing
// quote, an unterminated quoted field) is returned with `error` set so that
// the caller can report it and go on with the next record; an unterminated
// quote swallows the rest of the file (there is no way to resynchronise).
#ifndef JIT_TOOLS_JITCTL_CSV_H_
#define JIT_TOOLS_JITCTL_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace jit::jitctl {

struct CsvRecord {
  std::vector<std::string> fields;
  // 1-based line of the file where the record starts.
  int line = 0;
  // Empty when the record is well formed.
  std::string error;
};

// ',' unless the first line has ';' and no ',' outside quotes.
char DetectDelimiter(absl::string_view text);

// Parses the whole text. Records keep their order; blank lines are dropped.
std::vector<CsvRecord> ParseCsv(absl::string_view text, char delimiter = ',');

// One field written back in RFC 4180 form (quoted when needed): csv::Quote.
std::string CsvEscape(absl::string_view field, char delimiter = ',');

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_CSV_H_
