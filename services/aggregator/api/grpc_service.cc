#include "services/aggregator/api/grpc_service.h"

#include <algorithm>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/access/interceptor.h"
#include "libs/access/policy.h"
#include "libs/grpcserver/unary.h"
#include "libs/status/grpc_status.h"
#include "libs/status/status_macros.h"

namespace jit::aggregator::api {
namespace {

// The access decision for this call (libs/access), and for the internal
// (unsuppressed) visibility the method's elevated form: an analyst or higher
// role. Anonymous callers get the public views only.
absl::Status Admit(const grpc::CallbackServerContext& ctx, pb::Visibility visibility) {
  absl::StatusOr<auth::Principal> caller = access::CallerOf(ctx);
  if (!caller.ok()) return caller.status();
  if (visibility != pb::VISIBILITY_INTERNAL) return absl::OkStatus();
  const access::MethodPolicy* policy = access::PolicyOf(ctx);
  if (policy == nullptr) return absl::PermissionDeniedError("no access policy: refused");
  return access::CheckElevated(*policy, *caller);
}

grpc::ServerUnaryReactor* Refuse(grpc::CallbackServerContext* ctx, const absl::Status& s) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(status::ToGrpcStatus(s));
  return reactor;
}

// Moves a view into the response, or returns its error.
template <typename T>
absl::Status Into(absl::StatusOr<T> result, T* resp) {
  if (!result.ok()) return result.status();
  *resp = *std::move(result);
  return absl::OkStatus();
}

// One WatchSummary stream. Holds at most one pending summary: a new one
// replaces the pending one (coalescing); it is written as soon as the
// previous write completes.
class WatchReactor final : public grpc::ServerWriteReactor<pb::WatchSummaryResponse>,
                           public Watcher {
 public:
  WatchReactor(WatchHub* hub, absl::Duration retry_after) : hub_(hub), retry_after_(retry_after) {}

  // `admitted`: the access decision; a refused watch ends at once.
  void Begin(grpc::CallbackServerContext* ctx, const pb::WatchSummaryRequest& request,
             const absl::Status& admitted) {
    absl::Status s = admitted.ok() ? hub_->Subscribe(request, this, "grpc") : admitted;
    if (!s.ok()) {
      if (s.code() == absl::StatusCode::kResourceExhausted) {
        // Over a cap: gRPC's server pushback tells a retrying client when.
        ctx->AddTrailingMetadata(
            "grpc-retry-pushback-ms",
            std::to_string(std::max<int64_t>(1000, absl::ToInt64Milliseconds(retry_after_))));
      }
      absl::MutexLock lock(&mu_);
      FinishLocked(status::ToGrpcStatus(s));
    }
  }

  void Offer(std::shared_ptr<const pb::Summary> summary) override {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    latest_ = std::move(summary);
    if (!writing_) WriteLatestLocked();
  }

  void Close() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::OK);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "watch stream broken"));
      return;
    }
    if (!finished_ && latest_ != nullptr && latest_ != sent_) WriteLatestLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_->Unsubscribe(this);
    delete this;
  }

 private:
  void WriteLatestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    sent_ = latest_;
    *response_.mutable_summary() = *sent_;
    writing_ = true;
    StartWrite(&response_);
  }
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(status));
  }

  WatchHub* const hub_;
  const absl::Duration retry_after_;
  absl::Mutex mu_;
  std::shared_ptr<const pb::Summary> latest_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const pb::Summary> sent_ ABSL_GUARDED_BY(mu_);
  pb::WatchSummaryResponse response_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerUnaryReactor* DashboardGrpcService::GetSummary(grpc::CallbackServerContext* ctx,
                                                           const pb::GetSummaryRequest* req,
                                                           pb::GetSummaryResponse* resp) {
  if (absl::Status a = Admit(*ctx, req->visibility()); !a.ok()) return Refuse(ctx, a);
  return grpcserver::Respond(executor_, ctx, [=, this]() -> absl::Status {
    ASSIGN_OR_RETURN(*resp->mutable_summary(),
                     views_->Summary(req->scope(), req->filters(), req->visibility()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* DashboardGrpcService::ListRegions(grpc::CallbackServerContext* ctx,
                                                            const pb::ListRegionsRequest* req,
                                                            pb::ListRegionsResponse* resp) {
  if (absl::Status a = Admit(*ctx, req->visibility()); !a.ok()) return Refuse(ctx, a);
  return grpcserver::Respond(executor_, ctx, [=, this]() -> absl::Status {
    return Into(views_->ListRegions(*req), resp);
  });
}

grpc::ServerUnaryReactor* DashboardGrpcService::GetProvinceTable(
    grpc::CallbackServerContext* ctx, const pb::GetProvinceTableRequest* req,
    pb::GetProvinceTableResponse* resp) {
  if (absl::Status a = Admit(*ctx, req->visibility()); !a.ok()) return Refuse(ctx, a);
  return grpcserver::Respond(executor_, ctx, [=, this]() -> absl::Status {
    return Into(views_->GetProvinceTable(*req), resp);
  });
}

grpc::ServerUnaryReactor* DashboardGrpcService::GetTimeSeries(
    grpc::CallbackServerContext* ctx, const pb::GetTimeSeriesRequest* req,
    pb::GetTimeSeriesResponse* resp) {
  if (absl::Status a = Admit(*ctx, req->visibility()); !a.ok()) return Refuse(ctx, a);
  return grpcserver::Respond(executor_, ctx, [=, this]() -> absl::Status {
    return Into(views_->GetTimeSeries(*req), resp);
  });
}

grpc::ServerUnaryReactor* DashboardGrpcService::ListMetricDefinitions(
    grpc::CallbackServerContext* ctx, const pb::ListMetricDefinitionsRequest*,
    pb::ListMetricDefinitionsResponse* resp) {
  if (absl::Status a = Admit(*ctx, pb::VISIBILITY_PUBLIC); !a.ok()) return Refuse(ctx, a);
  return grpcserver::Respond(executor_, ctx, [=, this]() -> absl::Status {
    *resp = views_->ListMetricDefinitions();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* DashboardGrpcService::GetFreshness(grpc::CallbackServerContext* ctx,
                                                             const pb::GetFreshnessRequest*,
                                                             pb::GetFreshnessResponse* resp) {
  if (absl::Status a = Admit(*ctx, pb::VISIBILITY_PUBLIC); !a.ok()) return Refuse(ctx, a);
  return grpcserver::Respond(executor_, ctx, [=, this]() -> absl::Status {
    *resp->mutable_freshness() = views_->Freshness();
    return absl::OkStatus();
  });
}

grpc::ServerWriteReactor<pb::WatchSummaryResponse>* DashboardGrpcService::WatchSummary(
    grpc::CallbackServerContext* ctx, const pb::WatchSummaryRequest* req) {
  auto* reactor = new WatchReactor(hub_, watch_retry_after_);
  reactor->Begin(ctx, *req, Admit(*ctx, req->visibility()));
  return reactor;
}

}  // namespace jit::aggregator::api
