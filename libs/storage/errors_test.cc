#include "libs/storage/errors.h"

#include <sqlite3.h>

#include <cerrno>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/details.h"

namespace jit::storage {
namespace {

using ::testing::HasSubstr;

TEST(SqliteErrorToStatusTest, SuccessCodesAreOk) {
  EXPECT_TRUE(SqliteErrorToStatus(SQLITE_OK, "p", "w", "m").ok());
  EXPECT_TRUE(SqliteErrorToStatus(SQLITE_ROW, "p", "w", "m").ok());
  EXPECT_TRUE(SqliteErrorToStatus(SQLITE_DONE, "p", "w", "m").ok());
}

TEST(SqliteErrorToStatusTest, BusyAndLockedAreUnavailableNamingTheDatabase) {
  for (int code : {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT,
                   SQLITE_LOCKED_SHAREDCACHE}) {
    absl::Status s =
        SqliteErrorToStatus(code, "/data/x.db", "COMMIT", "database is locked");
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << code;
    EXPECT_THAT(s.message(), HasSubstr("database is busy: /data/x.db"));
    EXPECT_TRUE(IsBusy(s));
    EXPECT_EQ(SqliteResultCode(s), code);
  }
}

TEST(SqliteErrorToStatusTest, UniqueAndPrimaryKeyAreAlreadyExists) {
  for (int code : {SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY,
                   SQLITE_CONSTRAINT_ROWID}) {
    absl::Status s = SqliteErrorToStatus(code, "p", "INSERT", "m");
    EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
    EXPECT_TRUE(IsUniqueViolation(s));
    EXPECT_TRUE(IsConstraintViolation(s));
  }
}

TEST(SqliteErrorToStatusTest, OtherConstraintsAreFailedPrecondition) {
  for (int code : {SQLITE_CONSTRAINT_NOTNULL, SQLITE_CONSTRAINT_CHECK,
                   SQLITE_CONSTRAINT_FOREIGNKEY, SQLITE_CONSTRAINT}) {
    absl::Status s = SqliteErrorToStatus(code, "p", "INSERT", "m");
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_FALSE(IsUniqueViolation(s));
    EXPECT_TRUE(IsConstraintViolation(s));
  }
}

TEST(SqliteErrorToStatusTest, EverythingElseIsInternalWithTheMessage) {
  absl::Status s = SqliteErrorToStatus(SQLITE_IOERR_FSYNC, "/d.db", "COMMIT",
                                       "disk I/O error");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("/d.db: COMMIT: disk I/O error"));
  EXPECT_FALSE(IsBusy(s));
}

TEST(SqliteErrorToStatusTest, FullDiskIsResourceExhaustedWithoutThePath) {
  struct Case {
    int code;
    int system_errno;
  };
  for (const Case c : {Case{SQLITE_FULL, 0}, Case{SQLITE_IOERR_WRITE, ENOSPC},
                       Case{SQLITE_IOERR_FSYNC, ENOSPC},
                       Case{SQLITE_IOERR_TRUNCATE, EDQUOT},
                       Case{SQLITE_IOERR_SHMSIZE, ENOSPC}}) {
    absl::Status s = SqliteErrorToStatus(c.code, "/data/x.db", "COMMIT",
                                         "database or disk is full",
                                         c.system_errno);
    EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << c.code;
    EXPECT_TRUE(IsStorageFull(s));
    EXPECT_FALSE(IsBusy(s));
    EXPECT_EQ(SqliteResultCode(s), c.code);
    EXPECT_THAT(s.message(), HasSubstr("storage full, retry later"));
    EXPECT_EQ(status::ClientMessage(s),
              "storage full, retry later: [withheld]: COMMIT: database or "
              "disk is full");
  }
  // An I/O error for another reason is not a full disk.
  absl::Status eio = SqliteErrorToStatus(SQLITE_IOERR_FSYNC, "/d.db", "COMMIT",
                                         "disk I/O error", EIO);
  EXPECT_EQ(eio.code(), absl::StatusCode::kInternal);
  EXPECT_FALSE(IsStorageFull(eio));
  EXPECT_FALSE(IsStorageFull(absl::ResourceExhaustedError("quota")));
}

TEST(SqliteErrorToStatusTest, EveryErrorWithholdsThePathFromClients) {
  for (int code : {SQLITE_BUSY, SQLITE_CONSTRAINT_UNIQUE,
                   SQLITE_CONSTRAINT_CHECK, SQLITE_IOERR_FSYNC, SQLITE_CORRUPT,
                   SQLITE_FULL}) {
    absl::Status s =
        SqliteErrorToStatus(code, "/var/lib/jit/enrollment.db", "COMMIT", "m");
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("/var/lib/jit/enrollment.db"))
        << code;
    EXPECT_THAT(status::ClientMessage(s),
                ::testing::Not(HasSubstr("/var/lib/jit")))
        << code;
  }
}

TEST(IsUniqueViolationTest, DomainAlreadyExistsWithoutSqliteCodeIsNotOne) {
  EXPECT_FALSE(IsUniqueViolation(absl::AlreadyExistsError("dup request")));
  EXPECT_FALSE(IsUniqueViolation(absl::OkStatus()));
  EXPECT_FALSE(IsBusy(absl::UnavailableError("peer down")));
  EXPECT_EQ(SqliteResultCode(absl::InternalError("x")), std::nullopt);
}

}  // namespace
}  // namespace jit::storage
