// An in-memory PlacementRepository for domain tests.
//
// The whole state lives in ordered maps. Write() runs its callback on a copy
// of the state and swaps the copy in only when the callback returns OK, so a
// failed transaction leaves no trace (rows, stored requests and events are
// all-or-nothing, like the real store). Writes and reads are serialized by
// one mutex; a Read() callback sees a consistent state and cannot mutate it.
// Do not call Read() or Write() from inside a callback (it would deadlock).
//
// Published events are kept in order and exposed by published().
//
// Thread-safe.
#ifndef JIT_SERVICES_PLACEMENT_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_
#define JIT_SERVICES_PLACEMENT_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "services/placement/domain/events.h"
#include "services/placement/domain/repository.h"

namespace jit::placement::testing {

class InMemoryPlacementRepository final : public PlacementRepository {
 public:
  InMemoryPlacementRepository();
  ~InMemoryPlacementRepository() override;

  InMemoryPlacementRepository(const InMemoryPlacementRepository&) = delete;
  InMemoryPlacementRepository& operator=(const InMemoryPlacementRepository&) =
      delete;

  absl::Status Write(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) override;
  absl::Status Read(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) override;

  // Every event of every committed transaction, in commit order.
  std::vector<DomainEvent> published() const;
  // Number of committed write transactions.
  int64_t commit_count() const;

  // Fault injection: the next Write() whose callback succeeds fails with
  // `status` instead of committing (as a failing COMMIT would).
  void FailNextCommit(absl::Status status);

 private:
  struct State;
  class Store;

  mutable absl::Mutex mu_;
  std::unique_ptr<State> state_ ABSL_GUARDED_BY(mu_);
  std::vector<DomainEvent> published_ ABSL_GUARDED_BY(mu_);
  int64_t commit_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_next_commit_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jit::placement::testing

#endif  // JIT_SERVICES_PLACEMENT_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_
