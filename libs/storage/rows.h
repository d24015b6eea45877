// Row helpers for the services' SQLite stores: the value encodings every
// store shares (times as Unix microseconds, days as "YYYY-MM-DD" text,
// optional values as NULL), reading zero-or-one and all rows of a statement,
// and the error statuses the stores return.
//
//   ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT ... WHERE id = ?1"));
//   RETURN_IF_ERROR(st.BindText(1, id));
//   return storage::OptionalRow<Cohort>(st, ReadCohort);
//
//   RETURN_IF_ERROR(BindCohort(st, cohort));
//   return storage::MapInsertError(st.Run(), "cohort", cohort.cohort_id);
//
// `read` functions take `const Statement&` positioned on a row and return
// either T or absl::StatusOr<T>.
#ifndef JIT_LIBS_STORAGE_ROWS_H_
#define JIT_LIBS_STORAGE_ROWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/storage/statement.h"

namespace jit::storage {

// ---------------------------------------------------------------------------
// Value encodings.

// Unix microseconds (sub-microsecond parts floored) and back.
inline int64_t ToMicros(absl::Time t) { return absl::ToUnixMicros(t); }
inline absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

// "YYYY-MM-DD".
std::string DayText(absl::CivilDay day);
// DATA_LOSS "stored <what> '<text>' is not a YYYY-MM-DD day" when `text`
// does not parse.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text,
                                        absl::string_view what);

// The enumerator of `values` whose `name_of(value)` equals `name`, or
// DATA_LOSS "stored <what> '<name>' is unknown".
template <typename E, size_t N, typename NameOf>
absl::StatusOr<E> ParseName(const E (&values)[N], NameOf name_of,
                            absl::string_view name, absl::string_view what);

// Columns that may be NULL.
std::optional<absl::Time> OptionalTimeColumn(const Statement& st, int column);
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDayColumn(
    const Statement& st, int column, absl::string_view what);

// Binds the value's encoding, or NULL for nullopt (by index or by name).
absl::Status BindOptionalTime(Statement& st, int index,
                              const std::optional<absl::Time>& t);
absl::Status BindOptionalDay(Statement& st, int index,
                             const std::optional<absl::CivilDay>& day);
absl::Status BindOptionalDay(Statement& st, absl::string_view name,
                             const std::optional<absl::CivilDay>& day);

// "?1, ?2, ..., ?n".
std::string Placeholders(int n);

// ---------------------------------------------------------------------------
// Reading rows.

// Steps `st` once: nullopt when there is no row, else read(st).
template <typename T, typename Read>
absl::StatusOr<std::optional<T>> OptionalRow(Statement& st, Read read);

// Steps `st` to its end, reading every row.
template <typename T, typename Read>
absl::StatusOr<std::vector<T>> AllRows(Statement& st, Read read);

// The first column of the only row, stepping the statement to its end;
// INTERNAL "no <what> row" when there is none.
absl::StatusOr<int64_t> SingleInt64(Statement& st, absl::string_view what);

// ---------------------------------------------------------------------------
// Errors.

// FAILED_PRECONDITION "<operation>: the store is read-only inside a read
// transaction": what a store opened for Read() answers to a mutation.
absl::Status ReadOnlyError(absl::string_view operation);
// ALREADY_EXISTS "<what> '<id>' already exists".
absl::Status DuplicateError(absl::string_view what, absl::string_view id);
// NOT_FOUND "<what> '<id>' not found".
absl::Status RowNotFoundError(absl::string_view what, absl::string_view id);

// A UNIQUE or PRIMARY KEY violation becomes DuplicateError(what, id); other
// statuses pass through (already mapped by errors.h).
absl::Status MapInsertError(absl::Status s, absl::string_view what,
                            absl::string_view id);
// A PRIMARY KEY violation becomes DuplicateError(what, id), a violation of
// another UNIQUE constraint ALREADY_EXISTS `other_unique_message`.
absl::Status MapInsertError(absl::Status s, absl::string_view what,
                            absl::string_view id,
                            absl::string_view other_unique_message);
// A UNIQUE or PRIMARY KEY violation becomes ALREADY_EXISTS "<description>
// already exists" (for rows named by more than one key).
absl::Status MapInsertErrorNamed(absl::Status s, absl::string_view description);

// ---------------------------------------------------------------------------
// Trainee dimensions.
//
// The services each keep a `Dimensions` struct of the same fields
// (common.v1.TraineeDimensions: gender, age_band, education_level as enums,
// then residence_province_code, residence_region_code,
// training_province_code, training_region_code, track_id, cohort_id,
// centre_id), stored as ten consecutive columns in that order.

// Reads the ten columns from `first_column` on.
template <typename D>
void ReadDimensions(const Statement& st, int first_column, D& d) {
  int c = first_column;
  d.gender = static_cast<decltype(d.gender)>(st.ColumnInt64(c++));
  d.age_band = static_cast<decltype(d.age_band)>(st.ColumnInt64(c++));
  d.education_level =
      static_cast<decltype(d.education_level)>(st.ColumnInt64(c++));
  for (std::string* text :
       {&d.residence_province_code, &d.residence_region_code,
        &d.training_province_code, &d.training_region_code, &d.track_id,
        &d.cohort_id, &d.centre_id}) {
    *text = st.ColumnText(c++);
  }
}

// Binds ?first_index.. ?first_index+9.
template <typename D>
absl::Status BindDimensions(Statement& st, int first_index, const D& d) {
  int i = first_index;
  for (int64_t value :
       {static_cast<int64_t>(d.gender), static_cast<int64_t>(d.age_band),
        static_cast<int64_t>(d.education_level)}) {
    absl::Status s = st.BindInt64(i++, value);
    if (!s.ok()) return s;
  }
  for (const std::string* text :
       {&d.residence_province_code, &d.residence_region_code,
        &d.training_province_code, &d.training_region_code, &d.track_id,
        &d.cohort_id, &d.centre_id}) {
    absl::Status s = st.BindText(i++, *text);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// Implementation details.

namespace rows_internal {
template <typename T>
absl::StatusOr<T> AsStatusOr(absl::StatusOr<T> v) {
  return v;
}
template <typename T>
absl::StatusOr<T> AsStatusOr(T v) {
  return absl::StatusOr<T>(std::move(v));
}
absl::Status UnknownName(absl::string_view what, absl::string_view name);
}  // namespace rows_internal

template <typename E, size_t N, typename NameOf>
absl::StatusOr<E> ParseName(const E (&values)[N], NameOf name_of,
                            absl::string_view name, absl::string_view what) {
  for (const E& v : values) {
    if (name_of(v) == name) return v;
  }
  return rows_internal::UnknownName(what, name);
}

template <typename T, typename Read>
absl::StatusOr<std::optional<T>> OptionalRow(Statement& st, Read read) {
  absl::StatusOr<bool> row = st.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<T>();
  absl::StatusOr<T> value = rows_internal::AsStatusOr<T>(read(st));
  if (!value.ok()) return value.status();
  return std::optional<T>(*std::move(value));
}

template <typename T, typename Read>
absl::StatusOr<std::vector<T>> AllRows(Statement& st, Read read) {
  std::vector<T> out;
  while (true) {
    absl::StatusOr<bool> row = st.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<T> value = rows_internal::AsStatusOr<T>(read(st));
    if (!value.ok()) return value.status();
    out.push_back(*std::move(value));
  }
  return out;
}

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_ROWS_H_
