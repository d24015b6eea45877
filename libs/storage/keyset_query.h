// A keyset-paged SELECT:
//
//   SELECT <columns> FROM <from> WHERE <key> > ?1 [AND <condition> ...]
//   ORDER BY <key> LIMIT ?last
//
// where ?1 is the page's after-key and LIMIT asks for one row more than the
// page holds, to learn whether another page follows. The SQL text depends
// only on which conditions were added, so the statement cache serves it.
//
//   KeysetQuery q(kCohortColumns, "cohorts", "cohort_id", page.after_key,
//                 page.limit);
//   q.Equal("track_id", filter.track_id);        // skipped when empty
//   return q.Run<Page<Cohort>>(tx, ReadCohort,
//                              [](const Cohort& c) { return c.cohort_id; });
//
// `PageT` is any type with `std::vector<T> items` and `std::string
// next_after_key` (command::Page<T>); next_after_key is the last item's key
// when more rows follow, "" otherwise. A limit <= 0 is INVALID_ARGUMENT
// "page limit must be positive, got <n>".
#ifndef JIT_LIBS_STORAGE_KEYSET_QUERY_H_
#define JIT_LIBS_STORAGE_KEYSET_QUERY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/storage/database.h"
#include "libs/storage/rows.h"
#include "libs/storage/statement.h"

namespace jit::storage {

class KeysetQuery {
 public:
  KeysetQuery(absl::string_view columns, absl::string_view from,
              absl::string_view key, absl::string_view after_key,
              int32_t limit);

  // Adds "<column> = ?" when `value` is not empty.
  void Equal(absl::string_view column, absl::string_view value);
  // Adds "<column> = ?" (always).
  void EqualInt(absl::string_view column, int64_t value);
  // Adds "<column> <op> ?" (always), e.g. Compare("due", "<=", day).
  void Compare(absl::string_view column, absl::string_view op,
               absl::string_view value);
  // Adds a condition without parameters.
  void Condition(absl::string_view condition);
  // Unless `national`: adds "(<region_column> IN (...) OR <centre_column> IN
  // (...))" over the non-empty lists; with both lists empty it matches
  // nothing ("AND (0)").
  void InScope(absl::string_view region_column, absl::string_view centre_column,
               bool national, const std::vector<std::string>& regions,
               const std::vector<std::string>& centres);

  // The SQL as it stands (ORDER BY and LIMIT appended), for tests.
  std::string Sql() const;

  // Checks the limit, prepares the statement and binds every value.
  absl::StatusOr<Statement> Prepare(Tx& tx) const;

  // Runs the query: `read` turns the current row into an item (T or
  // absl::StatusOr<T>), `key_of` gives an item's key.
  template <typename PageT, typename Read, typename KeyOf>
  absl::StatusOr<PageT> Run(Tx& tx, Read read, KeyOf key_of) const;

 private:
  struct Value {
    std::string text;
    int64_t number = 0;
    bool is_int = false;
  };
  std::string key_;
  int32_t limit_;
  std::string sql_;
  std::vector<Value> values_;
};

template <typename PageT, typename Read, typename KeyOf>
absl::StatusOr<PageT> KeysetQuery::Run(Tx& tx, Read read, KeyOf key_of) const {
  using T = typename decltype(PageT::items)::value_type;
  absl::StatusOr<Statement> st = Prepare(tx);
  if (!st.ok()) return st.status();
  PageT out;
  while (true) {
    absl::StatusOr<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int64_t>(out.items.size()) == limit_) {
      out.next_after_key = key_of(out.items.back());
      break;
    }
    absl::StatusOr<T> item = rows_internal::AsStatusOr<T>(read(*st));
    if (!item.ok()) return item.status();
    out.items.push_back(*std::move(item));
  }
  return out;
}

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_KEYSET_QUERY_H_
