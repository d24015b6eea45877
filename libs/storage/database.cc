#include "libs/storage/database.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "libs/status/details.h"
#include "libs/status/status_macros.h"

namespace jit::storage {
namespace {

constexpr char kCreateSchemaMigrations[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " description TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)";

constexpr char kRecordMigration[] =
    "INSERT OR REPLACE INTO schema_migrations(version, description, "
    "applied_at) VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";

// A short, single-line rendering of SQL for error messages.
std::string Abbrev(absl::string_view sql) {
  constexpr size_t kMax = 120;
  std::string out;
  out.reserve(std::min(sql.size(), kMax + 3));
  bool space = false;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
    if (out.size() >= kMax) {
      out += "...";
      break;
    }
  }
  return out;
}

// Same code and payloads, message prefixed.
absl::Status Prefixed(const absl::Status& status, absl::string_view prefix) {
  absl::Status out(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) {
        out.SetPayload(url, payload);
      });
  return out;
}

absl::Status OpenError(int extended_code, absl::string_view path,
                       absl::string_view what, absl::string_view message) {
  const int primary = extended_code & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return SqliteErrorToStatus(extended_code, path, what, message);
  }
  absl::Status status = absl::FailedPreconditionError(
      absl::StrCat("cannot open database ", path, ": ", what, ": ", message));
  status.SetPayload(kSqliteResultCodePayloadUrl,
                    absl::Cord(absl::StrCat(extended_code)));
  return status::Withhold(std::move(status), path);
}

absl::Status NewerSchemaError(int current, int newest, absl::string_view path) {
  return status::Withhold(
      absl::FailedPreconditionError(absl::StrCat(
          "database schema version ", current,
          " is newer than this binary supports (", newest, "): ", path)),
      path);
}

const char* BeginSql(TxMode mode) {
  switch (mode) {
    case TxMode::kDeferred:
      return "BEGIN DEFERRED";
    case TxMode::kImmediate:
      return "BEGIN IMMEDIATE";
    case TxMode::kExclusive:
      return "BEGIN EXCLUSIVE";
  }
  return "BEGIN";
}

// Marks the calling thread as the holder of the connection lock for the
// lifetime of the object (declared after the MutexLock, so it is cleared
// before the mutex is released).
class OwnerMark {
 public:
  explicit OwnerMark(std::atomic<std::thread::id>* owner) : owner_(owner) {
    owner_->store(std::this_thread::get_id());
  }
  ~OwnerMark() { owner_->store(std::thread::id()); }
  OwnerMark(const OwnerMark&) = delete;
  OwnerMark& operator=(const OwnerMark&) = delete;

 private:
  std::atomic<std::thread::id>* owner_;
};

}  // namespace

// ---------------------------------------------------------------------------
// Tx

absl::StatusOr<Statement> Tx::Prepare(absl::string_view sql) {
  return db_->PrepareLocked(sql);
}

absl::Status Tx::Execute(absl::string_view sql) { return db_->ExecLocked(sql); }

int64_t Tx::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_->db_);
}

int64_t Tx::Changes() const { return sqlite3_changes64(db_->db_); }

// ---------------------------------------------------------------------------
// Database

Database::Database(DatabaseOptions options, sqlite3* db)
    : options_(std::move(options)), db_(db) {}

Database::~Database() {
  {
    absl::MutexLock lock(&cache_mu_);
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    cache_.clear();
  }
  // close_v2: if a Statement outlived the database (a bug), the connection
  // is closed when that statement is finalized instead of leaking a lock.
  sqlite3_close_v2(db_);
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const DatabaseOptions& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("DatabaseOptions.path is empty");
  }
  if (options.busy_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("DatabaseOptions.busy_timeout < 0");
  }
  int flags = SQLITE_OPEN_FULLMUTEX;
  if (options.read_only) {
    flags |= SQLITE_OPEN_READONLY;
  } else {
    flags |= SQLITE_OPEN_READWRITE;
    if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message =
        raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    const int extended = raw != nullptr ? sqlite3_extended_errcode(raw) : rc;
    sqlite3_close_v2(raw);
    return OpenError(extended, options.path, "open", message);
  }
  // From here on the Database owns (and on failure closes) the connection.
  std::unique_ptr<Database> db(new Database(options, raw));
  sqlite3_extended_result_codes(raw, 1);
  const int64_t timeout_ms = std::min<int64_t>(
      absl::ToInt64Milliseconds(options.busy_timeout), INT_MAX);
  sqlite3_busy_timeout(raw, static_cast<int>(timeout_ms));

  auto pragma = [&](absl::string_view sql) -> absl::StatusOr<std::string> {
    absl::StatusOr<Statement> st = db->PrepareLocked(sql);
    absl::StatusOr<bool> row =
        st.ok() ? st->Step() : absl::StatusOr<bool>(st.status());
    if (!row.ok()) {
      return OpenError(sqlite3_extended_errcode(raw), options.path, sql,
                       sqlite3_errmsg(raw));
    }
    return *row ? st->ColumnText(0) : std::string();
  };

  // Reading the schema makes SQLite read the header: a file that is not a
  // database fails here with a clear message.
  RETURN_IF_ERROR(pragma("SELECT count(*) FROM sqlite_schema").status());
  RETURN_IF_ERROR(pragma("PRAGMA foreign_keys = ON").status());
  if (!options.read_only) {
    ASSIGN_OR_RETURN(std::string mode, pragma("PRAGMA journal_mode = WAL"));
    mode = absl::AsciiStrToLower(mode);
    const bool in_memory = options.path == ":memory:";
    if (mode != "wal" && !(in_memory && mode == "memory")) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot open database ", options.path,
                       ": could not enable WAL journal mode (journal_mode is '",
                       mode, "')"));
    }
    RETURN_IF_ERROR(pragma(options.synchronous == Synchronous::kNormal
                               ? "PRAGMA synchronous = NORMAL"
                               : "PRAGMA synchronous = FULL")
                        .status());
  }
  return db;
}

absl::Status Database::CheckNotReentrant() const {
  if (owner_.load() == std::this_thread::get_id()) {
    return status::Withhold(
        absl::FailedPreconditionError(absl::StrCat(
            "nested use of database ", options_.path,
            " from inside one of its transactions; use the Tx given to the "
            "callback")),
        options_.path);
  }
  return absl::OkStatus();
}

absl::Status Database::ErrorFromDb(int rc, absl::string_view what) const {
  const int extended = sqlite3_extended_errcode(db_);
  // sqlite3_extended_errcode describes the most recent failed call; prefer it
  // when it agrees with the primary code we were handed.
  const int code = (extended & 0xff) == (rc & 0xff) ? extended : rc;
  return SqliteErrorToStatus(code, options_.path, what, sqlite3_errmsg(db_),
                             sqlite3_system_errno(db_));
}

absl::Status Database::ExecLocked(absl::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) return absl::OkStatus();
  return ErrorFromDb(rc, Abbrev(sql));
}

absl::StatusOr<Statement> Database::PrepareLocked(absl::string_view sql) {
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(std::string(sql));
    if (it != cache_.end()) {
      sqlite3_stmt* stmt = it->second;
      cache_.erase(it);
      return Statement(this, stmt);
    }
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return ErrorFromDb(rc, Abbrev(sql));
  }
  if (stmt == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("empty SQL statement: '", Abbrev(sql), "'"));
  }
  Statement statement(this, stmt);
  // Refuse a second statement in the text: it would silently not run.
  const char* end = sql.data() + sql.size();
  if (tail != nullptr && tail < end) {
    sqlite3_stmt* next = nullptr;
    const int tail_rc = sqlite3_prepare_v2(
        db_, tail, static_cast<int>(end - tail), &next, nullptr);
    const bool extra = tail_rc != SQLITE_OK || next != nullptr;
    sqlite3_finalize(next);
    if (extra) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Prepare takes exactly one SQL statement: '", Abbrev(sql), "'"));
    }
  }
  return statement;
}

void Database::ReleaseStatement(sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  const char* text = sqlite3_sql(stmt);
  if (options_.statement_cache_capacity > 0 && text != nullptr) {
    absl::MutexLock lock(&cache_mu_);
    if (static_cast<int>(cache_.size()) < options_.statement_cache_capacity &&
        cache_.emplace(text, stmt).second) {
      return;
    }
  }
  sqlite3_finalize(stmt);
}

int Database::CachedStatementCount() const {
  absl::MutexLock lock(&cache_mu_);
  return static_cast<int>(cache_.size());
}

absl::Status Database::TransactionLocked(
    TxMode mode, absl::FunctionRef<absl::Status(Tx&)> fn,
    std::vector<std::string>* committed_tags) {
  RETURN_IF_ERROR(ExecLocked(BeginSql(mode)));
  Tx tx(this, mode);
  absl::Status status = fn(tx);
  if (status.ok()) {
    status = ExecLocked("COMMIT");
    if (status.ok()) {
      if (committed_tags != nullptr) *committed_tags = std::move(tx.tags_);
      return status;
    }
  }
  // Some errors (SQLITE_FULL, IOERR, ...) already rolled back.
  if (sqlite3_get_autocommit(db_) == 0) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  return status;
}

absl::Status Database::Transaction(TxMode mode,
                                   absl::FunctionRef<absl::Status(Tx&)> fn) {
  RETURN_IF_ERROR(CheckNotReentrant());
  std::vector<std::string> tags;
  {
    absl::MutexLock lock(&mu_);
    OwnerMark mark(&owner_);
    RETURN_IF_ERROR(TransactionLocked(mode, fn, &tags));
    // A requested truncation that could not complete: retried after each
    // commit, without waiting (the committed transaction stays committed
    // whatever happens here).
    if (wal_truncation_pending_.load()) {
      TruncateWalLocked(absl::ZeroDuration()).IgnoreError();
    }
  }
  if (!tags.empty()) {
    absl::MutexLock lock(&listeners_mu_);
    for (const auto& [id, listener] : listeners_) listener(tags);
  }
  return absl::OkStatus();
}

int Database::AddCommitListener(CommitListener listener) {
  absl::MutexLock lock(&listeners_mu_);
  const int id = ++next_listener_id_;
  listeners_[id] = std::move(listener);
  return id;
}

void Database::RemoveCommitListener(int id) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.erase(id);
}

void Tx::Tag(absl::string_view tag) {
  for (const std::string& t : tags_) {
    if (t == tag) return;
  }
  tags_.emplace_back(tag);
}

absl::StatusOr<bool> Database::TruncateWalLocked(absl::Duration wait) {
  const int64_t wait_ms =
      std::clamp<int64_t>(absl::ToInt64Milliseconds(wait), 0, INT_MAX);
  sqlite3_busy_timeout(db_, static_cast<int>(wait_ms));
  int log_frames = 0;
  int checkpointed = 0;
  const int rc = sqlite3_wal_checkpoint_v2(
      db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames, &checkpointed);
  const int64_t timeout_ms = std::min<int64_t>(
      absl::ToInt64Milliseconds(options_.busy_timeout), INT_MAX);
  sqlite3_busy_timeout(db_, static_cast<int>(timeout_ms));
  if (rc == SQLITE_OK) {
    wal_truncation_pending_.store(false);
    return true;
  }
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return false;
  return ErrorFromDb(rc, "wal_checkpoint(TRUNCATE)");
}

absl::StatusOr<bool> Database::TruncateWal(absl::Duration wait) {
  RETURN_IF_ERROR(CheckNotReentrant());
  absl::MutexLock lock(&mu_);
  OwnerMark mark(&owner_);
  return TruncateWalLocked(wait);
}

absl::StatusOr<bool> Database::RequestWalTruncation(absl::Duration wait) {
  RETURN_IF_ERROR(CheckNotReentrant());
  absl::MutexLock lock(&mu_);
  OwnerMark mark(&owner_);
  wal_truncation_pending_.store(true);
  return TruncateWalLocked(wait);
}

absl::Status Database::Execute(absl::string_view sql) {
  RETURN_IF_ERROR(CheckNotReentrant());
  absl::MutexLock lock(&mu_);
  OwnerMark mark(&owner_);
  return ExecLocked(sql);
}

absl::StatusOr<int> Database::SchemaVersionLocked() {
  ASSIGN_OR_RETURN(Statement st, PrepareLocked("PRAGMA user_version"));
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::InternalError("PRAGMA user_version returned no row");
  return static_cast<int>(st.ColumnInt64(0));
}

absl::StatusOr<int> Database::SchemaVersion() {
  RETURN_IF_ERROR(CheckNotReentrant());
  absl::MutexLock lock(&mu_);
  OwnerMark mark(&owner_);
  return SchemaVersionLocked();
}

absl::Status Database::MigrateOne(const Migration& m, int newest) {
  return TransactionLocked(TxMode::kImmediate, [&](Tx&) -> absl::Status {
    // Re-read under the write lock: another process may have migrated
    // since we looked.
    ASSIGN_OR_RETURN(int current, SchemaVersionLocked());
    if (current > newest) {
      return NewerSchemaError(current, newest, options_.path);
    }
    if (current >= m.version) return absl::OkStatus();
    const std::string context =
        absl::StrCat("migration ", m.version, " (", m.description,
                     ") failed on ", options_.path, ": ");
    if (absl::Status s = ExecLocked(m.sql); !s.ok()) {
      return Prefixed(s, context);
    }
    absl::Status s = ExecLocked(kCreateSchemaMigrations);
    if (s.ok()) {
      absl::StatusOr<Statement> st = PrepareLocked(kRecordMigration);
      s = st.status();
      if (s.ok()) s = st->BindInt64(1, m.version);
      if (s.ok()) s = st->BindText(2, m.description);
      if (s.ok()) s = st->Run();
    }
    if (s.ok())
      s = ExecLocked(absl::StrCat("PRAGMA user_version = ", m.version));
    return s.ok() ? s : Prefixed(s, context);
  });
}

absl::Status Database::Migrate(const std::vector<Migration>& migrations) {
  int newest = 0;
  for (const Migration& m : migrations) {
    if (m.version <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration versions must be positive; got ", m.version,
                       " (", m.description, ")"));
    }
    if (m.version <= newest) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration versions must be strictly increasing; got ",
                       m.version, " (", m.description, ") after ", newest));
    }
    newest = m.version;
  }
  RETURN_IF_ERROR(CheckNotReentrant());
  absl::MutexLock lock(&mu_);
  OwnerMark mark(&owner_);
  ASSIGN_OR_RETURN(int current, SchemaVersionLocked());
  if (current > newest) return NewerSchemaError(current, newest, options_.path);
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    RETURN_IF_ERROR(MigrateOne(m, newest));
  }
  return absl::OkStatus();
}

}  // namespace jit::storage
