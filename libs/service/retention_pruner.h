// Deletes rows kept for a bounded time (the idempotency records of mutating
// RPCs) in the background, so that a store does not grow without end: every
// `interval`, prune(now - retention, batch) is called until a call deletes
// fewer than `batch` rows (short transactions, so writers are not held up).
// Errors are logged and retried at the next interval. Stops and joins on
// destruction.
#ifndef JIT_LIBS_SERVICE_RETENTION_PRUNER_H_
#define JIT_LIBS_SERVICE_RETENTION_PRUNER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"

namespace jit::service {

class RetentionPruner {
 public:
  // Deletes up to `limit` rows created before `before`, oldest first;
  // returns how many.
  using PruneFn = std::function<absl::StatusOr<int64_t>(absl::Time before, int64_t limit)>;

  struct Options {
    std::string what = {};  // for logs, e.g. "idempotency records"
    absl::Duration retention = absl::Hours(24 * 30);
    absl::Duration interval = absl::Hours(1);
    int64_t batch = 1000;
    const Clock* clock = nullptr;  // required
  };

  // Starts the background thread (first pass after `interval`).
  static std::unique_ptr<RetentionPruner> Start(Options options, PruneFn prune);
  ~RetentionPruner();
  RetentionPruner(const RetentionPruner&) = delete;
  RetentionPruner& operator=(const RetentionPruner&) = delete;

  // One pass now: every row older than the retention; returns how many.
  absl::StatusOr<int64_t> RunOnce();

 private:
  RetentionPruner(Options options, PruneFn prune)
      : options_(std::move(options)), prune_(std::move(prune)) {}
  void Loop();

  const Options options_;
  const PruneFn prune_;
  absl::Notification stop_;
  std::thread thread_;
};

// The idempotency records of a service's repository (whose Write(fn) runs
// fn(Store&) in a transaction and whose Store has DeleteRequestsBefore):
// nullptr when `retention` is zero (kept forever).
template <typename Repository>
std::unique_ptr<RetentionPruner> StartIdempotencyPruner(Repository* repository,
                                                        absl::Duration retention,
                                                        absl::Duration interval,
                                                        const Clock* clock) {
  if (retention <= absl::ZeroDuration()) return nullptr;
  return RetentionPruner::Start(
      {.what = "idempotency records", .retention = retention, .interval = interval,
       .clock = clock},
      [repository](absl::Time before, int64_t limit) -> absl::StatusOr<int64_t> {
        int64_t deleted = 0;
        absl::Status s = repository->Write([&](auto& store) -> absl::Status {
          absl::StatusOr<int64_t> n = store.DeleteRequestsBefore(before, limit);
          if (!n.ok()) return n.status();
          deleted = *n;
          return absl::OkStatus();
        });
        if (!s.ok()) return s;
        return deleted;
      });
}

}  // namespace jit::service

#endif  // JIT_LIBS_SERVICE_RETENTION_PRUNER_H_
