#include "libs/outbox/outbox.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::outbox {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

using Headers = std::vector<std::pair<std::string, std::string>>;

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Database::Open({.path = dir_.File("svc.db")});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    std::vector<storage::Migration> migrations = {
        {1, "business table",
         "CREATE TABLE enrolments(id TEXT PRIMARY KEY, state TEXT)"}};
    for (auto& m : Migrations(2)) migrations.push_back(std::move(m));
    ASSERT_TRUE(db_->Migrate(migrations).ok());
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    absl::Status s = db_->Transaction(
        storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(storage::Statement st, tx.Prepare(sql));
          ASSIGN_OR_RETURN(bool row, st.Step());
          if (row) n = st.ColumnInt64(0);
          return absl::OkStatus();
        });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  // Inserts a business row and its event in one transaction.
  absl::Status Enrol(const std::string& trainee, const OutboxMessage& event) {
    return db_->Transaction(
        storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(
              storage::Statement st,
              tx.Prepare("INSERT INTO enrolments VALUES (?, 'ENROLLED')"));
          RETURN_IF_ERROR(st.BindText(1, trainee));
          RETURN_IF_ERROR(Append(tx, event, absl::FromUnixSeconds(1000)));
          return st.Run();  // after the append: a failure must undo both
        });
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<storage::Database> db_;
};

TEST(OutboxMigrationsTest, NumberedFromTheGivenVersion) {
  std::vector<storage::Migration> m = Migrations(7);
  ASSERT_EQ(m.size(), static_cast<size_t>(kMigrationCount));
  EXPECT_EQ(m[0].version, 7);
  EXPECT_THAT(m[0].description, HasSubstr("outbox"));
  EXPECT_EQ(m[0].sql, kSchemaV1Sql);
}

TEST_F(OutboxTest, ServiceMigrationsAndOutboxMigrationsCompose) {
  EXPECT_EQ(*db_->SchemaVersion(), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_schema WHERE name = 'outbox'"),
            1);
}

TEST_F(OutboxTest, AppendStoresEveryFieldInTheCallersTransaction) {
  const OutboxMessage event{
      .id = 999,  // ignored
      .topic = "jobintech.enrollment.v1",
      .key = "trainee-1",
      .payload = std::string("\x08\x00\x12\x03xyz", 7),
      .headers = {{"ce_type", "ma.jobintech.enrollment.trainee.enrolled.v1"},
                  {"bin", std::string("\x00\xff", 2)}}};
  ASSERT_TRUE(Enrol("trainee-1", event).ok());
  std::string topic, key, payload, headers;
  int64_t id = 0, created_at = 0, attempts = -1;
  bool sent_null = false;
  ASSERT_TRUE(db_->Transaction(storage::TxMode::kDeferred,
                               [&](storage::Tx& tx) -> absl::Status {
                                 ASSIGN_OR_RETURN(
                                     storage::Statement st,
                                     tx.Prepare("SELECT id, topic, key, "
                                                "payload, headers, created_at,"
                                                " sent_at, attempts FROM "
                                                "outbox"));
                                 ASSIGN_OR_RETURN(bool row, st.Step());
                                 if (!row) return absl::NotFoundError("none");
                                 id = st.ColumnInt64(0);
                                 topic = st.ColumnText(1);
                                 key = st.ColumnText(2);
                                 payload = st.ColumnBlob(3);
                                 headers = st.ColumnBlob(4);
                                 created_at = st.ColumnInt64(5);
                                 sent_null = st.ColumnIsNull(6);
                                 attempts = st.ColumnInt64(7);
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_EQ(id, 1);
  EXPECT_EQ(topic, event.topic);
  EXPECT_EQ(key, event.key);
  EXPECT_EQ(payload, event.payload);
  EXPECT_EQ(*DecodeHeaders(headers), event.headers);
  EXPECT_EQ(created_at, 1000 * 1000000LL);
  EXPECT_TRUE(sent_null);
  EXPECT_EQ(attempts, 0);
  EXPECT_EQ(*Backlog(*db_), 1);
}

TEST_F(OutboxTest, RewriteKeyPayloadsChangesTheRowsOfOneKeyOnly) {
  auto event = [](const std::string& key, const std::string& payload) {
    return OutboxMessage{.topic = "jobintech.enrollment.v1",
                         .key = key,
                         .payload = payload,
                         .headers = {{"ce_id", payload}}};
  };
  ASSERT_TRUE(Enrol("t1", event("t1", "a note: secret")).ok());
  ASSERT_TRUE(Enrol("t2", event("t2", "b note: secret")).ok());
  ASSERT_TRUE(Enrol("t3", event("t1", "c plain")).ok());
  ASSERT_TRUE(db_->Execute("UPDATE outbox SET sent_at = 5 WHERE id = 1").ok());
  const std::string kTopic = "jobintech.enrollment.v1";

  auto strip = [](absl::string_view payload) -> absl::StatusOr<std::optional<std::string>> {
    const size_t at = payload.find(" note: ");
    if (at == absl::string_view::npos) return std::optional<std::string>();
    return std::optional<std::string>(std::string(payload.substr(0, at)));
  };
  absl::StatusOr<int64_t> changed = -1;
  ASSERT_TRUE(db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) {
                   changed = RewriteKeyPayloads(tx, kTopic, "t1", strip);
                   return changed.status();
                 }).ok());
  EXPECT_EQ(*changed, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('a' AS BLOB) "
                  "AND sent_at = 5"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('b note: secret' AS BLOB)"),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('c plain' AS BLOB)"), 1);
  // Another topic's rows of the same key are not touched.
  ASSERT_TRUE(db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) {
                   changed = RewriteKeyPayloads(tx, "other", "t2", strip);
                   return changed.status();
                 }).ok());
  EXPECT_EQ(*changed, 0);
  // An error rolls back with the caller's transaction.
  const absl::Status failed =
      db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
        RETURN_IF_ERROR(RewriteKeyPayloads(tx, kTopic, "t2", strip).status());
        return RewriteKeyPayloads(tx, kTopic, "t2",
                               [](absl::string_view)
                                   -> absl::StatusOr<std::optional<std::string>> {
                                 return absl::DataLossError("undecodable");
                               })
            .status();
      });
  EXPECT_EQ(failed.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('b note: secret' AS BLOB)"),
            1);
}

TEST_F(OutboxTest, FailedBusinessWriteTakesItsEventsWithIt) {
  const OutboxMessage event{.topic = "t", .key = "trainee-1", .payload = "p"};
  ASSERT_TRUE(Enrol("trainee-1", event).ok());
  // Same primary key: the business insert fails after the event was appended.
  absl::Status s = Enrol("trainee-1", event);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM enrolments"), 1);
}

TEST_F(OutboxTest, AppendRefusesAnEmptyTopic) {
  absl::Status s =
      db_->Transaction(storage::TxMode::kImmediate, [](storage::Tx& tx) {
        return Append(tx, OutboxMessage{.key = "k", .payload = "p"});
      });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0);
}

TEST_F(OutboxTest, AppendEncodedStoresTheRowOrCallsTheEncodingABug) {
  const absl::Status bad =
      db_->Transaction(storage::TxMode::kImmediate, [](storage::Tx& tx) {
        return AppendEncoded(tx, absl::InvalidArgumentError("no payload"),
                             "ApplicationAdmitted", absl::FromUnixSeconds(5));
      });
  EXPECT_EQ(bad.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(bad.message(), "cannot publish ApplicationAdmitted: no payload");
  EXPECT_EQ(Count("SELECT count(*) FROM outbox"), 0);
  ASSERT_TRUE(
      db_->Transaction(storage::TxMode::kImmediate,
                       [](storage::Tx& tx) {
                         return AppendEncoded(
                             tx, OutboxMessage{.topic = "t", .key = "k"},
                             "ApplicationAdmitted", absl::FromUnixSeconds(5));
                       })
          .ok());
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE topic = 't'"), 1);
}

TEST(OutboxServiceMigrationsTest, SchemaThenOutboxThenCallerColumns) {
  const std::vector<storage::Migration> m =
      ServiceMigrations({1, "tables",
                         "CREATE TABLE idempotency_requests "
                         "(request_id TEXT PRIMARY KEY, "
                         "operation TEXT NOT NULL, response TEXT "
                         "NOT NULL, create_time INTEGER NOT NULL)"});
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].version, 1);
  EXPECT_EQ(m[0].description, "tables");
  EXPECT_EQ(m[1].version, 2);
  EXPECT_EQ(m[1].sql, Migrations(2)[0].sql);
  EXPECT_EQ(m[2].version, 3);
  auto db = storage::Database::Open({.path = ":memory:"});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Migrate(m).ok());
  EXPECT_EQ(*(*db)->SchemaVersion(), 3);
}

TEST_F(OutboxTest, EmptyKeyAndPayloadAreStored) {
  ASSERT_TRUE(db_->Transaction(storage::TxMode::kImmediate,
                               [](storage::Tx& tx) {
                                 return Append(tx, OutboxMessage{.topic = "t"});
                               })
                  .ok());
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE key = '' AND "
                  "length(payload) = 0 AND length(headers) = 0"),
            1);
}

TEST(OutboxAppendTest, WithoutTheMigrationFailsClearly) {
  auto db = storage::Database::Open({.path = ":memory:"});
  ASSERT_TRUE(db.ok());
  absl::Status s = (*db)->Transaction(
      storage::TxMode::kImmediate,
      [](storage::Tx& tx) { return Append(tx, OutboxMessage{.topic = "t"}); });
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("no such table: outbox"));
}

TEST_F(OutboxTest, RelayQueriesUseThePartialIndexes) {
  std::string plan;
  ASSERT_TRUE(
      db_->Transaction(storage::TxMode::kDeferred,
                       [&](storage::Tx& tx) -> absl::Status {
                         for (const char* sql :
                              {"EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE "
                               "sent_at IS NULL ORDER BY id LIMIT 10",
                               "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE "
                               "sent_at IS NOT NULL AND sent_at < 5"}) {
                           ASSIGN_OR_RETURN(storage::Statement st,
                                            tx.Prepare(sql));
                           while (true) {
                             ASSIGN_OR_RETURN(bool row, st.Step());
                             if (!row) break;
                             absl::StrAppend(&plan, st.ColumnText(3), "\n");
                           }
                         }
                         return absl::OkStatus();
                       })
          .ok());
  EXPECT_THAT(plan, HasSubstr("outbox_unsent"));
  EXPECT_THAT(plan, HasSubstr("outbox_sent_at"));
}

TEST(OutboxHeadersTest, RoundTripsArbitraryBytesInOrder) {
  const Headers headers = {{"ce_id", "0b7c"},
                           {"", ""},
                           {"dup", "1"},
                           {"dup", "2"},
                           {std::string("n\0l", 3), std::string(300, '\xff')}};
  absl::StatusOr<Headers> decoded = DecodeHeaders(EncodeHeaders(headers));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, headers);
}

TEST(OutboxHeadersTest, EmptyListEncodesAsEmptyString) {
  EXPECT_EQ(EncodeHeaders({}), "");
  EXPECT_THAT(*DecodeHeaders(""), ::testing::IsEmpty());
}

TEST(OutboxHeadersTest, MalformedBytesAreDataLoss) {
  const std::string good = EncodeHeaders({{"name", "value"}});
  EXPECT_EQ(DecodeHeaders(good.substr(0, good.size() - 1)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeHeaders(good.substr(0, 3)).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeHeaders("\x02garbage").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_THAT(*DecodeHeaders(good), ElementsAre(Pair("name", "value")));
}

TEST_F(OutboxTest, RewritePayloadsChangesOnlyWhatTheRewriteReturns) {
  ASSERT_TRUE(Enrol("t1", OutboxMessage{.topic = "t", .key = "k1", .payload = "old-1"}).ok());
  ASSERT_TRUE(Enrol("t2", OutboxMessage{.topic = "t", .key = "k2", .payload = "keep"}).ok());
  int64_t n = -1;
  ASSERT_TRUE(db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
                   ASSIGN_OR_RETURN(
                       n, RewritePayloads(tx, [](absl::string_view p)
                                                  -> absl::StatusOr<std::optional<std::string>> {
                         if (p == "keep") return std::optional<std::string>();
                         return std::optional<std::string>(absl::StrCat("new-", p));
                       }));
                   return absl::OkStatus();
                 }).ok());
  EXPECT_EQ(n, 1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('new-old-1' AS BLOB)"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('keep' AS BLOB)"), 1);
  // An error aborts: the caller's transaction rolls back.
  absl::Status failed = db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) {
    return RewritePayloads(tx, [](absl::string_view) -> absl::StatusOr<std::optional<std::string>> {
             return absl::DataLossError("cannot read");
           }).status();
  });
  EXPECT_EQ(failed.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(Count("SELECT count(*) FROM outbox WHERE payload = CAST('new-old-1' AS BLOB)"), 1);
}

}  // namespace
}  // namespace jit::outbox
