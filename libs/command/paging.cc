#include "libs/command/paging.h"

#include <utility>

namespace jit::command {

PageQuery ClampPage(PageQuery page, int default_size, int max_size) {
  if (page.limit <= 0) page.limit = default_size;
  if (page.limit > max_size) page.limit = max_size;
  if (page.limit <= 0) page.limit = 1;
  return page;
}

absl::Status CheckPageLimit(const PageQuery& page) {
  if (page.limit <= 0) {
    return absl::InvalidArgumentError("page limit must be positive");
  }
  return absl::OkStatus();
}

}  // namespace jit::command
