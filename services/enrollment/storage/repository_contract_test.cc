// Runs the repository contract suite against every EnrollmentRepository of
// the service: SQLite (a temporary file per test) and the domain's in-memory
// fake.
#include "services/enrollment/storage/repository_contract_test.h"

#include "libs/storage/testing/repository_contract.h"
#include "services/enrollment/domain/testing/in_memory_repository.h"
#include "services/enrollment/events/event_mapper.h"
#include "services/enrollment/storage/sqlite_repository.h"

namespace jit::enrollment::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(
    Sqlite, EnrollmentRepositoryContractTest,
    ::testing::Values(
        storage::testing::SqliteFileParam<EnrollmentRepository, EnrollmentStore,
                                          SqliteEnrollmentRepository>(
            "enrollment.db", &ToOutboxMessage)),
    RepositoryContractParamName);

INSTANTIATE_TEST_SUITE_P(
    InMemory, EnrollmentRepositoryContractTest,
    ::testing::Values(storage::testing::InMemoryParam<
                      EnrollmentRepository, InMemoryEnrollmentRepository>()),
    RepositoryContractParamName);

}  // namespace
}  // namespace jit::enrollment::testing
