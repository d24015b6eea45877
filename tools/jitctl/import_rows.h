// Bulk import of applications and attendance from CSV: header validation,
// row -> request mapping, request-id derivation and the mapping of the
// services' field violations back to CSV columns.
//
// Idempotency: each row's request id is derived from its normalized content
// (the canonical form: columns in schema order, values trimmed and
// normalized: dates as YYYY-MM-DD, enums by name, national id upper-case
// without spaces...), never from its position, keyed with a secret of this
// installation (HMAC-SHA256 under the import key, LoadOrCreateImportKey):
// the id is stored by the services and copied onto events, and a plain hash
// of a row holding a national ID would let anyone who guesses the row confirm
// it. A re-run of the same file on the same installation (or of a file with
// the rows reordered, re-saved by a spreadsheet, or with columns in another
// order) sends the same request ids, and the services replay their first
// answer instead of writing twice. A corrected row gets a new id.
#ifndef JIT_TOOLS_JITCTL_IMPORT_ROWS_H_
#define JIT_TOOLS_JITCTL_IMPORT_ROWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "jobintech/enrollment/v1/enrollment_service.pb.h"
#include "jobintech/progress/v1/training_progress_service.pb.h"
#include "tools/jitctl/csv.h"

namespace jit::jitctl {

enum class ImportKind { kApplications, kAttendance };

absl::string_view ImportKindName(ImportKind kind);  // "applications", "attendance"

// A column of an import file.
struct ColumnSpec {
  std::string name;         // canonical header name, e.g. "national_id"
  std::string proto_field;  // field path in the request, e.g. "candidate.national_id"
  std::string help;         // what goes in it
};

// The columns of each kind, in canonical order (the order of the template).
const std::vector<ColumnSpec>& ColumnsOf(ImportKind kind);

// Values given on the command line for every row (--cohort, --module,
// --date); a column of the same name in the file wins for its rows.
struct RowDefaults {
  std::string cohort_id = "";
  std::string module_id = "";
  std::string session_date = "";
};

// Where each canonical column is in the file (-1 when absent).
struct HeaderMap {
  std::vector<int> index;  // parallel to ColumnsOf(kind)
  int width = 0;           // number of header fields
};

// Validates the header record: names are matched case-insensitively, with
// spaces and '-' read as '_'. Fails (INVALID_ARGUMENT, one message listing
// every problem) on an empty or duplicate name, an unknown column, or a
// missing column that has no default.
absl::StatusOr<HeaderMap> ValidateHeader(ImportKind kind, const std::vector<std::string>& header,
                                         const RowDefaults& defaults);

// A problem with one field of a row.
struct RowError {
  std::string column;       // CSV column ("national_id"), empty for the row
  std::string description;  // what is wrong
};

// One data row, mapped.
struct MappedRow {
  int row = 0;   // 1-based data row (the header is row 0)
  int line = 0;  // line of the file where the row starts
  // Canonical form the request id is derived from (empty if the row is bad).
  std::string canonical;
  std::string request_id;
  // The id version 1 of jitctl gave the row (a plain SHA-256): never sent or
  // stored, only compared with old journals (MigrateJournalLine).
  std::string legacy_request_id;
  // Local problems (bad date, unknown gender, wrong number of fields...);
  // when not empty the row is not sent.
  std::vector<RowError> errors;
  // Set when `errors` is empty and the kind matches.
  std::optional<jobintech::enrollment::v1::SubmitApplicationRequest> application;
  std::optional<jobintech::progress::v1::RecordAttendanceRequest> attendance;
};

// Maps one parsed record (not the header). Never fails: problems go to
// MappedRow::errors.
// `id_key`: the installation's import key (raw bytes).
MappedRow MapRow(ImportKind kind, const HeaderMap& header, const CsvRecord& record, int row,
                 const RowDefaults& defaults, absl::string_view id_key);

// "imp-<kind>-v2-" + the first 32 hex digits of HMAC-SHA256(id_key, kind,
// canonical).
std::string DeriveRequestId(ImportKind kind, absl::string_view canonical,
                            absl::string_view id_key);

// Version 1's id: "imp-<kind>-v1-" + 32 hex digits of the plain SHA-256 of
// (kind, canonical). Only to recognize rows of an old journal.
std::string LegacyRequestId(ImportKind kind, absl::string_view canonical);

// An old journal's version-1 request id as the journal keeps it from now on:
// "imp-<kind>-v1k-" + 32 hex digits of HMAC-SHA256(id_key, id). Other ids are
// returned unchanged.
std::string MigrateJournalId(absl::string_view request_id, absl::string_view id_key);

// The installation's import key at `path`: 32 random bytes kept as 64 hex
// digits in a file of mode 0600, created (with its folder) when missing.
// FAILED_PRECONDITION naming the file when it cannot be read or written, is
// malformed, or is readable by others.
absl::StatusOr<std::string> LoadOrCreateImportKey(const std::string& path);

// Lower-case hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(absl::string_view key, absl::string_view data);

// The CSV column of a request field path reported by a service
// ("candidate.national_id" -> "national_id", "entries[0].mark" -> "mark");
// the path itself when no column matches.
std::string ColumnForField(ImportKind kind, absl::string_view field_path);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(absl::string_view data);

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_IMPORT_ROWS_H_
