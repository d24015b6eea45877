#include "libs/audit/audit_log.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/log/log.h"
#include "libs/status/status_macros.h"
#include "libs/storage/retention.h"
#include "nlohmann/json.hpp"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace jit::audit {
namespace {

constexpr int kReasonMutation = 1;
constexpr int kReasonPersonalData = 2;
constexpr int kReasonDenial = 4;

// "Now" in microseconds since the epoch, as SQLite computes it.
#define JIT_AUDIT_SQL_NOW_US "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"

struct SchemaStep {
  int version;
  const char* sql;
};

// Append-only by construction: see audit_log.h.
constexpr SchemaStep kSchema[] = {
    {1,
     "CREATE TABLE audit_log ("
     "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
     "  time_us INTEGER NOT NULL,"
     "  subject TEXT NOT NULL,"
     "  roles TEXT NOT NULL DEFAULT '[]',"
     "  peer_service TEXT NOT NULL DEFAULT '',"
     "  peer TEXT NOT NULL DEFAULT '',"
     "  method TEXT NOT NULL,"
     "  target_ids TEXT NOT NULL DEFAULT '[]',"
     "  outcome TEXT NOT NULL,"
     "  request_id TEXT NOT NULL DEFAULT '',"
     "  trace_id TEXT NOT NULL DEFAULT '',"
     "  reasons INTEGER NOT NULL);"
     "CREATE INDEX audit_log_by_time ON audit_log(time_us);"
     "CREATE INDEX audit_log_by_subject ON audit_log(subject, seq);"
     "CREATE TABLE audit_retention ("
     "  id INTEGER PRIMARY KEY CHECK (id = 1),"
     "  horizon_us INTEGER NOT NULL);"
     "INSERT INTO audit_retention(id, horizon_us) VALUES (1, 0);"
     "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be updated'); END;"
     "CREATE TRIGGER audit_log_delete_only_expired BEFORE DELETE ON audit_log "
     "WHEN OLD.time_us >= (SELECT horizon_us FROM audit_retention WHERE id = 1) "
     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: only records older than the "
     "retention horizon can be deleted'); END;"
     // INSERT OR REPLACE deletes the row it replaces without firing delete
     // triggers (unless recursive_triggers is on): refuse it up front.
     "CREATE TRIGGER audit_log_insert_checked BEFORE INSERT ON audit_log "
     "WHEN (NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)) "
     "  OR NEW.time_us < (SELECT horizon_us FROM audit_retention WHERE id = 1) "
     "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: no replacing or back-dating "
     "records'); END;"
     "CREATE TRIGGER audit_retention_forward_only BEFORE UPDATE ON audit_retention "
     "WHEN NEW.id <> OLD.id OR NEW.horizon_us < OLD.horizon_us "
     "  OR NEW.horizon_us > " JIT_AUDIT_SQL_NOW_US " "
     "BEGIN SELECT RAISE(ABORT, 'audit_retention: the horizon only moves forward, never "
     "past now'); END;"
     "CREATE TRIGGER audit_retention_no_delete BEFORE DELETE ON audit_retention "
     "BEGIN SELECT RAISE(ABORT, 'audit_retention cannot be deleted'); END;"},
};

std::string ToJsonArray(const std::vector<std::string>& values) {
  return nlohmann::json(values).dump();
}

std::vector<std::string> FromJsonArray(const std::string& text) {
  std::vector<std::string> out;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

absl::Status ApplyAuditSchema(storage::Database& database) {
  return database.Transaction(storage::TxMode::kImmediate, [](storage::Tx& tx) -> absl::Status {
    RETURN_IF_ERROR(
        tx.Execute("CREATE TABLE IF NOT EXISTS audit_schema ("
                   "  id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"));
    int current = 0;
    {
      ASSIGN_OR_RETURN(storage::Statement st,
                       tx.Prepare("SELECT version FROM audit_schema WHERE id = 1"));
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (row) current = static_cast<int>(st.ColumnInt64(0));
    }
    const int newest = std::end(kSchema)[-1].version;
    if (current > newest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "audit schema version ", current, " is newer than this binary supports (", newest, ")"));
    }
    for (const SchemaStep& step : kSchema) {
      if (step.version <= current) continue;
      RETURN_IF_ERROR(tx.Execute(step.sql));
      ASSIGN_OR_RETURN(storage::Statement st,
                       tx.Prepare("INSERT INTO audit_schema(id, version) VALUES (1, ?1) "
                                  "ON CONFLICT(id) DO UPDATE SET version = excluded.version"));
      RETURN_IF_ERROR(st.BindInt64(1, step.version));
      RETURN_IF_ERROR(st.Run());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditLogOptions options) {
  if (options.database == nullptr || options.clock == nullptr) {
    return absl::InvalidArgumentError("audit log: database and clock are required");
  }
  if (options.queue_capacity == 0) options.queue_capacity = 1;
  if (options.max_batch == 0) options.max_batch = 1;
  RETURN_IF_ERROR(ApplyAuditSchema(*options.database));
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  if (log->options_.registry != nullptr) {
    try {
      prometheus::Registry& r = *log->options_.registry;
      log->written_counter_ = &prometheus::BuildCounter()
                                   .Name("jit_audit_records_written_total")
                                   .Help("Audit records written to the audit log.")
                                   .Register(r)
                                   .Add({});
      log->dropped_counter_ =
          &prometheus::BuildCounter()
               .Name("jit_audit_records_dropped_total")
               .Help(
                   "Audit records lost: the queue stayed full, or the store refused them "
                   "until shutdown. Alert on any increase.")
               .Register(r)
               .Add({});
      log->failures_counter_ = &prometheus::BuildCounter()
                                    .Name("jit_audit_write_failures_total")
                                    .Help("Failed audit batch writes (retried).")
                                    .Register(r)
                                    .Add({});
    } catch (const std::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("cannot register audit metrics: ", e.what()));
    }
  }
  AuditLog* raw = log.get();
  log->writer_ = std::thread([raw] { raw->WriterLoop(); });
  return log;
}

AuditLog::AuditLog(AuditLogOptions options) : options_(std::move(options)) {}

AuditLog::~AuditLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (writer_.joinable()) writer_.join();
}

void AuditLog::Record(AuditEntry entry) {
  if (entry.time == absl::InfinitePast()) entry.time = options_.clock->Now();
  int64_t dropped = 0;
  {
    absl::MutexLock lock(&mu_);
    auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return queue_.size() < options_.queue_capacity || stopping_;
    };
    if (!has_room()) {
      mu_.AwaitWithTimeout(absl::Condition(&has_room), options_.full_queue_wait);
    }
    if (queue_.size() < options_.queue_capacity && !stopping_) {
      queue_.push_back(std::move(entry));
      ++accepted_;
      return;
    }
    dropped = ++dropped_;
  }
  if (dropped_counter_ != nullptr) dropped_counter_->Increment();
  // The first loss and every 1000th after it, not one line per call.
  if (dropped == 1 || dropped % 1000 == 0) {
    log::Event(log::Level::kError, "audit record dropped: the audit queue is full",
               {{"grpc_method", entry.method},
                {"subject", entry.subject},
                {"dropped_total", dropped},
                {"queue_capacity", static_cast<int64_t>(options_.queue_capacity)}});
  }
}

absl::Status AuditLog::Flush(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const int64_t target = accepted_;
  auto done = [this, target]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_ >= target; };
  if (!mu_.AwaitWithTimeout(absl::Condition(&done), timeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("audit log: ", target - done_, " records still unwritten"));
  }
  return absl::OkStatus();
}

int64_t AuditLog::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

void AuditLog::WriterLoop() {
  std::vector<AuditEntry> batch;
  absl::Duration backoff = absl::Milliseconds(100);
  int failures_while_stopping = 0;
  for (;;) {
    bool stopping = false;
    if (batch.empty()) {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stopping = stopping_;
    } else {
      absl::MutexLock lock(&mu_);
      stopping = stopping_;
    }
    absl::Status s = Insert(batch);
    if (s.ok()) {
      if (written_counter_ != nullptr)
        written_counter_->Increment(static_cast<double>(batch.size()));
      absl::MutexLock lock(&mu_);
      done_ += static_cast<int64_t>(batch.size());
      batch.clear();
      backoff = absl::Milliseconds(100);
      continue;
    }
    if (failures_counter_ != nullptr) failures_counter_->Increment();
    log::Event(log::Level::kError, "audit batch write failed; retried",
               {{"records", static_cast<int64_t>(batch.size())}, {"error", s.ToString()}});
    if (stopping && ++failures_while_stopping >= 3) {
      // Closing and the store keeps refusing: count the loss and give up.
      if (dropped_counter_ != nullptr) {
        dropped_counter_->Increment(static_cast<double>(batch.size()));
      }
      absl::MutexLock lock(&mu_);
      dropped_ += static_cast<int64_t>(batch.size());
      done_ += static_cast<int64_t>(batch.size());
      batch.clear();
      continue;
    }
    absl::MutexLock lock(&mu_);
    auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&stop), stopping ? absl::Milliseconds(100) : backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

absl::Status AuditLog::Insert(const std::vector<AuditEntry>& batch) {
  return options_.database->Transaction(
      storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
        for (const AuditEntry& e : batch) {
          ASSIGN_OR_RETURN(
              storage::Statement st,
              tx.Prepare("INSERT INTO audit_log(time_us, subject, roles, peer_service, peer, "
                         "method, target_ids, outcome, request_id, trace_id, reasons) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
          RETURN_IF_ERROR(st.BindInt64(1, absl::ToUnixMicros(e.time)));
          RETURN_IF_ERROR(st.BindText(2, e.subject));
          RETURN_IF_ERROR(st.BindText(3, ToJsonArray(e.roles)));
          RETURN_IF_ERROR(st.BindText(4, e.peer_service));
          RETURN_IF_ERROR(st.BindText(5, e.peer));
          RETURN_IF_ERROR(st.BindText(6, e.method));
          RETURN_IF_ERROR(st.BindText(7, ToJsonArray(e.target_ids)));
          RETURN_IF_ERROR(st.BindText(8, e.outcome));
          RETURN_IF_ERROR(st.BindText(9, e.request_id));
          RETURN_IF_ERROR(st.BindText(10, e.trace_id));
          RETURN_IF_ERROR(st.BindInt64(11, (e.mutation ? kReasonMutation : 0) |
                                               (e.personal_data ? kReasonPersonalData : 0) |
                                               (e.denial ? kReasonDenial : 0)));
          RETURN_IF_ERROR(st.Run());
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<AuditPage> AuditLog::List(const AuditQuery& query) {
  int64_t after = 0;
  if (!query.page_token.empty() && (!absl::SimpleAtoi(query.page_token, &after) || after < 0)) {
    return absl::InvalidArgumentError("page_token: not a token of this audit log");
  }
  if (query.page_size < 0) {
    return absl::InvalidArgumentError("page.page_size: must not be negative");
  }
  int limit = query.page_size <= 0 ? kDefaultPageSize : std::min(query.page_size, kMaxPageSize);
  AuditPage page;
  RETURN_IF_ERROR(options_.database->Transaction(
      storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(
            storage::Statement st,
            tx.Prepare("SELECT seq, time_us, subject, roles, peer_service, peer, method, "
                       "target_ids, outcome, request_id, trace_id, reasons FROM audit_log "
                       "WHERE seq > ?1 AND time_us >= ?2 "
                       "AND (?3 = '' OR subject = ?3) AND (?4 = '' OR method = ?4) "
                       "AND (?5 = '' OR EXISTS (SELECT 1 FROM json_each(audit_log.target_ids) "
                       "                        WHERE json_each.value = ?5)) "
                       "ORDER BY seq LIMIT ?6"));
        RETURN_IF_ERROR(st.BindInt64(1, after));
        RETURN_IF_ERROR(st.BindInt64(2, absl::ToUnixMicros(query.since)));
        RETURN_IF_ERROR(st.BindText(3, query.subject));
        RETURN_IF_ERROR(st.BindText(4, query.method));
        RETURN_IF_ERROR(st.BindText(5, query.target_id));
        RETURN_IF_ERROR(st.BindInt64(6, limit + 1));
        for (;;) {
          ASSIGN_OR_RETURN(bool row, st.Step());
          if (!row) break;
          StoredAuditRecord r;
          r.sequence = st.ColumnInt64(0);
          AuditEntry& e = r.entry;
          e.time = absl::FromUnixMicros(st.ColumnInt64(1));
          e.subject = st.ColumnText(2);
          e.roles = FromJsonArray(st.ColumnText(3));
          e.peer_service = st.ColumnText(4);
          e.peer = st.ColumnText(5);
          e.method = st.ColumnText(6);
          e.target_ids = FromJsonArray(st.ColumnText(7));
          e.outcome = st.ColumnText(8);
          e.request_id = st.ColumnText(9);
          e.trace_id = st.ColumnText(10);
          const int64_t reasons = st.ColumnInt64(11);
          e.mutation = (reasons & kReasonMutation) != 0;
          e.personal_data = (reasons & kReasonPersonalData) != 0;
          e.denial = (reasons & kReasonDenial) != 0;
          page.records.push_back(std::move(r));
        }
        return absl::OkStatus();
      }));
  if (static_cast<int>(page.records.size()) > limit) {
    page.records.resize(limit);
    page.next_page_token = absl::StrCat(page.records.back().sequence);
  }
  return page;
}

absl::StatusOr<int64_t> AuditLog::PruneBefore(absl::Time before, int64_t limit) {
  int64_t deleted = 0;
  RETURN_IF_ERROR(options_.database->Transaction(
      storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(storage::Statement st,
                         tx.Prepare("UPDATE audit_retention SET horizon_us = ?1 "
                                    "WHERE id = 1 AND horizon_us < ?1"));
        RETURN_IF_ERROR(st.BindInt64(1, absl::ToUnixMicros(before)));
        RETURN_IF_ERROR(st.Run());
        ASSIGN_OR_RETURN(
            deleted, storage::DeleteOldestRows(tx, "audit_log", "seq", "time_us", before, limit));
        return absl::OkStatus();
      }));
  return deleted;
}

}  // namespace jit::audit
