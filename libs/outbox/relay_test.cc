#include "libs/outbox/relay.h"

#include <stdlib.h>

#include <csignal>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/outbox/testing/fake_publisher.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "prometheus/registry.h"

namespace jit::outbox {
namespace {

using ::testing::ElementsAre;
using testing::FakePublisher;
using ::testing::HasSubstr;
using testing::Payloads;

constexpr char kTopic[] = "jobintech.enrollment.v1";
constexpr absl::Duration kWait = absl::Seconds(10);

// Value of the series of `name` carrying `labels` (all of them), or -1.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::map<std::string, std::string>& labels = {}) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> got;
      for (const auto& label : metric.label) got[label.name] = label.value;
      if (got != labels) continue;
      return family.type == prometheus::MetricType::Counter
                 ? metric.counter.value
                 : metric.gauge.value;
    }
  }
  return -1;
}

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Reopen();
    ASSERT_TRUE(db_->Migrate(Migrations(1)).ok());
  }

  void Reopen() {
    db_.reset();
    auto db = storage::Database::Open({.path = dir_.File("outbox.db")});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }

  std::unique_ptr<Relay> MakeRelay(RelayOptions options = {}) {
    auto relay = Relay::Create(db_.get(), &publisher_, &clock_, &registry_,
                               std::move(options));
    EXPECT_TRUE(relay.ok()) << relay.status();
    return relay.ok() ? std::move(*relay) : nullptr;
  }

  // Appends one message per payload, each in its own committed transaction.
  void Append(const std::string& key,
              const std::vector<std::string>& payloads) {
    for (const std::string& payload : payloads) {
      absl::Status s =
          db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) {
            return outbox::Append(
                tx, {.topic = kTopic, .key = key, .payload = payload},
                clock_.Now());
          });
      ASSERT_TRUE(s.ok()) << s;
    }
  }

  // The same through another connection to the file (as another process
  // would): this Database's commit listeners, the relay's, are not told.
  void AppendFromAnotherConnection(const std::string& key, const std::string& payload) {
    auto other = storage::Database::Open({.path = dir_.File("outbox.db")});
    ASSERT_TRUE(other.ok()) << other.status();
    absl::Status s = (*other)->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) {
      return outbox::Append(tx, {.topic = kTopic, .key = key, .payload = payload},
                            clock_.Now());
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  int64_t Query(const std::string& sql) {
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

  // Polls `sql` until it returns `want` (real time, up to kWait).
  bool WaitForQuery(const std::string& sql, int64_t want) {
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      if (Query(sql) == want) return true;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return false;
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<storage::Database> db_;
  FakeClock clock_;
  FakePublisher publisher_;
  prometheus::Registry registry_;
};

TEST_F(RelayTest, CreateRejectsMissingDependenciesAndBadOptions) {
  EXPECT_EQ(
      Relay::Create(nullptr, &publisher_, &clock_, nullptr).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Relay::Create(db_.get(), nullptr, &clock_, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  for (RelayOptions bad : {RelayOptions{.batch_size = 0},
                           RelayOptions{.poll_interval = absl::ZeroDuration()},
                           RelayOptions{.initial_backoff = absl::Seconds(2),
                           .max_backoff = absl::Seconds(1)},
                           RelayOptions{.backoff_jitter = 1.5},
                           RelayOptions{.retention = -absl::Seconds(1)}}) {
    EXPECT_EQ(Relay::Create(db_.get(), &publisher_, &clock_, nullptr, bad)
                  .status()
                  .code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Relay::Create(db_.get(), &publisher_, &clock_, &registry_,
                          {.metric_labels = {{"bad-label", "x"}}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RelayTest, PublishesCommittedRowsWithAllFieldsAndMarksThemSent) {
  const OutboxMessage event{
      .topic = kTopic,
      .key = "trainee-1",
      .payload = std::string("\x00\x01payload", 9),
      .headers = {{"ce_id", "e-1"}, {"traceparent", "00-abc-def-01"}}};
  ASSERT_TRUE(db_->Transaction(
                     storage::TxMode::kImmediate,
                     [&](storage::Tx& tx) { return outbox::Append(tx, event); })
                  .ok());
  auto relay = MakeRelay();
  EXPECT_EQ(*relay->RunOnce(), 1);
  ASSERT_EQ(publisher_.published().size(), 1u);
  OutboxMessage got = publisher_.published()[0];
  EXPECT_EQ(got.id, 1);
  got.id = 0;
  EXPECT_EQ(got, event);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox WHERE sent_at = " +
                  std::to_string(absl::ToUnixMicros(clock_.Now())) +
                  " AND attempts = 1"),
            1);
  // Nothing left: the next round publishes nothing.
  EXPECT_EQ(*relay->RunOnce(), 0);
  EXPECT_EQ(publisher_.call_count(), 1);
}

TEST_F(RelayTest, RowAppendedInRolledBackTransactionIsNeverPublished) {
  absl::Status s = db_->Transaction(
      storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
        RETURN_IF_ERROR(outbox::Append(
            tx, {.topic = kTopic, .key = "k", .payload = "ghost"}));
        return absl::FailedPreconditionError("business rule rejected it");
      });
  ASSERT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  auto relay = MakeRelay();
  EXPECT_EQ(*relay->RunOnce(), 0);
  EXPECT_EQ(publisher_.call_count(), 0);
  EXPECT_EQ(*relay->Backlog(), 0);
}

TEST_F(RelayTest, PublishesInCommitOrderPerKeyAcrossBatches) {
  Append("A", {"A1"});
  Append("B", {"B1"});
  Append("A", {"A2", "A3"});
  Append("B", {"B2"});
  auto relay = MakeRelay({.batch_size = 2});
  int total = 0;
  for (int i = 0; i < 5; ++i) total += *relay->RunOnce();
  EXPECT_EQ(total, 5);
  EXPECT_THAT(Payloads(publisher_.published()),
              ElementsAre("A1", "B1", "A2", "A3", "B2"));
  EXPECT_EQ(publisher_.call_count(), 3);  // 2 + 2 + 1
}

TEST_F(RelayTest, FailureForOneKeyHoldsItsLaterRowsButNotOtherKeys) {
  Append("A", {"A1"});
  Append("B", {"B1"});
  Append("A", {"A2"});
  Append("B", {"B2"});
  Append("A", {"A3"});
  publisher_.FailPayload("A2", /*times=*/1);
  auto relay = MakeRelay();

  // A1, B1, B2 marked; A2 failed; A3 delivered but held back behind A2.
  EXPECT_EQ(*relay->RunOnce(), 3);
  EXPECT_EQ(*relay->Backlog(), 2);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox WHERE sent_at IS NULL AND "
                  "CAST(payload AS TEXT) IN ('A2', 'A3')"),
            2);
  EXPECT_EQ(
      Query(
          "SELECT count(*) FROM outbox WHERE CAST(payload AS TEXT) = 'A2' AND "
          "last_error LIKE '%injected%'"),
      1);

  // The retry publishes the failed one again, then the rest of A after it.
  EXPECT_EQ(*relay->RunOnce(), 2);
  ASSERT_EQ(publisher_.call_count(), 2);
  EXPECT_THAT(Payloads(publisher_.calls()[1]), ElementsAre("A2", "A3"));
  EXPECT_EQ(*relay->Backlog(), 0);
  EXPECT_EQ(
      Query("SELECT attempts FROM outbox WHERE CAST(payload AS TEXT) = 'A3'"),
      2);
  EXPECT_EQ(
      Query("SELECT attempts FROM outbox WHERE CAST(payload AS TEXT) = 'B2'"),
      1);
  RelayStats stats = relay->stats();
  EXPECT_EQ(stats.sent, 5);
  EXPECT_EQ(stats.failed, 1);
  EXPECT_EQ(stats.held_back, 1);
}

TEST_F(RelayTest, WholeBatchFailureMarksNothingAndTheRetryPublishesAll) {
  Append("A", {"A1", "A2"});
  Append("B", {"B1"});
  publisher_.FailNextCalls(1);
  auto relay = MakeRelay();
  EXPECT_EQ(*relay->RunOnce(), 0);
  EXPECT_EQ(*relay->Backlog(), 3);
  EXPECT_THAT(relay->stats().last_error, HasSubstr("broker unavailable"));
  EXPECT_EQ(*relay->RunOnce(), 3);
  EXPECT_THAT(Payloads(publisher_.published()), ElementsAre("A1", "A2", "B1"));
}

TEST_F(RelayTest, PublisherReturningWrongStatusCountIsAnErrorAndMarksNothing) {
  Append("A", {"A1", "A2"});
  publisher_.ReturnWrongStatusCountOnce();
  auto relay = MakeRelay();
  absl::StatusOr<int> r = relay->RunOnce();
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(r.status().message(), HasSubstr("1 statuses for 2 messages"));
  EXPECT_EQ(*relay->Backlog(), 2);
  EXPECT_EQ(*relay->RunOnce(), 2);
}

TEST_F(RelayTest, CorruptHeadersFailTheRowAndHoldItsKeyOnly) {
  Append("A", {"A1", "A2"});
  Append("B", {"B1"});
  ASSERT_TRUE(db_->Execute("UPDATE outbox SET headers = x'07' "
                           "WHERE CAST(payload AS TEXT) = 'A1'")
                  .ok());
  auto relay = MakeRelay();
  EXPECT_EQ(*relay->RunOnce(), 1);
  EXPECT_THAT(Payloads(publisher_.published()), ElementsAre("B1"));
  EXPECT_EQ(
      Query(
          "SELECT count(*) FROM outbox WHERE CAST(payload AS TEXT) = 'A1' AND "
          "last_error LIKE '%DATA_LOSS%'"),
      1);
  EXPECT_EQ(*relay->Backlog(), 2);
}

TEST_F(RelayTest, MetricsTrackBacklogAgeAndCounts) {
  auto relay = MakeRelay({.metric_labels = {{"service", "enrollment"}}});
  const std::map<std::string, std::string> labels = {{"service", "enrollment"}};
  Append("A", {"A1", "A2"});
  Append("B", {"B1"});
  clock_.Advance(absl::Seconds(30));
  publisher_.FailNextCalls(1);
  ASSERT_TRUE(relay->RunOnce().ok());
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_backlog", labels), 3);
  EXPECT_EQ(
      MetricValue(registry_, "jit_outbox_oldest_unsent_age_seconds", labels),
      30);
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_publish_failures_total", labels),
            3);
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_published_total", labels), 0);

  publisher_.FailPayload("B1");
  ASSERT_TRUE(relay->RunOnce().ok());
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_backlog", labels), 1);
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_published_total", labels), 2);
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_publish_failures_total", labels),
            4);

  ASSERT_TRUE(relay->RunOnce().ok());
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_backlog", labels), 0);
  EXPECT_EQ(
      MetricValue(registry_, "jit_outbox_oldest_unsent_age_seconds", labels),
      0);
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_published_total", labels), 3);
}

TEST_F(RelayTest, WorksWithoutARegistry) {
  auto relay = Relay::Create(db_.get(), &publisher_, &clock_, nullptr);
  ASSERT_TRUE(relay.ok());
  Append("A", {"A1"});
  EXPECT_EQ(*(*relay)->RunOnce(), 1);
}

TEST_F(RelayTest, BackgroundLoopDrainsABacklogLargerThanABatch) {
  std::vector<std::string> payloads;
  for (int i = 0; i < 35; ++i) payloads.push_back("m" + std::to_string(i));
  Append("A", payloads);
  auto relay = MakeRelay({.batch_size = 10});
  ASSERT_TRUE(relay->Start().ok());
  EXPECT_TRUE(publisher_.WaitForPublished(35, kWait));
  EXPECT_TRUE(
      WaitForQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL", 0));
  relay->Stop();
  EXPECT_EQ(Payloads(publisher_.published()), payloads);
  EXPECT_EQ(MetricValue(registry_, "jit_outbox_backlog"), 0);
}

TEST_F(RelayTest, NotifyWakesTheIdleLoop) {
  // With an hour-long poll interval, only Notify() can wake the loop.
  auto relay = MakeRelay({.poll_interval = absl::Hours(1)});
  ASSERT_TRUE(relay->Start().ok());
  const absl::Time deadline = absl::Now() + kWait;
  while (relay->stats().loop_iterations < 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(relay->stats().loop_iterations, 1);  // now idle

  AppendFromAnotherConnection("A", "A1");
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(publisher_.call_count(), 0);  // still asleep

  relay->Notify();
  EXPECT_TRUE(publisher_.WaitForPublished(1, kWait));
  relay->Stop();
  EXPECT_EQ(*relay->Backlog(), 0);
}

TEST_F(RelayTest, ACommittedAppendWakesTheIdleLoop) {
  // With an hour-long poll interval, only the commit can wake the loop.
  auto relay = MakeRelay({.poll_interval = absl::Hours(1)});
  ASSERT_TRUE(relay->Start().ok());
  const absl::Time deadline = absl::Now() + kWait;
  while (relay->stats().loop_iterations < 1 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(relay->stats().loop_iterations, 1);  // now idle
  Append("A", {"A1"});  // no Notify(): the transaction's commit is enough
  EXPECT_TRUE(publisher_.WaitForPublished(1, kWait));
  relay->Stop();
  // A stopped relay no longer listens: a later commit finds nobody.
  Append("A", {"A2"});
  EXPECT_EQ(*relay->Backlog(), 1);
}

TEST_F(RelayTest, LoopBacksOffAndRetriesUntilThePublisherRecovers) {
  Append("A", {"A1", "A2"});
  publisher_.FailNextCalls(3);
  auto relay = MakeRelay({.initial_backoff = absl::Milliseconds(5),
                          .max_backoff = absl::Milliseconds(20)});
  ASSERT_TRUE(relay->Start().ok());
  EXPECT_TRUE(publisher_.WaitForPublished(2, kWait));
  relay->Stop();
  EXPECT_EQ(publisher_.call_count(), 4);  // 3 failures, then success
  EXPECT_EQ(*relay->Backlog(), 0);
  EXPECT_EQ(relay->stats().failed, 6);
}

TEST_F(RelayTest, StopLetsTheInFlightBatchFinishThenJoins) {
  Append("A", {"A1", "A2"});
  publisher_.HoldCalls();
  auto relay = MakeRelay();
  ASSERT_TRUE(relay->Start().ok());
  ASSERT_TRUE(publisher_.WaitForCalls(1, kWait));  // publishing, held

  absl::Notification stopped;
  std::thread stopper([&] {
    relay->Stop();
    stopped.Notify();
  });
  EXPECT_FALSE(stopped.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  publisher_.ReleaseCalls();
  EXPECT_TRUE(stopped.WaitForNotificationWithTimeout(kWait));
  stopper.join();
  // The in-flight batch was marked sent, and the loop made no further call.
  EXPECT_EQ(*relay->Backlog(), 0);
  EXPECT_EQ(publisher_.call_count(), 1);
  relay->Stop();  // idempotent
}

TEST_F(RelayTest, StartTwiceIsRefusedAndRestartAfterStopWorks) {
  auto relay = MakeRelay();
  ASSERT_TRUE(relay->Start().ok());
  EXPECT_EQ(relay->Start().code(), absl::StatusCode::kFailedPrecondition);
  relay->Stop();
  Append("A", {"A1"});
  ASSERT_TRUE(relay->Start().ok());
  EXPECT_TRUE(publisher_.WaitForPublished(1, kWait));
  // The destructor stops the running loop.
}

TEST_F(RelayTest, PruneDeletesOnlySentRowsOlderThanRetention) {
  auto relay = MakeRelay({.retention = absl::Hours(24 * 7)});
  Append("A", {"old1", "old2"});
  ASSERT_EQ(*relay->RunOnce(), 2);  // sent at t0
  publisher_.FailPayload("stuck", /*times=*/-1);
  Append("A", {"stuck"});  // never sent
  ASSERT_EQ(*relay->RunOnce(), 0);

  clock_.Advance(absl::Hours(24 * 6));
  EXPECT_EQ(*relay->PruneSent(), 0);
  Append("B", {"recent"});
  ASSERT_EQ(*relay->RunOnce(), 1);  // sent at t0 + 6d

  clock_.Advance(absl::Hours(24) + absl::Seconds(1));
  EXPECT_EQ(*relay->PruneSent(), 2);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), 2);  // stuck + recent
  EXPECT_EQ(Query("SELECT count(*) FROM outbox WHERE CAST(payload AS TEXT) = "
                  "'stuck' AND "
                  "sent_at IS NULL"),
            1);
  EXPECT_EQ(relay->stats().pruned, 2);
}

TEST_F(RelayTest, PruneWorksInChunks) {
  auto relay = MakeRelay({.retention = absl::Hours(1), .prune_chunk_size = 3});
  std::vector<std::string> payloads(10, "x");
  Append("A", payloads);
  ASSERT_EQ(*relay->RunOnce(), 10);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(*relay->PruneSent(), 10);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), 0);
}

TEST_F(RelayTest, InfiniteRetentionKeepsEverything) {
  auto relay = MakeRelay({.retention = absl::InfiniteDuration()});
  Append("A", {"A1"});
  ASSERT_EQ(*relay->RunOnce(), 1);
  clock_.Advance(absl::Hours(24 * 365));
  EXPECT_EQ(*relay->PruneSent(), 0);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), 1);
}

TEST_F(RelayTest, LoopPrunesOldSentRowsPeriodically) {
  auto relay = MakeRelay(
      {.retention = absl::Hours(24 * 7), .prune_interval = absl::Hours(1)});
  Append("A", {"A1"});
  ASSERT_TRUE(relay->Start().ok());
  ASSERT_TRUE(publisher_.WaitForPublished(1, kWait));
  ASSERT_TRUE(
      WaitForQuery("SELECT count(*) FROM outbox WHERE sent_at IS NULL", 0));
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), 1);  // retained
  clock_.Advance(absl::Hours(24 * 8));
  relay->Notify();
  EXPECT_TRUE(WaitForQuery("SELECT count(*) FROM outbox", 0));
  relay->Stop();
}

TEST_F(RelayTest, RequeueAllRepublishesRetainedRowsInOriginalOrder) {
  Append("A", {"A1"});
  Append("B", {"B1"});
  Append("A", {"A2"});
  auto relay = MakeRelay();
  ASSERT_EQ(*relay->RunOnce(), 3);
  Append("A", {"A3"});  // not yet sent

  EXPECT_EQ(*relay->RequeueAll(), 3);
  EXPECT_EQ(*relay->Backlog(), 4);
  publisher_.ClearRecords();
  EXPECT_EQ(*relay->RunOnce(), 4);
  EXPECT_THAT(Payloads(publisher_.published()),
              ElementsAre("A1", "B1", "A2", "A3"));
}

TEST_F(RelayTest, RequeueCreatedSinceRepublishesOnlyLaterRows) {
  Append("A", {"early"});
  clock_.Advance(absl::Hours(1));
  const absl::Time since = clock_.Now();
  Append("A", {"late1", "late2"});
  auto relay = MakeRelay();
  ASSERT_EQ(*relay->RunOnce(), 3);
  EXPECT_EQ(*relay->RequeueCreatedSince(since), 2);
  publisher_.ClearRecords();
  EXPECT_EQ(*relay->RunOnce(), 2);
  EXPECT_THAT(Payloads(publisher_.published()), ElementsAre("late1", "late2"));
}

TEST_F(RelayTest,
       CrashHookKillsAfterPublishBeforeMarkingSoRowsArePublishedAgain) {
  Append("A", {"A1", "A2"});
  db_.reset();  // the child opens its own connection
  EXPECT_EXIT(
      {
        setenv(kCrashAfterPublishEnv, "1", 1);
        auto db = storage::Database::Open({.path = dir_.File("outbox.db")});
        if (!db.ok()) std::_Exit(1);
        FakePublisher publisher;
        auto relay = Relay::Create(db->get(), &publisher, &clock_, nullptr);
        if (!relay.ok()) std::_Exit(2);
        (void)(*relay)->RunOnce();
        std::_Exit(3);  // not reached: killed after the publish
      },
      ::testing::KilledBySignal(SIGKILL), "");
  Reopen();
  // The crashed relay published both rows but marked none: they go again.
  auto relay = MakeRelay();
  EXPECT_EQ(*relay->Backlog(), 2);
  EXPECT_EQ(*relay->RunOnce(), 2);
  EXPECT_THAT(Payloads(publisher_.published()), ElementsAre("A1", "A2"));
}

}  // namespace
}  // namespace jit::outbox
