// The dashboard over HTTP (cpp-httplib, on its own port, --http_address):
//
//   GET /                         the dashboard page (embedded HTML/CSS/JS)
//   GET /app.js, /app.css         its assets
//   GET /api/v1/summary           GetSummary      ?level=&region=&province=&track=&cohort=&gender=&visibility=
//   GET /api/v1/regions           ListRegions     ?track=&cohort=&gender=&visibility=
//   GET /api/v1/provinces         GetProvinceTable ?region=&track=&cohort=&gender=&visibility=
//   GET /api/v1/timeseries        GetTimeSeries   ?metric=&start=YYYY-MM-DD&end=YYYY-MM-DD&<scope, filters>
//   GET /api/v1/metrics           ListMetricDefinitions
//   GET /api/v1/freshness         GetFreshness
//   GET /api/v1/catalogue         tracks and cohorts seen in the events (for the page's filters)
//   GET /api/v1/stream            WatchSummary as Server-Sent Events (text/event-stream):
//                                 "event: summary" with the Summary as JSON, on every
//                                 coalesced update; ": keep-alive" comments in between.
//                                 Validated and authorized on a worker, then written by
//                                 the server's event loop (HttpServer::TakeOver): no
//                                 thread per client. Over the hub's SSE cap: 503 with
//                                 Retry-After.
//   GET /api/v1/summary.csv       the same views as CSV downloads (libs/csv/dashboard_csv.h:
//   GET /api/v1/regions.csv       one header row, columns named after the metric ids, one
//   GET /api/v1/provinces.csv     row per region / province / day, suppression marks as in
//   GET /api/v1/timeseries.csv    the JSON), same parameters plus bom=false (no UTF-8 BOM);
//                                 timeseries.csv takes several metrics (metric=a&metric=b
//                                 or metric=a,b), one column each. text/csv; charset=utf-8,
//                                 Content-Disposition: attachment; filename="jobintech-...".
//
// Bodies are protobuf's JSON mapping of the gRPC responses
// (google::protobuf::util::MessageToJsonString, lowerCamelCase names,
// default values printed, 64-bit integers as strings). `level` defaults from
// the parameters given (province > region > national); `gender` is female
// or male; `visibility` is public (default) or internal. Errors: 400 with
// {"code":"INVALID_ARGUMENT","message":...,"violations":[{"field","description"}]}.
//
// Internal views need `Authorization: Bearer <jwt>` with a role allowed the
// dashboards' elevated form (analyst or higher): 401 (and
// `WWW-Authenticate: Bearer`) without a valid token, 403 with one whose
// roles do not allow it. The page itself offers public views only (a browser's
// EventSource cannot send a token). Every response carries the security
// headers (a strict Content-Security-Policy with no inline script or style,
// nosniff, frame-ancestors 'none', no referrer). Nothing else is served on
// this listener: metrics, health and debug routes live on the admin port.
#ifndef JIT_SERVICES_AGGREGATOR_API_HTTP_API_H_
#define JIT_SERVICES_AGGREGATOR_API_HTTP_API_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/aggregator/api/views.h"
#include "services/aggregator/api/watch_hub.h"

#include "services/aggregator/api/http_server.h"

namespace httplib {
class Server;
struct Request;
}

namespace jit::aggregator::api {

// OK when the request's `Authorization` header value admits internal
// views; UNAUTHENTICATED or PERMISSION_DENIED otherwise.
using InternalAuthorizer = std::function<absl::Status(absl::string_view authorization)>;

struct HttpApiOptions {
  // Comment lines sent to idle SSE clients (keeps proxies from closing).
  absl::Duration keep_alive = absl::Seconds(15);
  // Null: internal views are refused (UNAUTHENTICATED).
  InternalAuthorizer authorize_internal = nullptr;
  // Retry-After of an SSE refused for the cap.
  absl::Duration retry_after = absl::Seconds(5);
};

// The headers every response of the dashboard listener carries.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

class HttpApi {
 public:
  HttpApi(const DashboardViews* views, WatchHub* hub, HttpApiOptions options = {});
  ~HttpApi();
  // Adds the routes and the security headers. Call before the server starts;
  // the server must stop before this object goes.
  void Register(HttpServer& server);

 private:
  // OK for public views; for internal ones, what authorize_internal says.
  absl::Status Authorize(const httplib::Request& req,
                         const pb::WatchSummaryRequest& view) const;
  // Each view from the request's parameters, authorized: what the JSON and
  // the CSV routes both serve (same validation, same refusals).
  absl::StatusOr<pb::Summary> SummaryFor(const httplib::Request& req) const;
  absl::StatusOr<pb::ListRegionsResponse> RegionsFor(const httplib::Request& req) const;
  absl::StatusOr<pb::GetProvinceTableResponse> ProvincesFor(const httplib::Request& req) const;
  // One series per metric id in `metrics` (the `metric` parameter when empty).
  absl::StatusOr<std::vector<pb::GetTimeSeriesResponse>> SeriesFor(
      const httplib::Request& req, const std::vector<std::string>& metrics) const;

  const DashboardViews* const views_;
  WatchHub* const hub_;
  const HttpApiOptions options_;
  // SSE events already encoded (the event loop's thread only).
  class EventCache;
  std::shared_ptr<EventCache> events_;
};

// Query parameters -> request messages (exposed for tests).
using Params = std::multimap<std::string, std::string>;
absl::StatusOr<pb::WatchSummaryRequest> ViewFromParams(const Params& params);
absl::StatusOr<pb::GetTimeSeriesRequest> TimeSeriesFromParams(const Params& params);
// Every `metric` parameter, comma-separated lists split, in order.
std::vector<std::string> MetricsFromParams(const Params& params);
// Protobuf's JSON mapping with default values printed.
std::string ToJson(const google::protobuf::Message& message);

}  // namespace jit::aggregator::api

#endif  // JIT_SERVICES_AGGREGATOR_API_HTTP_API_H_
