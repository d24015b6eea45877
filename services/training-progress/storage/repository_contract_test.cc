// Runs the repository contract suite against every ProgressRepository of
// the service: SQLite (a temporary file per test) and the domain's
// in-memory fake.
#include "services/training-progress/storage/repository_contract_test.h"

#include <memory>
#include <string>
#include <vector>

#include "libs/clock/clock.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/training-progress/domain/testing/in_memory_repository.h"
#include "services/training-progress/storage/sqlite_repository.h"

namespace jit::progress::testing {
namespace {

// A SQLite repository on a file in its own temporary directory, removed
// with it.
class TempFileSqliteRepository final : public ProgressRepository {
 public:
  TempFileSqliteRepository() {
    static const FakeClock clock;
    auto repo = SqliteProgressRepository::Open(
        {.path = dir_.File("progress.db")}, &clock);
    EXPECT_TRUE(repo.ok()) << repo.status();
    if (repo.ok()) repo_ = std::move(*repo);
  }
  absl::Status Write(
      absl::FunctionRef<absl::Status(ProgressStore&)> fn) override {
    return repo_->Write(fn);
  }
  absl::Status Read(
      absl::FunctionRef<absl::Status(ProgressStore&)> fn) override {
    return repo_->Read(fn);
  }
  SqliteProgressRepository& inner() { return *repo_; }
  bool ok() const { return repo_ != nullptr; }

 private:
  storage::testing::TempDir dir_;  // outlives the database
  std::unique_ptr<SqliteProgressRepository> repo_;
};

// Keys of the committed outbox rows, in commit order.
std::vector<std::string> SqliteOutboxKeys(ProgressRepository& repo) {
  std::vector<std::string> keys;
  absl::Status s =
      static_cast<TempFileSqliteRepository&>(repo)
          .inner()
          .database()
          ->Transaction(storage::TxMode::kDeferred,
                        [&](storage::Tx& tx) -> absl::Status {
                          ASSIGN_OR_RETURN(
                              storage::Statement st,
                              tx.Prepare("SELECT key FROM outbox ORDER BY id"));
                          while (true) {
                            ASSIGN_OR_RETURN(bool row, st.Step());
                            if (!row) return absl::OkStatus();
                            keys.push_back(st.ColumnText(0));
                          }
                        });
  EXPECT_TRUE(s.ok()) << s;
  return keys;
}

std::vector<std::string> InMemoryPublishedKeys(ProgressRepository& repo) {
  std::vector<std::string> keys;
  for (const DomainEvent& e :
       static_cast<InMemoryProgressRepository&>(repo).published()) {
    keys.push_back(e.trainee_id);
  }
  return keys;
}

INSTANTIATE_TEST_SUITE_P(
    Stores, ProgressRepositoryContractTest,
    ::testing::Values(
        ProgressContractParam{
            .name = "SqliteFile",
            .factory = []() -> std::unique_ptr<ProgressRepository> {
              auto repo = std::make_unique<TempFileSqliteRepository>();
              if (!repo->ok()) return nullptr;
              return repo;
            },
            .published_keys = SqliteOutboxKeys},
        ProgressContractParam{
            .name = "InMemory",
            .factory = []() -> std::unique_ptr<ProgressRepository> {
              return std::make_unique<InMemoryProgressRepository>();
            },
            .published_keys = InMemoryPublishedKeys}),
    ProgressContractParamName);

}  // namespace
}  // namespace jit::progress::testing
