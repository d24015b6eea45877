#include "libs/storage/retention.h"

#include "absl/strings/str_cat.h"
#include "libs/status/status_macros.h"

namespace jit::storage {

absl::StatusOr<int64_t> DeleteOldestRows(Tx& tx, absl::string_view table,
                                         absl::string_view key_column,
                                         absl::string_view time_column, absl::Time before,
                                         int64_t limit) {
  ASSIGN_OR_RETURN(Statement st,
                   tx.Prepare(absl::StrCat("DELETE FROM ", table, " WHERE ", key_column,
                                           " IN (SELECT ", key_column, " FROM ", table,
                                           " WHERE ", time_column, " < ?1 ORDER BY ",
                                           time_column, " LIMIT ?2)")));
  RETURN_IF_ERROR(st.BindInt64(1, absl::ToUnixMicros(before)));
  RETURN_IF_ERROR(st.BindInt64(2, limit));
  RETURN_IF_ERROR(st.Run());
  return tx.Changes();
}

}  // namespace jit::storage
