// Pushes coalesced summaries to watchers (gRPC WatchSummary streams and SSE
// clients).
//
// The ingest thread only marks the hub dirty (an atomic store and a condition
// variable signal: it never waits on a watcher). The hub's own thread wakes
// at most once per `min_interval`, computes the summary once per distinct
// watched view, and offers it to each watcher of that view. A watcher keeps
// only the latest summary it was offered (per-watcher latest-value
// coalescing) and sends it when its transport is ready: a slow or stalled
// watcher skips intermediate summaries and never delays the fold or the
// other watchers. Memory per watcher is bounded by one pending summary.
#ifndef JIT_SERVICES_AGGREGATOR_API_WATCH_HUB_H_
#define JIT_SERVICES_AGGREGATOR_API_WATCH_HUB_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/aggregator/api/views.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
class Gauge;
}  // namespace prometheus

namespace jit::aggregator::api {

class Watcher {
 public:
  virtual ~Watcher() = default;
  // The latest summary of the watched view. Called from the hub's thread
  // (or from Subscribe's caller for the first one) with the hub's lock
  // held: must not block and must not call back into the hub.
  virtual void Offer(std::shared_ptr<const pb::Summary> summary) = 0;
  // The hub is shutting down: end the stream. Same rules as Offer.
  virtual void Close() = 0;
};

struct WatchHubOptions {
  absl::Duration min_interval = absl::Milliseconds(250);
  // Also recompute at least this often (freshness and window closure move
  // with time even without events).
  absl::Duration refresh_interval = absl::Seconds(10);
  prometheus::Registry* registry = nullptr;  // may be null
  // Caps (0: none): all watchers, and watchers per transport ("grpc",
  // "sse"). Over a cap, Subscribe is RESOURCE_EXHAUSTED.
  int max_watchers = 0;
  std::map<std::string, int> max_per_transport = {};
};

class WatchHub {
 public:
  WatchHub(const DashboardViews* views, WatchHubOptions options);
  ~WatchHub();  // Shutdown()s

  // Starts the broadcasting thread.
  void Start();
  // Validates the view, registers `watcher` and offers it the current
  // summary before returning. `transport` labels the watchers gauge
  // ("grpc", "sse"). FAILED_PRECONDITION after Shutdown; RESOURCE_EXHAUSTED
  // when a cap is reached (nothing registered: the caller may retry later).
  absl::Status Subscribe(const pb::WatchSummaryRequest& view, Watcher* watcher,
                         const std::string& transport);
  // After it returns, `watcher` is never called again. Idempotent.
  void Unsubscribe(Watcher* watcher);
  // The state changed: broadcast soon. Cheap, never blocks on watchers.
  void MarkDirty();
  // Closes every watcher and refuses new ones; stops the thread.
  void Shutdown();

  int watcher_count() const;
  // Summaries computed and offers made since start (tests, metrics).
  int64_t broadcasts() const { return broadcasts_.load(); }

 private:
  struct Entry {
    std::string key;
    pb::WatchSummaryRequest view;
    std::string transport;
  };
  void Loop();
  void Broadcast();
  void UpdateGauges() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckCaps(const std::string& transport) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const DashboardViews* const views_;
  const WatchHubOptions options_;
  mutable absl::Mutex mu_;
  std::map<Watcher*, Entry> watchers_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> per_transport_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  bool dirty_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int64_t> broadcasts_{0};
  std::thread thread_;
  prometheus::Family<prometheus::Gauge>* gauge_family_ = nullptr;
  prometheus::Family<prometheus::Counter>* refused_family_ = nullptr;
  std::unique_ptr<prometheus::Registry> owned_registry_;
};

}  // namespace jit::aggregator::api

#endif  // JIT_SERVICES_AGGREGATOR_API_WATCH_HUB_H_
