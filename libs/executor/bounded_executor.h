// A bounded executor: a fixed set of worker threads and a bounded queue in
// front of them, for blocking work (SQLite commits with fsync, peer calls)
// that must not run on gRPC's callback threads and must not pile up without
// bound when calls arrive faster than they can be served.
//
//   BoundedExecutor executor({.name = "enrollment", .threads = 16,
//                             .queue_capacity = 256, .clock = &clock,
//                             .registry = registry});
//   absl::Status accepted = executor.Submit({
//       .body = [](absl::Status start) {
//         if (!start.ok()) { /* caller gone: answer `start`, do no work */ }
//         else { /* do the work */ }
//       },
//       .deadline = caller_deadline,
//       .cancelled = [ctx] { return ctx->IsCancelled(); }});
//   if (!accepted.ok()) { /* RESOURCE_EXHAUSTED: answer it now */ }
//
// Admission: at most `threads + queue_capacity` accepted tasks are unfinished
// at any time (`threads` running, the rest waiting, first in first out).
// Beyond that Submit fails fast with RESOURCE_EXHAUSTED and the body is
// dropped unrun: the queue never grows without bound.
//
// A task whose caller has gone is not started: when a worker reaches it,
// a deadline at or before clock->Now() gives its body DEADLINE_EXCEEDED, and
// a `cancelled` that answers true gives it CANCELLED, instead of OK. The body
// runs exactly once either way, so whoever waits on it (a gRPC reactor) is
// always answered. Submit refuses such a task up front the same way.
//
// Shutdown() refuses new tasks (UNAVAILABLE), lets the workers finish every
// task already accepted (each still checked as above), then joins them.
//
// Thread safety: Submit and Shutdown are safe from any thread, also from a
// task's body (Shutdown from a body would deadlock: don't). Bodies run on the
// worker threads, concurrently up to `threads`.
#ifndef JIT_LIBS_EXECUTOR_BOUNDED_EXECUTOR_H_
#define JIT_LIBS_EXECUTOR_BOUNDED_EXECUTOR_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/metrics/executor_metrics.h"
#include "prometheus/registry.h"

namespace jit::executor {

struct ExecutorOptions {
  // Names the threads' purpose in logs and the metrics' executor label.
  std::string name = "executor";
  int threads = 16;          // at least 1 (smaller values count as 1)
  int queue_capacity = 256;  // tasks that may wait; 0: none wait
  // How long a refused caller should wait before trying again; the gRPC
  // glue sends it as a retry hint (grpcserver::Respond).
  absl::Duration retry_after = absl::Milliseconds(250);
  const Clock* clock = nullptr;  // not owned; null: SystemClock
  // Metrics (metrics::ExecutorMetrics) go here when set; not owned, must
  // outlive the executor.
  prometheus::Registry* registry = nullptr;
};

class BoundedExecutor {
 public:
  // Called once with OK (do the work), DEADLINE_EXCEEDED or CANCELLED (the
  // caller has gone: do no work, just answer).
  using Body = absl::AnyInvocable<void(absl::Status) &&>;

  struct Task {
    Body body;
    // The caller's deadline; InfiniteFuture: none.
    absl::Time deadline = absl::InfiniteFuture();
    // Whether the caller has gone (e.g. the gRPC call was cancelled); may be
    // null. Called on the submitting and on a worker thread.
    std::function<bool()> cancelled = nullptr;
  };

  // Starts the workers.
  explicit BoundedExecutor(ExecutorOptions options);
  ~BoundedExecutor();  // Shutdown()
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // OK: accepted; the body will run exactly once on a worker. Otherwise the
  // body is destroyed unrun and the status says why:
  //   RESOURCE_EXHAUSTED "server overloaded: ..." when threads +
  //     queue_capacity tasks are unfinished,
  //   UNAVAILABLE after Shutdown(),
  //   DEADLINE_EXCEEDED / CANCELLED when the caller has already gone.
  absl::Status Submit(Task task);

  // Refuses new tasks, runs (or skips) the accepted ones, joins the workers.
  // Idempotent; concurrent callers return once it is done.
  void Shutdown();

  const ExecutorOptions& options() const { return options_; }
  // Accepted tasks not yet finished (running and waiting).
  int unfinished() const;
  // Tasks waiting for a worker.
  int queue_depth() const;

 private:
  struct Queued {
    Task task;
    absl::Time submitted;
  };

  void Work();
  // DEADLINE_EXCEEDED / CANCELLED when the caller has gone, else OK.
  absl::Status CallerGone(const Task& task) const;
  void PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ExecutorOptions options_;
  const Clock* const clock_;
  std::unique_ptr<metrics::ExecutorMetrics> metrics_;

  mutable absl::Mutex mu_;
  std::deque<Queued> queue_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex shutdown_mu_;  // serializes Shutdown()
  std::vector<std::thread> workers_ ABSL_GUARDED_BY(shutdown_mu_);
};

}  // namespace jit::executor

#endif  // JIT_LIBS_EXECUTOR_BOUNDED_EXECUTOR_H_
