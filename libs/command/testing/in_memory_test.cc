#include "libs/command/testing/in_memory.h"

#include <map>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace jit::command::testing {
namespace {

TEST(InMemoryRequestsTest, FindsInsertsAndExpiresOldestFirst) {
  InMemoryRequests<int> requests;
  EXPECT_FALSE(requests.Find("a").has_value());
  const absl::Time t0 = absl::FromUnixSeconds(100);
  ASSERT_TRUE(requests
                  .Insert({.request_id = "b",
                           .operation = "Op",
                           .response = 2,
                           .create_time = t0 + absl::Seconds(1)})
                  .ok());
  ASSERT_TRUE(requests
                  .Insert({.request_id = "a",
                           .operation = "Op",
                           .response = 1,
                           .create_time = t0 + absl::Seconds(2)})
                  .ok());
  ASSERT_TRUE(requests
                  .Insert({.request_id = "c",
                           .operation = "Op",
                           .response = 3,
                           .create_time = t0 + absl::Seconds(3)})
                  .ok());
  absl::Status dup = requests.Insert({.request_id = "a", .operation = "Other"});
  EXPECT_EQ(dup.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.message(), "request 'a' already exists");
  EXPECT_EQ(requests.Find("a")->response, 1);

  // Oldest first, at most `limit`, only before the cut.
  EXPECT_EQ(requests.DeleteBefore(t0 + absl::Seconds(3), 1), 1);
  EXPECT_FALSE(requests.Find("b").has_value());
  EXPECT_TRUE(requests.Find("a").has_value());
  EXPECT_EQ(requests.DeleteBefore(t0 + absl::Seconds(3), 10), 1);
  EXPECT_EQ(requests.size(), 1u);
  EXPECT_TRUE(requests.Find("c").has_value());
}

struct Row {
  int value = 0;
};

TEST(PagedTest, PagesByKeyAfterTheKeyWithAFilter) {
  std::map<std::string, int> rows = {
      {"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}};
  auto all = [](int) { return true; };
  absl::StatusOr<Page<int>> first = Paged(rows, {.limit = 2}, all);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->items, (std::vector<int>{1, 2}));
  EXPECT_EQ(first->next_after_key, "b");
  absl::StatusOr<Page<int>> last =
      Paged(rows, {.limit = 3, .after_key = "b"}, all);
  EXPECT_EQ(last->items, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(last->next_after_key, "");  // nothing more follows

  auto odd = [](int v) { return v % 2 == 1; };
  absl::StatusOr<Page<int>> odds = Paged(rows, {.limit = 2}, odd);
  EXPECT_EQ(odds->items, (std::vector<int>{1, 3}));
  EXPECT_EQ(odds->next_after_key, "c");
  EXPECT_EQ(Paged(rows, {.limit = 2, .after_key = "c"}, odd)->next_after_key,
            "");

  EXPECT_EQ(Paged(rows, {.limit = 0}, all).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PagedTest, ProjectsRowsWithGet) {
  std::map<std::string, Row> rows = {{"x", {.value = 7}}, {"y", {.value = 8}}};
  absl::StatusOr<Page<int>> page = Paged(
      rows, {.limit = 1}, [](int v) { return v > 7; },
      [](const Row& r) { return r.value; });
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->items, (std::vector<int>{8}));
  EXPECT_EQ(page->next_after_key, "");
}

TEST(InMemoryRequestsTest, ListsAllAndReplacesAnAnswer) {
  InMemoryRequests<int> requests;
  ASSERT_TRUE(requests.Insert({.request_id = "b", .operation = "Op", .response = 2}).ok());
  ASSERT_TRUE(requests.Insert({.request_id = "a", .operation = "Op", .response = 1}).ok());
  ASSERT_EQ(requests.All().size(), 2u);
  EXPECT_EQ(requests.All()[0].request_id, "a");
  EXPECT_TRUE(requests.ReplaceResponse("b", 20).ok());
  EXPECT_EQ(requests.Find("b")->response, 20);
  EXPECT_EQ(requests.Find("b")->operation, "Op");
  EXPECT_EQ(requests.ReplaceResponse("z", 1).code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace jit::command::testing
