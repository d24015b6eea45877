// For in-memory fakes of repositories: deletes up to `limit` entries of a
// map whose values have a `create_time` before `before`, oldest first (as
// the SQLite stores' DeleteRequestsBefore do); returns how many.
#ifndef JIT_LIBS_STORAGE_TESTING_EXPIRY_H_
#define JIT_LIBS_STORAGE_TESTING_EXPIRY_H_

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace jit::storage::testing {

template <typename Map>
int64_t EraseOldestBefore(Map& entries, absl::Time before, int64_t limit) {
  std::vector<std::pair<absl::Time, typename Map::key_type>> expired;
  for (const auto& [key, value] : entries) {
    if (value.create_time < before) expired.emplace_back(value.create_time, key);
  }
  std::sort(expired.begin(), expired.end());
  int64_t erased = 0;
  for (const auto& [time, key] : expired) {
    if (erased == limit) break;
    entries.erase(key);
    ++erased;
  }
  return erased;
}

}  // namespace jit::storage::testing

#endif  // JIT_LIBS_STORAGE_TESTING_EXPIRY_H_
