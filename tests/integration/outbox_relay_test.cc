// The outbox end to end, across processes: the embedded broker runs as its
// own process, jit-outbox-writer commits business rows and their events
// through the outbox, a plain consumer reads the topic back. The writer is
// killed with SIGKILL while events are committed but not yet published; after
// a restart every committed event must be on the topic (at least once), in
// order per key, with valid CloudEvents headers and payloads.
#include <signal.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/events/envelope.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/topics.h"
#include "libs/storage/database.h"
#include "libs/testing/subprocess.h"

namespace jit {
namespace {

using testing::EmbeddedBroker;
using testing::ExitInfo;
using testing::RunToCompletion;
using testing::Subprocess;
using testing::TempDir;

constexpr int kPartitions = 8;

struct Committed {
  std::string trainee_id;
  int64_t seq;
  std::string event_id;
};

std::vector<Committed> ReadCommitted(const std::string& db_path) {
  std::vector<Committed> out;
  auto db = storage::Database::Open({.path = db_path, .read_only = true});
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return out;
  absl::Status s = (*db)->Transaction(
      storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
        auto st = tx.Prepare(
            "SELECT trainee_id, seq, event_id FROM demo_application ORDER BY id");
        if (!st.ok()) return st.status();
        while (true) {
          auto row = st->Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          out.push_back({std::string(st->ColumnText(0)), st->ColumnInt64(1),
                         std::string(st->ColumnText(2))});
        }
        return absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

int64_t UnsentRows(const std::string& db_path) {
  auto db = storage::Database::Open({.path = db_path, .read_only = true});
  int64_t n = -1;
  absl::Status s = (*db)->Transaction(
      storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
        auto st = tx.Prepare("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
        if (!st.ok()) return st.status();
        auto row = st->Step();
        if (!row.ok()) return row.status();
        n = st->ColumnInt64(0);
        return absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
  return n;
}

class OutboxRelayIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), kPartitions);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
  }

  std::vector<std::string> WriterArgs(int count, bool drain) {
    std::vector<std::string> args = {
        JIT_OUTBOX_WRITER_BIN, "--db=" + dir_.File("writer.db"),
        "--bootstrap=" + broker_->bootstrap_servers(),
        absl::StrCat("--count=", count), "--keys=12", "--batch_size=40"};
    if (drain) args.push_back("--drain");
    return args;
  }

  // Every record of the topic, partition by partition, in offset order.
  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic) {
    std::vector<kafka::ConsumedMessage> out;
    auto consumer = kafka::Consumer::Create(
        {.bootstrap_servers = broker_->bootstrap_servers(),
         .auto_offset_reset = "error"});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    std::vector<kafka::TopicPartitionOffset> parts;
    for (int p = 0; p < kPartitions; ++p) parts.push_back({topic, p, kafka::kOffsetBeginning});
    EXPECT_TRUE((*consumer)->Assign(parts).ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!(*consumer)->AtEndOfAssignedPartitions() && absl::Now() < deadline) {
      auto m = (*consumer)->Poll(absl::Milliseconds(200));
      EXPECT_TRUE(m.ok()) << m.status();
      if (m.ok() && m->has_value()) out.push_back(**m);
    }
    EXPECT_TRUE((*consumer)->AtEndOfAssignedPartitions()) << "topic not read to its end";
    return out;
  }

  // The checks every scenario ends with.
  void ExpectEveryCommittedEventOnTheTopicInOrder() {
    const std::vector<Committed> committed = ReadCommitted(dir_.File("writer.db"));
    ASSERT_FALSE(committed.empty());
    const auto records = ReadTopic(kafka::kEnrollmentTopic);

    std::map<std::string, int> seen;               // event id -> copies
    std::map<std::string, int64_t> max_seq;        // per key, in read order
    std::map<std::string, std::set<int>> key_partitions;
    int duplicates = 0;
    for (const auto& r : records) {
      auto event = events::Decode(r.key, r.value, r.headers);
      ASSERT_TRUE(event.ok()) << "record " << r.partition << "/" << r.offset
                              << ": " << event.status();
      EXPECT_EQ(event->metadata().source(), "jobintech/outbox-writer");
      EXPECT_TRUE(event->has_application_submitted());
      ASSERT_NE(kafka::FindHeader(r.headers, "traceparent"), nullptr);
      key_partitions[r.key].insert(r.partition);
      const int64_t seq = event->metadata().sequence();
      int64_t& max = max_seq[r.key];
      if (seq > max) {
        // The first copy of each event appears in sequence order, no gaps.
        EXPECT_EQ(seq, max + 1) << "key " << r.key << " jumped from " << max;
        max = seq;
      }
      if (++seen[event->metadata().event_id()] > 1) ++duplicates;
    }
    std::map<std::string, int64_t> committed_max;
    for (const auto& c : committed) {
      EXPECT_EQ(seen.count(c.event_id), 1u)
          << "committed event " << c.event_id << " (" << c.trainee_id << " #"
          << c.seq << ") never reached the topic";
      committed_max[c.trainee_id] = std::max(committed_max[c.trainee_id], c.seq);
    }
    EXPECT_EQ(max_seq, committed_max);
    for (const auto& [key, parts] : key_partitions) {
      EXPECT_EQ(parts.size(), 1u) << "key " << key << " spread over partitions";
    }
    // Nothing on the topic that was not committed.
    EXPECT_EQ(seen.size(), committed.size());
    std::cout << "committed=" << committed.size() << " records=" << records.size()
              << " duplicates=" << duplicates << "\n";
    RecordProperty("committed", static_cast<int>(committed.size()));
    RecordProperty("duplicates", duplicates);
  }

  TempDir dir_;
  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(OutboxRelayIntegrationTest, CleanRunPublishesEveryEventOnceInOrder) {
  auto run = RunToCompletion(WriterArgs(300, /*drain=*/true), dir_.File("w.log"),
                             absl::Seconds(60));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE(run->exited && run->exit_code == 0) << testing::ReadFile(dir_.File("w.log")).value_or("");
  EXPECT_EQ(UnsentRows(dir_.File("writer.db")), 0);
  ExpectEveryCommittedEventOnTheTopicInOrder();
}

TEST_F(OutboxRelayIntegrationTest, KillBetweenPublishAndMarkThenRestartLosesNothing) {
  // The relay's crash hook kills the writer right after its 3rd delivered
  // batch, before that batch is marked sent: committed rows are unsent.
  auto crashed = RunToCompletion(WriterArgs(400, /*drain=*/true), dir_.File("w1.log"),
                                 absl::Seconds(60),
                                 {{"JIT_OUTBOX_CRASH_AFTER_PUBLISH", "3"}});
  ASSERT_TRUE(crashed.ok()) << crashed.status();
  ASSERT_TRUE(crashed->signaled) << testing::ReadFile(dir_.File("w1.log")).value_or("");
  EXPECT_EQ(crashed->signal, SIGKILL);
  const int64_t unsent = UnsentRows(dir_.File("writer.db"));
  EXPECT_GT(unsent, 0) << "the crash must leave committed, unpublished rows";

  // Restart: commits nothing new, drains what the crash left.
  auto restarted = RunToCompletion(WriterArgs(0, /*drain=*/true), dir_.File("w2.log"),
                                   absl::Seconds(60));
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  ASSERT_TRUE(restarted->exited && restarted->exit_code == 0)
      << testing::ReadFile(dir_.File("w2.log")).value_or("");
  EXPECT_EQ(UnsentRows(dir_.File("writer.db")), 0);
  ExpectEveryCommittedEventOnTheTopicInOrder();
}

TEST_F(OutboxRelayIntegrationTest, KillNineUnderLoadThenRestartLosesNothing) {
  // An external kill -9 at an arbitrary moment while committing and publishing.
  auto writer = Subprocess::Start(WriterArgs(5000, /*drain=*/true), dir_.File("w1.log"));
  ASSERT_TRUE(writer.ok()) << writer.status();
  absl::SleepFor(absl::Milliseconds(700));
  ASSERT_TRUE((*writer)->Signal(SIGKILL).ok());
  auto killed = (*writer)->Wait(absl::Seconds(10));
  ASSERT_TRUE(killed.ok());
  ASSERT_TRUE(killed->signaled) << "writer finished before the kill; raise --count";

  auto restarted = RunToCompletion(WriterArgs(50, /*drain=*/true), dir_.File("w2.log"),
                                   absl::Seconds(60));
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  ASSERT_TRUE(restarted->exited && restarted->exit_code == 0)
      << testing::ReadFile(dir_.File("w2.log")).value_or("");
  ExpectEveryCommittedEventOnTheTopicInOrder();
}

TEST_F(OutboxRelayIntegrationTest, NewClusterGetsTheRetainedOutboxRepublished) {
  // Publish to a first broker, then lose it (the embedded broker keeps topics
  // in memory): a restart against a brand-new broker must republish every
  // retained event, so that consumers of the new cluster miss nothing.
  auto first = RunToCompletion(WriterArgs(120, /*drain=*/true), dir_.File("w1.log"),
                               absl::Seconds(60));
  ASSERT_TRUE(first.ok() && first->exited && first->exit_code == 0)
      << testing::ReadFile(dir_.File("w1.log")).value_or("");
  ASSERT_TRUE(broker_->Stop().ok());
  TempDir second_dir;
  auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, second_dir.path(), kPartitions);
  ASSERT_TRUE(broker.ok()) << broker.status();
  broker_ = *std::move(broker);

  auto restarted = RunToCompletion(WriterArgs(30, /*drain=*/true), dir_.File("w2.log"),
                                   absl::Seconds(60));
  ASSERT_TRUE(restarted.ok() && restarted->exited && restarted->exit_code == 0)
      << testing::ReadFile(dir_.File("w2.log")).value_or("");
  auto log = testing::ReadFile(dir_.File("w2.log"));
  EXPECT_NE(log->find("republishing the retained outbox"), std::string::npos) << *log;
  // All 150 committed events are on the new cluster, in order per key.
  ExpectEveryCommittedEventOnTheTopicInOrder();

  // A plain restart on the same cluster republishes nothing.
  auto again = RunToCompletion(WriterArgs(0, /*drain=*/true), dir_.File("w3.log"),
                               absl::Seconds(60));
  ASSERT_TRUE(again.ok() && again->exited && again->exit_code == 0);
  EXPECT_EQ(testing::ReadFile(dir_.File("w3.log"))->find("republishing"), std::string::npos);
  EXPECT_EQ(ReadTopic(kafka::kEnrollmentTopic).size(), 150u);
}

}  // namespace
}  // namespace jit
