// The outbox relay: publishes committed outbox rows through a Publisher and
// marks them sent once the publisher reported a successful delivery.
//
// Guarantees
// - At-least-once: a row is marked sent only after PublishBatch returned OK
//   for it. A crash (even kill -9) at any point loses nothing; at worst rows
//   published just before the crash are published again.
// - Order per (topic, key): rows are read in id (= commit) order, and after a
//   failed message only the rows of its (topic, key) that come BEFORE it are
//   marked sent; later rows of that key stay unsent even if delivered, and are
//   published again after the failed one. The last copy of each message a
//   consumer sees is therefore in order; consumers dedupe by event id.
//   Other keys are not held back.
// - One relay per database: two relays on one outbox would publish the same
//   rows twice (still at-least-once, but wasteful).
//
// Threading: RunOnce, Backlog, PruneSent and the Requeue methods may be
// called from any thread; batches never overlap (RunOnce and the background
// loop are serialized). Notify is cheap and safe from any thread.
//
// Test hook (for crash tests only): when the environment variable
// JIT_OUTBOX_CRASH_AFTER_PUBLISH=N (N >= 1) is set when the Relay is created,
// the relay calls raise(SIGKILL) right after the Nth PublishBatch call that
// delivered at least one message, before marking anything sent. Never set it
// in production.
#ifndef JIT_LIBS_OUTBOX_RELAY_H_
#define JIT_LIBS_OUTBOX_RELAY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/outbox/publisher.h"
#include "libs/storage/database.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace jit::outbox {

// Name of the crash test hook's environment variable (see above).
inline constexpr char kCrashAfterPublishEnv[] =
    "JIT_OUTBOX_CRASH_AFTER_PUBLISH";

struct RelayOptions {
  // Rows read and handed to the publisher per batch.
  int batch_size = 500;
  // Idle wait between polls when the outbox is drained; Notify() cuts it.
  absl::Duration poll_interval = absl::Milliseconds(50);
  // Wait after a batch that made no progress (publisher failures or a
  // database error): starts at initial_backoff, doubles up to max_backoff,
  // each wait randomized by +/- backoff_jitter (a fraction). Reset by a batch
  // that marked rows sent. Notify() does not cut a backoff.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(10);
  double backoff_jitter = 0.2;
  // Sent rows are kept this long (measured on the injected clock from
  // sent_at) so they can be republished, then deleted by PruneSent(), which
  // the background loop runs every prune_interval (and once at Start).
  // absl::InfiniteDuration() keeps them forever.
  absl::Duration retention = absl::Hours(24 * 7);
  absl::Duration prune_interval = absl::Hours(1);
  // Rows deleted per pruning transaction (short transactions do not stall
  // the service's writers).
  int prune_chunk_size = 5000;
  // While draining a large backlog, the backlog/age gauges (a COUNT over the
  // unsent rows) are refreshed at most this often; otherwise after every
  // batch.
  absl::Duration metrics_refresh_interval = absl::Seconds(1);
  // Labels added to every metric series (e.g. {{"service", "enrollment"}}),
  // to tell relays apart when they share a registry.
  std::map<std::string, std::string> metric_labels{};
};

// Counters since construction, for tests and diagnostics.
struct RelayStats {
  int64_t loop_iterations = 0;  // background loop batches attempted
  int64_t publish_calls = 0;    // PublishBatch calls
  int64_t sent = 0;             // rows marked sent
  int64_t failed = 0;           // messages reported failed (or undecodable)
  int64_t held_back = 0;        // delivered but not marked (key blocked)
  int64_t pruned = 0;           // sent rows deleted
  std::string last_error;       // last batch/prune error, "" if none yet
};

class Relay {
 public:
  // `db`, `publisher` and `clock` must outlive the relay; `registry` may be
  // null (no metrics). The outbox migrations must have been applied to `db`.
  // Invalid options are INVALID_ARGUMENT.
  //
  // Metrics (gauges and counters carry options.metric_labels):
  //   jit_outbox_backlog                    gauge: unsent rows
  //   jit_outbox_oldest_unsent_age_seconds  gauge: age of the oldest unsent
  //                                         row (injected clock), 0 if none
  //   jit_outbox_published_total            counter: rows marked sent
  //   jit_outbox_publish_failures_total     counter: messages the publisher
  //                                         reported failed
  static absl::StatusOr<std::unique_ptr<Relay>> Create(
      storage::Database* db, Publisher* publisher, const Clock* clock,
      prometheus::Registry* registry, RelayOptions options = {});

  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;
  // Stops the background loop if running.
  ~Relay();

  // Publishes one batch: reads up to batch_size unsent rows ordered by id,
  // publishes them, marks sent those delivered (per key only up to the first
  // failure of that key) and records attempts/last_error. Returns the number
  // of rows marked sent. Publisher failures are not an error here (they are
  // counted and retried later); database errors and a publisher returning
  // the wrong number of statuses are.
  absl::StatusOr<int> RunOnce();

  // Starts the background loop: RunOnce repeatedly, immediately while full
  // batches keep coming, otherwise after poll_interval or Notify(); with
  // backoff after a batch that made no progress; pruning every
  // prune_interval. FAILED_PRECONDITION if already running.
  absl::Status Start();
  // Lets the in-flight batch finish (publish and mark), then joins the loop.
  // Idempotent; Start() may be called again afterwards.
  void Stop();
  // Wakes an idle loop now (call after committing outbox rows).
  void Notify();

  // Unsent rows.
  absl::StatusOr<int64_t> Backlog();
  // Deletes sent rows whose sent_at is older than now - retention. Returns
  // the number deleted. Unsent rows are never deleted.
  absl::StatusOr<int64_t> PruneSent();
  // outbox::RequeueAll / RequeueCreatedSince, then Notify().
  absl::StatusOr<int64_t> RequeueAll();
  absl::StatusOr<int64_t> RequeueCreatedSince(absl::Time since);

  RelayStats stats() const;

 private:
  struct BatchResult {
    int read = 0;
    int sent = 0;
    int failed = 0;
    int held = 0;
  };

  Relay(storage::Database* db, Publisher* publisher, const Clock* clock,
        RelayOptions options);

  absl::Status RegisterMetrics(prometheus::Registry* registry);
  absl::StatusOr<BatchResult> RunBatch();
  absl::StatusOr<BatchResult> RunBatchLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  void RefreshGauges(bool batch_was_empty, bool force)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(run_mu_);
  void Loop();
  void RecordError(const absl::Status& status);
  absl::Duration Jittered(absl::Duration d);

  storage::Database* const db_;
  Publisher* const publisher_;
  const Clock* const clock_;
  const RelayOptions options_;
  // JIT_OUTBOX_CRASH_AFTER_PUBLISH, 0 when unset.
  int64_t crash_after_publish_ = 0;

  // Serializes batches (RunOnce vs the loop).
  absl::Mutex run_mu_;
  int64_t delivering_publishes_ ABSL_GUARDED_BY(run_mu_) = 0;
  absl::Time last_gauge_refresh_ ABSL_GUARDED_BY(run_mu_) =
      absl::InfinitePast();

  // Loop state.
  absl::Mutex lifecycle_mu_;  // Start/Stop
  std::thread thread_;        // guarded by lifecycle_mu_
  // Wakes the loop when a transaction that appended rows commits.
  int commit_listener_ = 0;   // guarded by lifecycle_mu_
  absl::Mutex mu_;
  absl::CondVar cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  absl::BitGen bitgen_;  // loop thread only

  mutable absl::Mutex stats_mu_;
  RelayStats stats_ ABSL_GUARDED_BY(stats_mu_);

  // Metrics; null without a registry.
  prometheus::Gauge* backlog_gauge_ = nullptr;
  prometheus::Gauge* oldest_age_gauge_ = nullptr;
  prometheus::Counter* published_counter_ = nullptr;
  prometheus::Counter* failures_counter_ = nullptr;
};

}  // namespace jit::outbox

#endif  // JIT_LIBS_OUTBOX_RELAY_H_
