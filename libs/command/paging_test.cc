#include "libs/command/paging.h"

#include "gtest/gtest.h"

namespace jit::command {
namespace {

TEST(ClampPageTest, AppliesTheDefaultAndTheMaximum) {
  struct Case {
    int32_t limit;
    int default_size;
    int max_size;
    int32_t want;
  } cases[] = {
      {0, 50, 500, 50},    {-3, 50, 500, 50},   {20, 50, 500, 20},
      {500, 50, 500, 500}, {501, 50, 500, 500}, {0, 0, 500, 1},
      {0, 50, 0, 1},       {7, 50, 5, 5},
  };
  for (const Case& c : cases) {
    PageQuery page{.limit = c.limit, .after_key = "k"};
    PageQuery clamped = ClampPage(page, c.default_size, c.max_size);
    EXPECT_EQ(clamped.limit, c.want)
        << c.limit << " with default " << c.default_size << ", max "
        << c.max_size;
    EXPECT_EQ(clamped.after_key, "k");
  }
}

TEST(CheckPageLimitTest, RefusesLimitsBelowOne) {
  EXPECT_TRUE(CheckPageLimit({.limit = 1}).ok());
  absl::Status zero = CheckPageLimit({.limit = 0});
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.message(), "page limit must be positive");
  EXPECT_FALSE(CheckPageLimit({.limit = -1}).ok());
}

}  // namespace
}  // namespace jit::command
