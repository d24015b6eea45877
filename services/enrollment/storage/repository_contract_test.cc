// Runs the repository contract suite against every EnrollmentRepository of
// the service: SQLite (a temporary file per test) and, when built, the
// domain's in-memory fake.
#include "services/enrollment/storage/repository_contract_test.h"

#include <memory>
#include <string>
#include <vector>

#include "libs/clock/clock.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/enrollment/storage/sqlite_repository.h"
#if JIT_HAVE_IN_MEMORY_ENROLLMENT_REPOSITORY
#include "services/enrollment/domain/testing/in_memory_repository.h"
#endif

namespace jit::enrollment::testing {
namespace {

// A SQLite repository on a file in its own temporary directory, removed
// with it.
class TempFileSqliteRepository final : public EnrollmentRepository {
 public:
  TempFileSqliteRepository() {
    static const FakeClock clock;
    auto repo = SqliteEnrollmentRepository::Open(
        {.path = dir_.File("enrollment.db")}, &clock);
    EXPECT_TRUE(repo.ok()) << repo.status();
    if (repo.ok()) repo_ = std::move(*repo);
  }
  absl::Status Write(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) override {
    return repo_->Write(fn);
  }
  absl::Status Read(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) override {
    return repo_->Read(fn);
  }
  void FlushErasure() override { repo_->FlushErasure(); }
  SqliteEnrollmentRepository& inner() { return *repo_; }
  bool ok() const { return repo_ != nullptr; }

 private:
  storage::testing::TempDir dir_;  // outlives the database
  std::unique_ptr<SqliteEnrollmentRepository> repo_;
};

// Keys of the committed outbox rows, in commit order.
std::vector<std::string> SqliteOutboxKeys(EnrollmentRepository& repo) {
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

INSTANTIATE_TEST_SUITE_P(
    Sqlite, EnrollmentRepositoryContractTest,
    ::testing::Values(RepositoryContractParam{
        .name = "SqliteFile",
        .factory = []() -> std::unique_ptr<EnrollmentRepository> {
          auto repo = std::make_unique<TempFileSqliteRepository>();
          if (!repo->ok()) return nullptr;
          return repo;
        },
        .published_keys = SqliteOutboxKeys}),
    RepositoryContractParamName);

#if JIT_HAVE_IN_MEMORY_ENROLLMENT_REPOSITORY
std::vector<std::string> InMemoryPublishedKeys(EnrollmentRepository& repo) {
  std::vector<std::string> keys;
  for (const DomainEvent& e :
       static_cast<InMemoryEnrollmentRepository&>(repo).published()) {
    keys.push_back(e.trainee_id.empty() ? e.aggregate_id : e.trainee_id);
  }
  return keys;
}

INSTANTIATE_TEST_SUITE_P(
    InMemory, EnrollmentRepositoryContractTest,
    ::testing::Values(RepositoryContractParam{
        .name = "InMemory",
        .factory = []() -> std::unique_ptr<EnrollmentRepository> {
          return std::make_unique<InMemoryEnrollmentRepository>();
        },
        .published_keys = InMemoryPublishedKeys}),
    RepositoryContractParamName);
#endif

}  // namespace
}  // namespace jit::enrollment::testing
