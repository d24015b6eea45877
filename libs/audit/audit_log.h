// The append-only audit log of one server, in the server's own SQLite
// database (table `audit_log`).
//
//   ASSIGN_OR_RETURN(auto log, audit::AuditLog::Open({.database = repo->database(),
//                                                     .clock = &clock}));
//   server_options.audit = log.get();              // the interceptor records
//   ASSIGN_OR_RETURN(audit::AuditPage page, log->List({.subject = "alice"}));
//
// Append-only, enforced by the schema (SQLite triggers), not only by this
// class: UPDATE of a record is refused (RAISE(ABORT)); DELETE is refused
// unless the record is older than the retention horizon, a one-row table
// (`audit_retention`) whose horizon only moves forward and never past the
// wall clock; INSERT OR REPLACE over an existing record and inserts older
// than the horizon are refused. Only PruneBefore (the retention pruner)
// advances the horizon and deletes. A file owner can still drop the table:
// the triggers stop mistakes and SQL edits through the service's connection,
// file permissions and backups do the rest (README).
//
// The schema has its own version (table `audit_schema`), independent of the
// service's migrations (PRAGMA user_version), so the log can live in any
// service's database.
//
// Writes: Record() stamps the entry with the clock and queues it (bounded);
// one background thread inserts the queue in batches, one transaction per
// batch, so gRPC threads never wait for a commit. When the queue is full,
// Record() waits up to `full_queue_wait` for room, then drops the entry,
// counts it (jit_audit_records_dropped_total) and logs an error. A failed
// batch is retried (with backoff) until it is written or the log is closed.
//
// Thread safety: all methods are thread-safe. The database must outlive the
// log; the destructor writes what is queued, then stops the writer.
#ifndef JIT_LIBS_AUDIT_AUDIT_LOG_H_
#define JIT_LIBS_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/audit/recorder.h"
#include "libs/clock/clock.h"
#include "libs/storage/database.h"

namespace prometheus {
class Counter;
class Registry;
}  // namespace prometheus

namespace jit::audit {

struct AuditLogOptions {
  storage::Database* database = nullptr;  // not owned, required
  const Clock* clock = nullptr;           // not owned, required
  size_t queue_capacity = 10000;
  size_t max_batch = 256;
  absl::Duration full_queue_wait = absl::Milliseconds(50);
  prometheus::Registry* registry = nullptr;  // not owned, may be null
};

// Filters of List; empty / InfinitePast means any.
struct AuditQuery {
  std::string subject = {};
  std::string target_id = {};
  std::string method = {};
  absl::Time since = absl::InfinitePast();
  int page_size = 0;  // 0: 50; clamped to 500
  std::string page_token = {};
};

struct StoredAuditRecord {
  int64_t sequence = 0;
  AuditEntry entry = {};
};

struct AuditPage {
  std::vector<StoredAuditRecord> records = {};  // oldest first
  std::string next_page_token = {};             // empty: last page
};

class AuditLog final : public AuditSink {
 public:
  static constexpr int kDefaultPageSize = 50;
  static constexpr int kMaxPageSize = 500;

  // Creates or upgrades the audit schema, then starts the writer.
  // INVALID_ARGUMENT without a database or clock; the database's errors.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(AuditLogOptions options);
  ~AuditLog() override;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // AuditSink: queue the entry (see the header comment).
  void Record(AuditEntry entry) override;

  // Waits until every entry recorded before the call is written (or
  // dropped); DEADLINE_EXCEEDED after `timeout`.
  absl::Status Flush(absl::Duration timeout = absl::Seconds(10));

  // The written records matching `query`, oldest first. INVALID_ARGUMENT for
  // a malformed page token.
  absl::StatusOr<AuditPage> List(const AuditQuery& query);

  // Retention: advances the horizon to `before` (never backwards) and
  // deletes up to `limit` records older than it, oldest first; returns how
  // many. (RetentionPruner's PruneFn.)
  absl::StatusOr<int64_t> PruneBefore(absl::Time before, int64_t limit);

  int64_t dropped() const;

 private:
  explicit AuditLog(AuditLogOptions options);
  void WriterLoop();
  absl::Status Insert(const std::vector<AuditEntry>& batch);

  const AuditLogOptions options_;
  prometheus::Counter* written_counter_ = nullptr;
  prometheus::Counter* dropped_counter_ = nullptr;
  prometheus::Counter* failures_counter_ = nullptr;

  mutable absl::Mutex mu_;
  std::deque<AuditEntry> queue_ ABSL_GUARDED_BY(mu_);
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;  // queued since start
  int64_t done_ ABSL_GUARDED_BY(mu_) = 0;      // written or given up since start
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;
};

// The schema steps of the audit tables (exposed for tests).
absl::Status ApplyAuditSchema(storage::Database& database);

}  // namespace jit::audit

#endif  // JIT_LIBS_AUDIT_AUDIT_LOG_H_
