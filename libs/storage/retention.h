// Deleting rows kept for a bounded time, in batches (see libs/service's
// RetentionPruner).
#ifndef JIT_LIBS_STORAGE_RETENTION_H_
#define JIT_LIBS_STORAGE_RETENTION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/storage/database.h"

namespace jit::storage {

// Deletes up to `limit` rows of `table` whose `time_column` (microseconds
// since the Unix epoch) is before `before`, oldest first; returns how many.
// The names are the caller's own identifiers (never user input); an index on
// `time_column` keeps it cheap.
absl::StatusOr<int64_t> DeleteOldestRows(Tx& tx, absl::string_view table,
                                         absl::string_view key_column,
                                         absl::string_view time_column, absl::Time before,
                                         int64_t limit);

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_RETENTION_H_
