// The dashboard views as jobintech.dashboard.v1 messages, shared by the gRPC
// service, the HTTP JSON endpoints, the watch stream and the SSE stream.
// Requests are validated here (INVALID_ARGUMENT with field violations named
// as in the proto: scope.region_code, filters.gender, start_date, ...).
#ifndef JIT_SERVICES_AGGREGATOR_API_VIEWS_H_
#define JIT_SERVICES_AGGREGATOR_API_VIEWS_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "jobintech/dashboard/v1/dashboard_service.pb.h"
#include "libs/clock/clock.h"
#include "services/aggregator/domain/query.h"
#include "services/aggregator/ingest/dashboard_state.h"

namespace jit::aggregator::api {

namespace pb = ::jobintech::dashboard::v1;

struct ViewConfig {
  // Small-count threshold of public views (>= 3: "<2" would reveal a 1).
  int suppression_threshold = 5;
  // Refuse INTERNAL views (a deployment facing the public).
  bool public_only = false;
  absl::TimeZone zone = absl::UTCTimeZone();
  const Clock* clock = nullptr;  // required
};

class DashboardViews {
 public:
  DashboardViews(const DashboardState* state, ViewConfig config)
      : state_(state), config_(std::move(config)) {}

  absl::StatusOr<pb::Summary> Summary(const pb::Scope& scope, const pb::Filters& filters,
                                      pb::Visibility visibility) const;
  absl::StatusOr<pb::ListRegionsResponse> ListRegions(const pb::ListRegionsRequest& req) const;
  absl::StatusOr<pb::GetProvinceTableResponse> GetProvinceTable(
      const pb::GetProvinceTableRequest& req) const;
  absl::StatusOr<pb::GetTimeSeriesResponse> GetTimeSeries(
      const pb::GetTimeSeriesRequest& req) const;
  pb::ListMetricDefinitionsResponse ListMetricDefinitions() const;
  pb::Freshness Freshness() const;

  const ViewConfig& config() const { return config_; }
  const DashboardState& state() const { return *state_; }

 private:
  // Validates and resolves a request's scope, filters and visibility.
  absl::StatusOr<std::pair<Query, ViewOptions>> Resolve(const pb::Scope& scope,
                                                        const pb::Filters& filters,
                                                        pb::Visibility visibility) const;
  // The public plan of the fold being read (shared by every request until
  // the fold changes); null for internal views. Call under the state's lock.
  std::shared_ptr<const PublicPlan> PlanFor(const Fold& fold, const ViewOptions& options) const;

  const DashboardState* const state_;
  const ViewConfig config_;
  mutable absl::Mutex plan_mu_;
  mutable std::shared_ptr<const PublicPlan> plan_ ABSL_GUARDED_BY(plan_mu_);
  mutable int64_t plan_version_ ABSL_GUARDED_BY(plan_mu_) = -1;
};

// Domain -> proto, exposed for tests.
pb::MetricDefinition ToProto(const MetricDefinition& m);
pb::Figure ToProto(const FigureValue& f);
pb::Freshness FreshnessOf(const IngestStats& stats, int64_t held_events);

}  // namespace jit::aggregator::api

#endif  // JIT_SERVICES_AGGREGATOR_API_VIEWS_H_
