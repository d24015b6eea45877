// The real jit-aggregator binary against the embedded broker (both separate
// processes, loopback): events produced to the topics show up over gRPC, the
// watch stream, JSON and SSE; malformed records go to the dead-letter topics;
// SIGKILL and restart resume without double counting; a rebuild from the
// topics equals the live state byte for byte.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "libs/events/envelope.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/topics.h"
#include "libs/testing/test_pki.h"
#include "libs/testing/subprocess.h"
#include "services/aggregator/events/testing/lifecycle_events.h"

namespace jit::aggregator {
namespace {

namespace pb = ::jobintech::dashboard::v1;
namespace ev = ::jobintech::events::v1;
using jit::testing::EmbeddedBroker;
using jit::testing::Subprocess;
using jit::testing::TempDir;

constexpr int kPartitions = 4;

struct Aggregator {
  std::unique_ptr<Subprocess> process;
  std::string log;
  int grpc_port = 0, admin_port = 0, http_port = 0;
  std::unique_ptr<pb::DashboardService::Stub> stub;
};

class AggregatorIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), kPartitions);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto producer = kafka::Producer::Create(
        {.bootstrap_servers = broker_->bootstrap_servers(), .client_id = "test", .properties = {}});
    ASSERT_TRUE(producer.ok());
    producer_ = *std::move(producer);
    auto auth = jit::testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = std::make_unique<jit::testing::TestPki>(*std::move(auth));
  }

  Aggregator Start(const std::string& db, const std::vector<std::string>& extra = {}) {
    Aggregator a;
    a.log = dir_.File(absl::StrCat("aggregator-", ++starts_, ".log"));
    std::vector<std::string> argv = {JIT_AGGREGATOR_BIN,
                                     "--grpc_address=127.0.0.1:0",
                                     "--admin_address=127.0.0.1:0",
                                     "--http_address=127.0.0.1:0",
                                     "--db_path=" + dir_.File(db),
                                     "--kafka_bootstrap=" + broker_->bootstrap_servers(),
                                     "--unready_grace=0s",
                                     "--watch_min_interval=50ms",
                                     "--lag_interval=200ms",
                                     "--debug_state"};  // the rebuild == live check reads it
    for (const std::string& f : auth_->ServerFlags("aggregator")) argv.push_back(f);
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = Subprocess::Start(argv, a.log);
    EXPECT_TRUE(p.ok()) << p.status();
    a.process = *std::move(p);
    for (const char* field : {"grpc_port", "admin_port", "http_port"}) {
      auto v = jit::testing::WaitForLogField(a.log, "aggregator service ready", field,
                                             absl::Seconds(30));
      EXPECT_TRUE(v.ok()) << v.status() << "\n" << jit::testing::ReadFile(a.log).value_or("");
      if (!v.ok()) return a;
      int port = std::stoi(*v);
      if (std::string(field) == "grpc_port") a.grpc_port = port;
      if (std::string(field) == "admin_port") a.admin_port = port;
      if (std::string(field) == "http_port") a.http_port = port;
    }
    // An analyst: internal views (the tests read exact figures).
    a.stub = pb::DashboardService::NewStub(
        auth_->PersonChannel(absl::StrCat("127.0.0.1:", a.grpc_port), "analyst"));
    return a;
  }

  void Produce(const std::vector<kafka::Message>& records) {
    for (const absl::Status& s : producer_->ProduceAndWait(records, absl::Seconds(10))) {
      ASSERT_TRUE(s.ok()) << s;
    }
  }

  static pb::Summary Summary(Aggregator& a, pb::Visibility visibility = pb::VISIBILITY_INTERNAL) {
    pb::GetSummaryRequest req;
    req.set_visibility(visibility);
    pb::GetSummaryResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status s = a.stub->GetSummary(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.summary();
  }

  static double Figure(const pb::Summary& s, const std::string& id) {
    for (const pb::Figure& f : s.figures()) {
      if (f.metric_id() == id) return f.value();
    }
    return -1;
  }

  // Waits until the aggregator has read `records` records (folded,
  // duplicates, dead letters) since it started.
  static bool WaitForRecords(Aggregator& a, int64_t records) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      pb::GetFreshnessRequest req;
      pb::GetFreshnessResponse resp;
      grpc::ClientContext ctx;
      if (a.stub->GetFreshness(&ctx, req, &resp).ok()) {
        int64_t n = 0;
        for (const auto& t : resp.freshness().topics()) {
          n += t.events_applied() + t.duplicates() + t.dead_letters();
        }
        if (n >= records) return true;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return false;
  }

  static std::string DebugState(Aggregator& a) {
    httplib::Client c("127.0.0.1", a.admin_port);
    auto res = c.Get("/debug/state");
    return res && res->status == 200 ? res->body : "";
  }

  static std::string Metrics(Aggregator& a) {
    httplib::Client c("127.0.0.1", a.admin_port);
    auto res = c.Get("/metrics");
    return res ? res->body : "";
  }

  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic, size_t at_least) {
    std::vector<kafka::ConsumedMessage> out;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      out.clear();
      auto consumer = kafka::Consumer::Create({.bootstrap_servers = broker_->bootstrap_servers(),
                                               .group_id = "",
                                               .client_id = "",
                                               .auto_offset_reset = "earliest",
                                               .properties = {{"fetch.wait.max.ms", "10"}}});
      EXPECT_TRUE(consumer.ok());
      std::vector<kafka::TopicPartitionOffset> parts;
      for (int p = 0; p < kPartitions; ++p) parts.push_back({topic, p, kafka::kOffsetBeginning});
      EXPECT_TRUE((*consumer)->Assign(parts).ok());
      const absl::Time read_deadline = absl::Now() + absl::Seconds(10);
      while (!(*consumer)->AtEndOfAssignedPartitions() && absl::Now() < read_deadline) {
        auto m = (*consumer)->Poll(absl::Milliseconds(100));
        if (m.ok() && m->has_value()) out.push_back(**m);
      }
      if (out.size() >= at_least) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return out;
  }

  static aggregator::testing::Trainee TraineeOf(int i) {
    return {absl::StrCat("trn-", i), absl::StrCat("coh-", i % 3), i % 2 ? "MA-FQH" : "MA-CAS",
            "cybersecurity",
            i % 2 ? jobintech::common::v1::GENDER_FEMALE : jobintech::common::v1::GENDER_MALE};
  }

  // One trainee's full path on the three topics (6 records).
  static std::vector<kafka::Message> Journey(int i) {
    const aggregator::testing::Trainee t = TraineeOf(i);
    const absl::Time t0 = absl::FromUnixSeconds(1735689600 + i * 3600);  // 2025-01-01
    const absl::Time exit = t0 + absl::Hours(24 * 180);
    using namespace aggregator::testing;  // NOLINT
    return {ToRecord(Submitted(t, 1, t0), kafka::kEnrollmentTopic),
            ToRecord(Admitted(t, 2, t0 + absl::Hours(24)), kafka::kEnrollmentTopic),
            ToRecord(Confirmed(t, 3, t0 + absl::Hours(48)), kafka::kEnrollmentTopic),
            ToRecord(Started(t, 1, t0 + absl::Hours(72)), kafka::kProgressTopic),
            ToRecord(Completed(t, 2, exit), kafka::kProgressTopic),
            ToRecord(Placed(t, 1, exit + absl::Hours(24 * 30), exit, exit + absl::Hours(24 * 30)),
                     kafka::kPlacementTopic)};
  }

  // The catalogue entries of journeys [from, to) (kCatalogue records: their
  // track and their 3 cohorts, as the enrollment service publishes them
  // before any application), then the journeys.
  static constexpr int kCatalogue = 4;
  static std::vector<kafka::Message> Journeys(int from, int to) {
    std::vector<aggregator::testing::Trainee> trainees;
    for (int i = from; i < to; ++i) trainees.push_back(TraineeOf(i));
    std::vector<kafka::Message> out =
        aggregator::testing::CatalogueRecords(trainees, absl::FromUnixSeconds(1735603200));
    for (int i = from; i < to; ++i) {
      auto j = Journey(i);
      out.insert(out.end(), j.begin(), j.end());
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<jit::testing::TestPki> auth_;
  int starts_ = 0;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(AggregatorIntegrationTest, MalformedRecordsGoToTheDeadLetterTopicsAndPartitionsKeepMoving) {
  Aggregator a = Start("agg.db");
  ASSERT_NE(a.grpc_port, 0);
  std::vector<kafka::Message> records;
  std::map<std::string, int> expected_dead;
  for (const std::string& topic : kafka::LifecycleTopics()) {
    // 1. Not a protobuf at all.
    records.push_back({topic, "trn-dead", std::string("\xff\xfe garbage \x00\x01", 14), {}});
    // 2. An envelope whose body this schema does not know (a newer producer):
    //    the body field is missing after decoding.
    ev::LifecycleEvent unknown = aggregator::testing::Submitted({"trn-dead"}, 1, absl::Now());
    unknown.clear_body();
    std::string value;
    unknown.SerializeToString(&value);
    value += std::string("\xa2\x1f\x02\x08\x01", 5);  // field 500 (length-delimited): unknown
    kafka::Message m = aggregator::testing::ToRecord(
        aggregator::testing::Submitted({"trn-dead"}, 1, absl::Now()), topic);
    for (auto& [name, v] : m.headers) {
      if (name == "ce_id") v = unknown.metadata().event_id();
    }
    m.value = value;
    records.push_back(m);
    expected_dead[topic] = 2;
  }
  // 3. A valid event on the wrong topic (a progress body on the placement topic).
  records.push_back(aggregator::testing::ToRecord(
      aggregator::testing::Started({"trn-dead"}, 1, absl::Now()), kafka::kPlacementTopic));
  ++expected_dead[kafka::kPlacementTopic];
  // Valid events after the bad ones on the same key keep flowing (their
  // track and cohort catalogued first).
  aggregator::testing::Trainee t{"trn-dead"};
  for (kafka::Message& m : aggregator::testing::CatalogueRecords({t}, absl::FromUnixSeconds(1735603200))) {
    records.push_back(std::move(m));
  }
  records.push_back(aggregator::testing::ToRecord(
      aggregator::testing::Submitted(t, 1, absl::FromUnixSeconds(1735689600)),
      kafka::kEnrollmentTopic));
  records.push_back(aggregator::testing::ToRecord(
      aggregator::testing::Started(t, 1, absl::FromUnixSeconds(1735689600 + 86400)),
      kafka::kProgressTopic));
  Produce(records);
  ASSERT_TRUE(WaitForRecords(a, static_cast<int64_t>(records.size())));
  const pb::Summary s = Summary(a);
  EXPECT_EQ(Figure(s, "applicants"), 1);
  EXPECT_EQ(Figure(s, "active_now"), 1);
  for (const std::string& topic : kafka::LifecycleTopics()) {
    auto dlq = ReadTopic(kafka::DeadLetterTopic(topic), expected_dead[topic]);
    ASSERT_EQ(static_cast<int>(dlq.size()), expected_dead[topic]) << topic;
    for (const kafka::ConsumedMessage& m : dlq) {
      std::map<std::string, std::string> h(m.headers.begin(), m.headers.end());
      EXPECT_FALSE(h[events::kDlqReasonHeader].empty());
      EXPECT_EQ(h[events::kDlqTopicHeader], topic);
      EXPECT_GE(std::stoi(h[events::kDlqPartitionHeader]), 0);
      EXPECT_GE(std::stoll(h[events::kDlqOffsetHeader]), 0);
      EXPECT_EQ(m.key, "trn-dead");
    }
  }
  const std::string metrics = Metrics(a);
  EXPECT_NE(metrics.find("jit_aggregator_dead_letters_total{topic=\"jobintech.placement.v1\"} 3"),
            std::string::npos)
      << metrics.substr(0, 2000);
  EXPECT_NE(metrics.find("jit_aggregator_events_total"), std::string::npos);
  ASSERT_TRUE(a.process->Signal(SIGTERM).ok());
  auto info = a.process->Wait(absl::Seconds(30));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->exited && info->exit_code == 0);
}

TEST_F(AggregatorIntegrationTest, KilledMidStreamResumesWithoutDoubleCountingAndEqualsARebuild) {
  // Enough journeys that folding the second part takes a while.
  constexpr int kJourneys = 3000;
  const std::vector<kafka::Message> first = Journeys(0, 100);
  std::vector<kafka::Message> second = Journeys(100, kJourneys);
  second.insert(second.end(), first.begin(), first.begin() + 50);  // redeliveries
  Produce(first);
  Aggregator live = Start("live.db", {"--checkpoint_interval=50ms"});
  ASSERT_TRUE(WaitForRecords(live, static_cast<int64_t>(first.size())));
  // Kill while the second part is being folded: once the fold has moved
  // past the first part, before it has everything.
  std::thread producing([&] { Produce(second); });
  const int64_t first_version = static_cast<int64_t>(first.size());
  const absl::Time kill_deadline = absl::Now() + absl::Seconds(30);
  int64_t version_at_kill = 0;
  while (absl::Now() < kill_deadline) {
    version_at_kill = Summary(live).state_version();
    if (version_at_kill > first_version) break;
    absl::SleepFor(absl::Milliseconds(2));
  }
  ASSERT_TRUE(live.process->Signal(SIGKILL).ok());
  producing.join();
  auto killed = live.process->Wait(absl::Seconds(10));
  ASSERT_TRUE(killed.ok() && killed->signaled);
  RecordProperty("version_at_kill", static_cast<int>(version_at_kill));
  ASSERT_GT(version_at_kill, first_version);
  ASSERT_LT(version_at_kill, kJourneys * 6 + kCatalogue) << "the kill came after the whole stream";

  Aggregator resumed = Start("live.db");
  const int64_t total = static_cast<int64_t>(first.size() + second.size());
  // Everything after the checkpoint is read again and folded once.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  // Every journey's 6 events and the catalogue (its redelivery in `second`
  // is a duplicate).
  while (Summary(resumed).state_version() < kJourneys * 6 + kCatalogue && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  const pb::Summary s = Summary(resumed);
  EXPECT_EQ(s.state_version(), kJourneys * 6 + kCatalogue);
  // What the resumed process read: the records after its checkpoint (the
  // kill lost everything folded since).
  int64_t reread = 0;
  for (const auto& t : s.freshness().topics()) reread += t.events_applied() + t.duplicates();
  RecordProperty("records_read_after_restart", static_cast<int>(reread));
  RecordProperty("records_total", static_cast<int>(total));
  EXPECT_GT(reread, 0);
  EXPECT_EQ(Figure(s, "applicants"), kJourneys);
  EXPECT_EQ(Figure(s, "completed"), kJourneys);
  EXPECT_EQ(Figure(s, "placed"), kJourneys);

  // A rebuild from the beginning of the topics, on a fresh database.
  Aggregator rebuilt = Start("rebuilt.db");
  ASSERT_TRUE(WaitForRecords(rebuilt, total));
  const std::string live_state = DebugState(resumed);
  ASSERT_FALSE(live_state.empty());
  EXPECT_EQ(DebugState(rebuilt), live_state);

  // A clean stop writes a final checkpoint; the next start reads nothing
  // again and shows the same state.
  ASSERT_TRUE(resumed.process->Signal(SIGTERM).ok());
  ASSERT_TRUE(resumed.process->Wait(absl::Seconds(30)).ok());
  Aggregator again = Start("live.db");
  EXPECT_EQ(DebugState(again), live_state);
  absl::SleepFor(absl::Milliseconds(500));
  pb::GetFreshnessRequest req;
  pb::GetFreshnessResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(again.stub->GetFreshness(&ctx, req, &resp).ok());
  int64_t read_again = 0;
  for (const auto& t : resp.freshness().topics()) read_again += t.events_applied() + t.duplicates();
  EXPECT_EQ(read_again, 0);
}

TEST_F(AggregatorIntegrationTest, UpdatesShowOverGrpcWatchJsonAndSse) {
  Aggregator a = Start("agg.db");
  ASSERT_NE(a.http_port, 0);
  // A gRPC watcher and an SSE client, both open before any event.
  grpc::ClientContext watch_ctx;
  pb::WatchSummaryRequest view;
  view.set_visibility(pb::VISIBILITY_INTERNAL);
  auto reader = a.stub->WatchSummary(&watch_ctx, view);
  std::atomic<int64_t> watched{-1};
  std::thread watching([&] {
    pb::WatchSummaryResponse msg;
    while (reader->Read(&msg)) watched.store(static_cast<int64_t>(Figure(msg.summary(), "applicants")));
  });
  absl::Mutex mu;
  std::string sse;
  std::atomic<bool> stop{false};
  std::thread streaming([&] {
    httplib::Client c("127.0.0.1", a.http_port);
    c.set_read_timeout(30, 0);
    c.set_bearer_token_auth(auth_->Token("analyst"));
    c.Get("/api/v1/stream?visibility=internal", [&](const char* data, size_t n) {
      absl::MutexLock lock(&mu);
      sse.append(data, n);
      return !stop.load();
    });
  });

  Produce(Journeys(0, 10));
  ASSERT_TRUE(WaitForRecords(a, kCatalogue + 60));
  EXPECT_EQ(Figure(Summary(a), "applicants"), 10);
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (watched.load() != 10 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(watched.load(), 10);
  bool sse_seen = false;
  while (!sse_seen && absl::Now() < deadline) {
    {
      absl::MutexLock lock(&mu);
      sse_seen = sse.find("\"metricId\":\"applicants\",\"metricVersion\":1,\"state\":"
                          "\"FIGURE_STATE_VALUE\",\"value\":10") != std::string::npos;
    }
    if (!sse_seen) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(sse_seen);

  httplib::Client c("127.0.0.1", a.http_port);
  EXPECT_EQ(c.Get("/api/v1/summary?visibility=internal&region=MA-05")->status, 401);
  c.set_bearer_token_auth(auth_->Token("analyst"));
  auto res = c.Get("/api/v1/summary?visibility=internal&region=MA-05");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  pb::GetSummaryResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(res->body, &parsed).ok());
  EXPECT_EQ(Figure(parsed.summary(), "applicants"), 5);
  // Public view: 5 in MA-05 and 5 in MA-06 are not small; both shown.
  auto pub = c.Get("/api/v1/regions");
  ASSERT_TRUE(pub && pub->status == 200);
  auto page = c.Get("/");
  ASSERT_TRUE(page && page->status == 200);

  // SIGTERM ends the watch and SSE streams and exits 0.
  ASSERT_TRUE(a.process->Signal(SIGTERM).ok());
  auto info = a.process->Wait(absl::Seconds(30));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->exited && info->exit_code == 0);
  stop.store(true);
  watching.join();
  streaming.join();
  EXPECT_TRUE(reader->Finish().ok());
}

// `jitctl dashboard export` (gRPC) and the HTTP CSV downloads write the
// same file for the same view; internal exports need a token on both.
TEST_F(AggregatorIntegrationTest, CsvExportOverJitctlEqualsTheHttpDownload) {
  Aggregator a = Start("agg.db");
  ASSERT_NE(a.http_port, 0);
  // 6 journeys in MA-05 (MA-FQH), 6 in MA-06 (MA-CAS), and 2 applicants in
  // MA-04 (MA-RAB): a small count the public views suppress.
  std::vector<kafka::Message> records = Journeys(0, 12);
  records.push_back(aggregator::testing::ToRecord(
      aggregator::testing::CohortOpened({"", "coh-rab", "MA-RAB", "cybersecurity"},
                                        absl::FromUnixSeconds(1735603200)),
      kafka::kEnrollmentTopic));
  for (int i = 0; i < 2; ++i) {
    aggregator::testing::Trainee t{absl::StrCat("trn-rab-", i), "coh-rab", "MA-RAB", "cybersecurity",
                                   jobintech::common::v1::GENDER_FEMALE};
    records.push_back(aggregator::testing::ToRecord(
        aggregator::testing::Submitted(t, 1, absl::FromUnixSeconds(1735689600)),
        kafka::kEnrollmentTopic));
  }
  Produce(records);
  ASSERT_TRUE(WaitForRecords(a, 74 + kCatalogue + 1));
  ASSERT_EQ(Figure(Summary(a), "applicants"), 14);

  const std::string token_file = dir_.File("analyst.token");
  { std::ofstream(token_file) << auth_->Token("analyst"); }
  // Runs jitctl; returns its exit code, the file's content in *csv.
  auto jitctl = [&](std::vector<std::string> args, bool with_token, std::string* csv) {
    static int run = 0;
    const std::string file = dir_.File(absl::StrCat("export-", ++run, ".csv"));
    std::vector<std::string> argv = {JITCTL_BIN, "--aggregator", absl::StrCat("127.0.0.1:", a.grpc_port),
                                     "--ca-file", auth_->ca_file()};
    if (with_token) argv.insert(argv.end(), {"--token-file", token_file});
    argv.insert(argv.end(), {"dashboard", "export"});
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--file", file});
    const std::string log = dir_.File(absl::StrCat("jitctl-", run, ".log"));
    auto ran = jit::testing::RunToCompletion(argv, log, absl::Seconds(30));
    EXPECT_TRUE(ran.ok()) << ran.status();
    *csv = jit::testing::ReadFile(file).value_or("");
    if (!ran.ok() || !ran->exited) return -1;
    if (ran->exit_code != 0) std::cerr << jit::testing::ReadFile(log).value_or("") << "\n";
    return ran->exit_code;
  };
  httplib::Client anonymous("127.0.0.1", a.http_port);
  httplib::Client analyst("127.0.0.1", a.http_port);
  analyst.set_bearer_token_auth(auth_->Token("analyst"));

  // Internal regions: the analyst gets the exact figures, byte for byte the
  // same over jitctl and HTTP.
  std::string internal;
  ASSERT_EQ(jitctl({"regions", "--internal"}, true, &internal), 0);
  auto http_internal = analyst.Get("/api/v1/regions.csv?visibility=internal");
  ASSERT_TRUE(http_internal && http_internal->status == 200);
  EXPECT_EQ(internal, http_internal->body);
  ASSERT_TRUE(absl::StartsWith(internal, "\xEF\xBB\xBF"));
  std::vector<std::string> lines = absl::StrSplit(internal.substr(3), "\r\n");
  ASSERT_EQ(lines.size(), 15u);  // header, 12 regions, national, "" after the last CRLF
  EXPECT_TRUE(absl::StartsWith(lines[0], "level,region_code,name_fr,name_ar,applicants,")) << lines[0];
  EXPECT_TRUE(absl::StartsWith(lines[4], "region,MA-04,")) << lines[4];
  EXPECT_NE(lines[4].find(",2,"), std::string::npos) << lines[4];
  EXPECT_TRUE(absl::StartsWith(lines[5], "region,MA-05,")) << lines[5];
  EXPECT_NE(lines[5].find(",6,"), std::string::npos) << lines[5];
  EXPECT_TRUE(absl::StartsWith(lines[13], "national,MA,Maroc,المغرب,14,")) << lines[13];

  // Public regions, no token anywhere: the small count is "<5" on both.
  std::string pub;
  ASSERT_EQ(jitctl({"regions"}, false, &pub), 0);
  auto http_pub = anonymous.Get("/api/v1/regions.csv");
  ASSERT_TRUE(http_pub && http_pub->status == 200);
  EXPECT_EQ(pub, http_pub->body);
  std::vector<std::string> pub_lines = absl::StrSplit(pub.substr(3), "\r\n");
  ASSERT_EQ(pub_lines.size(), 15u);
  EXPECT_TRUE(absl::StartsWith(pub_lines[4], "region,MA-04,")) << pub_lines[4];
  EXPECT_NE(pub_lines[4].find(",<5,"), std::string::npos) << pub_lines[4];

  // Internal without a token: refused by both, and jitctl writes no file.
  std::string refused;
  EXPECT_EQ(jitctl({"regions", "--internal"}, false, &refused), 1);
  EXPECT_EQ(refused, "");
  auto http_refused = anonymous.Get("/api/v1/regions.csv?visibility=internal");
  ASSERT_TRUE(http_refused);
  EXPECT_EQ(http_refused->status, 401);

  // A province table and a two-metric series, without BOM: the same again.
  std::string provinces;
  ASSERT_EQ(jitctl({"provinces", "--region", "MA-05", "--internal", "--no-bom"}, true, &provinces), 0);
  auto http_provinces = analyst.Get("/api/v1/provinces.csv?region=MA-05&visibility=internal&bom=false");
  ASSERT_TRUE(http_provinces && http_provinces->status == 200);
  EXPECT_EQ(provinces, http_provinces->body);
  EXPECT_NE(provinces.find("\r\nprovince,MA-FQH,MA-05,"), std::string::npos) << provinces;
  EXPECT_NE(provinces.find("\r\nregion,,MA-05,"), std::string::npos) << provinces;

  std::string series;
  ASSERT_EQ(jitctl({"timeseries", "--metric", "applicants", "--metric", "completed", "--start",
                    "2024-12-31", "--end", "2025-12-31", "--internal"},
                   true, &series),
            0);
  auto http_series = analyst.Get(
      "/api/v1/timeseries.csv?metric=applicants&metric=completed&start=2024-12-31&end=2025-12-31"
      "&visibility=internal");
  ASSERT_TRUE(http_series && http_series->status == 200);
  EXPECT_EQ(series, http_series->body);
  std::vector<std::string> days = absl::StrSplit(series.substr(3), "\r\n");
  ASSERT_EQ(days.size(), 1u + 366 + 1);
  EXPECT_EQ(days[0], "date,applicants,completed");
  EXPECT_EQ(days[1], "2024-12-31,0,0");
  EXPECT_EQ(days[366], "2025-12-31,14,12");
}

}  // namespace
}  // namespace jit::aggregator
