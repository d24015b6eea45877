#include "libs/storage/rows.h"

#include <sqlite3.h>

#include "absl/strings/str_cat.h"
#include "libs/storage/errors.h"

namespace jit::storage {

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text,
                                        absl::string_view what) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) {
    return absl::DataLossError(
        absl::StrCat("stored ", what, " '", text, "' is not a YYYY-MM-DD day"));
  }
  return day;
}

std::optional<absl::Time> OptionalTimeColumn(const Statement& st, int column) {
  if (st.ColumnIsNull(column)) return std::nullopt;
  return FromMicros(st.ColumnInt64(column));
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDayColumn(
    const Statement& st, int column, absl::string_view what) {
  if (st.ColumnIsNull(column)) return std::optional<absl::CivilDay>();
  absl::StatusOr<absl::CivilDay> day = ParseDay(st.ColumnText(column), what);
  if (!day.ok()) return day.status();
  return std::optional<absl::CivilDay>(*day);
}

absl::Status BindOptionalTime(Statement& st, int index,
                              const std::optional<absl::Time>& t) {
  return t.has_value() ? st.BindInt64(index, ToMicros(*t)) : st.BindNull(index);
}

absl::Status BindOptionalDay(Statement& st, int index,
                             const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? st.BindText(index, DayText(*day))
                         : st.BindNull(index);
}

absl::Status BindOptionalDay(Statement& st, absl::string_view name,
                             const std::optional<absl::CivilDay>& day) {
  return day.has_value() ? st.BindText(name, DayText(*day)) : st.BindNull(name);
}

std::string Placeholders(int n) {
  std::string out;
  for (int i = 1; i <= n; ++i) absl::StrAppend(&out, i > 1 ? ", " : "", "?", i);
  return out;
}

absl::StatusOr<int64_t> SingleInt64(Statement& st, absl::string_view what) {
  absl::StatusOr<bool> row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError(absl::StrCat("no ", what, " row"));
  const int64_t value = st.ColumnInt64(0);
  absl::StatusOr<bool> more = st.Step();
  if (!more.ok()) return more.status();
  return value;
}

absl::Status ReadOnlyError(absl::string_view operation) {
  return absl::FailedPreconditionError(absl::StrCat(
      operation, ": the store is read-only inside a read transaction"));
}

absl::Status DuplicateError(absl::string_view what, absl::string_view id) {
  return absl::AlreadyExistsError(
      absl::StrCat(what, " '", id, "' already exists"));
}

absl::Status RowNotFoundError(absl::string_view what, absl::string_view id) {
  return absl::NotFoundError(absl::StrCat(what, " '", id, "' not found"));
}

absl::Status MapInsertError(absl::Status s, absl::string_view what,
                            absl::string_view id) {
  if (IsUniqueViolation(s)) return DuplicateError(what, id);
  return s;
}

absl::Status MapInsertError(absl::Status s, absl::string_view what,
                            absl::string_view id,
                            absl::string_view other_unique_message) {
  if (!IsUniqueViolation(s)) return s;
  if (SqliteResultCode(s) == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return DuplicateError(what, id);
  }
  return absl::AlreadyExistsError(other_unique_message);
}

absl::Status MapInsertErrorNamed(absl::Status s,
                                 absl::string_view description) {
  if (IsUniqueViolation(s)) {
    return absl::AlreadyExistsError(
        absl::StrCat(description, " already exists"));
  }
  return s;
}

namespace rows_internal {
absl::Status UnknownName(absl::string_view what, absl::string_view name) {
  return absl::DataLossError(
      absl::StrCat("stored ", what, " '", name, "' is unknown"));
}
}  // namespace rows_internal

}  // namespace jit::storage
