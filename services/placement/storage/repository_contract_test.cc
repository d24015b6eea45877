// Runs the repository contract suite against every PlacementRepository of
// the service: SQLite (a temporary file per test) and the domain's in-memory
// fake.
#include "services/placement/storage/repository_contract_test.h"

#include "libs/storage/testing/repository_contract.h"
#include "services/placement/domain/testing/in_memory_repository.h"
#include "services/placement/events/event_mapper.h"
#include "services/placement/storage/sqlite_repository.h"

namespace jit::placement::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Stores, PlacementRepositoryContractTest,
    ::testing::Values(
        storage::testing::SqliteFileParam<PlacementRepository, PlacementStore,
                                          SqlitePlacementRepository>(
            "placement.db", &ToOutboxMessage),
        storage::testing::InMemoryParam<PlacementRepository,
                                        InMemoryPlacementRepository>()),
    PlacementContractParamName);

}  // namespace
}  // namespace jit::placement::testing
