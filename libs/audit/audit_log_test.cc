// AuditLog: append-only in the schema (UPDATE / DELETE / REPLACE refused
// through plain SQL), retention deletes only records older than the horizon,
// filters and paging, the bounded queue.
#include "libs/audit/audit_log.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

AuditEntry Entry(const std::string& subject, const std::string& method,
                 std::vector<std::string> targets = {}, const std::string& request_id = "") {
  AuditEntry e;
  e.subject = subject;
  e.roles = {"programme-admin"};
  e.peer = "ipv4:127.0.0.1:4000";
  e.method = method;
  e.target_ids = std::move(targets);
  e.outcome = "OK";
  e.request_id = request_id;
  e.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  e.mutation = !request_id.empty();
  e.personal_data = request_id.empty();
  return e;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Database::Open({.path = dir_.File("service.db")});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto log = AuditLog::Open({.database = db_.get(), .clock = &clock_});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  void Write(AuditEntry e) {
    log_->Record(std::move(e));
    ASSERT_TRUE(log_->Flush().ok());
  }

  std::vector<std::string> Subjects(const AuditQuery& q) {
    auto page = log_->List(q);
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& r : page->records) out.push_back(r.entry.subject);
    }
    return out;
  }

  int64_t Count() {
    int64_t n = -1;
    EXPECT_TRUE(db_->Transaction(storage::TxMode::kDeferred,
                                 [&](storage::Tx& tx) -> absl::Status {
                                   auto st = tx.Prepare("SELECT COUNT(*) FROM audit_log");
                                   if (!st.ok()) return st.status();
                                   auto row = st->Step();
                                   if (!row.ok()) return row.status();
                                   n = st->ColumnInt64(0);
                                   return absl::OkStatus();
                                 })
                    .ok());
    return n;
  }

  storage::testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1'760'486'400)};  // 2025-10-15
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, RecordsAreWrittenWithEveryFieldAndReadBack) {
  AuditEntry e = Entry("alice", "/jobintech.enrollment.v1.EnrollmentService/AdmitApplication",
                       {"app-1"}, "req-1");
  e.peer_service = "placement";
  e.denial = true;
  Write(e);
  auto page = log_->List({});
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->records.size(), 1u);
  AuditEntry expected = e;
  expected.time = clock_.Now();  // stamped by the log's clock
  EXPECT_EQ(page->records[0].entry, expected);
  EXPECT_GT(page->records[0].sequence, 0);
  EXPECT_TRUE(page->next_page_token.empty());
}

TEST_F(AuditLogTest, UpdatesThroughSqlAreRefused) {
  Write(Entry("alice", "/m/A", {"x"}, "r1"));
  absl::Status s = db_->Execute("UPDATE audit_log SET subject = 'mallory'");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("append-only"));
  // An upsert is an update too; a replace would delete the old row.
  s = db_->Execute(
      "INSERT OR REPLACE INTO audit_log(seq, time_us, subject, method, outcome, reasons) "
      "SELECT seq, time_us, 'mallory', method, outcome, reasons FROM audit_log");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(Subjects({}), ElementsAre("alice"));
}

TEST_F(AuditLogTest, DeletesThroughSqlAreRefused) {
  Write(Entry("alice", "/m/A"));
  absl::Status s = db_->Execute("DELETE FROM audit_log");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("append-only"));
  EXPECT_EQ(Count(), 1);
  // Nor can the horizon be moved to now-and-beyond, or back, or removed.
  EXPECT_FALSE(db_->Execute("UPDATE audit_retention SET horizon_us = 9000000000000000").ok());
  EXPECT_FALSE(db_->Execute("DELETE FROM audit_retention").ok());
  EXPECT_EQ(Count(), 1);
}

TEST_F(AuditLogTest, RetentionDeletesOnlyRecordsOlderThanTheHorizon) {
  Write(Entry("old-1", "/m/A"));
  Write(Entry("old-2", "/m/A"));
  clock_.Advance(absl::Hours(24 * 10));
  const absl::Time recent = clock_.Now();
  Write(Entry("recent", "/m/A"));
  // Nothing older than the day before: nothing deleted.
  auto none = log_->PruneBefore(recent - absl::Hours(24 * 30), 100);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, 0);
  // One at a time (batches), oldest first.
  auto one = log_->PruneBefore(recent - absl::Hours(1), 1);
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(*one, 1);
  EXPECT_THAT(Subjects({}), ElementsAre("old-2", "recent"));
  auto rest = log_->PruneBefore(recent - absl::Hours(1), 100);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*rest, 1);
  EXPECT_THAT(Subjects({}), ElementsAre("recent"));
  // The horizon is now past the old records, not the recent one: SQL still
  // cannot delete it, and the horizon cannot go back.
  EXPECT_FALSE(db_->Execute("DELETE FROM audit_log").ok());
  EXPECT_FALSE(db_->Execute("UPDATE audit_retention SET horizon_us = 0").ok());
  EXPECT_EQ(Count(), 1);
  // A horizon moved backwards by the pruner is ignored (never lowered).
  auto back = log_->PruneBefore(recent - absl::Hours(24 * 100), 100);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, 0);
  // Back-dated inserts (below the horizon) are refused.
  EXPECT_FALSE(db_->Execute("INSERT INTO audit_log(time_us, subject, method, outcome, reasons) "
                            "VALUES (0, 'x', '/m', 'OK', 1)")
                   .ok());
}

TEST_F(AuditLogTest, FiltersBySubjectTargetMethodAndTime) {
  Write(Entry("alice", "/m/A", {"app-1", "cohort-9"}, "r1"));
  clock_.Advance(absl::Minutes(1));
  const absl::Time t1 = clock_.Now();
  Write(Entry("bob", "/m/B", {"app-2"}));
  clock_.Advance(absl::Minutes(1));
  Write(Entry("alice", "/m/B", {"app-2"}));

  EXPECT_THAT(Subjects({.subject = "alice"}), ElementsAre("alice", "alice"));
  EXPECT_THAT(Subjects({.target_id = "app-2"}), ElementsAre("bob", "alice"));
  EXPECT_THAT(Subjects({.target_id = "cohort-9"}), ElementsAre("alice"));
  EXPECT_THAT(Subjects({.target_id = "app"}), ElementsAre());  // exact ids only
  EXPECT_THAT(Subjects({.method = "/m/B"}), ElementsAre("bob", "alice"));
  EXPECT_THAT(Subjects({.since = t1}), ElementsAre("bob", "alice"));
  EXPECT_THAT(Subjects({.subject = "alice", .target_id = "app-2", .since = t1}),
              ElementsAre("alice"));
  EXPECT_THAT(Subjects({.subject = "carol"}), ElementsAre());
}

TEST_F(AuditLogTest, PagesFollowEachOtherWithoutGapsOrRepeats) {
  for (int i = 0; i < 7; ++i) log_->Record(Entry("s" + std::to_string(i), "/m/A"));
  ASSERT_TRUE(log_->Flush().ok());
  std::vector<std::string> seen;
  AuditQuery q{.page_size = 3};
  int pages = 0;
  for (;;) {
    auto page = log_->List(q);
    ASSERT_TRUE(page.ok()) << page.status();
    ++pages;
    for (const auto& r : page->records) seen.push_back(r.entry.subject);
    if (page->next_page_token.empty()) break;
    q.page_token = page->next_page_token;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre("s0", "s1", "s2", "s3", "s4", "s5", "s6"));
  EXPECT_EQ(log_->List({.page_token = "not-a-token"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->List({.page_size = -1}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AuditLogTest, TheSchemaIsAppliedOnceAndSurvivesAReopen) {
  Write(Entry("alice", "/m/A"));
  log_.reset();
  auto again = AuditLog::Open({.database = db_.get(), .clock = &clock_});
  ASSERT_TRUE(again.ok()) << again.status();
  log_ = *std::move(again);
  Write(Entry("bob", "/m/A"));
  EXPECT_THAT(Subjects({}), ElementsAre("alice", "bob"));
  // The service's own migrations (user_version) are untouched.
  EXPECT_EQ(db_->SchemaVersion().value_or(-1), 0);
}

TEST_F(AuditLogTest, AFullQueueDropsAndCountsInsteadOfBlocking) {
  // A second connection holds the write lock: the writer cannot commit.
  auto other = storage::Database::Open(
      {.path = dir_.File("service.db"), .busy_timeout = absl::Milliseconds(1)});
  ASSERT_TRUE(other.ok()) << other.status();
  log_.reset();
  auto small = AuditLog::Open({.database = db_.get(),
                               .clock = &clock_,
                               .queue_capacity = 2,
                               .max_batch = 1,
                               .full_queue_wait = absl::Milliseconds(1)});
  ASSERT_TRUE(small.ok()) << small.status();
  log_ = *std::move(small);
  ASSERT_TRUE((*other)->Execute("BEGIN IMMEDIATE").ok());
  for (int i = 0; i < 10; ++i) log_->Record(Entry("s" + std::to_string(i), "/m/A"));
  // At most one in the writer's hands and two queued: at least 7 dropped.
  EXPECT_GE(log_->dropped(), 7);
  ASSERT_TRUE((*other)->Execute("COMMIT").ok());
  ASSERT_TRUE(log_->Flush().ok());
  EXPECT_EQ(Count(), 10 - log_->dropped());
}

TEST(AuditLogOpenTest, NeedsADatabaseAndAClock) {
  FakeClock clock;
  EXPECT_EQ(AuditLog::Open({.database = nullptr, .clock = &clock}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jit::audit
