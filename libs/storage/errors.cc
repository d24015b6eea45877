#include "libs/storage/errors.h"

#include <sqlite3.h>

#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/status/details.h"

namespace jit::storage {
namespace {

// The result code as a payload; the path withheld from clients.
absl::Status WithCode(absl::Status status, int extended_code,
                      absl::string_view db_path) {
  status.SetPayload(kSqliteResultCodePayloadUrl,
                    absl::Cord(absl::StrCat(extended_code)));
  return status::Withhold(std::move(status), db_path);
}

bool NoSpace(int extended_code, int system_errno) {
  const int primary = extended_code & 0xff;
  if (primary == SQLITE_FULL) return true;
  return primary == SQLITE_IOERR &&
         (system_errno == ENOSPC || system_errno == EDQUOT);
}

}  // namespace

absl::Status SqliteErrorToStatus(int extended_code, absl::string_view db_path,
                                 absl::string_view what,
                                 absl::string_view sqlite_message,
                                 int system_errno) {
  const int primary = extended_code & 0xff;
  if (primary == SQLITE_OK || primary == SQLITE_ROW || primary == SQLITE_DONE) {
    return absl::OkStatus();
  }
  const std::string detail =
      absl::StrCat(db_path, ": ", what, ": ", sqlite_message);
  if (NoSpace(extended_code, system_errno)) {
    return WithCode(absl::ResourceExhaustedError(
                        absl::StrCat("storage full, retry later: ", detail)),
                    extended_code, db_path);
  }
  switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return WithCode(
          absl::UnavailableError(absl::StrCat("database is busy: ", detail)),
          extended_code, db_path);
    case SQLITE_CONSTRAINT:
      if (extended_code == SQLITE_CONSTRAINT_UNIQUE ||
          extended_code == SQLITE_CONSTRAINT_PRIMARYKEY ||
          extended_code == SQLITE_CONSTRAINT_ROWID) {
        return WithCode(
            absl::AlreadyExistsError(absl::StrCat("duplicate key: ", detail)),
            extended_code, db_path);
      }
      return WithCode(absl::FailedPreconditionError(
                          absl::StrCat("constraint violated: ", detail)),
                      extended_code, db_path);
    default:
      return WithCode(absl::InternalError(absl::StrCat(
                          "sqlite error ", extended_code, ": ", detail)),
                      extended_code, db_path);
  }
}

std::optional<int> SqliteResultCode(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  auto payload = status.GetPayload(kSqliteResultCodePayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  int code = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &code)) return std::nullopt;
  return code;
}

bool IsUniqueViolation(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kAlreadyExists) return false;
  const std::optional<int> code = SqliteResultCode(status);
  return code.has_value() && (*code == SQLITE_CONSTRAINT_UNIQUE ||
                              *code == SQLITE_CONSTRAINT_PRIMARYKEY ||
                              *code == SQLITE_CONSTRAINT_ROWID);
}

bool IsConstraintViolation(const absl::Status& status) {
  const std::optional<int> code = SqliteResultCode(status);
  return code.has_value() && (*code & 0xff) == SQLITE_CONSTRAINT;
}

bool IsStorageFull(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted &&
         SqliteResultCode(status).has_value();
}

bool IsBusy(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kUnavailable) return false;
  const std::optional<int> code = SqliteResultCode(status);
  return code.has_value() &&
         ((*code & 0xff) == SQLITE_BUSY || (*code & 0xff) == SQLITE_LOCKED);
}

}  // namespace jit::storage
