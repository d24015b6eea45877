#include "libs/storage/keyset_query.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"

namespace jit::storage {
namespace {

struct Row {
  std::string id;
  std::string region;
  int64_t open = 0;
};

template <typename T>
struct TestPage {
  std::vector<T> items = {};
  std::string next_after_key = {};
};

Row ReadRow(const Statement& st) {
  return Row{st.ColumnText(0), st.ColumnText(1), st.ColumnInt64(2)};
}

class KeysetQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open({.path = ":memory:"});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Migrate({{1, "rows",
                               "CREATE TABLE rows (id TEXT PRIMARY KEY, "
                               "region TEXT, centre TEXT, open INTEGER)"}})
                    .ok());
    for (int i = 1; i <= 5; ++i) {
      ASSERT_TRUE(
          db_->Execute(absl::StrCat("INSERT INTO rows VALUES ('r", i, "', '",
                                    i % 2 == 0 ? "north" : "south", "', 'c", i,
                                    "', ", i % 2, ")"))
              .ok());
    }
  }
  absl::StatusOr<TestPage<Row>> Run(const KeysetQuery& q) {
    TestPage<Row> page;
    RETURN_IF_ERROR(
        db_->Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(
              page, q.Run<TestPage<Row>>(tx, ReadRow,
                                         [](const Row& r) { return r.id; }));
          return absl::OkStatus();
        }));
    return page;
  }
  static std::vector<std::string> Ids(const TestPage<Row>& page) {
    std::vector<std::string> ids;
    for (const Row& r : page.items) ids.push_back(r.id);
    return ids;
  }
  std::unique_ptr<Database> db_;
};

constexpr char kColumns[] = "id, region, open";

TEST_F(KeysetQueryTest, PagesThroughEveryRowInKeyOrder) {
  KeysetQuery first(kColumns, "rows", "id", "", 2);
  absl::StatusOr<TestPage<Row>> p1 = Run(first);
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_EQ(Ids(*p1), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(p1->next_after_key, "r2");
  absl::StatusOr<TestPage<Row>> p2 =
      Run(KeysetQuery(kColumns, "rows", "id", p1->next_after_key, 2));
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(Ids(*p2), (std::vector<std::string>{"r3", "r4"}));
  absl::StatusOr<TestPage<Row>> p3 =
      Run(KeysetQuery(kColumns, "rows", "id", p2->next_after_key, 2));
  ASSERT_TRUE(p3.ok());
  EXPECT_EQ(Ids(*p3), (std::vector<std::string>{"r5"}));
  EXPECT_EQ(p3->next_after_key, "");
}

TEST_F(KeysetQueryTest, ConditionsFilterAndEmptyEqualsAreSkipped) {
  KeysetQuery q(kColumns, "rows", "id", "", 10);
  q.Equal("region", "");  // no filter
  q.EqualInt("open", 1);
  q.Compare("id", "<>", "r3");
  q.Condition("centre IS NOT NULL");
  EXPECT_EQ(q.Sql(),
            "SELECT id, region, open FROM rows WHERE id > ?1 AND open = ?2 "
            "AND id <> ?3 AND centre IS NOT NULL ORDER BY id LIMIT ?4");
  absl::StatusOr<TestPage<Row>> page = Run(q);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"r1", "r5"}));

  KeysetQuery north(kColumns, "rows", "id", "", 10);
  north.Equal("region", "north");
  page = Run(north);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"r2", "r4"}));
}

TEST_F(KeysetQueryTest, ScopeMatchesRegionsOrCentresAndNothingWhenEmpty) {
  KeysetQuery scoped(kColumns, "rows", "id", "", 10);
  scoped.InScope("region", "centre", false, {"north"}, {"c3"});
  absl::StatusOr<TestPage<Row>> page = Run(scoped);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{"r2", "r3", "r4"}));

  KeysetQuery none(kColumns, "rows", "id", "", 10);
  none.InScope("region", "centre", false, {}, {});
  page = Run(none);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());

  KeysetQuery national(kColumns, "rows", "id", "", 10);
  national.InScope("region", "centre", true, {}, {});
  page = Run(national);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 5u);
}

TEST_F(KeysetQueryTest, ANonPositiveLimitIsInvalid) {
  for (int32_t limit : {0, -3}) {
    absl::StatusOr<TestPage<Row>> page =
        Run(KeysetQuery(kColumns, "rows", "id", "", limit));
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(page.status().message(),
              absl::StrCat("page limit must be positive, got ", limit));
  }
}

}  // namespace
}  // namespace jit::storage
