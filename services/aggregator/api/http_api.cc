#include "services/aggregator/api/http_api.h"

#include <algorithm>
#include <deque>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/json_util.h"
#include "httplib.h"
#include "libs/csv/dashboard_csv.h"
#include "libs/protoconv/common.h"
#include "libs/status/field_violations.h"
#include "nlohmann/json.hpp"
#include "services/aggregator/api/web_assets.h"

namespace jit::aggregator::api {
namespace {

namespace common = ::jobintech::common::v1;

std::string Param(const Params& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

void SendError(httplib::Response& res, const absl::Status& s) {
  nlohmann::json body{{"code", absl::StatusCodeToString(s.code())},
                      {"message", std::string(s.message())}};
  nlohmann::json violations = nlohmann::json::array();
  for (const auto& v : status::GetFieldViolations(s)) {
    violations.push_back({{"field", v.field}, {"description", v.description}});
  }
  body["violations"] = violations;
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument: res.status = 400; break;
    case absl::StatusCode::kUnauthenticated:
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer");
      break;
    case absl::StatusCode::kPermissionDenied: res.status = 403; break;
    case absl::StatusCode::kNotFound: res.status = 404; break;
    case absl::StatusCode::kResourceExhausted: res.status = 429; break;
    case absl::StatusCode::kFailedPrecondition: res.status = 503; break;
    default: res.status = 500; break;
  }
  res.set_content(body.dump(), "application/json");
}

void SendJson(httplib::Response& res, const google::protobuf::Message& m) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(ToJson(m), "application/json");
}

template <typename T>
void SendResult(httplib::Response& res, const absl::StatusOr<T>& r) {
  if (r.ok()) {
    SendJson(res, *r);
  } else {
    SendError(res, r.status());
  }
}

// The CSV writer's options from `bom` (true unless false/0/no).
absl::StatusOr<csv::Options> CsvOptionsFromParams(const Params& params) {
  csv::Options options;
  const std::string bom = absl::AsciiStrToLower(Param(params, "bom"));
  if (bom == "false" || bom == "0" || bom == "no") {
    options.byte_order_mark = false;
  } else if (!bom.empty() && bom != "true" && bom != "1" && bom != "yes") {
    return status::InvalidField("bom", "must be true or false");
  }
  return options;
}

void SendCsv(httplib::Response& res, const std::string& body, const std::string& file_name) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("Content-Disposition", absl::StrCat("attachment; filename=\"", file_name, "\""));
  res.set_content(body, "text/csv; charset=utf-8");
}

// The scope part of a file name: the province, else the region, else national.
std::string ScopeName(const pb::Scope& scope) {
  if (!scope.province_code().empty()) return scope.province_code();
  if (!scope.region_code().empty()) return scope.region_code();
  return "national";
}

absl::StatusOr<common::Date> DateParam(const std::string& text, const char* field) {
  std::optional<Day> d = ParseDay(text);
  if (!d.has_value()) {
    return status::InvalidField(field, absl::StrCat("'", text, "' is not a date (YYYY-MM-DD)"));
  }
  return protoconv::ToProtoDate(ToCivil(*d));
}

// An SSE client: a watcher the hub offers summaries to (latest wins), and
// the stream the server's event loop pulls them from, encoded once per
// summary for every client watching the same view.
class SseStream final : public Watcher, public ServerStream {
 public:
  using Encode = std::function<const std::string&(const std::shared_ptr<const pb::Summary>&)>;
  SseStream(HttpServer* server, WatchHub* hub, Encode encode)
      : server_(server), hub_(hub), encode_(std::move(encode)) {}

  void Offer(std::shared_ptr<const pb::Summary> summary) override {
    {
      absl::MutexLock lock(&mu_);
      latest_ = std::move(summary);
    }
    server_->Wake();
  }
  void Close() override {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
    }
    server_->Wake();
  }
  bool Pull(std::string* out) override {
    std::shared_ptr<const pb::Summary> next;
    bool closed;
    {
      absl::MutexLock lock(&mu_);
      next = std::move(latest_);
      latest_ = nullptr;
      closed = closed_;
    }
    if (next != nullptr && !closed) out->append(encode_(next));
    return !closed;
  }
  void Closed(absl::string_view) override { hub_->Unsubscribe(this); }

 private:
  HttpServer* const server_;
  WatchHub* const hub_;
  const Encode encode_;
  absl::Mutex mu_;
  std::shared_ptr<const pb::Summary> latest_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

std::string SseHead(bool chunked) {
  std::string head = absl::StrCat(chunked ? "HTTP/1.1" : "HTTP/1.0",
                                  " 200 OK\r\nContent-Type: text/event-stream\r\n"
                                  "Cache-Control: no-cache\r\nX-Accel-Buffering: no\r\n"
                                  "Connection: close\r\n");
  if (chunked) head += "Transfer-Encoding: chunked\r\n";
  for (const auto& [name, value] : SecurityHeaders()) absl::StrAppend(&head, name, ": ", value, "\r\n");
  head += "\r\n";
  return head;
}

}  // namespace

// The encoded event of each recent summary, so that N clients of one view
// cost one encoding. Used from the event loop's thread only; holds at most
// kSize summaries.
class HttpApi::EventCache {
 public:
  const std::string& Event(const std::shared_ptr<const pb::Summary>& summary) {
    for (const auto& [s, text] : entries_) {
      if (s == summary) return text;
    }
    if (entries_.size() >= kSize) entries_.pop_front();
    pb::WatchSummaryResponse msg;
    *msg.mutable_summary() = *summary;
    entries_.emplace_back(summary, absl::StrCat("event: summary\nid: ", summary->state_version(),
                                                "\ndata: ", ToJson(msg), "\n\n"));
    return entries_.back().second;
  }

 private:
  static constexpr size_t kSize = 32;
  std::deque<std::pair<std::shared_ptr<const pb::Summary>, std::string>> entries_;
};

HttpApi::HttpApi(const DashboardViews* views, WatchHub* hub, HttpApiOptions options)
    : views_(views), hub_(hub), options_(std::move(options)),
      events_(std::make_shared<EventCache>()) {}

HttpApi::~HttpApi() = default;

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::StatusOr<pb::WatchSummaryRequest> ViewFromParams(const Params& params) {
  status::FieldViolations v;
  pb::WatchSummaryRequest req;
  pb::Scope* scope = req.mutable_scope();
  scope->set_region_code(Param(params, "region"));
  scope->set_province_code(Param(params, "province"));
  const std::string level = absl::AsciiStrToLower(Param(params, "level"));
  if (level.empty()) {
    scope->set_level(!scope->province_code().empty() ? pb::SCOPE_LEVEL_PROVINCE
                     : !scope->region_code().empty() ? pb::SCOPE_LEVEL_REGION
                                                     : pb::SCOPE_LEVEL_NATIONAL);
  } else if (level == "national") {
    scope->set_level(pb::SCOPE_LEVEL_NATIONAL);
  } else if (level == "region") {
    scope->set_level(pb::SCOPE_LEVEL_REGION);
  } else if (level == "province") {
    scope->set_level(pb::SCOPE_LEVEL_PROVINCE);
  } else {
    v.Add("level", "must be national, region or province");
  }
  req.mutable_filters()->set_track_id(Param(params, "track"));
  req.mutable_filters()->set_cohort_id(Param(params, "cohort"));
  const std::string gender = absl::AsciiStrToLower(Param(params, "gender"));
  if (gender == "female" || gender == "f") {
    req.mutable_filters()->set_gender(common::GENDER_FEMALE);
  } else if (gender == "male" || gender == "m") {
    req.mutable_filters()->set_gender(common::GENDER_MALE);
  } else if (!gender.empty() && gender != "all") {
    v.Add("gender", "must be female or male");
  }
  const std::string visibility = absl::AsciiStrToLower(Param(params, "visibility"));
  if (visibility.empty() || visibility == "public") {
    req.set_visibility(pb::VISIBILITY_PUBLIC);
  } else if (visibility == "internal") {
    req.set_visibility(pb::VISIBILITY_INTERNAL);
  } else {
    v.Add("visibility", "must be public or internal");
  }
  if (!v.empty()) return v.ToStatus();
  return req;
}

absl::StatusOr<pb::GetTimeSeriesRequest> TimeSeriesFromParams(const Params& params) {
  absl::StatusOr<pb::WatchSummaryRequest> view = ViewFromParams(params);
  if (!view.ok()) return view.status();
  pb::GetTimeSeriesRequest req;
  req.set_metric_id(Param(params, "metric"));
  *req.mutable_scope() = view->scope();
  *req.mutable_filters() = view->filters();
  req.set_visibility(view->visibility());
  if (!Param(params, "start").empty()) {
    absl::StatusOr<common::Date> d = DateParam(Param(params, "start"), "start");
    if (!d.ok()) return d.status();
    *req.mutable_start_date() = *d;
  }
  if (!Param(params, "end").empty()) {
    absl::StatusOr<common::Date> d = DateParam(Param(params, "end"), "end");
    if (!d.ok()) return d.status();
    *req.mutable_end_date() = *d;
  }
  return req;
}

std::vector<std::string> MetricsFromParams(const Params& params) {
  std::vector<std::string> out;
  auto [begin, end] = params.equal_range("metric");
  for (auto it = begin; it != end; ++it) {
    for (absl::string_view id : absl::StrSplit(it->second, ',', absl::SkipWhitespace())) {
      out.emplace_back(absl::StripAsciiWhitespace(id));
    }
  }
  return out;
}

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const auto* const kHeaders = new std::vector<std::pair<std::string, std::string>>{
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy", "camera=(), microphone=(), geolocation=()"}};
  return *kHeaders;
}

absl::Status HttpApi::Authorize(const httplib::Request& req,
                                const pb::WatchSummaryRequest& view) const {
  if (view.visibility() != pb::VISIBILITY_INTERNAL) return absl::OkStatus();
  if (options_.authorize_internal == nullptr) {
    return absl::UnauthenticatedError(
        "internal views need a bearer token, and this server accepts none "
        "(start it with --token_keys_file)");
  }
  return options_.authorize_internal(req.get_header_value("Authorization"));
}

absl::StatusOr<pb::Summary> HttpApi::SummaryFor(const httplib::Request& req) const {
  auto view = ViewFromParams(req.params);
  if (!view.ok()) return view.status();
  if (absl::Status a = Authorize(req, *view); !a.ok()) return a;
  return views_->Summary(view->scope(), view->filters(), view->visibility());
}

absl::StatusOr<pb::ListRegionsResponse> HttpApi::RegionsFor(const httplib::Request& req) const {
  auto view = ViewFromParams(req.params);
  if (!view.ok()) return view.status();
  if (absl::Status a = Authorize(req, *view); !a.ok()) return a;
  pb::ListRegionsRequest r;
  *r.mutable_filters() = view->filters();
  r.set_visibility(view->visibility());
  return views_->ListRegions(r);
}

absl::StatusOr<pb::GetProvinceTableResponse> HttpApi::ProvincesFor(
    const httplib::Request& req) const {
  auto view = ViewFromParams(req.params);
  if (!view.ok()) return view.status();
  if (absl::Status a = Authorize(req, *view); !a.ok()) return a;
  pb::GetProvinceTableRequest r;
  r.set_region_code(view->scope().region_code());
  *r.mutable_filters() = view->filters();
  r.set_visibility(view->visibility());
  return views_->GetProvinceTable(r);
}

absl::StatusOr<std::vector<pb::GetTimeSeriesResponse>> HttpApi::SeriesFor(
    const httplib::Request& req, const std::vector<std::string>& metrics) const {
  // More columns than the registry has metrics is a mistake, not a request.
  constexpr size_t kMaxMetrics = 64;
  auto r = TimeSeriesFromParams(req.params);
  if (!r.ok()) return r.status();
  if (metrics.size() > kMaxMetrics) {
    return status::InvalidField("metric", absl::StrCat("at most ", kMaxMetrics, " metrics"));
  }
  pb::WatchSummaryRequest series_view;
  series_view.set_visibility(r->visibility());
  if (absl::Status a = Authorize(req, series_view); !a.ok()) return a;
  std::vector<pb::GetTimeSeriesResponse> out;
  for (size_t i = 0; i < std::max<size_t>(metrics.size(), 1); ++i) {
    if (!metrics.empty()) r->set_metric_id(metrics[i]);
    auto series = views_->GetTimeSeries(*r);
    if (!series.ok()) return series.status();
    out.push_back(*std::move(series));
  }
  return out;
}

void HttpApi::Register(HttpServer& http_server) {
  httplib::Server& server = http_server.http();
  httplib::Headers headers;
  for (const auto& [name, value] : SecurityHeaders()) headers.emplace(name, value);
  server.set_default_headers(std::move(headers));
  for (const web::Asset& asset : web::Assets()) {
    const std::string path = asset.path == "index.html" ? "/" : "/" + std::string(asset.path);
    const web::Asset* a = &asset;
    server.Get(path, [a](const httplib::Request&, httplib::Response& res) {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(a->data), std::string(a->content_type));
    });
  }
  server.Get("/api/v1/summary", [this](const httplib::Request& req, httplib::Response& res) {
    auto summary = SummaryFor(req);
    if (!summary.ok()) return SendError(res, summary.status());
    pb::GetSummaryResponse out;
    *out.mutable_summary() = *std::move(summary);
    SendJson(res, out);
  });
  server.Get("/api/v1/regions", [this](const httplib::Request& req, httplib::Response& res) {
    SendResult(res, RegionsFor(req));
  });
  server.Get("/api/v1/provinces", [this](const httplib::Request& req, httplib::Response& res) {
    SendResult(res, ProvincesFor(req));
  });
  server.Get("/api/v1/timeseries", [this](const httplib::Request& req, httplib::Response& res) {
    auto series = SeriesFor(req, {});
    if (!series.ok()) return SendError(res, series.status());
    SendJson(res, series->front());
  });
  // The CSV downloads: the same views through the same helpers (so the same
  // validation and refusals), written by libs/csv.
  server.Get(R"(/api/v1/summary\.csv)", [this](const httplib::Request& req, httplib::Response& res) {
    auto options = CsvOptionsFromParams(req.params);
    if (!options.ok()) return SendError(res, options.status());
    auto summary = SummaryFor(req);
    if (!summary.ok()) return SendError(res, summary.status());
    SendCsv(res, csv::SummaryCsv(*summary, *options),
            csv::ExportFileName(csv::kSummaryView, ScopeName(summary->scope()),
                                summary->visibility(), summary->as_of()));
  });
  server.Get(R"(/api/v1/regions\.csv)", [this](const httplib::Request& req, httplib::Response& res) {
    auto options = CsvOptionsFromParams(req.params);
    if (!options.ok()) return SendError(res, options.status());
    auto regions = RegionsFor(req);
    if (!regions.ok()) return SendError(res, regions.status());
    auto view = ViewFromParams(req.params);
    SendCsv(res, csv::RegionsCsv(*regions, *options),
            csv::ExportFileName(csv::kRegionsView, "", view->visibility(), regions->as_of()));
  });
  server.Get(R"(/api/v1/provinces\.csv)", [this](const httplib::Request& req, httplib::Response& res) {
    auto options = CsvOptionsFromParams(req.params);
    if (!options.ok()) return SendError(res, options.status());
    auto provinces = ProvincesFor(req);
    if (!provinces.ok()) return SendError(res, provinces.status());
    auto view = ViewFromParams(req.params);
    SendCsv(res, csv::ProvincesCsv(*provinces, *options),
            csv::ExportFileName(csv::kProvincesView, view->scope().region_code(), view->visibility(),
                                provinces->as_of()));
  });
  server.Get(R"(/api/v1/timeseries\.csv)", [this](const httplib::Request& req, httplib::Response& res) {
    auto options = CsvOptionsFromParams(req.params);
    if (!options.ok()) return SendError(res, options.status());
    const std::vector<std::string> metrics = MetricsFromParams(req.params);
    auto series = SeriesFor(req, metrics);
    if (!series.ok()) return SendError(res, series.status());
    auto view = ViewFromParams(req.params);
    std::vector<std::string> ids;
    for (const auto& s : *series) ids.push_back(s.metric_id());
    SendCsv(res, csv::TimeSeriesCsv(*series, *options),
            csv::ExportFileName(csv::kTimeSeriesView,
                                absl::StrCat(absl::StrJoin(ids, "_"), "-", ScopeName(view->scope())),
                                view->visibility(), series->front().as_of()));
  });
  server.Get("/api/v1/metrics", [this](const httplib::Request&, httplib::Response& res) {
    SendJson(res, views_->ListMetricDefinitions());
  });
  server.Get("/api/v1/freshness", [this](const httplib::Request&, httplib::Response& res) {
    pb::GetFreshnessResponse out;
    *out.mutable_freshness() = views_->Freshness();
    SendJson(res, out);
  });
  server.Get("/api/v1/catalogue", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::json tracks = nlohmann::json::array(), cohorts = nlohmann::json::array();
    views_->state().Read([&](const Fold& fold, const IngestStats&) {
      std::map<std::string, TrackInfo> all = fold.tracks();
      std::set<std::string> cohort_ids;
      for (const auto& [key, cell] : fold.cells()) {
        all.try_emplace(key.track_id);
        cohort_ids.insert(key.cohort_id);
      }
      for (const auto& [id, c] : fold.cohorts()) cohort_ids.insert(id);
      for (const auto& [id, t] : all) {
        if (!id.empty()) tracks.push_back({{"trackId", id}, {"nameFr", t.name_fr}, {"nameAr", t.name_ar}});
      }
      for (const std::string& id : cohort_ids) {
        auto it = fold.cohorts().find(id);
        nlohmann::json c{{"cohortId", id}, {"name", it != fold.cohorts().end() ? it->second.name : ""},
                         {"trackId", it != fold.cohorts().end() ? it->second.location.track_id : ""},
                         {"regionCode", it != fold.cohorts().end() ? it->second.location.region_code : ""},
                         {"provinceCode", it != fold.cohorts().end() ? it->second.location.province_code : ""}};
        cohorts.push_back(c);
      }
      return 0;
    });
    res.set_content(nlohmann::json{{"tracks", tracks}, {"cohorts", cohorts}}.dump(),
                    "application/json");
  });
  server.Get("/api/v1/stream", [this, &http_server](const httplib::Request& req,
                                                    httplib::Response& res) {
    auto view = ViewFromParams(req.params);
    if (!view.ok()) return SendError(res, view.status());
    if (absl::Status a = Authorize(req, *view); !a.ok()) return SendError(res, a);
    std::shared_ptr<EventCache> events = events_;
    auto stream = std::make_shared<SseStream>(
        &http_server, hub_,
        [events](const std::shared_ptr<const pb::Summary>& s) -> const std::string& {
          return events->Event(s);
        });
    absl::Status s = hub_->Subscribe(*view, stream.get(), "sse");
    if (s.code() == absl::StatusCode::kResourceExhausted) {
      // Over the cap: come back later (EventSource retries on its own).
      SendError(res, s);
      res.status = 503;
      res.set_header("Retry-After",
                     std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(options_.retry_after))));
      return;
    }
    if (!s.ok()) return SendError(res, s);
    StreamStart start;
    start.chunked = req.version != "HTTP/1.0";
    start.head = SseHead(start.chunked);
    start.keep_alive_bytes = ": keep-alive\n\n";
    start.keep_alive = options_.keep_alive;
    const bool taken = HttpServer::TakeOver(
        [&http_server, stream, start = std::move(start)](int fd) mutable {
          http_server.Adopt(fd, std::move(start), stream);
        });
    if (!taken) {
      hub_->Unsubscribe(stream.get());
      SendError(res, absl::InternalError("the stream cannot be served on this server"));
    }
  });
}

}  // namespace jit::aggregator::api
