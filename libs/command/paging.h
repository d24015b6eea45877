// Keyset paging shared by the services' list queries: a PageQuery asks for
// the items after a key, a Page answers with them and the key to continue
// from. ClampPage applies a service's page-size rules; CheckPageLimit is the
// stores' guard against a limit nobody clamped.
#ifndef JIT_LIBS_COMMAND_PAGING_H_
#define JIT_LIBS_COMMAND_PAGING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace jit::command {

// Keyset paging: items after `after_key` (exclusive, "" = from the start),
// at most `limit`.
struct PageQuery {
  int32_t limit = 50;
  std::string after_key = {};
};

template <typename T>
struct Page {
  std::vector<T> items = {};
  // Key of the last item when more may follow, "" otherwise.
  std::string next_after_key = {};
};

// 0 or negative limits become `default_size`; limits above `max_size` become
// `max_size`; the result is at least 1 whatever the sizes.
PageQuery ClampPage(PageQuery page, int default_size, int max_size);

// INVALID_ARGUMENT "page limit must be positive" unless page.limit > 0.
absl::Status CheckPageLimit(const PageQuery& page);

}  // namespace jit::command

#endif  // JIT_LIBS_COMMAND_PAGING_H_
