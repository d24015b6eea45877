#include "libs/outbox/relay.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace jit::outbox {
namespace {

using storage::Statement;
using storage::Tx;
using storage::TxMode;

constexpr char kSelectBatch[] =
    "SELECT id, topic, key, payload, headers FROM outbox "
    "WHERE sent_at IS NULL ORDER BY id LIMIT ?1";
constexpr char kMarkSent[] =
    "UPDATE outbox SET sent_at = ?1, attempts = attempts + 1 "
    "WHERE id = ?2 AND sent_at IS NULL";
constexpr char kMarkFailed[] =
    "UPDATE outbox SET attempts = attempts + 1, last_error = ?1 WHERE id = ?2";
constexpr char kMarkHeld[] =
    "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?1";
constexpr char kBacklogAndOldest[] =
    "SELECT count(*), (SELECT created_at FROM outbox WHERE sent_at IS NULL "
    "ORDER BY id LIMIT 1) FROM outbox WHERE sent_at IS NULL";
constexpr char kPruneChunk[] =
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
    "WHERE sent_at IS NOT NULL AND sent_at < ?1 LIMIT ?2)";

constexpr size_t kMaxErrorLength = 1000;

std::string ErrorText(const absl::Status& status) {
  std::string text = status.ToString();
  if (text.size() > kMaxErrorLength) text.resize(kMaxErrorLength);
  return text;
}

absl::Status ValidateOptions(const RelayOptions& o) {
  if (o.batch_size < 1) {
    return absl::InvalidArgumentError("RelayOptions.batch_size must be >= 1");
  }
  if (o.poll_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("RelayOptions.poll_interval must be > 0");
  }
  if (o.initial_backoff <= absl::ZeroDuration() ||
      o.max_backoff < o.initial_backoff) {
    return absl::InvalidArgumentError(
        "RelayOptions: need 0 < initial_backoff <= max_backoff");
  }
  if (!(o.backoff_jitter >= 0.0 && o.backoff_jitter < 1.0)) {
    return absl::InvalidArgumentError(
        "RelayOptions.backoff_jitter must be in [0, 1)");
  }
  if (o.retention < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("RelayOptions.retention must be >= 0");
  }
  if (o.prune_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "RelayOptions.prune_interval must be > 0");
  }
  if (o.prune_chunk_size < 1) {
    return absl::InvalidArgumentError(
        "RelayOptions.prune_chunk_size must be >= 1");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Relay>> Relay::Create(
    storage::Database* db, Publisher* publisher, const Clock* clock,
    prometheus::Registry* registry, RelayOptions options) {
  if (db == nullptr || publisher == nullptr || clock == nullptr) {
    return absl::InvalidArgumentError(
        "outbox Relay needs a database, a publisher and a clock");
  }
  RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<Relay> relay(
      new Relay(db, publisher, clock, std::move(options)));
  if (registry != nullptr) RETURN_IF_ERROR(relay->RegisterMetrics(registry));
  return relay;
}

Relay::Relay(storage::Database* db, Publisher* publisher, const Clock* clock,
             RelayOptions options)
    : db_(db),
      publisher_(publisher),
      clock_(clock),
      options_(std::move(options)) {
  // Test hook, see relay.h.
  if (const char* env = std::getenv(kCrashAfterPublishEnv); env != nullptr) {
    int64_t n = 0;
    if (absl::SimpleAtoi(env, &n) && n > 0) crash_after_publish_ = n;
  }
}

Relay::~Relay() { Stop(); }

absl::Status Relay::RegisterMetrics(prometheus::Registry* registry) {
  const prometheus::Labels labels(options_.metric_labels.begin(),
                                  options_.metric_labels.end());
  // prometheus-cpp reports invalid names/labels by throwing; keep that
  // inside this function.
  try {
    backlog_gauge_ = &prometheus::BuildGauge()
                          .Name("jit_outbox_backlog")
                          .Help("Outbox rows not yet published.")
                          .Register(*registry)
                          .Add(labels);
    oldest_age_gauge_ =
        &prometheus::BuildGauge()
             .Name("jit_outbox_oldest_unsent_age_seconds")
             .Help("Age of the oldest unpublished outbox row, 0 when none.")
             .Register(*registry)
             .Add(labels);
    published_counter_ = &prometheus::BuildCounter()
                              .Name("jit_outbox_published_total")
                              .Help("Outbox rows published and marked sent.")
                              .Register(*registry)
                              .Add(labels);
    failures_counter_ =
        &prometheus::BuildCounter()
             .Name("jit_outbox_publish_failures_total")
             .Help("Outbox messages whose publication failed (retried).")
             .Register(*registry)
             .Add(labels);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot register outbox metrics: ", e.what()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> Relay::RunOnce() {
  ASSIGN_OR_RETURN(BatchResult result, RunBatch());
  return result.sent;
}

absl::StatusOr<Relay::BatchResult> Relay::RunBatch() {
  absl::MutexLock lock(&run_mu_);
  absl::StatusOr<BatchResult> result = RunBatchLocked();
  if (!result.ok()) RecordError(result.status());
  return result;
}

absl::StatusOr<Relay::BatchResult> Relay::RunBatchLocked() {
  BatchResult result;

  // 1. Read the oldest unsent rows (a short read transaction: the database
  //    is not locked while publishing).
  std::vector<OutboxMessage> rows;
  std::vector<absl::Status> delivery;  // per row, filled in below
  RETURN_IF_ERROR(
      db_->Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(Statement st, tx.Prepare(kSelectBatch));
        RETURN_IF_ERROR(st.BindInt64(1, options_.batch_size));
        while (true) {
          ASSIGN_OR_RETURN(bool has_row, st.Step());
          if (!has_row) break;
          OutboxMessage m;
          m.id = st.ColumnInt64(0);
          m.topic = st.ColumnText(1);
          m.key = st.ColumnText(2);
          m.payload = st.ColumnBlob(3);
          auto headers = DecodeHeaders(st.ColumnBlob(4));
          if (headers.ok()) m.headers = std::move(*headers);
          delivery.push_back(headers.status());
          rows.push_back(std::move(m));
        }
        return absl::OkStatus();
      }));
  result.read = static_cast<int>(rows.size());
  if (rows.empty()) {
    RefreshGauges(/*batch_was_empty=*/true, /*force=*/true);
    return result;
  }

  // 2. Publish. A row that cannot be decoded is failed without publishing,
  //    and the later rows of its key are not handed to the publisher.
  using KeyRef = std::pair<absl::string_view, absl::string_view>;
  auto key_of = [&rows](size_t i) {
    return KeyRef(rows[i].topic, rows[i].key);
  };
  std::vector<OutboxMessage> to_publish;
  std::vector<size_t> published_row;  // to_publish index -> rows index
  std::vector<bool> skipped(rows.size(), false);  // held before publishing
  {
    std::set<KeyRef> undecodable_keys;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (!delivery[i].ok()) {
        undecodable_keys.insert(key_of(i));
      } else if (undecodable_keys.count(key_of(i)) > 0) {
        skipped[i] = true;
      } else {
        to_publish.push_back(rows[i]);
        published_row.push_back(i);
      }
    }
  }
  if (!to_publish.empty()) {
    std::vector<absl::Status> statuses = publisher_->PublishBatch(to_publish);
    {
      absl::MutexLock lock(&stats_mu_);
      ++stats_.publish_calls;
    }
    if (statuses.size() != to_publish.size()) {
      const int n = static_cast<int>(to_publish.size());
      if (failures_counter_ != nullptr) failures_counter_->Increment(n);
      {
        absl::MutexLock lock(&stats_mu_);
        stats_.failed += n;
      }
      return absl::InternalError(absl::StrCat("outbox publisher returned ",
                                              statuses.size(), " statuses for ",
                                              to_publish.size(), " messages"));
    }
    bool any_delivered = false;
    for (size_t j = 0; j < statuses.size(); ++j) {
      any_delivered = any_delivered || statuses[j].ok();
      delivery[published_row[j]] = std::move(statuses[j]);
    }
    if (any_delivered && crash_after_publish_ > 0 &&
        ++delivering_publishes_ == crash_after_publish_) {
      // Test hook (relay.h): die like kill -9 before marking anything sent.
      std::raise(SIGKILL);
    }
  }

  // 3. Decide per row, in id order: a failure blocks the rest of its key;
  //    rows of a blocked key are held back (not marked) even if delivered.
  std::vector<size_t> sent, failed, held;
  {
    std::set<KeyRef> blocked;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (skipped[i]) {
        held.push_back(i);  // its key is already blocked
      } else if (!delivery[i].ok()) {
        failed.push_back(i);
        blocked.insert(key_of(i));
      } else if (blocked.count(key_of(i)) > 0) {
        held.push_back(i);
      } else {
        sent.push_back(i);
      }
    }
  }
  result.failed = static_cast<int>(failed.size());
  if (failures_counter_ != nullptr && !failed.empty()) {
    failures_counter_->Increment(static_cast<double>(failed.size()));
  }
  {
    absl::MutexLock lock(&stats_mu_);
    stats_.failed += result.failed;
    if (!failed.empty()) stats_.last_error = ErrorText(delivery[failed[0]]);
  }

  // 4. Mark, in one write transaction.
  const int64_t now_us = absl::ToUnixMicros(clock_->Now());
  int marked = 0;
  RETURN_IF_ERROR(
      db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
        marked = 0;
        if (!sent.empty()) {
          ASSIGN_OR_RETURN(Statement st, tx.Prepare(kMarkSent));
          RETURN_IF_ERROR(st.BindInt64(1, now_us));
          for (size_t i : sent) {
            RETURN_IF_ERROR(st.BindInt64(2, rows[i].id));
            RETURN_IF_ERROR(st.Run());
            marked += static_cast<int>(tx.Changes());
          }
        }
        if (!failed.empty()) {
          ASSIGN_OR_RETURN(Statement st, tx.Prepare(kMarkFailed));
          for (size_t i : failed) {
            RETURN_IF_ERROR(st.BindText(1, ErrorText(delivery[i])));
            RETURN_IF_ERROR(st.BindInt64(2, rows[i].id));
            RETURN_IF_ERROR(st.Run());
          }
        }
        if (!held.empty()) {
          ASSIGN_OR_RETURN(Statement st, tx.Prepare(kMarkHeld));
          for (size_t i : held) {
            if (skipped[i]) continue;  // never handed to the publisher
            RETURN_IF_ERROR(st.BindInt64(1, rows[i].id));
            RETURN_IF_ERROR(st.Run());
          }
        }
        return absl::OkStatus();
      }));
  result.sent = marked;
  result.held = static_cast<int>(held.size());
  if (published_counter_ != nullptr && marked > 0) {
    published_counter_->Increment(marked);
  }
  {
    absl::MutexLock lock(&stats_mu_);
    stats_.sent += marked;
    stats_.held_back += result.held;
  }
  RefreshGauges(/*batch_was_empty=*/false,
                /*force=*/result.read < options_.batch_size);
  return result;
}

void Relay::RefreshGauges(bool batch_was_empty, bool force) {
  if (backlog_gauge_ == nullptr) return;
  const absl::Time now = clock_->Now();
  if (batch_was_empty) {
    backlog_gauge_->Set(0);
    oldest_age_gauge_->Set(0);
    last_gauge_refresh_ = now;
    return;
  }
  if (!force && now - last_gauge_refresh_ < options_.metrics_refresh_interval) {
    return;
  }
  int64_t backlog = 0;
  std::optional<int64_t> oldest_us;
  absl::Status s =
      db_->Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
        ASSIGN_OR_RETURN(Statement st, tx.Prepare(kBacklogAndOldest));
        ASSIGN_OR_RETURN(bool row, st.Step());
        if (row) {
          backlog = st.ColumnInt64(0);
          if (!st.ColumnIsNull(1)) oldest_us = st.ColumnInt64(1);
        }
        return absl::OkStatus();
      });
  if (!s.ok()) {
    RecordError(s);
    return;
  }
  backlog_gauge_->Set(static_cast<double>(backlog));
  double age = 0;
  if (oldest_us.has_value()) {
    age = std::max(
        0.0, absl::ToDoubleSeconds(now - absl::FromUnixMicros(*oldest_us)));
  }
  oldest_age_gauge_->Set(age);
  last_gauge_refresh_ = now;
}

absl::Status Relay::Start() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (thread_.joinable()) {
    return absl::FailedPreconditionError("outbox relay already started");
  }
  {
    absl::MutexLock lock(&mu_);
    stopping_ = false;
    notified_ = false;
  }
  thread_ = std::thread(&Relay::Loop, this);
  // Every committed Append() wakes the loop, whoever wrote it.
  commit_listener_ = db_->AddCommitListener([this](const std::vector<std::string>& tags) {
    if (std::find(tags.begin(), tags.end(), kOutboxTag) != tags.end()) Notify();
  });
  return absl::OkStatus();
}

void Relay::Stop() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (!thread_.joinable()) return;
  db_->RemoveCommitListener(commit_listener_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    cv_.SignalAll();
  }
  thread_.join();
}

void Relay::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
  cv_.SignalAll();
}

absl::Duration Relay::Jittered(absl::Duration d) {
  if (options_.backoff_jitter > 0) {
    d *= 1.0 + absl::Uniform(bitgen_, -options_.backoff_jitter,
                             options_.backoff_jitter);
  }
  return std::min(d, options_.max_backoff);
}

void Relay::Loop() {
  absl::Duration backoff = options_.initial_backoff;
  absl::Time next_prune = absl::InfinitePast();
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      // Rows committed before any Notify() so far are seen by this batch.
      notified_ = false;
    }
    absl::StatusOr<BatchResult> result = RunBatch();
    const absl::Time now = clock_->Now();
    if (now >= next_prune) {
      PruneSent().IgnoreError();  // recorded in stats; retried next interval
      next_prune = now + options_.prune_interval;
    }
    {
      absl::MutexLock lock(&stats_mu_);
      ++stats_.loop_iterations;
    }

    absl::Duration wait;
    bool notify_wakes = false;
    if (!result.ok() || (result->failed > 0 && result->sent == 0)) {
      // No progress: back off (not cut by Notify, or a busy service would
      // hammer a broker that is down).
      wait = Jittered(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      backoff = options_.initial_backoff;
      // More to do right away: a full batch, or failures after progress
      // (retry once at once; a second failure-only batch backs off).
      if (result->read >= options_.batch_size || result->failed > 0) continue;
      wait = options_.poll_interval;
      notify_wakes = true;
    }
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + wait;
    while (!stopping_ && !(notify_wakes && notified_)) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) break;  // timed out
    }
  }
}

absl::StatusOr<int64_t> Relay::Backlog() { return outbox::Backlog(*db_); }

absl::StatusOr<int64_t> Relay::PruneSent() {
  if (options_.retention == absl::InfiniteDuration()) return 0;
  const int64_t cutoff_us =
      absl::ToUnixMicros(clock_->Now() - options_.retention);
  int64_t total = 0;
  while (true) {
    int64_t deleted = 0;
    absl::Status s =
        db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
          ASSIGN_OR_RETURN(Statement st, tx.Prepare(kPruneChunk));
          RETURN_IF_ERROR(st.BindInt64(1, cutoff_us));
          RETURN_IF_ERROR(st.BindInt64(2, options_.prune_chunk_size));
          RETURN_IF_ERROR(st.Run());
          deleted = tx.Changes();
          return absl::OkStatus();
        });
    if (!s.ok()) {
      RecordError(s);
      return s;
    }
    total += deleted;
    if (deleted < options_.prune_chunk_size) break;
  }
  absl::MutexLock lock(&stats_mu_);
  stats_.pruned += total;
  return total;
}

absl::StatusOr<int64_t> Relay::RequeueAll() {
  ASSIGN_OR_RETURN(int64_t n, outbox::RequeueAll(*db_));
  Notify();
  return n;
}

absl::StatusOr<int64_t> Relay::RequeueCreatedSince(absl::Time since) {
  ASSIGN_OR_RETURN(int64_t n, outbox::RequeueCreatedSince(*db_, since));
  Notify();
  return n;
}

void Relay::RecordError(const absl::Status& status) {
  absl::MutexLock lock(&stats_mu_);
  stats_.last_error = ErrorText(status);
}

RelayStats Relay::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

}  // namespace jit::outbox
