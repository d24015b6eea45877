// Runs the repository contract suite against every ProgressRepository of
// the service: SQLite (a temporary file per test) and the domain's
// in-memory fake.
#include "services/training-progress/storage/repository_contract_test.h"

#include "libs/storage/testing/repository_contract.h"
#include "services/training-progress/domain/testing/in_memory_repository.h"
#include "services/training-progress/events/event_mapper.h"
#include "services/training-progress/storage/sqlite_repository.h"

namespace jit::progress::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Stores, ProgressRepositoryContractTest,
    ::testing::Values(
        storage::testing::SqliteFileParam<ProgressRepository, ProgressStore,
                                          SqliteProgressRepository>(
            "progress.db", &ToOutboxMessage),
        storage::testing::InMemoryParam<ProgressRepository,
                                        InMemoryProgressRepository>()),
    ProgressContractParamName);

}  // namespace
}  // namespace jit::progress::testing
