// Watch coalescing: a stalled watcher never slows the fold or the other
// watchers, at the hub level and over real gRPC streams.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/access/policy.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"
#include "libs/grpcserver/grpc_server.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/aggregator/api/grpc_service.h"
#include "services/aggregator/api/watch_hub.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator::api {
namespace {

using testing::Ev;

// Records the latest summary offered; never consumes anything by itself.
class RecordingWatcher final : public Watcher {
 public:
  void Offer(std::shared_ptr<const pb::Summary> s) override {
    absl::MutexLock lock(&mu_);
    latest_ = std::move(s);
    ++offers_;
  }
  void Close() override {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }
  int64_t latest_version() {
    absl::MutexLock lock(&mu_);
    return latest_ == nullptr ? -1 : latest_->state_version();
  }
  int offers() {
    absl::MutexLock lock(&mu_);
    return offers_;
  }
  bool closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<const pb::Summary> latest_;
  int offers_ = 0;
  bool closed_ = false;
};

// A watcher whose transport is stuck: Offer() is what the hub calls, and it
// must return at once even though nothing is ever delivered.
class StalledWatcher final : public Watcher {
 public:
  void Offer(std::shared_ptr<const pb::Summary> s) override {
    absl::MutexLock lock(&mu_);
    pending_ = std::move(s);  // the one pending value, replaced
    ++offers_;
  }
  void Close() override {}
  int pending_count() {
    absl::MutexLock lock(&mu_);
    return pending_ != nullptr ? 1 : 0;
  }

 private:
  absl::Mutex mu_;
  std::shared_ptr<const pb::Summary> pending_;
  int offers_ = 0;
};

class WatchTest : public ::testing::Test {
 protected:
  WatchTest()
      : state_(FoldOptions{}),
        views_(&state_, ViewConfig{.suppression_threshold = 5,
                                   .public_only = false,
                                   .zone = absl::UTCTimeZone(),
                                   .clock = &clock_}) {
    // The catalogue of the journeys below (the fold counts a journey once
    // its track and cohort are catalogued): kCatalogue events.
    state_.Mutate([](Fold& fold, IngestStats&) {
      testing::Feed(fold, Ev(EventKind::kApplicationSubmitted, "seed", 1, "2025-10-01")
                              .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber"));
    });
  }
  // The seed journey and its two catalogue entries.
  static constexpr int64_t kSeeded = 3;

  void ApplyOne(int i) {
    state_.Mutate([i](Fold& fold, IngestStats&) {
      testing::Feed(fold, Ev(EventKind::kApplicationSubmitted, absl::StrCat("t", i), 1, "2025-10-01")
                     .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber"));
    });
  }

  static bool WaitFor(const std::function<bool()>& done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (!done()) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  FakeClock clock_;
  DashboardState state_;
  DashboardViews views_;
};

TEST_F(WatchTest, HubCoalescesAndAStalledWatcherHoldsOneValue) {
  WatchHub hub(&views_, WatchHubOptions{.min_interval = absl::Milliseconds(20),
                                        .refresh_interval = absl::Seconds(10),
                                        .registry = nullptr});
  state_.AddListener([&hub] { hub.MarkDirty(); });
  hub.Start();
  pb::WatchSummaryRequest view;
  view.set_visibility(pb::VISIBILITY_INTERNAL);
  RecordingWatcher fast;
  StalledWatcher stalled;
  ASSERT_TRUE(hub.Subscribe(view, &fast, "grpc").ok());
  ASSERT_TRUE(hub.Subscribe(view, &stalled, "sse").ok());
  EXPECT_EQ(fast.latest_version(), kSeeded);  // the current summary at once
  EXPECT_EQ(hub.watcher_count(), 2);

  constexpr int kEvents = 2000;
  for (int i = 0; i < kEvents; ++i) ApplyOne(i);
  ASSERT_TRUE(WaitFor([&] { return fast.latest_version() == kSeeded + kEvents; }));
  // Coalesced: far fewer summaries than changes.
  EXPECT_LT(hub.broadcasts(), kEvents / 4);
  EXPECT_LT(fast.offers(), kEvents / 4);
  EXPECT_EQ(stalled.pending_count(), 1);

  hub.Unsubscribe(&stalled);
  hub.Shutdown();
  EXPECT_TRUE(fast.closed());
  // A view that does not validate is refused.
  pb::WatchSummaryRequest bad;
  bad.mutable_scope()->set_level(pb::SCOPE_LEVEL_REGION);
  WatchHub other(&views_, {});
  RecordingWatcher w;
  EXPECT_EQ(other.Subscribe(bad, &w, "grpc").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(WatchTest, StalledGrpcClientDoesNotSlowTheFoldOrOtherWatchers) {
  // Large summaries (a filter with a long cohort id does not help; many
  // updates do): a client that never reads fills its HTTP/2 window after a
  // few dozen summaries; its stream then holds exactly one pending summary.
  WatchHub hub(&views_, WatchHubOptions{.min_interval = absl::Milliseconds(1),
                                        .refresh_interval = absl::Seconds(10),
                                        .registry = nullptr});
  state_.AddListener([&hub] { hub.MarkDirty(); });
  hub.Start();
  DashboardGrpcService service(&views_, &hub);
  jit::testing::TempDir dir;
  auto pki = jit::testing::TestPki::Create(dir.path());
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto policies = access::PolicyTable::ForServices({pb::DashboardService::service_full_name()});
  ASSERT_TRUE(policies.ok()) << policies.status();
  // Internal watches: an analyst's token over TLS.
  const auto credentials = pki->PersonCredentials(pki->Token("analyst"));
  grpcserver::GrpcServer server({.listen_address = "127.0.0.1:0",
                                 .credentials = pki->ServerCredentials("aggregator"),
                                 .policies = &*policies,
                                 .verifier = pki->verifier(),
                                 .unready_grace = absl::ZeroDuration(),
                                 .drain_timeout = absl::Seconds(5),
                                 .log_calls = false});
  server.AddService(&service);
  server.OnDrain([&hub] { hub.Shutdown(); });
  ASSERT_TRUE(server.Start().ok());
  const std::string target = absl::StrCat("127.0.0.1:", server.port());

  // The stalled client: opens the stream, reads nothing. Its own channel so
  // that its full window cannot be blamed on the other client.
  grpc::ChannelArguments small_window;
  small_window.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  small_window.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  auto stalled_channel =
      grpc::CreateCustomChannel(target, credentials, small_window);
  auto stalled_stub = pb::DashboardService::NewStub(stalled_channel);
  grpc::ClientContext stalled_ctx;
  pb::WatchSummaryRequest view;
  view.set_visibility(pb::VISIBILITY_INTERNAL);
  auto stalled_reader = stalled_stub->WatchSummary(&stalled_ctx, view);

  // The reading client.
  auto channel = grpc::CreateChannel(target, credentials);
  auto stub = pb::DashboardService::NewStub(channel);
  grpc::ClientContext ctx;
  auto reader = stub->WatchSummary(&ctx, view);
  std::atomic<int64_t> seen_version{-1};
  std::atomic<int> messages{0};
  std::thread reading([&] {
    pb::WatchSummaryResponse msg;
    while (reader->Read(&msg)) {
      seen_version.store(msg.summary().state_version());
      messages.fetch_add(1);
    }
  });
  ASSERT_TRUE(WaitFor([&] { return hub.watcher_count() == 2; }));

  // The fold: every change returns at once although one watcher is stuck.
  constexpr int kEvents = 1500;
  absl::Duration slowest = absl::ZeroDuration();
  for (int i = 0; i < kEvents; ++i) {
    const absl::Time start = absl::Now();
    ApplyOne(i);
    slowest = std::max(slowest, absl::Now() - start);
    if (i % 2 == 0) absl::SleepFor(absl::Milliseconds(1));  // let broadcasts happen
  }
  EXPECT_LT(slowest, absl::Seconds(1)) << "a change waited on a watcher";
  ASSERT_TRUE(WaitFor([&] { return seen_version.load() == kSeeded + kEvents; }))
      << "the reading watcher saw " << seen_version.load();
  EXPECT_LT(messages.load(), kEvents);  // coalesced

  // The stalled client finally reads: it gets what its window held and then
  // the latest summary, not a backlog of every change.
  pb::WatchSummaryResponse msg;
  int stalled_messages = 0;
  int64_t last = -1;
  while (last != kSeeded + kEvents && stalled_reader->Read(&msg)) {
    ++stalled_messages;
    last = msg.summary().state_version();
  }
  EXPECT_EQ(last, kSeeded + kEvents);
  EXPECT_LT(stalled_messages, 500);
  // The reader got more summaries than the stalled stream could hold.
  EXPECT_GT(messages.load(), stalled_messages);
  RecordProperty("reader_messages", messages.load());
  RecordProperty("stalled_messages", stalled_messages);
  RecordProperty("broadcasts", static_cast<int>(hub.broadcasts()));
  std::thread stalled_drain([&] {
    while (stalled_reader->Read(&msg)) {
    }
  });
  server.Shutdown();  // ends both streams (hub shutdown on drain)
  stalled_drain.join();
  EXPECT_TRUE(stalled_reader->Finish().ok());
  reading.join();
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(WatchTest, HubCapsWatchersPerTransportAndInAll) {
  prometheus::Registry registry;
  WatchHubOptions options;
  options.registry = &registry;
  options.max_watchers = 3;
  options.max_per_transport = {{"grpc", 2}, {"sse", 2}};
  WatchHub hub(&views_, std::move(options));
  hub.Start();
  pb::WatchSummaryRequest view;
  RecordingWatcher g1, g2, g3, s1, s2;
  ASSERT_TRUE(hub.Subscribe(view, &g1, "grpc").ok());
  ASSERT_TRUE(hub.Subscribe(view, &g2, "grpc").ok());
  absl::Status over = hub.Subscribe(view, &g3, "grpc");
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted) << over;
  EXPECT_EQ(g3.offers(), 0);  // refused before anything was offered
  ASSERT_TRUE(hub.Subscribe(view, &s1, "sse").ok());
  // The total cap (3) refuses an SSE watcher although its own cap (2) has room.
  EXPECT_EQ(hub.Subscribe(view, &s2, "sse").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(hub.watcher_count(), 3);
  // A slot frees when a watcher leaves.
  hub.Unsubscribe(&g1);
  EXPECT_TRUE(hub.Subscribe(view, &g3, "grpc").ok());
  EXPECT_EQ(hub.Subscribe(view, &s2, "sse").code(), absl::StatusCode::kResourceExhausted);
  hub.Unsubscribe(&s1);
  EXPECT_TRUE(hub.Subscribe(view, &s2, "sse").ok());
  const std::string text = prometheus::TextSerializer().Serialize(registry.Collect());
  EXPECT_NE(text.find("jit_aggregator_watchers_refused_total{transport=\"grpc\"} 1"),
            std::string::npos) << text;
  EXPECT_NE(text.find("jit_aggregator_watchers_refused_total{transport=\"sse\"} 2"),
            std::string::npos) << text;
  EXPECT_NE(text.find("jit_aggregator_watchers_limit{transport=\"all\"} 3"), std::string::npos);
  hub.Shutdown();
}

TEST_F(WatchTest, GrpcWatchOverTheCapIsResourceExhaustedWithAPushback) {
  WatchHubOptions options;
  options.max_per_transport = {{"grpc", 1}};
  WatchHub hub(&views_, std::move(options));
  hub.Start();
  DashboardGrpcService service(&views_, &hub, /*executor=*/nullptr, absl::Seconds(7));
  jit::testing::TempDir dir;
  auto pki = jit::testing::TestPki::Create(dir.path());
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto policies = access::PolicyTable::ForServices({pb::DashboardService::service_full_name()});
  ASSERT_TRUE(policies.ok()) << policies.status();
  grpcserver::GrpcServer server({.listen_address = "127.0.0.1:0",
                                 .credentials = pki->ServerCredentials("aggregator"),
                                 .policies = &*policies,
                                 .verifier = pki->verifier(),
                                 .unready_grace = absl::ZeroDuration(),
                                 .drain_timeout = absl::Seconds(5),
                                 .log_calls = false});
  server.AddService(&service);
  server.OnDrain([&hub] { hub.Shutdown(); });
  ASSERT_TRUE(server.Start().ok());
  auto stub = pb::DashboardService::NewStub(
      pki->PersonChannel(absl::StrCat("127.0.0.1:", server.port()), "analyst"));
  pb::WatchSummaryRequest view;
  grpc::ClientContext first_ctx;
  auto first = stub->WatchSummary(&first_ctx, view);
  pb::WatchSummaryResponse msg;
  ASSERT_TRUE(first->Read(&msg));  // open, with its first summary

  grpc::ClientContext second_ctx;
  auto second = stub->WatchSummary(&second_ctx, view);
  EXPECT_FALSE(second->Read(&msg));
  const grpc::Status refused = second->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  const auto& trailers = second_ctx.GetServerTrailingMetadata();
  auto pushback = trailers.find("grpc-retry-pushback-ms");
  ASSERT_NE(pushback, trailers.end());
  EXPECT_EQ(std::string(pushback->second.data(), pushback->second.size()), "7000");
  EXPECT_EQ(hub.watcher_count(), 1);

  first_ctx.TryCancel();  // the first leaves: a new watch is admitted
  while (first->Read(&msg)) {
  }
  first->Finish();
  ASSERT_TRUE(WaitFor([&] { return hub.watcher_count() == 0; }));
  grpc::ClientContext third_ctx;
  auto third = stub->WatchSummary(&third_ctx, view);
  EXPECT_TRUE(third->Read(&msg));
  server.Shutdown();
  while (third->Read(&msg)) {
  }
  EXPECT_TRUE(third->Finish().ok());
}

}  // namespace
}  // namespace jit::aggregator::api
