// The HTTP API over loopback: JSON views (protobuf's JSON mapping), errors,
// the embedded page and the Server-Sent Events stream.
#include "services/aggregator/api/http_api.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "libs/metrics/admin_server.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator::api {
namespace {

using testing::Ev;

class HttpApiTest : public ::testing::Test {
 protected:
  HttpApiTest()
      : state_(FoldOptions{}),
        views_(&state_, ViewConfig{.suppression_threshold = 5,
                                   .public_only = false,
                                   .zone = absl::UTCTimeZone(),
                                   .clock = &clock_}),
        hub_(&views_, WatchHubOptions{.min_interval = absl::Milliseconds(10),
                                      .refresh_interval = absl::Seconds(10),
                                      .registry = nullptr}),
        http_({.host = "127.0.0.1", .port = 0, .threads = 8}, nullptr) {
    state_.AddListener([this] { hub_.MarkDirty(); });
    hub_.Start();
    api_ = std::make_unique<HttpApi>(&views_, &hub_, HttpApiOptions{absl::Milliseconds(200)});
    api_->Register(http_.http());
    EXPECT_TRUE(http_.Start().ok());
    for (int i = 0; i < 7; ++i) Apply(i);
  }
  ~HttpApiTest() override {
    hub_.Shutdown();
    http_.Stop();
  }

  void Apply(int i) {
    state_.Mutate([i](Fold& fold, IngestStats&) {
      fold.Apply(Ev(EventKind::kApplicationSubmitted, absl::StrCat("t", i), 1, "2025-10-01")
                     .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cybersecurity"));
    });
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", http_.port());
    c.set_read_timeout(10, 0);
    return c;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 15, 12, 0, 0), absl::UTCTimeZone())};
  DashboardState state_;
  DashboardViews views_;
  WatchHub hub_;
  metrics::AdminServer http_;
  std::unique_ptr<HttpApi> api_;
};

template <typename T>
T Parse(const std::string& json) {
  T out;
  auto s = google::protobuf::util::JsonStringToMessage(json, &out);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << json.substr(0, 300);
  return out;
}

TEST_F(HttpApiTest, JsonViewsUseProtobufsJsonMapping) {
  auto c = Client();
  auto res = c.Get("/api/v1/summary?region=MA-05&visibility=internal&track=cybersecurity");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_NE(res->body.find("\"metricId\":\"applicants\""), std::string::npos);
  auto summary = Parse<pb::GetSummaryResponse>(res->body).summary();
  EXPECT_EQ(summary.scope().level(), pb::SCOPE_LEVEL_REGION);
  EXPECT_EQ(summary.figures(0).metric_id(), "applicants");
  EXPECT_EQ(summary.figures(0).value(), 7);
  EXPECT_EQ(summary.state_version(), 7);

  auto regions = c.Get("/api/v1/regions?gender=female");
  ASSERT_TRUE(regions && regions->status == 200);
  EXPECT_EQ(Parse<pb::ListRegionsResponse>(regions->body).regions_size(), 12);

  auto provinces = c.Get("/api/v1/provinces?region=MA-05&visibility=internal");
  ASSERT_TRUE(provinces && provinces->status == 200);
  EXPECT_EQ(Parse<pb::GetProvinceTableResponse>(provinces->body).provinces_size(), 5);

  auto series = c.Get("/api/v1/timeseries?metric=applicants&start=2025-09-30&end=2025-10-02&visibility=internal");
  ASSERT_TRUE(series && series->status == 200) << (series ? series->body : "");
  auto ts = Parse<pb::GetTimeSeriesResponse>(series->body);
  ASSERT_EQ(ts.points_size(), 3);
  EXPECT_EQ(ts.points(0).figure().value(), 0);
  EXPECT_EQ(ts.points(1).figure().value(), 7);

  auto metrics = c.Get("/api/v1/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  auto defs = Parse<pb::ListMetricDefinitionsResponse>(metrics->body);
  EXPECT_EQ(defs.metrics_size(), static_cast<int>(Metrics().size()));
  EXPECT_FALSE(defs.metrics(0).title().ar().empty());

  auto freshness = c.Get("/api/v1/freshness");
  ASSERT_TRUE(freshness && freshness->status == 200);
  Parse<pb::GetFreshnessResponse>(freshness->body);

  auto catalogue = c.Get("/api/v1/catalogue");
  ASSERT_TRUE(catalogue && catalogue->status == 200);
  EXPECT_NE(catalogue->body.find("cybersecurity"), std::string::npos);
}

TEST_F(HttpApiTest, BadParametersAre400WithFieldViolations) {
  auto c = Client();
  auto res = c.Get("/api/v1/summary?region=MA-99");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("\"field\":\"scope.region_code\""), std::string::npos);
  auto gender = c.Get("/api/v1/summary?gender=other");
  ASSERT_TRUE(gender);
  EXPECT_EQ(gender->status, 400);
  auto date = c.Get("/api/v1/timeseries?metric=applicants&start=2025-02-30");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->status, 400);
  EXPECT_NE(date->body.find("\"field\":\"start\""), std::string::npos);
}

TEST_F(HttpApiTest, ServesTheEmbeddedPage) {
  auto c = Client();
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(page->body.find("app.js"), std::string::npos);
  // Nothing from elsewhere: no absolute URL to fetch.
  EXPECT_EQ(page->body.find("http://"), std::string::npos);
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
  for (const char* asset : {"/app.js", "/app.css"}) {
    auto r = c.Get(asset);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << asset;
    EXPECT_FALSE(r->body.empty()) << asset;
    EXPECT_EQ(r->body.find("https://"), std::string::npos) << asset;
  }
}

TEST_F(HttpApiTest, ServerSentEventsPushUpdates) {
  auto c = Client();
  absl::Mutex mu;
  std::string received;
  std::atomic<bool> stop{false};
  std::string content_type;
  std::thread streaming([&] {
    auto res = c.Get(
        "/api/v1/stream?visibility=internal",
        [&](const httplib::Response& r) {
          content_type = r.get_header_value("Content-Type");
          return true;
        },
        [&](const char* data, size_t n) {
          absl::MutexLock lock(&mu);
          received.append(data, n);
          return !stop.load();
        });
  });
  auto has = [&](const std::string& needle) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      {
        absl::MutexLock lock(&mu);
        if (received.find(needle) != std::string::npos) return true;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return false;
  };
  ASSERT_TRUE(has("event: summary\nid: 7\ndata: {"));
  Apply(100);
  ASSERT_TRUE(has("id: 8\n"));
  ASSERT_TRUE(has(": keep-alive\n\n"));
  EXPECT_EQ(content_type, "text/event-stream");
  {
    absl::MutexLock lock(&mu);
    // Each event's data is one WatchSummaryResponse in JSON.
    const size_t start = received.find("data: ") + 6;
    const size_t end = received.find("\n\n", start);
    auto msg = Parse<pb::WatchSummaryResponse>(received.substr(start, end - start));
    EXPECT_EQ(msg.summary().state_version(), 7);
  }
  stop.store(true);
  hub_.Shutdown();  // ends the stream
  streaming.join();
  EXPECT_EQ(hub_.watcher_count(), 0);
}

}  // namespace
}  // namespace jit::aggregator::api
