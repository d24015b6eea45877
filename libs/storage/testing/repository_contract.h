// The generic part of a service's repository contract suite: the suite's
// parameter (one per implementation under test) and the two implementations
// every write service runs it on, a SQLite repository on a file in its own
// temporary directory and the domain's in-memory fake.
//
//   using EnrollmentContractParam =
//   storage::testing::ContractParam<EnrollmentRepository>;
//   INSTANTIATE_TEST_SUITE_P(
//       Stores, EnrollmentRepositoryContractTest,
//       ::testing::Values(
//           storage::testing::SqliteFileParam<EnrollmentRepository,
//           EnrollmentStore,
//                                             SqliteEnrollmentRepository>(
//               "enrollment.db", &ToOutboxMessage),
//           storage::testing::InMemoryParam<EnrollmentRepository,
//                                           InMemoryEnrollmentRepository>()),
//       storage::testing::ContractParamName<EnrollmentRepository>);
//
// `Sqlite` has Open(DatabaseOptions, const Clock*, encoder) and database();
// `InMemory` has published() (the DomainEvents of committed transactions, with
// trainee_id and, where events are not all about trainees, aggregate_id).
#ifndef JIT_LIBS_STORAGE_TESTING_REPOSITORY_CONTRACT_H_
#define JIT_LIBS_STORAGE_TESTING_REPOSITORY_CONTRACT_H_

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/storage/database.h"
#include "libs/storage/statement.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::storage::testing {

template <typename Repository>
struct ContractParam {
  std::string name;
  // A fresh, empty repository (null when it cannot be made: the test fails).
  std::function<std::unique_ptr<Repository>()> factory;
  // The Kafka keys (trainee id, else aggregate id) of the events of every
  // committed transaction, in publication order.
  std::function<std::vector<std::string>(Repository&)> published_keys;
};

template <typename Repository>
void PrintTo(const ContractParam<Repository>& param, std::ostream* os) {
  *os << param.name;
}

template <typename Repository>
std::string ContractParamName(
    const ::testing::TestParamInfo<ContractParam<Repository>>& info) {
  return info.param.name;
}

// The keys of the outbox rows committed in `db`, in commit order.
inline std::vector<std::string> OutboxKeys(Database& db) {
  std::vector<std::string> keys;
  absl::Status s = db.Transaction(TxMode::kDeferred, [&](Tx& tx) {
    auto st = tx.Prepare("SELECT key FROM outbox ORDER BY id");
    if (!st.ok()) return st.status();
    while (true) {
      auto row = st->Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
      keys.push_back(st->ColumnText(0));
    }
  });
  EXPECT_TRUE(s.ok()) << s;
  return keys;
}

// A `Sqlite` repository on `file` in its own temporary directory (removed
// with it), seen through its interface `Repository` (Write/Read over `Store`).
template <typename Repository, typename Store, typename Sqlite>
class TempFileRepository final : public Repository {
 public:
  template <typename Encoder>
  TempFileRepository(const std::string& file, Encoder encoder) {
    static const FakeClock clock;
    DatabaseOptions options;
    options.path = dir_.File(file);
    auto repo = Sqlite::Open(options, &clock, std::move(encoder));
    EXPECT_TRUE(repo.ok()) << repo.status();
    if (repo.ok()) repo_ = std::move(*repo);
  }
  absl::Status Write(absl::FunctionRef<absl::Status(Store&)> fn) override {
    return repo_->Write(fn);
  }
  absl::Status Read(absl::FunctionRef<absl::Status(Store&)> fn) override {
    return repo_->Read(fn);
  }
  Sqlite& inner() { return *repo_; }
  bool ok() const { return repo_ != nullptr; }

 private:
  TempDir dir_;  // outlives the database
  std::unique_ptr<Sqlite> repo_;
};

// The SQLite implementation, named "SqliteFile".
template <typename Repository, typename Store, typename Sqlite,
          typename Encoder>
ContractParam<Repository> SqliteFileParam(std::string file, Encoder encoder) {
  using Temp = TempFileRepository<Repository, Store, Sqlite>;
  ContractParam<Repository> p;
  p.name = "SqliteFile";
  p.factory = [file = std::move(file),
               encoder]() -> std::unique_ptr<Repository> {
    auto repo = std::make_unique<Temp>(file, encoder);
    if (!repo->ok()) return nullptr;
    return repo;
  };
  p.published_keys = [](Repository& repo) {
    return OutboxKeys(*static_cast<Temp&>(repo).inner().database());
  };
  return p;
}

// The domain's in-memory fake, named "InMemory".
template <typename Repository, typename InMemory>
ContractParam<Repository> InMemoryParam() {
  ContractParam<Repository> p;
  p.name = "InMemory";
  p.factory = []() -> std::unique_ptr<Repository> {
    return std::make_unique<InMemory>();
  };
  p.published_keys = [](Repository& repo) {
    std::vector<std::string> keys;
    for (const auto& e : static_cast<InMemory&>(repo).published()) {
      if constexpr (requires { e.aggregate_id; }) {
        keys.push_back(e.trainee_id.empty() ? e.aggregate_id : e.trainee_id);
      } else {  // every event of the service is about a trainee
        keys.push_back(e.trainee_id);
      }
    }
    return keys;
  };
  return p;
}

}  // namespace jit::storage::testing

#endif  // JIT_LIBS_STORAGE_TESTING_REPOSITORY_CONTRACT_H_
