#include "libs/storage/database.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Database> OpenOrDie(DatabaseOptions options) {
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(options);
  EXPECT_TRUE(db.ok()) << db.status();
  return db.ok() ? std::move(*db) : nullptr;
}

// Runs a one-column, one-row query and returns the column as text.
std::string QueryText(Database& db, const std::string& sql) {
  std::string out;
  absl::Status s = db.Transaction(TxMode::kDeferred, [&](Tx& tx) {
    ASSIGN_OR_RETURN(Statement st, tx.Prepare(sql));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) out = st.ColumnText(0);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

int64_t CountRows(Database& db, const std::string& table) {
  return std::stoll(QueryText(db, "SELECT count(*) FROM " + table));
}

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    db_ = OpenOrDie({.path = dir_.File("test.db")});
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->Execute("CREATE TABLE users ("
                             " id INTEGER PRIMARY KEY,"
                             " email TEXT NOT NULL UNIQUE,"
                             " age INTEGER CHECK (age >= 0))")
                    .ok());
  }

  absl::Status InsertUser(Tx& tx, int64_t id, const std::string& email) {
    ASSIGN_OR_RETURN(Statement st,
                     tx.Prepare("INSERT INTO users(id, email) VALUES(?, ?)"));
    RETURN_IF_ERROR(st.BindInt64(1, id));
    RETURN_IF_ERROR(st.BindText(2, email));
    return st.Run();
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(DatabaseTest, CommitListenersHearTaggedCommitsOnly) {
  std::vector<std::vector<std::string>> heard;
  const int id = db_->AddCommitListener(
      [&](const std::vector<std::string>& tags) { heard.push_back(tags); });
  // Tagged and committed: heard once, the same tag once.
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                   RETURN_IF_ERROR(InsertUser(tx, 1, "a@x.ma"));
                   tx.Tag("outbox");
                   tx.Tag("outbox");
                   tx.Tag("users");
                   return absl::OkStatus();
                 }).ok());
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], (std::vector<std::string>{"outbox", "users"}));
  // Untagged: nothing. Tagged but rolled back: nothing.
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate,
                               [&](Tx& tx) { return InsertUser(tx, 2, "b@x.ma"); })
                  .ok());
  EXPECT_FALSE(db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                    tx.Tag("outbox");
                    return InsertUser(tx, 3, "a@x.ma");  // duplicate email
                  }).ok());
  EXPECT_EQ(heard.size(), 1u);
  // Removed: no longer told.
  db_->RemoveCommitListener(id);
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                   tx.Tag("outbox");
                   return InsertUser(tx, 4, "d@x.ma");
                 }).ok());
  EXPECT_EQ(heard.size(), 1u);
}

TEST_F(DatabaseTest, OpensFileInWalModeWithForeignKeysAndFullSync) {
  EXPECT_EQ(QueryText(*db_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(*db_, "PRAGMA foreign_keys"), "1");
  EXPECT_EQ(QueryText(*db_, "PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(QueryText(*db_, "PRAGMA busy_timeout"), "5000");
}

TEST(DatabaseOpenTest, NormalSynchronousAndBusyTimeoutAreSelectable) {
  testing::TempDir dir;
  auto db = OpenOrDie({.path = dir.File("n.db"),
                       .synchronous = Synchronous::kNormal,
                       .busy_timeout = absl::Milliseconds(250)});
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_EQ(QueryText(*db, "PRAGMA busy_timeout"), "250");
}

TEST(DatabaseOpenTest, InMemoryDatabaseWorks) {
  auto db = OpenOrDie({.path = ":memory:"});
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(QueryText(*db, "PRAGMA journal_mode"), "memory");
  ASSERT_TRUE(db->Execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ(CountRows(*db, "t"), 1);
}

TEST(DatabaseOpenTest, MissingDirectoryIsFailedPreconditionNamingThePath) {
  testing::TempDir dir;
  const std::string path = dir.File("no/such/dir/x.db");
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open({.path = path});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr(path));
  EXPECT_THAT(db.status().message(), HasSubstr("unable to open"));
}

TEST(DatabaseOpenTest, FileThatIsNotADatabaseIsRefused) {
  testing::TempDir dir;
  const std::string path = dir.File("garbage.db");
  {
    std::ofstream out(path);
    out << std::string(4096, 'x');
  }
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open({.path = path});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr(path));
  EXPECT_THAT(db.status().message(), HasSubstr("not a database"));
}

TEST(DatabaseOpenTest, MissingFileWithoutCreateIsRefused) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<Database>> db = Database::Open(
      {.path = dir.File("absent.db"), .create_if_missing = false});
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(DatabaseOpenTest, EmptyPathIsInvalidArgument) {
  EXPECT_EQ(Database::Open({}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DatabaseTest, CommittedTransactionPersistsAcrossReopen) {
  ASSERT_TRUE(db_->Transaction(
                     TxMode::kImmediate,
                     [&](Tx& tx) { return InsertUser(tx, 1, "a@example.ma"); })
                  .ok());
  db_.reset();
  db_ = OpenOrDie({.path = dir_.File("test.db")});
  EXPECT_EQ(CountRows(*db_, "users"), 1);
}

TEST_F(DatabaseTest, ErrorInCallbackRollsBackEverything) {
  absl::Status s = db_->Transaction(TxMode::kImmediate, [&](Tx& tx) {
    RETURN_IF_ERROR(InsertUser(tx, 1, "a@example.ma"));
    RETURN_IF_ERROR(InsertUser(tx, 2, "b@example.ma"));
    return absl::AbortedError("business rule says no");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "business rule says no");
  EXPECT_EQ(CountRows(*db_, "users"), 0);
  // The connection is usable afterwards.
  EXPECT_TRUE(db_->Transaction(
                     TxMode::kImmediate,
                     [&](Tx& tx) { return InsertUser(tx, 3, "c@example.ma"); })
                  .ok());
  EXPECT_EQ(CountRows(*db_, "users"), 1);
}

TEST_F(DatabaseTest, UniqueViolationIsAlreadyExistsAndRollsBack) {
  absl::Status s = db_->Transaction(TxMode::kImmediate, [&](Tx& tx) {
    RETURN_IF_ERROR(InsertUser(tx, 1, "a@example.ma"));
    return InsertUser(tx, 2, "a@example.ma");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_TRUE(IsUniqueViolation(s));
  EXPECT_TRUE(IsConstraintViolation(s));
  EXPECT_THAT(s.message(), HasSubstr("users.email"));
  EXPECT_EQ(CountRows(*db_, "users"), 0);
}

TEST_F(DatabaseTest, PrimaryKeyViolationIsAlreadyExists) {
  ASSERT_TRUE(db_->Transaction(
                     TxMode::kImmediate,
                     [&](Tx& tx) { return InsertUser(tx, 1, "a@example.ma"); })
                  .ok());
  absl::Status s = db_->Transaction(TxMode::kImmediate, [&](Tx& tx) {
    return InsertUser(tx, 1, "other@example.ma");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_TRUE(IsUniqueViolation(s));
}

TEST_F(DatabaseTest, OtherConstraintViolationsAreFailedPrecondition) {
  absl::Status not_null = db_->Execute("INSERT INTO users(id) VALUES (1)");
  EXPECT_EQ(not_null.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(IsUniqueViolation(not_null));
  EXPECT_TRUE(IsConstraintViolation(not_null));

  absl::Status check =
      db_->Execute("INSERT INTO users(id, email, age) VALUES (1, 'x', -1)");
  EXPECT_EQ(check.code(), absl::StatusCode::kFailedPrecondition);

  ASSERT_TRUE(db_->Execute("CREATE TABLE posts(id INTEGER PRIMARY KEY,"
                           " user_id INTEGER NOT NULL REFERENCES users(id))")
                  .ok());
  absl::Status fk = db_->Execute("INSERT INTO posts VALUES (1, 42)");
  EXPECT_EQ(fk.code(), absl::StatusCode::kFailedPrecondition) << fk;
  EXPECT_THAT(fk.message(), HasSubstr("FOREIGN KEY"));
}

TEST_F(DatabaseTest, SyntaxErrorIsInternalWithSqliteMessage) {
  absl::Status s = db_->Execute("SELEKT 1");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("syntax error"));
  EXPECT_THAT(s.message(), HasSubstr(dir_.File("test.db")));
}

TEST_F(DatabaseTest, NestedTransactionOnSameDatabaseIsRefused) {
  absl::Status inner;
  absl::Status outer = db_->Transaction(TxMode::kImmediate, [&](Tx&) {
    inner = db_->Transaction(TxMode::kImmediate,
                             [](Tx&) { return absl::OkStatus(); });
    return absl::OkStatus();
  });
  EXPECT_TRUE(outer.ok()) << outer;
  EXPECT_EQ(inner.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(inner.message(), HasSubstr("nested"));
}

TEST_F(DatabaseTest, BusyDatabaseIsUnavailableAfterTheBusyTimeout) {
  auto other = OpenOrDie(
      {.path = dir_.File("test.db"), .busy_timeout = absl::Milliseconds(50)});
  ASSERT_NE(other, nullptr);
  absl::Status blocked;
  const absl::Time start = absl::Now();
  // Hold the write lock on the first connection while the second tries.
  ASSERT_TRUE(db_->Transaction(
                     TxMode::kImmediate,
                     [&](Tx& tx) {
                       RETURN_IF_ERROR(InsertUser(tx, 1, "a@example.ma"));
                       blocked =
                           other->Transaction(TxMode::kImmediate, [&](Tx& tx2) {
                             return InsertUser(tx2, 2, "b@example.ma");
                           });
                       return absl::OkStatus();
                     })
                  .ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(45));
  EXPECT_EQ(blocked.code(), absl::StatusCode::kUnavailable) << blocked;
  EXPECT_THAT(blocked.message(), HasSubstr("database is busy"));
  EXPECT_THAT(blocked.message(), HasSubstr(dir_.File("test.db")));
  EXPECT_TRUE(IsBusy(blocked));
  // Once the lock is released the second connection writes fine.
  EXPECT_TRUE(other
                  ->Transaction(
                      TxMode::kImmediate,
                      [&](Tx& tx) { return InsertUser(tx, 2, "b@example.ma"); })
                  .ok());
  EXPECT_EQ(CountRows(*db_, "users"), 2);
}

TEST_F(DatabaseTest, WriterWaitsForALockReleasedWithinTheBusyTimeout) {
  auto other = OpenOrDie(
      {.path = dir_.File("test.db"), .busy_timeout = absl::Seconds(10)});
  ASSERT_NE(other, nullptr);
  absl::Notification locked;
  std::thread holder([&] {
    absl::Status s = db_->Transaction(TxMode::kImmediate, [&](Tx& tx) {
      RETURN_IF_ERROR(InsertUser(tx, 1, "a@example.ma"));
      locked.Notify();
      absl::SleepFor(absl::Milliseconds(100));
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  locked.WaitForNotification();
  absl::Status s = other->Transaction(TxMode::kImmediate, [&](Tx& tx) {
    return InsertUser(tx, 2, "b@example.ma");
  });
  holder.join();
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(CountRows(*db_, "users"), 2);
}

TEST_F(DatabaseTest, ReadOnlyConnectionReadsWhileAWriterHoldsTheLock) {
  ASSERT_TRUE(
      db_->Execute("INSERT INTO users(id, email) VALUES (1, 'a')").ok());
  auto reader = OpenOrDie({.path = dir_.File("test.db"),
                           .busy_timeout = absl::ZeroDuration(),
                           .read_only = true});
  ASSERT_NE(reader, nullptr);
  std::string seen;
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate,
                               [&](Tx& tx) {
                                 RETURN_IF_ERROR(InsertUser(tx, 2, "b"));
                                 // Snapshot isolation: the reader sees the
                                 // committed row only, without waiting.
                                 seen = QueryText(*reader,
                                                  "SELECT count(*) FROM users");
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_EQ(seen, "1");
  absl::Status write = reader->Execute("DELETE FROM users");
  EXPECT_FALSE(write.ok());
  EXPECT_THAT(write.message(), HasSubstr("readonly"));
}

TEST_F(DatabaseTest, ConcurrentTransactionsOnOneDatabaseSerialize) {
  ASSERT_TRUE(
      db_->Execute("CREATE TABLE counter(n INTEGER); INSERT INTO counter "
                   "VALUES (0)")
          .ok());
  constexpr int kThreads = 4;
  constexpr int kIncrements = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        absl::Status s = db_->Transaction(TxMode::kImmediate, [](Tx& tx) {
          ASSIGN_OR_RETURN(Statement read, tx.Prepare("SELECT n FROM counter"));
          ASSIGN_OR_RETURN(bool row, read.Step());
          if (!row) return absl::InternalError("no row");
          const int64_t n = read.ColumnInt64(0);
          ASSIGN_OR_RETURN(Statement write,
                           tx.Prepare("UPDATE counter SET n = ?"));
          RETURN_IF_ERROR(write.BindInt64(1, n + 1));
          return write.Run();
        });
        EXPECT_TRUE(s.ok()) << s;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(QueryText(*db_, "SELECT n FROM counter"),
            std::to_string(kThreads * kIncrements));
}

TEST_F(DatabaseTest, TxReportsLastInsertRowIdAndChanges) {
  ASSERT_TRUE(db_->Transaction(TxMode::kImmediate,
                               [&](Tx& tx) {
                                 RETURN_IF_ERROR(InsertUser(tx, 7, "a"));
                                 EXPECT_EQ(tx.LastInsertRowId(), 7);
                                 RETURN_IF_ERROR(InsertUser(tx, 8, "b"));
                                 RETURN_IF_ERROR(
                                     tx.Execute("UPDATE users SET age = 1"));
                                 EXPECT_EQ(tx.Changes(), 2);
                                 EXPECT_EQ(tx.mode(), TxMode::kImmediate);
                                 return absl::OkStatus();
                               })
                  .ok());
}

}  // namespace
}  // namespace jit::storage

namespace jit::storage {
namespace {

// The bytes of a file ("" when it does not exist).
std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool FilesHold(const std::string& db_path, const std::string& needle) {
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    if (FileBytes(db_path + suffix).find(needle) != std::string::npos) return true;
  }
  return false;
}

class WalTruncationTest : public DatabaseTest {
 protected:
  void Erase(int64_t id) {
    ASSERT_TRUE(db_->Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
                     ASSIGN_OR_RETURN(Statement st,
                                      tx.Prepare("UPDATE users SET email = 'x' || id "
                                                 "WHERE id = ?1"));
                     RETURN_IF_ERROR(st.BindInt64(1, id));
                     return st.Run();
                   }).ok());
  }
  void Insert(int64_t id, const std::string& email) {
    ASSERT_TRUE(db_->Transaction(TxMode::kImmediate,
                                 [&](Tx& tx) { return InsertUser(tx, id, email); })
                    .ok());
  }
  std::string path() const { return dir_.File("test.db"); }
};

TEST_F(WalTruncationTest, TruncationLeavesNoOldVersionInTheFiles) {
  ASSERT_TRUE(db_->Execute("PRAGMA secure_delete = ON").ok());
  Insert(1, "old-secret-value@mail.ma");
  Erase(1);
  // The old version is still in the WAL (and was never in the main file).
  EXPECT_TRUE(FilesHold(path(), "old-secret-value"));
  EXPECT_GT(FileBytes(path() + "-wal").size(), 0u);

  absl::StatusOr<bool> done = db_->TruncateWal(absl::Seconds(1));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(*done);
  EXPECT_EQ(FileBytes(path() + "-wal").size(), 0u);
  EXPECT_FALSE(FilesHold(path(), "old-secret-value"));
  EXPECT_EQ(QueryText(*db_, "SELECT email FROM users WHERE id = 1"), "x1");
}

TEST_F(WalTruncationTest, WithoutSecureDeleteTheOldBytesStayInTheMainFile) {
  // The control of the test above: secure_delete is what zeroes the freed
  // space; a checkpoint alone moves the old bytes into the main file.
  ASSERT_TRUE(db_->Execute("PRAGMA secure_delete = OFF").ok());
  Insert(1, "old-secret-value@mail.ma");
  ASSERT_TRUE(db_->TruncateWal(absl::Seconds(1)).value_or(false));
  Erase(1);
  ASSERT_TRUE(db_->TruncateWal(absl::Seconds(1)).value_or(false));
  EXPECT_TRUE(FilesHold(path(), "old-secret-value"));
}

TEST_F(WalTruncationTest, AReaderHoldsItBackThenTheNextCommitCompletesIt) {
  ASSERT_TRUE(db_->Execute("PRAGMA secure_delete = ON").ok());
  Insert(1, "old-secret-value@mail.ma");
  Erase(1);
  // Another connection reads from the WAL and keeps its snapshot open.
  std::unique_ptr<Database> reader = OpenOrDie({.path = path(), .read_only = true});
  ASSERT_NE(reader, nullptr);
  absl::Notification reading, release;
  std::thread t([&] {
    absl::Status s = reader->Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
      ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT count(*) FROM users"));
      RETURN_IF_ERROR(st.Step().status());
      reading.Notify();
      release.WaitForNotification();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
  });
  reading.WaitForNotification();

  absl::StatusOr<bool> now = db_->RequestWalTruncation(absl::Milliseconds(50));
  ASSERT_TRUE(now.ok()) << now.status();
  EXPECT_FALSE(*now);
  EXPECT_TRUE(db_->wal_truncation_pending());
  EXPECT_TRUE(FilesHold(path(), "old-secret-value"));
  // A commit while the reader still reads: retried, still held back; the
  // commit itself is not affected.
  Insert(2, "b@mail.ma");
  EXPECT_TRUE(db_->wal_truncation_pending());

  release.Notify();
  t.join();
  reader.reset();
  Insert(3, "c@mail.ma");
  EXPECT_FALSE(db_->wal_truncation_pending());
  EXPECT_EQ(FileBytes(path() + "-wal").size(), 0u);
  EXPECT_FALSE(FilesHold(path(), "old-secret-value"));
  EXPECT_EQ(CountRows(*db_, "users"), 3);
}

TEST_F(WalTruncationTest, InMemoryDatabasesHaveNothingToTruncate) {
  std::unique_ptr<Database> memory = OpenOrDie({.path = ":memory:"});
  ASSERT_NE(memory, nullptr);
  absl::StatusOr<bool> done = memory->RequestWalTruncation(absl::ZeroDuration());
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_TRUE(*done);
  EXPECT_FALSE(memory->wal_truncation_pending());
}

TEST_F(WalTruncationTest, RefusedInsideATransaction) {
  absl::Status s = db_->Transaction(TxMode::kImmediate, [&](Tx&) {
    return db_->TruncateWal(absl::ZeroDuration()).status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace jit::storage
