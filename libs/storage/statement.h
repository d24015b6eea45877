// A thin wrapper over one prepared SQLite statement.
//
// Statements are obtained from `Tx::Prepare` inside `Database::Transaction`
// and must not outlive that transaction (they are used under the database's
// lock). When a Statement is destroyed its underlying sqlite3_stmt is reset,
// its bindings cleared, and it goes back to the database's statement cache,
// so preparing the same SQL again is cheap.
//
//   ASSIGN_OR_RETURN(storage::Statement st,
//                    tx.Prepare("SELECT name FROM t WHERE id = :id"));
//   RETURN_IF_ERROR(st.BindInt64(":id", 42));
//   ASSIGN_OR_RETURN(bool has_row, st.Step());
//   if (has_row) name = st.ColumnText(0);
//
// Parameter indexes and column indexes follow SQLite: parameters start at 1,
// columns at 0. Text and blob values are copied when bound.
//
// Thread safety: a Statement is not thread-safe; use it only on the thread
// that runs the transaction that prepared it.
#ifndef JIT_LIBS_STORAGE_STATEMENT_H_
#define JIT_LIBS_STORAGE_STATEMENT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct sqlite3_stmt;

namespace jit::storage {

class Database;

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binding by 1-based index. An index out of range is INVALID_ARGUMENT.
  absl::Status BindInt64(int index, int64_t value);
  absl::Status BindDouble(int index, double value);
  absl::Status BindText(int index, absl::string_view value);
  absl::Status BindBlob(int index, absl::string_view value);
  absl::Status BindNull(int index);

  // Binding by name: ":name", "@name" or "$name" as written in the SQL; a
  // bare "name" means ":name". An unknown name is INVALID_ARGUMENT.
  absl::Status BindInt64(absl::string_view name, int64_t value);
  absl::Status BindDouble(absl::string_view name, double value);
  absl::Status BindText(absl::string_view name, absl::string_view value);
  absl::Status BindBlob(absl::string_view name, absl::string_view value);
  absl::Status BindNull(absl::string_view name);

  // Advances to the next row: true when a row is available, false when the
  // statement is done. Errors are mapped as described in errors.h.
  absl::StatusOr<bool> Step();

  // Steps until done (rows, if any, are discarded), then resets the
  // statement keeping its bindings, so it can be run again.
  absl::Status Run();

  // Rewinds the statement and clears all bindings (to NULL).
  absl::Status Reset();

  // Column access for the current row (valid after Step() returned true).
  // An out-of-range column reads as NULL (0, 0.0, "").
  int ColumnCount() const;
  std::string ColumnName(int column) const;
  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  // Text and blob columns are returned as copies; embedded NULs are kept.
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;

  // The SQL this statement was prepared from.
  absl::string_view sql() const;

 private:
  friend class Database;
  Statement(Database* owner, sqlite3_stmt* stmt);

  absl::Status BindResult(int rc, int index, absl::string_view what);
  absl::StatusOr<int> IndexOf(absl::string_view name) const;
  bool ValidColumn(int column) const;
  void Release();

  Database* owner_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_STATEMENT_H_
