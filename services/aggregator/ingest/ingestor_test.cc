// The ingest loop against librdkafka's in-process mock cluster: folding,
// dead letters, checkpoint and restart, rebuild equals live.
#include "services/aggregator/ingest/ingestor.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/events/envelope.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/testing/mock_cluster.h"
#include "libs/kafka/topics.h"
#include "libs/storage/testing/temp_dir.h"
#include "nlohmann/json.hpp"
#include "services/aggregator/events/testing/lifecycle_events.h"

namespace jit::aggregator {
namespace {

using testing::Trainee;

constexpr int kPartitions = 4;

class IngestorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> topics;
    for (const std::string& t : kafka::LifecycleTopics()) {
      topics.push_back(t);
      topics.push_back(kafka::DeadLetterTopic(t));
    }
    auto cluster = kafka_testing::StartClusterWithTopics(1, topics, kPartitions);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    auto producer = kafka::Producer::Create({.bootstrap_servers = cluster_->bootstrap_servers(),
                                             .client_id = "test",
                                             .properties = {}});
    ASSERT_TRUE(producer.ok());
    producer_ = *std::move(producer);
  }

  void Produce(const std::vector<kafka::Message>& records) {
    for (const absl::Status& s : producer_->ProduceAndWait(records, absl::Seconds(10))) {
      ASSERT_TRUE(s.ok()) << s;
    }
  }

  struct Running {
    std::unique_ptr<CheckpointStore> store;
    std::unique_ptr<DashboardState> state;
    std::unique_ptr<Ingestor> ingestor;
  };

  Running Start(const std::string& db, absl::Duration checkpoint_interval = absl::Hours(1),
                std::string quarantine_file = "", int dead_letter_max_bytes = 1'000'000,
                FoldOptions fold = {}) {
    Running r;
    auto store = CheckpointStore::Open({.path = db});
    EXPECT_TRUE(store.ok()) << store.status();
    r.store = *std::move(store);
    r.state = std::make_unique<DashboardState>(std::move(fold));
    auto ingestor = Ingestor::Create({.bootstrap_servers = cluster_->bootstrap_servers(),
                                      .checkpoint_interval = checkpoint_interval,
                                      .lag_interval = absl::Milliseconds(100),
                                      .clock = &SystemClock::Get(),
                                      .quarantine_file = quarantine_file,
                                      .dead_letter_max_bytes = dead_letter_max_bytes},
                                     r.state.get(), r.store.get());
    EXPECT_TRUE(ingestor.ok()) << ingestor.status();
    r.ingestor = *std::move(ingestor);
    EXPECT_TRUE(r.ingestor->Start().ok());
    return r;
  }

  // Waits until the state has seen `records` records in total (folded,
  // duplicates and dead letters).
  static bool WaitForRecords(const DashboardState& state, int64_t records) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      const int64_t seen = state.Read([](const Fold&, const IngestStats& s) {
        int64_t n = 0;
        for (const auto& [topic, t] : s.topics) n += t.applied + t.duplicates + t.dead_letters;
        return n;
      });
      if (seen >= records) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }

  static std::string Canonical(const DashboardState& state) {
    return state.Read([](const Fold& f, const IngestStats&) { return f.CanonicalText(); });
  }

  // One trainee's path on the three topics.
  static std::vector<kafka::Message> Journey(int i) {
    Trainee t{absl::StrCat("trn-", i), absl::StrCat("coh-", i % 3),
              i % 2 ? "MA-FQH" : "MA-CAS", "cybersecurity",
              i % 2 ? jobintech::common::v1::GENDER_FEMALE : jobintech::common::v1::GENDER_MALE};
    const absl::Time t0 = absl::FromUnixSeconds(1735689600 + i * 3600);  // 2025-01-01
    const absl::Time exit = t0 + absl::Hours(24 * 180);
    return {testing::ToRecord(testing::Submitted(t, 1, t0), kafka::kEnrollmentTopic),
            testing::ToRecord(testing::Admitted(t, 2, t0 + absl::Hours(24)), kafka::kEnrollmentTopic),
            testing::ToRecord(testing::Confirmed(t, 3, t0 + absl::Hours(48)), kafka::kEnrollmentTopic),
            testing::ToRecord(testing::Started(t, 1, t0 + absl::Hours(72)), kafka::kProgressTopic),
            testing::ToRecord(testing::Completed(t, 2, exit), kafka::kProgressTopic),
            testing::ToRecord(testing::Placed(t, 1, exit + absl::Hours(24 * 30), exit,
                                              exit + absl::Hours(24 * 30)),
                              kafka::kPlacementTopic)};
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(IngestorTest, FoldsDeadLettersAndKeepsThePartitionMoving) {
  std::vector<kafka::Message> records;
  for (int i = 0; i < 20; ++i) {
    auto j = Journey(i);
    records.insert(records.end(), j.begin(), j.end());
  }
  // Garbage on every topic, keyed like a trainee so it shares a partition
  // with real events after it.
  for (const std::string& topic : kafka::LifecycleTopics()) {
    records.push_back({topic, "trn-1000", "\xff\x01 not a protobuf", {}});
  }
  // A progress body on the enrollment topic: decodes, but does not belong.
  records.push_back(testing::ToRecord(
      testing::Started(Trainee{"trn-x"}, 9, absl::FromUnixSeconds(1735689600)),
      kafka::kEnrollmentTopic));
  // Valid events after the bad ones on the same key.
  auto late = Journey(1000);
  records.insert(records.end(), late.begin(), late.end());
  Produce(records);

  Running r = Start(dir_.File("agg.db"));
  ASSERT_TRUE(WaitForRecords(*r.state, static_cast<int64_t>(records.size())));
  r.state->Read([&](const Fold& fold, const IngestStats& stats) {
    EXPECT_EQ(fold.version(), 21 * 6);
    int64_t dead = 0;
    for (const auto& [topic, t] : stats.topics) dead += t.dead_letters;
    EXPECT_EQ(dead, 4);
    return 0;
  });
  for (const std::string& topic : kafka::LifecycleTopics()) {
    auto dlq = kafka_testing::ReadAll(cluster_->bootstrap_servers(),
                                      kafka::DeadLetterTopic(topic), absl::Seconds(10));
    ASSERT_TRUE(dlq.ok()) << dlq.status();
    const size_t expected = topic == kafka::kEnrollmentTopic ? 2 : 1;
    ASSERT_EQ(dlq->size(), expected) << topic;
    for (const kafka::ConsumedMessage& m : *dlq) {
      std::map<std::string, std::string> h(m.headers.begin(), m.headers.end());
      EXPECT_FALSE(h[events::kDlqReasonHeader].empty());
      EXPECT_EQ(h[events::kDlqTopicHeader], topic);
      EXPECT_FALSE(h[events::kDlqPartitionHeader].empty());
      EXPECT_FALSE(h[events::kDlqOffsetHeader].empty());
    }
  }
  EXPECT_TRUE(r.ingestor->Stop().ok());
}

// A dead letter Kafka refuses for good (here: larger than the dead-letter
// producer takes) is quarantined locally, never retried for ever: the
// partition keeps moving and the events behind it are folded.
TEST_F(IngestorTest, ADeadLetterKafkaRefusesIsQuarantinedAndIngestionMovesOn) {
  std::vector<kafka::Message> records;
  records.push_back({kafka::kEnrollmentTopic, "trn-big", std::string(20'000, '\xff'), {}});
  records.push_back({kafka::kEnrollmentTopic, "trn-small", "\xff not a protobuf", {}});
  auto after = Journey(7);
  records.insert(records.end(), after.begin(), after.end());
  Produce(records);

  const std::string quarantine = dir_.File("quarantine.jsonl");
  Running r = Start(dir_.File("agg.db"), absl::Hours(1), quarantine,
                    /*dead_letter_max_bytes=*/10'000);
  ASSERT_TRUE(WaitForRecords(*r.state, static_cast<int64_t>(records.size())));
  r.state->Read([&](const Fold& fold, const IngestStats&) {
    EXPECT_EQ(fold.version(), 6);  // the journey behind the refused record
    return 0;
  });
  // The small one reached the dead-letter topic; the big one the quarantine.
  auto dlq = kafka_testing::ReadAll(cluster_->bootstrap_servers(),
                                    kafka::DeadLetterTopic(kafka::kEnrollmentTopic),
                                    absl::Seconds(10));
  ASSERT_TRUE(dlq.ok()) << dlq.status();
  ASSERT_EQ(dlq->size(), 1u);
  EXPECT_EQ((*dlq)[0].key, "trn-small");
  std::ifstream in(quarantine);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u) << text;
  const nlohmann::json q = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(q["topic"], kafka::kEnrollmentTopic);
  EXPECT_FALSE(q["offset"].get<std::string>().empty());
  EXPECT_FALSE(q["reason"].get<std::string>().empty());
  EXPECT_NE(q["refusal"].get<std::string>().find("too large"), std::string::npos) << q.dump();
  EXPECT_TRUE(r.ingestor->Stop().ok());
}

TEST_F(IngestorTest, RestartResumesFromTheCheckpointAndRebuildEqualsLive) {
  std::vector<kafka::Message> first, second;
  for (int i = 0; i < 30; ++i) {
    auto j = Journey(i);
    first.insert(first.end(), j.begin(), j.end());
  }
  for (int i = 30; i < 60; ++i) {
    auto j = Journey(i);
    second.insert(second.end(), j.begin(), j.end());
  }
  // Redeliveries of the first half (what a producer retry would do).
  second.insert(second.end(), first.begin(), first.begin() + 20);
  Produce(first);
  const std::string db = dir_.File("live.db");
  {
    Running live = Start(db);
    ASSERT_TRUE(WaitForRecords(*live.state, static_cast<int64_t>(first.size())));
    ASSERT_TRUE(live.ingestor->Stop().ok());  // final checkpoint
  }
  Produce(second);
  Running resumed = Start(db);
  // The resumed instance reads only what follows its checkpoint.
  ASSERT_TRUE(WaitForRecords(*resumed.state, static_cast<int64_t>(second.size())));
  resumed.state->Read([&](const Fold& fold, const IngestStats& stats) {
    EXPECT_EQ(fold.version(), 60 * 6);
    int64_t duplicates = 0;
    for (const auto& [topic, t] : stats.topics) duplicates += t.duplicates;
    EXPECT_EQ(duplicates, 20);
    return 0;
  });

  // A rebuild from the beginning of the topics, with a fresh database.
  Running rebuilt = Start(dir_.File("rebuilt.db"));
  ASSERT_TRUE(WaitForRecords(*rebuilt.state,
                             static_cast<int64_t>(first.size() + second.size())));
  EXPECT_EQ(Canonical(*rebuilt.state), Canonical(*resumed.state));
  EXPECT_TRUE(resumed.ingestor->Stop().ok());
  EXPECT_TRUE(rebuilt.ingestor->Stop().ok());
}

// What a hostile or broken producer can send: 10,000 distinct fake track
// ids, absurd dates, oversized records and records with too many headers,
// and a dead letter Kafka refuses. Each is dead-lettered (or quarantined)
// with its reason, the fold grows no cell for any of them, the memory of
// uncatalogued ids stays at its bound, and the real journeys behind them
// are counted.
TEST_F(IngestorTest, HostileEventsAreDeadLetteredAndIngestionMovesOn) {
  constexpr int kFakeTracks = 10'000;
  constexpr size_t kMaxWaiting = 50;
  std::vector<Trainee> real;
  for (int i = 0; i < 3; ++i) {
    real.push_back(Trainee{absl::StrCat("trn-", i), absl::StrCat("coh-", i % 3),
                           i % 2 ? "MA-FQH" : "MA-CAS", "cybersecurity"});
  }
  const absl::Time t0 = absl::FromUnixSeconds(1735689600);  // 2025-01-01
  std::vector<kafka::Message> records = testing::CatalogueRecords(real, t0);
  for (int i = 0; i < kFakeTracks; ++i) {
    Trainee fake{absl::StrCat("fake-", i), "coh-0", "MA-CAS", absl::StrCat("fake-track-", i)};
    records.push_back(testing::ToRecord(testing::Submitted(fake, 1, t0), kafka::kEnrollmentTopic));
  }
  // Absurd dates, before 2015 and far in the future (our producers refuse
  // to write them: the value is re-encoded by hand).
  for (const auto& [trainee, seconds] :
       {std::pair<const char*, int64_t>{"trn-2001", 1000000000}, {"trn-2100", 4102444800}}) {
    testing::LifecycleEvent e = testing::Submitted(Trainee{trainee}, 1, t0);
    kafka::Message m = testing::ToRecord(e, kafka::kEnrollmentTopic);
    e.mutable_metadata()->mutable_occurred_at()->set_seconds(seconds);
    m.value = e.SerializeAsString();
    records.push_back(std::move(m));
  }
  // Too many headers.
  kafka::Message headers = testing::ToRecord(
      testing::Submitted(Trainee{"trn-headers"}, 1, t0), kafka::kEnrollmentTopic);
  for (int i = 0; i < 100; ++i) headers.headers.emplace_back("x-junk", "v");
  records.push_back(headers);
  // Oversized: more than the dead-letter producer takes, so quarantined.
  records.push_back({kafka::kEnrollmentTopic, "trn-big", std::string(20'000, '\xff'), {}});
  for (const Trainee& t : real) {
    records.push_back(testing::ToRecord(testing::Submitted(t, 1, t0), kafka::kEnrollmentTopic));
  }
  Produce(records);

  const std::string quarantine = dir_.File("quarantine.jsonl");
  Running r = Start(dir_.File("agg.db"), absl::Hours(1), quarantine,
                    /*dead_letter_max_bytes=*/10'000, FoldOptions{.max_waiting_ids = kMaxWaiting});
  ASSERT_TRUE(WaitForRecords(*r.state, static_cast<int64_t>(records.size())));
  r.state->Read([&](const Fold& fold, const IngestStats& stats) {
    int64_t dead = 0;
    for (const auto& [topic, t] : stats.topics) dead += t.dead_letters;
    EXPECT_EQ(dead, (kFakeTracks - static_cast<int>(kMaxWaiting)) + 2 + 1 + 1);
    // Cells only for the real journeys' track; three applicants counted.
    for (const auto& [key, cell] : fold.cells()) EXPECT_EQ(key.track_id, "cybersecurity");
    int64_t applied = 0;
    for (const auto& [key, cell] : fold.cells()) {
      for (const auto& [counter, series] : cell.counters) {
        if (counter.first == Counter::kApplied) applied += series.total;
      }
    }
    EXPECT_EQ(applied, 3);
    EXPECT_EQ(fold.waiting_tracks().size(), kMaxWaiting);
    EXPECT_EQ(fold.journeys().size(), real.size() + kMaxWaiting);
    EXPECT_EQ(fold.held_events(), static_cast<int64_t>(kMaxWaiting));
    return 0;
  });
  // The dead letters of refused events are acknowledged right after their
  // batch is folded: read until all have arrived.
  const size_t expected_dead = (kFakeTracks - kMaxWaiting) + 2 + 1;
  absl::StatusOr<std::vector<kafka::ConsumedMessage>> dlq;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  do {
    dlq = kafka_testing::ReadAll(cluster_->bootstrap_servers(),
                                 kafka::DeadLetterTopic(kafka::kEnrollmentTopic),
                                 absl::Seconds(20));
    ASSERT_TRUE(dlq.ok()) << dlq.status();
  } while (dlq->size() < expected_dead && absl::Now() < deadline);
  EXPECT_EQ(dlq->size(), expected_dead);
  std::map<std::string, int> reasons;
  for (const kafka::ConsumedMessage& m : *dlq) {
    std::map<std::string, std::string> h(m.headers.begin(), m.headers.end());
    const std::string& reason = h[events::kDlqReasonHeader];
    if (reason.find("metadata.dimensions.track_id: \"fake-track-") == 0) {
      ++reasons["track"];
    } else if (reason.find("outside 2015-01-01") != std::string::npos) {
      ++reasons["date"];
    } else if (reason.find("headers, more than 64") != std::string::npos) {
      ++reasons["headers"];
    } else {
      ADD_FAILURE() << "unexpected dead letter: " << reason;
    }
  }
  EXPECT_EQ(reasons["track"], kFakeTracks - static_cast<int>(kMaxWaiting));
  EXPECT_EQ(reasons["date"], 2);
  EXPECT_EQ(reasons["headers"], 1);
  std::ifstream in(quarantine);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::vector<std::string> lines = absl::StrSplit(buffer.str(), '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 1u) << buffer.str();
  EXPECT_TRUE(r.ingestor->Stop().ok());
}

TEST_F(IngestorTest, MeasuresLag) {
  Produce(Journey(1));
  Running r = Start(dir_.File("agg.db"));
  ASSERT_TRUE(WaitForRecords(*r.state, 6));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool measured = false;
  while (!measured && absl::Now() < deadline) {
    measured = r.state->Read([](const Fold&, const IngestStats& s) {
      if (s.lag_measured == absl::InfinitePast()) return false;
      int64_t lag = 0;
      for (const auto& [topic, t] : s.topics) {
        for (const auto& [p, ps] : t.partitions) {
          if (ps.high_watermark < 0) return false;
          lag += ps.high_watermark - ps.next_offset;
        }
      }
      return lag == 0;
    });
    if (!measured) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(measured);
  EXPECT_EQ(r.ingestor->partition_count(), 3 * kPartitions);
}

}  // namespace
}  // namespace jit::aggregator
