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
#include "libs/access/policy.h"
#include "libs/auth/token.h"
#include "libs/metrics/admin_server.h"
#include "libs/tls/dev_pki.h"
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
        http_({.host = "127.0.0.1", .port = 0, .threads = 8, .admin_routes = false}, nullptr) {
    state_.AddListener([this] { hub_.MarkDirty(); });
    hub_.Start();
    // Tokens signed by a key of the test's own, verified as the binary does.
    auto key = tls::NewSigningKey();
    EXPECT_TRUE(key.ok());
    signing_key_ = key->key;
    auto keys = auth::ParseVerificationKeys(key->cert);
    EXPECT_TRUE(keys.ok());
    verifier_ = std::make_unique<auth::TokenVerifier>(*auth::TokenVerifier::Create(
        {.issuer = "test-issuer", .audience = "jobintech", .keys = *keys}, &clock_));
    auto policies = access::PolicyTable::ForServices({"jobintech.dashboard.v1.DashboardService"});
    EXPECT_TRUE(policies.ok()) << policies.status();
    policies_ = std::make_unique<access::PolicyTable>(*std::move(policies));
    const access::MethodPolicy* policy =
        policies_->Find("/jobintech.dashboard.v1.DashboardService/GetSummary");
    HttpApiOptions options{absl::Milliseconds(200)};
    options.authorize_internal = [this, policy](absl::string_view authorization) {
      return access::AuthorizeElevated(authorization, verifier_.get(), *policy);
    };
    api_ = std::make_unique<HttpApi>(&views_, &hub_, std::move(options));
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

  // A client; with `role`, every request carries a bearer token for it.
  httplib::Client Client(const std::string& role = "analyst") {
    httplib::Client c("127.0.0.1", http_.port());
    c.set_read_timeout(10, 0);
    if (!role.empty()) c.set_bearer_token_auth(Token(role));
    return c;
  }
  std::string Token(const std::string& role) {
    auto t = auth::SignToken({.issuer = "test-issuer",
                              .audience = "jobintech",
                              .subject = "reader",
                              .roles = {role},
                              .issued_at = clock_.Now()},
                             signing_key_);
    EXPECT_TRUE(t.ok());
    return t.ok() ? *t : "";
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 15, 12, 0, 0), absl::UTCTimeZone())};
  DashboardState state_;
  DashboardViews views_;
  WatchHub hub_;
  metrics::AdminServer http_;
  std::string signing_key_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<access::PolicyTable> policies_;
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

// Internal (exact) views need a bearer token whose roles allow the
// dashboards' elevated form; public views need nothing.
TEST_F(HttpApiTest, InternalViewsNeedABearerTokenWithAnElevatedRole) {
  const std::string internal = "/api/v1/summary?region=MA-05&visibility=internal";
  auto anonymous = Client("");
  auto res = anonymous.Get(internal);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_NE(res->body.find("\"code\":\"UNAUTHENTICATED\""), std::string::npos);
  EXPECT_NE(res->body.find("dashboards.internal"), std::string::npos);
  // Every route that takes a visibility refuses it the same way.
  for (const char* path :
       {"/api/v1/regions?visibility=internal", "/api/v1/provinces?region=MA-05&visibility=internal",
        "/api/v1/timeseries?metric=applicants&visibility=internal",
        "/api/v1/stream?visibility=internal"}) {
    auto r = anonymous.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  // Public views stay open.
  auto open = anonymous.Get("/api/v1/summary?region=MA-05");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);

  auto staff = Client("centre-staff").Get(internal);
  ASSERT_TRUE(staff);
  EXPECT_EQ(staff->status, 403);
  EXPECT_NE(staff->body.find("missing permission 'dashboards.internal'"), std::string::npos);

  auto forged = Client("");
  forged.set_bearer_token_auth(Token("analyst") + "x");
  auto bad = forged.Get(internal);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);

  for (const char* role : {"analyst", "regional-coordinator", "programme-admin"}) {
    auto ok = Client(role).Get(internal);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << role;
  }
}

TEST_F(HttpApiTest, EveryResponseCarriesTheSecurityHeadersAndNoAdminRoute) {
  auto c = Client("");
  for (const char* path : {"/", "/app.js", "/api/v1/summary", "/api/v1/summary?gender=x",
                           "/nope"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << path;
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << path;
  }
  // Metrics, health and debug routes are the admin port's, never this one's.
  for (const char* path : {"/metrics", "/healthz", "/readyz", "/debug/state"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
  }
  // The page offers no internal view.
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body.find("value=\"internal\""), std::string::npos);
  EXPECT_EQ(page->body.find("<script>"), std::string::npos);  // no inline script
}

}  // namespace
}  // namespace jit::aggregator::api
