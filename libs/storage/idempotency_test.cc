#include "libs/storage/idempotency.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage {
namespace {

// The table as the services' schema v1 creates it, then the caller columns.
const std::vector<Migration>& Schema() {
  static const auto* const kMigrations = new std::vector<Migration>{
      {1, "idempotency requests",
       "CREATE TABLE idempotency_requests (request_id TEXT PRIMARY KEY, "
       "operation TEXT NOT NULL, response TEXT NOT NULL, "
       "create_time INTEGER NOT NULL);"
       // A row stored before the migration.
       "INSERT INTO idempotency_requests VALUES ('old', 'Submit', '{}', 7);"},
      IdempotencyCallerMigration(2),
  };
  return *kMigrations;
}

class IdempotencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = Database::Open({.path = dir_.File("i.db")});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    ASSERT_TRUE(db_->Migrate(Schema()).ok());
  }

  absl::StatusOr<std::optional<RequestRecord>> Find(const std::string& id) {
    std::optional<RequestRecord> found;
    RETURN_IF_ERROR(db_->Transaction(TxMode::kDeferred, [&](Tx& tx) {
      ASSIGN_OR_RETURN(found, FindRequestRecord(tx, id));
      return absl::OkStatus();
    }));
    return found;
  }
  absl::Status Insert(const std::string& id, const RequestRecord& r) {
    return db_->Transaction(TxMode::kImmediate, [&](Tx& tx) {
      return InsertRequestRecord(tx, id, r);
    });
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(IdempotencyTest, KeepsTheCallerAndTheDigestWithTheAnswer) {
  const RequestRecord r{.operation = "SubmitApplication",
                        .response = "{\"id\":1}",
                        .create_time = absl::FromUnixMicros(1'700'000'000'123'456),
                        .actor_id = "act_00112233445566aa",
                        .fingerprint = "c0ffee"};
  ASSERT_TRUE(Insert("r1", r).ok());
  absl::StatusOr<std::optional<RequestRecord>> found = Find("r1");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->operation, r.operation);
  EXPECT_EQ((*found)->response, r.response);
  EXPECT_EQ((*found)->create_time, r.create_time);
  EXPECT_EQ((*found)->actor_id, r.actor_id);
  EXPECT_EQ((*found)->fingerprint, r.fingerprint);

  EXPECT_FALSE(Find("r2")->has_value());
  absl::Status again = Insert("r1", r);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(again.message(), "request 'r1' already exists");
}

TEST_F(IdempotencyTest, RowsStoredBeforeTheMigrationHaveNoCaller) {
  absl::StatusOr<std::optional<RequestRecord>> old = Find("old");
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_TRUE(old->has_value());
  EXPECT_EQ((*old)->operation, "Submit");
  EXPECT_EQ((*old)->actor_id, "");
  EXPECT_EQ((*old)->fingerprint, "");
}

TEST_F(IdempotencyTest, DeletesTheOldestRecordsFirst) {
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(Insert("n" + std::to_string(i),
                       {.operation = "X", .response = "{}",
                        .create_time = absl::FromUnixSeconds(100 * i)})
                    .ok());
  }
  absl::StatusOr<int64_t> deleted;
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate, [&](Tx& tx) {
                    ASSIGN_OR_RETURN(deleted, DeleteRequestRecordsBefore(
                                                  tx, absl::FromUnixSeconds(250), 1));
                    return absl::OkStatus();
                  })
                  .ok());
  EXPECT_EQ(*deleted, 1);
  // "old" (create_time 7 us) went first; n1 and n2 are older than 250 s but
  // the limit was 1.
  EXPECT_FALSE(Find("old")->has_value());
  EXPECT_TRUE(Find("n1")->has_value());
  EXPECT_TRUE(Find("n3")->has_value());
}

TEST_F(IdempotencyTest, FindsAnswersByContentAndRewritesThem) {
  ASSERT_TRUE(Insert("a", {.operation = "RecordDropOut",
                           .response = "{\"trainee_id\":\"trn_1\",\"note\":\"secret\"}",
                           .create_time = absl::FromUnixMicros(1)})
                  .ok());
  ASSERT_TRUE(Insert("b", {.operation = "RecordDropOut",
                           .response = "{\"trainee_id\":\"trn_2\"}",
                           .create_time = absl::FromUnixMicros(2)})
                  .ok());
  std::vector<std::pair<std::string, RequestRecord>> found;
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                   ASSIGN_OR_RETURN(found, FindRequestRecordsContaining(tx, "\"trn_1\""));
                   EXPECT_EQ(FindRequestRecordsContaining(tx, "").status().code(),
                             absl::StatusCode::kInvalidArgument);
                   EXPECT_EQ(ReplaceRequestResponse(tx, "nope", "{}").code(),
                             absl::StatusCode::kNotFound);
                   return ReplaceRequestResponse(tx, "a", "{\"trainee_id\":\"trn_1\"}");
                 }).ok());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].first, "a");
  EXPECT_EQ(found[0].second.operation, "RecordDropOut");
  auto a = Find("a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->response, "{\"trainee_id\":\"trn_1\"}");
  EXPECT_EQ((*a)->create_time, absl::FromUnixMicros(1));
  auto b = Find("b");
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->response, "{\"trainee_id\":\"trn_2\"}");
}

}  // namespace
}  // namespace jit::storage
