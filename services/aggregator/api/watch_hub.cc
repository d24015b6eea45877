#include "services/aggregator/api/watch_hub.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace jit::aggregator::api {

WatchHub::WatchHub(const DashboardViews* views, WatchHubOptions options)
    : views_(views), options_(std::move(options)) {
  prometheus::Registry* registry = options_.registry;
  if (registry == nullptr) {
    owned_registry_ = std::make_unique<prometheus::Registry>();
    registry = owned_registry_.get();
  }
  gauge_family_ = &prometheus::BuildGauge()
                       .Name("jit_aggregator_watchers")
                       .Help("Open summary watchers, by transport (grpc, sse)")
                       .Register(*registry);
  gauge_family_->Add({{"transport", "grpc"}});
  gauge_family_->Add({{"transport", "sse"}});
  refused_family_ = &prometheus::BuildCounter()
                         .Name("jit_aggregator_watchers_refused_total")
                         .Help("Watchers refused because a cap was reached, by transport")
                         .Register(*registry);
  refused_family_->Add({{"transport", "grpc"}});
  refused_family_->Add({{"transport", "sse"}});
  auto& limits = prometheus::BuildGauge()
                     .Name("jit_aggregator_watchers_limit")
                     .Help("The cap on open watchers by transport (--max_grpc_watches, "
                           "--max_sse_clients); transport=\"all\": --max_watchers")
                     .Register(*registry);
  for (const auto& [transport, cap] : options_.max_per_transport) {
    if (cap > 0) limits.Add({{"transport", transport}}).Set(cap);
  }
  if (options_.max_watchers > 0) limits.Add({{"transport", "all"}}).Set(options_.max_watchers);
}

absl::Status WatchHub::CheckCaps(const std::string& transport) const {
  if (options_.max_watchers > 0 && static_cast<int>(watchers_.size()) >= options_.max_watchers) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the server holds its maximum of ", options_.max_watchers, " watchers; retry later"));
  }
  auto cap = options_.max_per_transport.find(transport);
  if (cap != options_.max_per_transport.end() && cap->second > 0) {
    auto open = per_transport_.find(transport);
    if (open != per_transport_.end() && open->second >= cap->second) {
      return absl::ResourceExhaustedError(absl::StrCat("the server holds its maximum of ",
                                                       cap->second, " ", transport,
                                                       " watchers; retry later"));
    }
  }
  return absl::OkStatus();
}

WatchHub::~WatchHub() { Shutdown(); }

void WatchHub::Start() {
  thread_ = std::thread([this] { Loop(); });
}

absl::Status WatchHub::Subscribe(const pb::WatchSummaryRequest& view, Watcher* watcher,
                                 const std::string& transport) {
  {
    // Refuse early, before computing a summary for nothing.
    absl::MutexLock lock(&mu_);
    if (shutdown_) return absl::FailedPreconditionError("the server is shutting down");
    if (absl::Status cap = CheckCaps(transport); !cap.ok()) {
      refused_family_->Add({{"transport", transport}}).Increment();
      return cap;
    }
  }
  absl::StatusOr<pb::Summary> first =
      views_->Summary(view.scope(), view.filters(), view.visibility());
  if (!first.ok()) return first.status();
  auto summary = std::make_shared<const pb::Summary>(*std::move(first));
  absl::MutexLock lock(&mu_);
  if (shutdown_) return absl::FailedPreconditionError("the server is shutting down");
  if (absl::Status cap = CheckCaps(transport); !cap.ok()) {
    refused_family_->Add({{"transport", transport}}).Increment();
    return cap;
  }
  if (!watchers_.emplace(watcher, Entry{view.SerializeAsString(), view, transport}).second) {
    return absl::AlreadyExistsError("this watcher is already subscribed");
  }
  ++per_transport_[transport];
  watcher->Offer(std::move(summary));
  UpdateGauges();
  return absl::OkStatus();
}

void WatchHub::Unsubscribe(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  auto it = watchers_.find(watcher);
  if (it == watchers_.end()) return;
  --per_transport_[it->second.transport];
  watchers_.erase(it);
  UpdateGauges();
}

void WatchHub::MarkDirty() {
  absl::MutexLock lock(&mu_);
  dirty_ = true;
}

int WatchHub::watcher_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(watchers_.size());
}

void WatchHub::UpdateGauges() {
  std::map<std::string, int> counts = {{"grpc", 0}, {"sse", 0}};
  for (const auto& [w, e] : watchers_) ++counts[e.transport];
  for (const auto& [transport, n] : counts) {
    gauge_family_->Add({{"transport", transport}}).Set(n);
  }
}

void WatchHub::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (!shutdown_) {
      shutdown_ = true;
      for (const auto& [w, e] : watchers_) w->Close();
      watchers_.clear();
      per_transport_.clear();
      UpdateGauges();
    }
  }
  if (thread_.joinable()) thread_.join();
}

void WatchHub::Loop() {
  absl::Time last = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return dirty_ || shutdown_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken), options_.refresh_interval);
      if (shutdown_) return;
      // Coalesce: at most one broadcast per min_interval.
      const absl::Duration since = absl::Now() - last;
      if (since < options_.min_interval) {
        auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return shutdown_; };
        mu_.AwaitWithTimeout(absl::Condition(&stopping), options_.min_interval - since);
        if (shutdown_) return;
      }
      dirty_ = false;
    }
    last = absl::Now();
    Broadcast();
  }
}

void WatchHub::Broadcast() {
  std::map<std::string, pb::WatchSummaryRequest> views;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [w, e] : watchers_) views.emplace(e.key, e.view);
  }
  if (views.empty()) return;
  std::map<std::string, std::shared_ptr<const pb::Summary>> summaries;
  for (const auto& [key, view] : views) {
    absl::StatusOr<pb::Summary> s =
        views_->Summary(view.scope(), view.filters(), view.visibility());
    if (s.ok()) summaries[key] = std::make_shared<const pb::Summary>(*std::move(s));
  }
  absl::MutexLock lock(&mu_);
  for (const auto& [w, e] : watchers_) {
    auto it = summaries.find(e.key);
    if (it != summaries.end()) w->Offer(it->second);
  }
  broadcasts_.fetch_add(1);
}

}  // namespace jit::aggregator::api
