#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage {
namespace {

using ::testing::HasSubstr;

const std::vector<Migration>& V1V2() {
  static const auto* const kMigrations = new std::vector<Migration>{
      {1, "create users",
       "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
       // A seed row: applying this migration twice would violate UNIQUE.
       "INSERT INTO users(email) VALUES ('seed@example.ma');"},
      {2, "add age", "ALTER TABLE users ADD COLUMN age INTEGER"},
  };
  return *kMigrations;
}

class MigrationTest : public ::testing::Test {
 protected:
  std::unique_ptr<Database> Open() {
    auto db = Database::Open({.path = dir_.File("m.db")});
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  int64_t Count(Database& db, const std::string& sql) {
    int64_t n = -1;
    absl::Status s = db.Transaction(TxMode::kDeferred, [&](Tx& tx) {
      ASSIGN_OR_RETURN(Statement st, tx.Prepare(sql));
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) n = st.ColumnInt64(0);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  testing::TempDir dir_;
};

TEST_F(MigrationTest, AppliesPendingMigrationsInOrderAndRecordsThem) {
  auto db = Open();
  ASSERT_TRUE(db->Migrate(V1V2()).ok());
  EXPECT_EQ(*db->SchemaVersion(), 2);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM users WHERE age IS NULL"), 1);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM schema_migrations"), 2);
  std::string description, applied_at;
  ASSERT_TRUE(db->Transaction(TxMode::kDeferred, [&](Tx& tx) {
                  ASSIGN_OR_RETURN(
                      Statement st,
                      tx.Prepare("SELECT description, applied_at FROM "
                                 "schema_migrations WHERE version = 2"));
                  ASSIGN_OR_RETURN(bool row, st.Step());
                  if (!row) return absl::NotFoundError("no row");
                  description = st.ColumnText(0);
                  applied_at = st.ColumnText(1);
                  return absl::OkStatus();
                }).ok());
  EXPECT_EQ(description, "add age");
  EXPECT_THAT(applied_at,
              ::testing::MatchesRegex(
                  "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                  "\\.[0-9]{3}Z$"));
}

TEST_F(MigrationTest, MigrateIsIdempotentInProcessAndOnReopen) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Migrate(V1V2()).ok());
    ASSERT_TRUE(db->Migrate(V1V2()).ok());
  }
  auto db = Open();
  absl::Status s = db->Migrate(V1V2());
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(*db->SchemaVersion(), 2);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM users"), 1);  // seeded once
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM schema_migrations"), 2);
}

TEST_F(MigrationTest, UpgradeAppliesOnlyTheNewMigrations) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Migrate({V1V2()[0]}).ok());
    EXPECT_EQ(*db->SchemaVersion(), 1);
  }
  auto db = Open();
  ASSERT_TRUE(db->Migrate(V1V2()).ok());
  EXPECT_EQ(*db->SchemaVersion(), 2);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM users"), 1);
}

TEST_F(MigrationTest, NewerSchemaIsRefusedWithAClearMessage) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Migrate(V1V2()).ok());
  }
  auto db = Open();  // an older binary that knows only version 1
  absl::Status s = db->Migrate({V1V2()[0]});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(),
              HasSubstr("database schema version 2 is newer than this binary "
                        "supports (1)"));
  EXPECT_THAT(s.message(), HasSubstr(dir_.File("m.db")));
  EXPECT_EQ(*db->SchemaVersion(), 2);
}

TEST_F(MigrationTest, NonIncreasingVersionsAreInvalidArgument) {
  auto db = Open();
  EXPECT_EQ(db->Migrate({{1, "a", "SELECT 1"}, {1, "b", "SELECT 1"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Migrate({{2, "a", "SELECT 1"}, {1, "b", "SELECT 1"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Migrate({{0, "zero", "SELECT 1"}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*db->SchemaVersion(), 0);  // nothing applied
}

TEST_F(MigrationTest, FailingMigrationRollsBackAndKeepsEarlierOnes) {
  auto db = Open();
  absl::Status s = db->Migrate({
      V1V2()[0],
      {2, "half broken",
       "CREATE TABLE half(x); INSERT INTO nowhere VALUES (1);"},
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("migration 2 (half broken) failed"));
  EXPECT_THAT(s.message(), HasSubstr("no such table: nowhere"));
  EXPECT_EQ(*db->SchemaVersion(), 1);
  EXPECT_EQ(
      Count(*db, "SELECT count(*) FROM sqlite_schema WHERE name = 'half'"), 0);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM schema_migrations"), 1);
  // Fixed in the next release: applies cleanly.
  ASSERT_TRUE(
      db->Migrate({V1V2()[0], {2, "fixed", "CREATE TABLE half(x)"}}).ok());
  EXPECT_EQ(*db->SchemaVersion(), 2);
}

TEST_F(MigrationTest, MigrationsMayLeaveGapsInVersions) {
  auto db = Open();
  ASSERT_TRUE(db->Migrate({{10, "ten", "CREATE TABLE t10(x)"},
                           {20, "twenty", "CREATE TABLE t20(x)"}})
                  .ok());
  EXPECT_EQ(*db->SchemaVersion(), 20);
}

TEST_F(MigrationTest, EmptyListOnAFreshDatabaseIsANoOp) {
  auto db = Open();
  EXPECT_TRUE(db->Migrate({}).ok());
  EXPECT_EQ(*db->SchemaVersion(), 0);
}

}  // namespace
}  // namespace jit::storage
