#include "libs/storage/retention.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage {
namespace {

TEST(DeleteOldestRowsTest, DeletesTheOldestFirstUpToTheLimit) {
  testing::TempDir dir;
  auto db = Database::Open({.path = dir.File("r.db")});
  ASSERT_TRUE(db.ok()) << db.status();
  const absl::Time t0 = absl::FromUnixSeconds(1'760'000'000);
  ASSERT_TRUE((*db)->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                   absl::Status s = tx.Execute(
                       "CREATE TABLE kept (k TEXT PRIMARY KEY, at INTEGER NOT NULL)");
                   if (!s.ok()) return s;
                   for (int i = 0; i < 5; ++i) {
                     auto st = tx.Prepare("INSERT INTO kept VALUES (?1, ?2)");
                     if (!st.ok()) return st.status();
                     // Inserted newest first: the order of deletion is by time.
                     (void)st->BindText(1, absl::StrCat("k", 4 - i));
                     (void)st->BindInt64(2, absl::ToUnixMicros(t0 + absl::Hours(4 - i)));
                     if (s = st->Run(); !s.ok()) return s;
                   }
                   return absl::OkStatus();
                 }).ok());
  auto prune = [&](absl::Time before, int64_t limit) {
    int64_t n = -1;
    EXPECT_TRUE((*db)->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                       auto deleted = DeleteOldestRows(tx, "kept", "k", "at", before, limit);
                       if (!deleted.ok()) return deleted.status();
                       n = *deleted;
                       return absl::OkStatus();
                     }).ok());
    return n;
  };
  EXPECT_EQ(prune(t0 + absl::Hours(3), 2), 2);   // k0, k1
  EXPECT_EQ(prune(t0 + absl::Hours(3), 10), 1);  // k2; k3 is not before the cut
  EXPECT_EQ(prune(t0 + absl::Hours(3), 10), 0);
  int64_t left = 0;
  ASSERT_TRUE((*db)->Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
                   auto st = tx.Prepare("SELECT group_concat(k) FROM (SELECT k FROM kept ORDER BY k)");
                   if (!st.ok()) return st.status();
                   auto row = st->Step();
                   if (!row.ok()) return row.status();
                   EXPECT_EQ(st->ColumnText(0), "k3,k4");
                   left = 2;
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(left, 2);
}

}  // namespace
}  // namespace jit::storage
