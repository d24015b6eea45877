// The HTTP API over loopback: JSON views (protobuf's JSON mapping), errors,
// the embedded page, the Server-Sent Events stream and the CSV downloads.
#include "services/aggregator/api/http_api.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "libs/access/policy.h"
#include "libs/auth/token.h"
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
        http_(HttpServerOptions{.host = "127.0.0.1", .port = 0, .threads = 8}) {
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
    api_->Register(http_);
    EXPECT_TRUE(http_.Start().ok());
    for (int i = 0; i < 7; ++i) Apply(i);
  }
  ~HttpApiTest() override {
    hub_.Shutdown();
    http_.Stop();
  }

  void Apply(int i, const std::string& province = "MA-FQH", const std::string& cohort = "c1") {
    state_.Mutate([=](Fold& fold, IngestStats&) {
      testing::Feed(fold, Ev(EventKind::kApplicationSubmitted, absl::StrCat("t", i), 1, "2025-10-01")
                     .Cohort(cohort).Dims(Gender::kFemale, province, "cybersecurity"));
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
  HttpServer http_;
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
  EXPECT_EQ(summary.state_version(), 9);  // 7 and the catalogue (track, cohort)

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
  // State versions count the catalogue's track and cohort too.
  ASSERT_TRUE(has("event: summary\nid: 9\ndata: {"));
  Apply(100);
  ASSERT_TRUE(has("id: 10\n"));
  ASSERT_TRUE(has(": keep-alive\n\n"));
  EXPECT_EQ(content_type, "text/event-stream");
  {
    absl::MutexLock lock(&mu);
    // Each event's data is one WatchSummaryResponse in JSON.
    const size_t start = received.find("data: ") + 6;
    const size_t end = received.find("\n\n", start);
    auto msg = Parse<pb::WatchSummaryResponse>(received.substr(start, end - start));
    EXPECT_EQ(msg.summary().state_version(), 9);
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

// A small RFC 4180 reader for the tests (quoted fields, doubled quotes,
// CRLF records); the BOM, if any, is removed first.
std::vector<std::vector<std::string>> ReadCsv(std::string text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text = text.substr(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      field.clear();
      rows.push_back(row);
      row.clear();
      ++i;
    } else {
      field.push_back(c);
    }
  }
  EXPECT_TRUE(row.empty() && field.empty()) << "the last record has no CRLF";
  return rows;
}

// A CSV cell says what the JSON figure says: its value as a number, or its
// mark (<5, x, -) exactly.
void ExpectCellIsFigure(const std::string& cell, const pb::Figure& f, const std::string& where) {
  if (f.state() == pb::FIGURE_STATE_VALUE) {
    char* end = nullptr;
    const double v = std::strtod(cell.c_str(), &end);
    EXPECT_TRUE(!cell.empty() && *end == '\0') << where << ": '" << cell << "' is not a number";
    EXPECT_EQ(v, f.value()) << where;
  } else {
    EXPECT_EQ(cell, f.display()) << where;
  }
}

// Checks a regions CSV against the JSON of the same view; returns the cells
// of the figures (row-major) for further checks.
std::vector<std::string> ExpectRegionsCsvEqualsJson(const std::string& body,
                                                    const pb::ListRegionsResponse& json) {
  const auto rows = ReadCsv(body);
  std::vector<std::string> figures;
  EXPECT_EQ(rows.size(), 1u + json.regions_size() + 1);  // header, 12 regions, national
  if (rows.size() != 1u + json.regions_size() + 1) return figures;
  std::vector<std::string> header = {"level", "region_code", "name_fr", "name_ar"};
  header.insert(header.end(), json.metric_ids().begin(), json.metric_ids().end());
  EXPECT_EQ(rows[0], header);
  std::vector<pb::RegionRow> expected(json.regions().begin(), json.regions().end());
  expected.push_back(json.national());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& row = rows[i + 1];
    EXPECT_EQ(row.size(), header.size());
    if (row.size() != header.size()) continue;
    EXPECT_EQ(row[0], i + 1 < expected.size() ? "region" : "national");
    EXPECT_EQ(row[1], expected[i].region_code());
    EXPECT_EQ(row[2], expected[i].name_fr());
    EXPECT_EQ(row[3], expected[i].name_ar());
    for (int m = 0; m < json.metric_ids_size(); ++m) {
      EXPECT_EQ(expected[i].figures(m).metric_id(), json.metric_ids(m));
      ExpectCellIsFigure(row[4 + m], expected[i].figures(m),
                         absl::StrCat(row[1], " ", json.metric_ids(m)));
      figures.push_back(row[4 + m]);
    }
  }
  return figures;
}

TEST_F(HttpApiTest, CsvDownloadsCarryTheirHeadersAndEqualTheJsonViews) {
  for (int i = 0; i < 2; ++i) Apply(200 + i, "MA-CAS", "c2");  // a small count in MA-06
  auto c = Client("");  // public: no token
  auto json = c.Get("/api/v1/regions");
  ASSERT_TRUE(json && json->status == 200);
  auto res = c.Get("/api/v1/regions.csv");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(res->get_header_value("Content-Disposition"),
            "attachment; filename=\"jobintech-regions-public-2025-10-15.csv\"");
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  for (const auto& [name, value] : SecurityHeaders()) {
    EXPECT_EQ(res->get_header_value(name.c_str()), value) << name;
  }
  EXPECT_TRUE(absl::StartsWith(res->body, "\xEF\xBB\xBF"));
  const auto public_cells =
      ExpectRegionsCsvEqualsJson(res->body, Parse<pb::ListRegionsResponse>(json->body));
  // Public figures are suppressed in the CSV exactly as in the JSON.
  EXPECT_NE(std::find(public_cells.begin(), public_cells.end(), "<5"), public_cells.end());
  EXPECT_NE(res->body.find("\r\nregion,MA-06,Casablanca-Settat,"), std::string::npos);

  // Internal, with an analyst's token: the exact figures.
  auto analyst = Client("analyst");
  auto internal_json = analyst.Get("/api/v1/regions?visibility=internal");
  ASSERT_TRUE(internal_json && internal_json->status == 200);
  auto internal = analyst.Get("/api/v1/regions.csv?visibility=internal");
  ASSERT_TRUE(internal && internal->status == 200);
  EXPECT_EQ(internal->get_header_value("Content-Disposition"),
            "attachment; filename=\"jobintech-regions-internal-2025-10-15.csv\"");
  const auto internal_cells =
      ExpectRegionsCsvEqualsJson(internal->body, Parse<pb::ListRegionsResponse>(internal_json->body));
  EXPECT_EQ(std::find(internal_cells.begin(), internal_cells.end(), "<5"), internal_cells.end());
  const auto rows = ReadCsv(internal->body);
  // MA-06 is the 6th region; applicants is the first key figure.
  ASSERT_GE(rows.size(), 7u);
  EXPECT_EQ(rows[6][1], "MA-06");
  EXPECT_EQ(rows[6][4], "2");
  EXPECT_EQ(rows[5][1], "MA-05");
  EXPECT_EQ(rows[5][4], "7");
  EXPECT_EQ(rows.back()[4], "9");  // national

  // Provinces and summary: same figures as their JSON, one row per province.
  auto provinces_json = analyst.Get("/api/v1/provinces?region=MA-05&visibility=internal");
  auto provinces = analyst.Get("/api/v1/provinces.csv?region=MA-05&visibility=internal&bom=false");
  ASSERT_TRUE(provinces_json && provinces && provinces->status == 200);
  EXPECT_FALSE(absl::StartsWith(provinces->body, "\xEF\xBB\xBF"));
  EXPECT_EQ(provinces->get_header_value("Content-Disposition"),
            "attachment; filename=\"jobintech-provinces-MA-05-internal-2025-10-15.csv\"");
  const auto table = Parse<pb::GetProvinceTableResponse>(provinces_json->body);
  const auto prows = ReadCsv(provinces->body);
  ASSERT_EQ(prows.size(), 1u + table.provinces_size() + 1);
  EXPECT_EQ(prows[0][0], "level");
  EXPECT_EQ(prows[0][4], table.metric_ids(0));
  for (int i = 0; i < table.provinces_size(); ++i) {
    EXPECT_EQ(prows[i + 1][0], "province");
    EXPECT_EQ(prows[i + 1][1], table.provinces(i).province_code());
    for (int m = 0; m < table.metric_ids_size(); ++m) {
      ExpectCellIsFigure(prows[i + 1][4 + m], table.provinces(i).figures(m), prows[i + 1][1]);
    }
  }
  EXPECT_EQ(prows.back()[0], "region");
  EXPECT_EQ(prows.back()[2], "MA-05");
  ExpectCellIsFigure(prows.back()[4], table.total().figures(0), "total");

  auto summary_json = c.Get("/api/v1/summary?province=MA-FQH");
  auto summary = c.Get("/api/v1/summary.csv?province=MA-FQH");
  ASSERT_TRUE(summary_json && summary && summary->status == 200);
  const auto sum = Parse<pb::GetSummaryResponse>(summary_json->body).summary();
  const auto srows = ReadCsv(summary->body);
  ASSERT_EQ(srows.size(), 2u);
  ASSERT_EQ(srows[1].size(), 3u + sum.figures_size());
  EXPECT_EQ(srows[1][0], "province");
  EXPECT_EQ(srows[1][2], "MA-FQH");
  for (int m = 0; m < sum.figures_size(); ++m) {
    EXPECT_EQ(srows[0][3 + m], sum.figures(m).metric_id());
    ExpectCellIsFigure(srows[1][3 + m], sum.figures(m), sum.figures(m).metric_id());
  }
}

TEST_F(HttpApiTest, CsvSeriesHaveOneColumnPerMetricAndOneRowPerDay) {
  auto c = Client();
  const std::string range = "start=2025-09-30&end=2025-10-02&visibility=internal";
  auto res = c.Get("/api/v1/timeseries.csv?metric=applicants,enrolled&metric=completed&" + range);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(res->get_header_value("Content-Disposition"),
            "attachment; filename=\"jobintech-timeseries-applicants_enrolled_completed-national-"
            "internal-2025-10-15.csv\"");
  const auto rows = ReadCsv(res->body);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"date", "applicants", "enrolled", "completed"}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"2025-09-30", "0", "0", "0"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2025-10-01", "7", "0", "0"}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"2025-10-02", "7", "0", "0"}));
  // Each column equals the JSON series of its metric.
  auto json = c.Get("/api/v1/timeseries?metric=applicants&" + range);
  ASSERT_TRUE(json && json->status == 200);
  const auto ts = Parse<pb::GetTimeSeriesResponse>(json->body);
  ASSERT_EQ(ts.points_size(), 3);
  for (int i = 0; i < 3; ++i) ExpectCellIsFigure(rows[i + 1][1], ts.points(i).figure(), rows[i + 1][0]);

  // A public series: marks as in the JSON (7 is shown, the region's own
  // series is public too).
  auto pub = Client("").Get("/api/v1/timeseries.csv?metric=applicants&region=MA-05&start=2025-10-01&end=2025-10-01");
  auto pub_json = Client("").Get("/api/v1/timeseries?metric=applicants&region=MA-05&start=2025-10-01&end=2025-10-01");
  ASSERT_TRUE(pub && pub->status == 200 && pub_json && pub_json->status == 200);
  const auto prow = ReadCsv(pub->body);
  ASSERT_EQ(prow.size(), 2u);
  ExpectCellIsFigure(prow[1][1], Parse<pb::GetTimeSeriesResponse>(pub_json->body).points(0).figure(),
                     "public MA-05");

  // Unknown metric, bad bom: 400 with the field named, like the JSON routes.
  auto unknown = c.Get("/api/v1/timeseries.csv?metric=applicants,nope&" + range);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("\"field\":\"metric_id\""), std::string::npos);
  auto missing = c.Get("/api/v1/timeseries.csv?" + range);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  auto bom = c.Get("/api/v1/regions.csv?bom=maybe");
  ASSERT_TRUE(bom);
  EXPECT_EQ(bom->status, 400);
  EXPECT_NE(bom->body.find("\"field\":\"bom\""), std::string::npos);
}

// Internal CSV is refused exactly as the internal JSON is: same status, same
// body, same WWW-Authenticate; allowed for the same roles.
TEST_F(HttpApiTest, InternalCsvIsRefusedExactlyAsTheJsonView) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"/api/v1/summary", "region=MA-05&visibility=internal"},
      {"/api/v1/regions", "visibility=internal"},
      {"/api/v1/provinces", "region=MA-05&visibility=internal"},
      {"/api/v1/timeseries", "metric=applicants&visibility=internal"}};
  for (const std::string role : {"", "centre-staff"}) {
    auto c = Client(role);
    for (const auto& [path, query] : routes) {
      auto json = c.Get(absl::StrCat(path, "?", query));
      auto csv = c.Get(absl::StrCat(path, ".csv?", query));
      ASSERT_TRUE(json && csv) << path;
      EXPECT_EQ(csv->status, role.empty() ? 401 : 403) << path << " " << role;
      EXPECT_EQ(csv->status, json->status) << path;
      EXPECT_EQ(csv->body, json->body) << path;
      EXPECT_EQ(csv->get_header_value("WWW-Authenticate"), json->get_header_value("WWW-Authenticate"));
      EXPECT_EQ(csv->get_header_value("Content-Type"), "application/json") << path;
      EXPECT_EQ(csv->get_header_value("Content-Disposition"), "") << path;
      EXPECT_EQ(csv->body.find("applicants,"), std::string::npos) << path;
      EXPECT_EQ(csv->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    }
  }
  auto forged = Client("");
  forged.set_bearer_token_auth(Token("analyst") + "x");
  auto bad = forged.Get("/api/v1/regions.csv?visibility=internal");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  for (const std::string role : {"analyst", "regional-coordinator", "placement-officer", "programme-admin"}) {
    auto c = Client(role);
    for (const auto& [path, query] : routes) {
      auto csv = c.Get(absl::StrCat(path, ".csv?", query));
      ASSERT_TRUE(csv);
      EXPECT_EQ(csv->status, 200) << path << " " << role << "\n" << csv->body;
      EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
    }
  }
}

// A server started --public_only refuses internal CSV as it refuses internal
// JSON, even with a token.
TEST_F(HttpApiTest, PublicOnlyServerRefusesInternalCsv) {
  DashboardViews public_views(&state_, ViewConfig{.suppression_threshold = 5,
                                                  .public_only = true,
                                                  .zone = absl::UTCTimeZone(),
                                                  .clock = &clock_});
  HttpServer server(HttpServerOptions{.host = "127.0.0.1", .port = 0, .threads = 2});
  HttpApiOptions options{absl::Milliseconds(200)};
  options.authorize_internal = [](absl::string_view) { return absl::OkStatus(); };
  HttpApi api(&public_views, &hub_, std::move(options));
  api.Register(server);
  ASSERT_TRUE(server.Start().ok());
  httplib::Client c("127.0.0.1", server.port());
  c.set_bearer_token_auth(Token("analyst"));
  for (const char* route : {"/api/v1/regions", "/api/v1/summary"}) {
    auto json = c.Get(absl::StrCat(route, "?visibility=internal"));
    auto csv = c.Get(absl::StrCat(route, ".csv?visibility=internal"));
    ASSERT_TRUE(json && csv);
    EXPECT_NE(json->status, 200) << route;
    EXPECT_EQ(csv->status, json->status) << route;
    EXPECT_EQ(csv->body, json->body) << route;
  }
  auto open = c.Get("/api/v1/regions.csv");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->status, 200);
  server.Stop();
}

}  // namespace
}  // namespace jit::aggregator::api
