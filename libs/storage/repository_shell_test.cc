#include "libs/storage/repository_shell.h"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage {
namespace {

// The shape of command::StoredRequest / RequestStore, without the domain.
struct Stored {
  using SnapshotType = int;
  std::string request_id = {};
  std::string operation = {};
  int response = 0;
  absl::Time create_time = absl::UnixEpoch();
  std::string actor_id = {};
  std::string fingerprint = {};
  std::optional<absl::Time> erase_time = std::nullopt;
};

class NoteStore {
 public:
  using StoredRequestType = Stored;
  virtual ~NoteStore() = default;
  virtual absl::StatusOr<std::optional<Stored>> FindRequest(
      const std::string& request_id) = 0;
  virtual absl::Status InsertRequest(const Stored& request) = 0;
  virtual absl::StatusOr<int64_t> DeleteRequestsBefore(absl::Time before,
                                                       int64_t limit) = 0;
  // command::ErasableRequestStore's part.
  virtual absl::StatusOr<std::vector<Stored>> FindRequestsMentioning(
      const std::string& text) = 0;
  virtual absl::Status EraseRequest(const std::string& request_id, const int& scrubbed,
                                    absl::Time erase_time) = 0;
  virtual absl::Status AddNote(const std::string& text) = 0;
};

std::string EncodeInt(const int& v) { return absl::StrCat("n=", v); }
absl::StatusOr<int> DecodeInt(const std::string& text) {
  int v = 0;
  if (!absl::StartsWith(text, "n=") || !absl::SimpleAtoi(text.substr(2), &v)) {
    return absl::DataLossError(absl::StrCat("bad number '", text, "'"));
  }
  return v;
}

class SqliteNoteStore final
    : public SqliteErasableRequestStore<NoteStore, &EncodeInt, &DecodeInt> {
 public:
  SqliteNoteStore(Tx& tx, bool writable, const std::string& suffix)
      : SqliteErasableRequestStore(tx, writable), suffix_(suffix) {}
  absl::Status AddNote(const std::string& text) override {
    RETURN_IF_ERROR(CheckWritable("AddNote"));
    ASSIGN_OR_RETURN(Statement st,
                     tx_.Prepare("INSERT INTO notes (text) VALUES (?1)"));
    RETURN_IF_ERROR(st.BindText(1, text + suffix_));
    return MapInsertError(st.Run(), "note", text + suffix_);
  }

 private:
  const std::string& suffix_;
};

std::vector<Migration> Migrations() {
  return {{1, "notes and requests",
           "CREATE TABLE notes (text TEXT PRIMARY KEY);"
           "CREATE TABLE idempotency_requests (request_id TEXT PRIMARY KEY, "
           "operation TEXT NOT NULL, response TEXT NOT NULL, "
           "create_time INTEGER NOT NULL);"},
          IdempotencyCallerMigration(2)};
}

class RepositoryShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenMigrated({.path = dir_.File("n.db")}, Migrations(),
                           {"PRAGMA secure_delete = ON"});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  absl::Status Write(absl::FunctionRef<absl::Status(NoteStore&)> fn) {
    return WriteWith<SqliteNoteStore>(*db_, fn, suffix_);
  }
  absl::Status Read(absl::FunctionRef<absl::Status(NoteStore&)> fn) {
    return ReadWith<SqliteNoteStore>(*db_, fn, suffix_);
  }
  int64_t Count(const std::string& table) {
    int64_t n = -1;
    EXPECT_TRUE(
        db_->Transaction(TxMode::kDeferred,
                         [&](Tx& tx) -> absl::Status {
                           ASSIGN_OR_RETURN(
                               Statement st,
                               tx.Prepare("SELECT count(*) FROM " + table));
                           ASSIGN_OR_RETURN(n, SingleInt64(st, "count"));
                           return absl::OkStatus();
                         })
            .ok());
    return n;
  }

  testing::TempDir dir_;
  const std::string suffix_ = "!";
  std::unique_ptr<Database> db_;
};

TEST_F(RepositoryShellTest, OpensMigratedAndRunsTheSetupOnWritableConnections) {
  EXPECT_EQ(*db_->SchemaVersion(), 2);
  int64_t secure_delete = -1;
  ASSERT_TRUE(db_->Transaction(TxMode::kDeferred,
                               [&](Tx& tx) -> absl::Status {
                                 ASSIGN_OR_RETURN(
                                     Statement st,
                                     tx.Prepare("PRAGMA secure_delete"));
                                 ASSIGN_OR_RETURN(secure_delete,
                                                  SingleInt64(st, "pragma"));
                                 return absl::OkStatus();
                               })
                  .ok());
  EXPECT_EQ(secure_delete, 1);
  // A read-only connection skips the setup (a PRAGMA that writes would fail)
  // and still checks the schema.
  auto reader = OpenMigrated({.path = dir_.File("n.db"), .read_only = true},
                             Migrations(), {"CREATE TABLE nope (x)"});
  ASSERT_TRUE(reader.ok()) << reader.status();
  // A setup statement that fails stops the open.
  auto broken =
      OpenMigrated({.path = dir_.File("m.db")}, Migrations(), {"NOT SQL"});
  EXPECT_FALSE(broken.ok());
  // A newer file is refused.
  std::vector<Migration> older = Migrations();
  older.pop_back();
  auto old_binary = OpenMigrated({.path = dir_.File("n.db")}, older);
  EXPECT_EQ(old_binary.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(RepositoryShellTest, WriteCommitsOrRollsBackAndReadRefusesMutations) {
  ASSERT_TRUE(Write([](NoteStore& s) { return s.AddNote("a"); }).ok());
  const absl::Status rolled_back = Write([](NoteStore& s) -> absl::Status {
    RETURN_IF_ERROR(s.AddNote("b"));
    return absl::AbortedError("changed my mind");
  });
  EXPECT_EQ(rolled_back.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Count("notes"), 1);
  const absl::Status dup = Write([](NoteStore& s) { return s.AddNote("a"); });
  EXPECT_EQ(dup.message(), "note 'a!' already exists");

  const absl::Status read_only =
      Read([](NoteStore& s) { return s.AddNote("c"); });
  EXPECT_EQ(read_only.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(read_only.message(),
            "AddNote: the store is read-only inside a read transaction");
  EXPECT_EQ(
      Read([](NoteStore& s) { return s.InsertRequest(Stored{}); }).message(),
      "InsertRequest: the store is read-only inside a read transaction");
  EXPECT_EQ(Read([](NoteStore& s) {
              return s.DeleteRequestsBefore(absl::Now(), 10).status();
            }).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RepositoryShellTest, StoresRequestsThroughTheCodec) {
  const Stored r{.request_id = "req-1",
                 .operation = "AddNote",
                 .response = 42,
                 .create_time = absl::FromUnixMicros(1'000),
                 .actor_id = "actor",
                 .fingerprint = "digest"};
  ASSERT_TRUE(Write([&](NoteStore& s) { return s.InsertRequest(r); }).ok());
  EXPECT_EQ(Write([&](NoteStore& s) { return s.InsertRequest(r); }).code(),
            absl::StatusCode::kAlreadyExists);
  std::optional<Stored> found;
  std::optional<Stored> missing;
  ASSERT_TRUE(Read([&](NoteStore& s) -> absl::Status {
                ASSIGN_OR_RETURN(found, s.FindRequest("req-1"));
                ASSIGN_OR_RETURN(missing, s.FindRequest("req-2"));
                return absl::OkStatus();
              }).ok());
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->request_id, "req-1");
  EXPECT_EQ(found->operation, "AddNote");
  EXPECT_EQ(found->response, 42);
  EXPECT_EQ(found->create_time, absl::FromUnixMicros(1'000));
  EXPECT_EQ(found->actor_id, "actor");
  EXPECT_EQ(found->fingerprint, "digest");
  EXPECT_FALSE(missing.has_value());

  // A stored text the codec cannot read is DATA_LOSS, naming the request.
  ASSERT_TRUE(
      db_->Execute("UPDATE idempotency_requests SET response = 'x'").ok());
  const absl::Status lost =
      Read([&](NoteStore& s) { return s.FindRequest("req-1").status(); });
  EXPECT_EQ(lost.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(lost.message(), "stored request 'req-1': bad number 'x'");

  absl::StatusOr<int64_t> deleted;
  ASSERT_TRUE(Write([&](NoteStore& s) -> absl::Status {
                deleted =
                    s.DeleteRequestsBefore(absl::FromUnixMicros(2'000), 10);
                return deleted.status();
              }).ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(Count("idempotency_requests"), 0);
}

TEST_F(RepositoryShellTest, ErasedRequestsKeepTheirScrubbedAnswerOnly) {
  for (const auto& [id, n] : std::vector<std::pair<std::string, int>>{
           {"req-1", 4242}, {"req-2", 7}, {"req-3", 14242}}) {
    ASSERT_TRUE(Write([&](NoteStore& s) {
                  return s.InsertRequest({.request_id = id,
                                          .operation = "AddNote",
                                          .response = n,
                                          .create_time = absl::FromUnixMicros(1'000),
                                          .actor_id = "actor",
                                          .fingerprint = "digest-" + id});
                }).ok());
  }
  std::vector<Stored> mentioning;
  ASSERT_TRUE(Read([&](NoteStore& s) -> absl::Status {
                ASSIGN_OR_RETURN(mentioning, s.FindRequestsMentioning("4242"));
                return absl::OkStatus();
              }).ok());
  ASSERT_EQ(mentioning.size(), 2u);
  EXPECT_EQ(mentioning[0].request_id, "req-1");
  EXPECT_EQ(mentioning[0].response, 4242);
  EXPECT_EQ(mentioning[1].request_id, "req-3");

  const absl::Time erased_at = absl::FromUnixMicros(5'000'123);
  ASSERT_TRUE(
      Write([&](NoteStore& s) { return s.EraseRequest("req-1", 99, erased_at); }).ok());
  EXPECT_EQ(Write([&](NoteStore& s) { return s.EraseRequest("nope", 99, erased_at); })
                .message(),
            "request 'nope' not found");
  EXPECT_EQ(Read([&](NoteStore& s) { return s.EraseRequest("req-2", 99, erased_at); })
                .code(),
            absl::StatusCode::kFailedPrecondition);

  std::optional<Stored> tombstone;
  ASSERT_TRUE(Read([&](NoteStore& s) -> absl::Status {
                ASSIGN_OR_RETURN(tombstone, s.FindRequest("req-1"));
                ASSIGN_OR_RETURN(mentioning, s.FindRequestsMentioning("4242"));
                return absl::OkStatus();
              }).ok());
  ASSERT_TRUE(tombstone.has_value());
  EXPECT_EQ(tombstone->erase_time, erased_at);
  EXPECT_EQ(tombstone->response, 99);
  EXPECT_EQ(tombstone->fingerprint, "");
  EXPECT_EQ(tombstone->operation, "AddNote");
  EXPECT_EQ(tombstone->actor_id, "actor");
  EXPECT_EQ(tombstone->create_time, absl::FromUnixMicros(1'000));
  ASSERT_EQ(mentioning.size(), 1u);
  EXPECT_EQ(mentioning[0].request_id, "req-3");

  // Neither the answer nor the digest is left in the files once the WAL is
  // truncated (secure_delete is on).
  ASSERT_TRUE(db_->TruncateWal(absl::Seconds(1)).value_or(false));
  for (const std::string suffix : {"", "-wal"}) {
    std::ifstream in(dir_.File("n.db") + suffix, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("digest-req-1"), std::string::npos) << suffix;
    EXPECT_EQ(bytes.find("n=4242"), std::string::npos) << suffix;
    if (suffix.empty()) {
      EXPECT_NE(bytes.find("n=14242"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace jit::storage
