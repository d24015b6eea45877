// jobintech.dashboard.v1.DashboardService on gRPC's callback API. Unary
// views are computed from the shared state (reader lock) on the service's
// bounded executor when one is given (grpcserver::Respond: access checked on
// gRPC's thread, RESOURCE_EXHAUSTED with a retry hint when the executor is
// full), inline otherwise; WatchSummary is a server-streaming reactor fed by
// the WatchHub with latest-value coalescing (see watch_hub.h); the hub's caps
// refuse a watch with RESOURCE_EXHAUSTED and the `grpc-retry-pushback-ms`
// trailer.
#ifndef JIT_SERVICES_AGGREGATOR_API_GRPC_SERVICE_H_
#define JIT_SERVICES_AGGREGATOR_API_GRPC_SERVICE_H_

#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "libs/executor/bounded_executor.h"
#include "services/aggregator/api/views.h"
#include "services/aggregator/api/watch_hub.h"

namespace jit::aggregator::api {

class DashboardGrpcService final : public pb::DashboardService::CallbackService {
 public:
  // `views`, `hub` and `executor` (may be null) must outlive the service.
  // A watch refused for a cap (RESOURCE_EXHAUSTED) tells the client to
  // retry after `watch_retry_after` (trailer `grpc-retry-pushback-ms`, gRPC's
  // server pushback).
  DashboardGrpcService(const DashboardViews* views, WatchHub* hub,
                       executor::BoundedExecutor* executor = nullptr,
                       absl::Duration watch_retry_after = absl::Seconds(5))
      : views_(views),
        hub_(hub),
        executor_(executor),
        watch_retry_after_(watch_retry_after) {}

  grpc::ServerUnaryReactor* GetSummary(grpc::CallbackServerContext* ctx,
                                       const pb::GetSummaryRequest* req,
                                       pb::GetSummaryResponse* resp) override;
  grpc::ServerUnaryReactor* ListRegions(grpc::CallbackServerContext* ctx,
                                        const pb::ListRegionsRequest* req,
                                        pb::ListRegionsResponse* resp) override;
  grpc::ServerUnaryReactor* GetProvinceTable(grpc::CallbackServerContext* ctx,
                                             const pb::GetProvinceTableRequest* req,
                                             pb::GetProvinceTableResponse* resp) override;
  grpc::ServerUnaryReactor* GetTimeSeries(grpc::CallbackServerContext* ctx,
                                          const pb::GetTimeSeriesRequest* req,
                                          pb::GetTimeSeriesResponse* resp) override;
  grpc::ServerUnaryReactor* ListMetricDefinitions(
      grpc::CallbackServerContext* ctx, const pb::ListMetricDefinitionsRequest* req,
      pb::ListMetricDefinitionsResponse* resp) override;
  grpc::ServerUnaryReactor* GetFreshness(grpc::CallbackServerContext* ctx,
                                         const pb::GetFreshnessRequest* req,
                                         pb::GetFreshnessResponse* resp) override;
  grpc::ServerWriteReactor<pb::WatchSummaryResponse>* WatchSummary(
      grpc::CallbackServerContext* ctx, const pb::WatchSummaryRequest* req) override;

 private:
  const DashboardViews* const views_;
  WatchHub* const hub_;
  executor::BoundedExecutor* const executor_;
  const absl::Duration watch_retry_after_;
};

}  // namespace jit::aggregator::api

#endif  // JIT_SERVICES_AGGREGATOR_API_GRPC_SERVICE_H_
