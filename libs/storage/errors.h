// Mapping of SQLite result codes to absl::Status, and predicates over the
// statuses this library returns.
//
//   SQLITE_BUSY / SQLITE_LOCKED (after the busy timeout) -> UNAVAILABLE
//       "database is busy: <path>: <what>: <sqlite message>"
//   SQLITE_FULL, and any SQLITE_IOERR_* whose system error
//   is ENOSPC or EDQUOT (no space or quota left)         -> RESOURCE_EXHAUSTED
//       "storage full, retry later: <path>: <what>: <sqlite message>"
//   SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY / _ROWID      -> ALREADY_EXISTS
//   any other SQLITE_CONSTRAINT_*                        -> FAILED_PRECONDITION
//   everything else                                      -> INTERNAL
//
// Every error status built here carries the extended SQLite result code as a
// payload (kSqliteResultCodePayloadUrl), so callers can tell a storage
// constraint violation from an ALREADY_EXISTS produced by domain code.
//
// The database's file path stays in the message for the server's logs and
// is withheld from clients (libs/status/details.h: ToGrpcStatus shows
// "[withheld]" in its place), so a caller never learns the server's layout.
// A full disk is RESOURCE_EXHAUSTED (google.rpc.Code: "perhaps the entire
// file system is out of space"): the transaction was rolled back, nothing was
// written, and the same request may be retried once space is freed; reads go
// on meanwhile.
#ifndef JIT_LIBS_STORAGE_ERRORS_H_
#define JIT_LIBS_STORAGE_ERRORS_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace jit::storage {

// Payload type URL holding the extended SQLite result code in decimal.
inline constexpr char kSqliteResultCodePayloadUrl[] =
    "type.jobintech.ma/jit.storage.SqliteResultCode";

// Builds the status for SQLite result code `extended_code` (extended codes
// and primary codes are both accepted). `db_path` names the database,
// `what` the operation or SQL that failed, `sqlite_message` is
// sqlite3_errmsg(), `system_errno` sqlite3_system_errno() (0 when unknown).
// Returns OK for SQLITE_OK, SQLITE_ROW and SQLITE_DONE.
absl::Status SqliteErrorToStatus(int extended_code, absl::string_view db_path,
                                 absl::string_view what,
                                 absl::string_view sqlite_message,
                                 int system_errno = 0);

// The extended SQLite result code carried by a status built by this library,
// if any.
std::optional<int> SqliteResultCode(const absl::Status& status);

// True for a UNIQUE or PRIMARY KEY constraint violation reported by SQLite.
bool IsUniqueViolation(const absl::Status& status);

// True for any constraint violation (UNIQUE, PRIMARY KEY, NOT NULL, CHECK,
// FOREIGN KEY, ...) reported by SQLite.
bool IsConstraintViolation(const absl::Status& status);

// True when SQLite reported the database busy or locked (UNAVAILABLE); the
// caller may retry the whole transaction.
bool IsBusy(const absl::Status& status);

// True when the database's file system (or its quota, or the database's
// max_page_count) is full (RESOURCE_EXHAUSTED, see above).
bool IsStorageFull(const absl::Status& status);

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_ERRORS_H_
