#include "libs/storage/statement.h"

#include <sqlite3.h>

#include <climits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/storage/database.h"
#include "libs/storage/errors.h"

namespace jit::storage {

Statement::Statement(Database* owner, sqlite3_stmt* stmt)
    : owner_(owner), stmt_(stmt) {}

Statement::Statement(Statement&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (owner_ != nullptr) {
    owner_->ReleaseStatement(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
  owner_ = nullptr;
}

absl::string_view Statement::sql() const {
  if (stmt_ == nullptr) return {};
  const char* s = sqlite3_sql(stmt_);
  return s == nullptr ? absl::string_view() : absl::string_view(s);
}

absl::Status Statement::BindResult(int rc, int index, absl::string_view what) {
  if (rc == SQLITE_OK) return absl::OkStatus();
  if (rc == SQLITE_RANGE) {
    return absl::InvalidArgumentError(
        absl::StrCat("bind ", what, ": parameter index ", index,
                     " out of range (statement has ",
                     stmt_ == nullptr ? 0 : sqlite3_bind_parameter_count(stmt_),
                     "): ", sql()));
  }
  return SqliteErrorToStatus(
      rc, owner_ != nullptr ? absl::string_view(owner_->path()) : "",
      absl::StrCat("bind ", what, " in ", sql()), sqlite3_errstr(rc));
}

absl::StatusOr<int> Statement::IndexOf(absl::string_view name) const {
  if (stmt_ == nullptr) {
    return absl::FailedPreconditionError("statement was moved from");
  }
  std::string full(name);
  if (full.empty() || (full[0] != ':' && full[0] != '@' && full[0] != '$')) {
    full.insert(full.begin(), ':');
  }
  const int index = sqlite3_bind_parameter_index(stmt_, full.c_str());
  if (index == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("no parameter named '", full, "' in: ", sql()));
  }
  return index;
}

absl::Status Statement::BindInt64(int index, int64_t value) {
  if (stmt_ == nullptr) return absl::FailedPreconditionError("moved from");
  return BindResult(sqlite3_bind_int64(stmt_, index, value), index, "int64");
}

absl::Status Statement::BindDouble(int index, double value) {
  if (stmt_ == nullptr) return absl::FailedPreconditionError("moved from");
  return BindResult(sqlite3_bind_double(stmt_, index, value), index, "double");
}

absl::Status Statement::BindText(int index, absl::string_view value) {
  if (stmt_ == nullptr) return absl::FailedPreconditionError("moved from");
  // A non-null pointer even for an empty value, so "" binds as '' not NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  return BindResult(sqlite3_bind_text64(stmt_, index, data, value.size(),
                                        SQLITE_TRANSIENT, SQLITE_UTF8),
                    index, "text");
}

absl::Status Statement::BindBlob(int index, absl::string_view value) {
  if (stmt_ == nullptr) return absl::FailedPreconditionError("moved from");
  if (value.empty()) {
    return BindResult(sqlite3_bind_zeroblob(stmt_, index, 0), index, "blob");
  }
  return BindResult(sqlite3_bind_blob64(stmt_, index, value.data(),
                                        value.size(), SQLITE_TRANSIENT),
                    index, "blob");
}

absl::Status Statement::BindNull(int index) {
  if (stmt_ == nullptr) return absl::FailedPreconditionError("moved from");
  return BindResult(sqlite3_bind_null(stmt_, index), index, "null");
}

absl::Status Statement::BindInt64(absl::string_view name, int64_t value) {
  absl::StatusOr<int> index = IndexOf(name);
  if (!index.ok()) return index.status();
  return BindInt64(*index, value);
}

absl::Status Statement::BindDouble(absl::string_view name, double value) {
  absl::StatusOr<int> index = IndexOf(name);
  if (!index.ok()) return index.status();
  return BindDouble(*index, value);
}

absl::Status Statement::BindText(absl::string_view name,
                                 absl::string_view value) {
  absl::StatusOr<int> index = IndexOf(name);
  if (!index.ok()) return index.status();
  return BindText(*index, value);
}

absl::Status Statement::BindBlob(absl::string_view name,
                                 absl::string_view value) {
  absl::StatusOr<int> index = IndexOf(name);
  if (!index.ok()) return index.status();
  return BindBlob(*index, value);
}

absl::Status Statement::BindNull(absl::string_view name) {
  absl::StatusOr<int> index = IndexOf(name);
  if (!index.ok()) return index.status();
  return BindNull(*index);
}

absl::StatusOr<bool> Statement::Step() {
  if (stmt_ == nullptr) {
    return absl::FailedPreconditionError("statement was moved from");
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(stmt_);
  const int extended = db != nullptr ? sqlite3_extended_errcode(db) : rc;
  return SqliteErrorToStatus(
      extended, owner_ != nullptr ? absl::string_view(owner_->path()) : "",
      sql(), db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc),
      db != nullptr ? sqlite3_system_errno(db) : 0);
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) {
      sqlite3_reset(stmt_);
      return row.status();
    }
    if (!*row) break;
  }
  sqlite3_reset(stmt_);
  return absl::OkStatus();
}

absl::Status Statement::Reset() {
  if (stmt_ == nullptr) {
    return absl::FailedPreconditionError("statement was moved from");
  }
  // sqlite3_reset reports the error of the last step, which the caller has
  // already seen; the reset itself always succeeds.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return absl::OkStatus();
}

int Statement::ColumnCount() const {
  return stmt_ == nullptr ? 0 : sqlite3_column_count(stmt_);
}

bool Statement::ValidColumn(int column) const {
  return stmt_ != nullptr && column >= 0 && column < sqlite3_data_count(stmt_);
}

std::string Statement::ColumnName(int column) const {
  if (stmt_ == nullptr || column < 0 || column >= ColumnCount()) return "";
  const char* name = sqlite3_column_name(stmt_, column);
  return name == nullptr ? "" : name;
}

bool Statement::ColumnIsNull(int column) const {
  return !ValidColumn(column) ||
         sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int column) const {
  return ValidColumn(column) ? sqlite3_column_int64(stmt_, column) : 0;
}

double Statement::ColumnDouble(int column) const {
  return ValidColumn(column) ? sqlite3_column_double(stmt_, column) : 0.0;
}

std::string Statement::ColumnText(int column) const {
  if (!ValidColumn(column)) return "";
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || size <= 0) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(size));
}

std::string Statement::ColumnBlob(int column) const {
  if (!ValidColumn(column)) return "";
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr || size <= 0) return "";
  return std::string(static_cast<const char*>(blob), static_cast<size_t>(size));
}

}  // namespace jit::storage
