// An in-memory ProgressRepository for domain tests.
//
// The whole state lives in ordered maps. Write() runs its callback on a copy
// of the state and swaps the copy in only when the callback returns OK, so a
// failed transaction leaves no trace (rows, stored requests and events are
// all-or-nothing, like the real store). Writes and reads are serialized by
// one mutex; a Read() callback sees a consistent state and cannot mutate it.
// Do not call Read() or Write() from inside a callback (it would deadlock).
//
// Published events are kept in commit order and exposed by published().
//
// Thread-safe.
#ifndef JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_
#define JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "libs/command/testing/in_memory.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/repository.h"

namespace jit::progress::testing {

// The whole state of the fake (defined in the .cc).
struct InMemoryProgressState;

// published(), commit_count(), mutation_count() (Insert*, Update*, Next*,
// Publish calls) and FailNextCommit(status) come from InMemoryTransactions.
class InMemoryProgressRepository final
    : public ProgressRepository,
      public command::testing::InMemoryTransactions<InMemoryProgressState,
                                                    DomainEvent> {
 public:
  InMemoryProgressRepository();
  ~InMemoryProgressRepository() override;

  absl::Status Write(
      absl::FunctionRef<absl::Status(ProgressStore&)> fn) override;
  absl::Status Read(
      absl::FunctionRef<absl::Status(ProgressStore&)> fn) override;

 private:
  class Store;
};

}  // namespace jit::progress::testing

#endif  // JIT_SERVICES_TRAINING_PROGRESS_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_
