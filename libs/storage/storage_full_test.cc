// A full disk: writes fail with RESOURCE_EXHAUSTED "storage full, retry
// later" (the path withheld from clients), nothing half-written stays, reads
// go on, and writes resume once space returns. Twice: with SQLite's own
// limit (PRAGMA max_page_count, everywhere) and with a real ENOSPC from a
// 2 MiB tmpfs in a private mount namespace (skipped where the test may not
// mount, e.g. without CAP_SYS_ADMIN).
#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/details.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/errors.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

absl::Status InsertNote(Database& db, int64_t id, int bytes) {
  return db.Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st,
                     tx.Prepare("INSERT INTO notes(id, body) VALUES(?, ?)"));
    RETURN_IF_ERROR(st.BindInt64(1, id));
    RETURN_IF_ERROR(st.BindText(2, std::string(bytes, 'x')));
    return st.Run();
  });
}

absl::StatusOr<int64_t> CountNotes(Database& db) {
  int64_t n = -1;
  RETURN_IF_ERROR(db.Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(Statement st, tx.Prepare("SELECT count(*) FROM notes"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (row) n = st.ColumnInt64(0);
    return absl::OkStatus();
  }));
  return n;
}

// What a client would be shown, and what the server keeps.
void ExpectStorageFull(const absl::Status& s, const std::string& path) {
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_TRUE(IsStorageFull(s)) << s;
  const std::string message(s.message());
  EXPECT_THAT(message, StartsWith("storage full, retry later"));
  EXPECT_THAT(message, HasSubstr(path));  // the server's log keeps it
  const std::string client = status::ClientMessage(s);
  EXPECT_THAT(client, StartsWith("storage full, retry later"));
  EXPECT_THAT(client, Not(HasSubstr(path)));
  EXPECT_THAT(client, Not(HasSubstr(".db")));
}

TEST(StorageFullTest, MaxPageCountReachedIsRetryableAndRecovers) {
  testing::TempDir dir;
  const std::string path = dir.File("full.db");
  auto opened = Database::Open({.path = path});
  ASSERT_TRUE(opened.ok()) << opened.status();
  Database& db = **opened;
  ASSERT_TRUE(db.Execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)")
                  .ok());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(InsertNote(db, i, 100).ok());
  // No page beyond the ones in use: the next write that needs one fails.
  ASSERT_TRUE(db.Execute("PRAGMA max_page_count = 1").ok());

  const absl::Status full = InsertNote(db, 4, 64 * 1024);
  ExpectStorageFull(full, path);
  EXPECT_EQ(SqliteResultCode(full).value_or(0) & 0xff, 13);  // SQLITE_FULL

  // Reads go on; nothing of the failed transaction stays.
  EXPECT_EQ(CountNotes(db).value_or(-1), 3);
  // Space returns: the same write now succeeds.
  ASSERT_TRUE(db.Execute("PRAGMA max_page_count = 1073741823").ok());
  ASSERT_TRUE(InsertNote(db, 4, 64 * 1024).ok());
  EXPECT_EQ(CountNotes(db).value_or(-1), 4);
}

// Mounts a tmpfs of `bytes` at `dir` in a mount namespace of this process's
// own (so nothing is seen outside, and the mount goes with the process).
absl::Status MountSmallTmpfs(const std::string& dir, int64_t bytes) {
  if (unshare(CLONE_NEWNS) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("unshare(CLONE_NEWNS): ", std::strerror(errno)));
  }
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("make / private: ", std::strerror(errno)));
  }
  const std::string options = absl::StrCat("size=", bytes);
  if (mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("mount tmpfs: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

// Writes `path` until the file system has no space left; the bytes written.
int64_t FillUp(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::setvbuf(f, nullptr, _IONBF, 0);
  const std::vector<char> chunk(4096, 'b');
  int64_t written = 0;
  while (true) {
    const size_t n = std::fwrite(chunk.data(), 1, chunk.size(), f);
    written += static_cast<int64_t>(n);
    if (n < chunk.size()) break;
  }
  std::fclose(f);
  return written;
}

TEST(StorageFullTest, RealNoSpaceLeftOnDeviceIsRetryableAndRecovers) {
  testing::TempDir dir;
  const std::string mount_point = dir.File("small");
  std::filesystem::create_directories(mount_point);
  if (absl::Status s = MountSmallTmpfs(mount_point, 2 * 1024 * 1024); !s.ok()) {
    GTEST_SKIP() << "cannot mount a small tmpfs here: " << s;
  }
  const std::string path = mount_point + "/service.db";
  {
    auto opened = Database::Open({.path = path});
    ASSERT_TRUE(opened.ok()) << opened.status();
    Database& db = **opened;
    ASSERT_TRUE(
        db.Execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)").ok());
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(InsertNote(db, i, 100).ok());

    const std::string ballast = mount_point + "/ballast";
    ASSERT_GT(FillUp(ballast), 0);
    // A write larger than anything the WAL holds already needs new space.
    const absl::Status full = InsertNote(db, 4, 256 * 1024);
    ExpectStorageFull(full, path);

    // Reads go on, nothing half-written is visible.
    EXPECT_EQ(CountNotes(db).value_or(-1), 3);

    // Space returns: writes resume on the same connection.
    std::filesystem::remove(ballast);
    const absl::Status resumed = InsertNote(db, 4, 256 * 1024);
    EXPECT_TRUE(resumed.ok()) << resumed;
    EXPECT_EQ(CountNotes(db).value_or(-1), 4);
  }
  EXPECT_EQ(umount(mount_point.c_str()), 0) << std::strerror(errno);
}

}  // namespace
}  // namespace jit::storage
