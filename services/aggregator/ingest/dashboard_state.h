// The aggregator's shared state: the fold and the ingest statistics
// (freshness), written by the ingest thread one batch at a time and read by
// the API under a reader lock. Listeners are told after every batch (the
// watch hub coalesces from there).
#ifndef JIT_SERVICES_AGGREGATOR_INGEST_DASHBOARD_STATE_H_
#define JIT_SERVICES_AGGREGATOR_INGEST_DASHBOARD_STATE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/aggregator/domain/fold.h"

namespace jit::aggregator {

struct PartitionStats {
  int64_t next_offset = 0;
  int64_t high_watermark = -1;  // -1 until measured
};

struct TopicStats {
  int64_t last_event_unix = 0;  // latest occurred_at folded
  absl::Time last_read = absl::InfinitePast();
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t dead_letters = 0;
  std::map<int32_t, PartitionStats> partitions;
};

struct IngestStats {
  std::map<std::string, TopicStats> topics;
  absl::Time checkpoint_time = absl::InfinitePast();
  absl::Time lag_measured = absl::InfinitePast();
};

class DashboardState {
 public:
  explicit DashboardState(FoldOptions options) : fold_(std::move(options)) {}

  // Runs `fn(Fold&, IngestStats&)` under the writer lock, then tells the
  // listeners (outside the lock).
  template <typename Fn>
  void Mutate(Fn&& fn) {
    {
      absl::MutexLock lock(&mu_);
      fn(fold_, stats_);
    }
    generation_.fetch_add(1);
    Notify();
  }

  // Runs `fn(Fold&)` under the writer lock without telling the listeners:
  // for bookkeeping that changes no figure (checkpoint deltas).
  template <typename Fn>
  void MutateQuietly(Fn&& fn) {
    absl::MutexLock lock(&mu_);
    fn(fold_);
  }

  // Runs `fn(const Fold&, const IngestStats&)` under the reader lock.
  template <typename Fn>
  auto Read(Fn&& fn) const {
    absl::ReaderMutexLock lock(&mu_);
    return fn(static_cast<const Fold&>(fold_), static_cast<const IngestStats&>(stats_));
  }

  // Changes after every Mutate.
  int64_t generation() const { return generation_.load(); }

  // `listener` must be quick and must not call back into this object.
  // Register before the ingest starts.
  void AddListener(std::function<void()> listener) {
    absl::MutexLock lock(&listeners_mu_);
    listeners_.push_back(std::move(listener));
  }

 private:
  void Notify() {
    absl::MutexLock lock(&listeners_mu_);
    for (const auto& l : listeners_) l();
  }

  mutable absl::Mutex mu_;
  Fold fold_ ABSL_GUARDED_BY(mu_);
  IngestStats stats_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> generation_{0};
  absl::Mutex listeners_mu_;
  std::vector<std::function<void()>> listeners_ ABSL_GUARDED_BY(listeners_mu_);
};

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_INGEST_DASHBOARD_STATE_H_
