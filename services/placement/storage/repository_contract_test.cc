// Runs the repository contract suite against every PlacementRepository of
// the service: SQLite (a temporary file per test) and the domain's in-memory
// fake.
#include "services/placement/storage/repository_contract_test.h"

#include <memory>
#include <string>
#include <vector>

#include "libs/clock/clock.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/placement/domain/testing/in_memory_repository.h"
#include "services/placement/storage/sqlite_repository.h"

namespace jit::placement::testing {
namespace {

// A SQLite repository on a file in its own temporary directory.
class TempFileSqliteRepository final : public PlacementRepository {
 public:
  TempFileSqliteRepository() {
    static const FakeClock clock;
    storage::DatabaseOptions options;
    options.path = dir_.File("placement.db");
    auto repo = SqlitePlacementRepository::Open(options, &clock);
    EXPECT_TRUE(repo.ok()) << repo.status();
    if (repo.ok()) repo_ = std::move(*repo);
  }
  absl::Status Write(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) override {
    return repo_->Write(fn);
  }
  absl::Status Read(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) override {
    return repo_->Read(fn);
  }
  SqlitePlacementRepository& inner() { return *repo_; }
  bool ok() const { return repo_ != nullptr; }

 private:
  storage::testing::TempDir dir_;  // outlives the database
  std::unique_ptr<SqlitePlacementRepository> repo_;
};

std::vector<std::string> SqliteOutboxKeys(PlacementRepository& repo) {
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

std::vector<std::string> InMemoryPublishedKeys(PlacementRepository& repo) {
  std::vector<std::string> keys;
  for (const DomainEvent& e :
       static_cast<InMemoryPlacementRepository&>(repo).published()) {
    keys.push_back(e.trainee_id.empty() ? e.aggregate_id : e.trainee_id);
  }
  return keys;
}

PlacementContractParam SqliteParam() {
  PlacementContractParam p;
  p.name = "SqliteFile";
  p.factory = []() -> std::unique_ptr<PlacementRepository> {
    auto repo = std::make_unique<TempFileSqliteRepository>();
    if (!repo->ok()) return nullptr;
    return repo;
  };
  p.published_keys = SqliteOutboxKeys;
  return p;
}

PlacementContractParam InMemoryParam() {
  PlacementContractParam p;
  p.name = "InMemory";
  p.factory = []() -> std::unique_ptr<PlacementRepository> {
    return std::make_unique<InMemoryPlacementRepository>();
  };
  p.published_keys = InMemoryPublishedKeys;
  return p;
}

INSTANTIATE_TEST_SUITE_P(Stores, PlacementRepositoryContractTest,
                         ::testing::Values(SqliteParam(), InMemoryParam()),
                         PlacementContractParamName);

}  // namespace
}  // namespace jit::placement::testing
