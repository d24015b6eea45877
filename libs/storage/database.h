// SQLite storage shared by every service's repository.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
//                    storage::Database::Open({.path = "/data/enrollment.db"}));
//   RETURN_IF_ERROR(db->Migrate(kMigrations));
//   RETURN_IF_ERROR(db->Transaction(
//       storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
//         ASSIGN_OR_RETURN(auto st, tx.Prepare("INSERT INTO t(v) VALUES(?)"));
//         RETURN_IF_ERROR(st.BindText(1, value));
//         return st.Run();
//       }));
//
// Thread safety: a Database is one SQLite connection. It is safe to use from
// any number of threads: Transaction(), Execute(), Migrate() and
// SchemaVersion() take the database's lock, so transactions on one Database
// run one at a time. Calling them again from inside a transaction callback on
// the same Database is refused with FAILED_PRECONDITION (use the Tx given to
// the callback). For reads that must not wait behind writers, open a second
// Database on the same file with `read_only = true`; in WAL mode readers and
// the writer do not block each other. Across connections (or processes) SQLite
// allows one writer at a time: a writer that cannot get the lock within
// `busy_timeout` gets UNAVAILABLE ("database is busy").
#ifndef JIT_LIBS_STORAGE_DATABASE_H_
#define JIT_LIBS_STORAGE_DATABASE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/storage/errors.h"
#include "libs/storage/statement.h"

struct sqlite3;
struct sqlite3_stmt;

namespace jit::storage {

// PRAGMA synchronous. kFull (the default) makes every commit durable across a
// power loss; kNormal (WAL) may lose the last commits on power loss (never on
// a process crash) and is 4-5x faster on this hardware (see README).
enum class Synchronous { kFull, kNormal };

struct DatabaseOptions {
  // File path, or ":memory:" for a private in-memory database (tests).
  std::string path{};
  Synchronous synchronous = Synchronous::kFull;
  // How long a statement waits for another connection's lock before failing
  // with UNAVAILABLE.
  absl::Duration busy_timeout = absl::Seconds(5);
  // Create the file when it does not exist (ignored when read_only).
  bool create_if_missing = true;
  // Open a read-only connection (no WAL switch, no writes).
  bool read_only = false;
  // Idle prepared statements kept for reuse (0 disables the cache).
  int statement_cache_capacity = 64;
};

// BEGIN DEFERRED / IMMEDIATE / EXCLUSIVE. Writers use kImmediate: the write
// lock is taken at BEGIN, so a busy database fails (or waits) up front instead
// of failing half-way through the transaction. Read-only transactions use
// kDeferred.
enum class TxMode { kDeferred, kImmediate, kExclusive };

// One versioned schema step. `sql` may hold several statements; it must not
// contain BEGIN/COMMIT (each migration already runs in its own transaction).
struct Migration {
  int version = 0;
  std::string description{};
  std::string sql{};
};

class Database;

// The handle given to a Transaction callback. Valid only during the callback.
class Tx {
 public:
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  // Prepares one SQL statement (served from the statement cache when
  // possible). Several statements in `sql` are INVALID_ARGUMENT.
  absl::StatusOr<Statement> Prepare(absl::string_view sql);
  // Runs one or more SQL statements without parameters (DDL, fixed DML).
  absl::Status Execute(absl::string_view sql);
  // sqlite3_last_insert_rowid / sqlite3_changes64 of this connection.
  int64_t LastInsertRowId() const;
  int64_t Changes() const;

  TxMode mode() const { return mode_; }
  Database& database() const { return *db_; }

  // Notes what this transaction wrote (e.g. "outbox"): once it has
  // committed, the database's commit listeners are told (see
  // Database::AddCommitListener). Nothing is told after a rollback.
  void Tag(absl::string_view tag);

 private:
  friend class Database;
  Tx(Database* db, TxMode mode) : db_(db), mode_(mode) {}

  Database* db_;
  TxMode mode_;
  std::vector<std::string> tags_;
};

class Database {
 public:
  // Opens (and by default creates) the database: WAL journal, the requested
  // synchronous level, busy timeout, foreign keys on. A file that cannot be
  // opened or is not a database is FAILED_PRECONDITION (UNAVAILABLE when it
  // is locked) naming the path and SQLite's message.
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const DatabaseOptions& options);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Applies the migrations whose version is above the file's
  // PRAGMA user_version, in order, each in its own IMMEDIATE transaction that
  // also sets user_version and records a row in `schema_migrations`.
  // Versions must be positive and strictly increasing (INVALID_ARGUMENT
  // otherwise). A file whose version is above the last migration is refused
  // with FAILED_PRECONDITION ("database schema version N is newer than this
  // binary supports (M)"). A failing migration is rolled back and reported
  // with its version; the ones before it stay applied.
  absl::Status Migrate(const std::vector<Migration>& migrations);

  // PRAGMA user_version.
  absl::StatusOr<int> SchemaVersion();

  // Runs `fn` inside BEGIN <mode> ... COMMIT. When `fn` returns an error, or
  // COMMIT fails, the transaction is rolled back and that error returned.
  // Not retried here: on UNAVAILABLE the caller may retry the whole call.
  absl::Status Transaction(TxMode mode,
                           absl::FunctionRef<absl::Status(Tx&)> fn);

  // Runs SQL (one or more statements, no parameters) in autocommit mode.
  absl::Status Execute(absl::string_view sql);

  // Copies every frame of the WAL into the main file and truncates the WAL
  // to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)), so that no older
  // version of a page stays in the -wal file (after an erasure, with
  // secure_delete on, the erased bytes are then gone from both files).
  // Waits up to `wait` (instead of busy_timeout) for readers of other
  // connections to leave the WAL and for another process's writer. Returns
  // true when done (also for a database that is not in WAL mode, e.g.
  // ":memory:"), false when a reader or writer kept it from completing (what
  // could be copied was copied; nothing is lost), an error otherwise.
  absl::StatusOr<bool> TruncateWal(absl::Duration wait);

  // TruncateWal(wait) now; when it does not complete (false or an error),
  // it stays requested: it is tried again, without waiting, after every
  // later committed Transaction() on this Database (and by TruncateWal),
  // until it completes. Returns whether it completed now.
  absl::StatusOr<bool> RequestWalTruncation(absl::Duration wait);
  // Whether a requested truncation has not completed yet.
  bool wal_truncation_pending() const { return wal_truncation_pending_.load(); }

  // Called after every committed transaction that was tagged (Tx::Tag),
  // with its tags, on the committing thread, after the connection's lock is
  // released. Must be quick and must not use this database (listeners run
  // under their own lock, so that RemoveCommitListener() returning means the
  // listener is not running and will not run again). Returns an id for
  // RemoveCommitListener; remove before the listener's state goes away.
  using CommitListener = std::function<void(const std::vector<std::string>& tags)>;
  int AddCommitListener(CommitListener listener);
  void RemoveCommitListener(int id);

  const std::string& path() const { return options_.path; }
  const DatabaseOptions& options() const { return options_; }

  // Idle statements currently held by the cache (for tests and metrics).
  int CachedStatementCount() const;

 private:
  friend class Statement;
  friend class Tx;

  Database(DatabaseOptions options, sqlite3* db);

  // FAILED_PRECONDITION when the calling thread already holds mu_ (a
  // transaction callback calling back into its own Database).
  absl::Status CheckNotReentrant() const;

  // The *Locked functions run with mu_ held by the caller (Open() is the
  // exception: nobody else can see the object yet).
  absl::Status ExecLocked(absl::string_view sql);
  absl::StatusOr<Statement> PrepareLocked(absl::string_view sql);
  // `committed_tags`, when given, receives the tags of a committed
  // transaction.
  absl::Status TransactionLocked(TxMode mode,
                                 absl::FunctionRef<absl::Status(Tx&)> fn,
                                 std::vector<std::string>* committed_tags = nullptr);
  absl::Status MigrateOne(const Migration& m, int newest);
  absl::StatusOr<bool> TruncateWalLocked(absl::Duration wait);
  absl::StatusOr<int> SchemaVersionLocked();
  absl::Status ErrorFromDb(int rc, absl::string_view what) const;

  // Statement cache: Statement's destructor hands its stmt back here.
  void ReleaseStatement(sqlite3_stmt* stmt);

  const DatabaseOptions options_;
  sqlite3* const db_;

  // Serializes all use of the connection: one transaction at a time.
  absl::Mutex mu_;
  // The thread holding mu_, to refuse re-entrance instead of deadlocking.
  std::atomic<std::thread::id> owner_{};

  // A requested WAL truncation that has not completed (RequestWalTruncation).
  std::atomic<bool> wal_truncation_pending_{false};

  absl::Mutex listeners_mu_;
  int next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 0;
  std::map<int, CommitListener> listeners_ ABSL_GUARDED_BY(listeners_mu_);

  mutable absl::Mutex cache_mu_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_
      ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_DATABASE_H_
