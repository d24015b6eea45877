// An in-memory EnrollmentRepository for domain tests.
//
// The whole state lives in ordered maps. Write() runs its callback on a copy
// of the state and swaps the copy in only when the callback returns OK, so a
// failed transaction leaves no trace (rows, stored requests and events are
// all-or-nothing, like the real store). Writes and reads are serialized by
// one mutex; a Read() callback sees a consistent state and cannot mutate it.
// Do not call Read() or Write() from inside a callback (it would deadlock).
//
// Seeded like the real schema: the default programme (JobInTech, 15,000) and
// the three launch tracks. Published events are kept in order and exposed
// by published().
//
// Thread-safe.
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "libs/command/testing/in_memory.h"
#include "services/enrollment/domain/events.h"
#include "services/enrollment/domain/repository.h"

namespace jit::enrollment::testing {

// The whole state of the fake (defined in the .cc).
struct InMemoryEnrollmentState;

// published(), commit_count(), mutation_count() (Insert*, Update*, Next*,
// Publish calls) and FailNextCommit(status) come from InMemoryTransactions.
class InMemoryEnrollmentRepository final
    : public EnrollmentRepository,
      public command::testing::InMemoryTransactions<InMemoryEnrollmentState,
                                                    DomainEvent> {
 public:
  InMemoryEnrollmentRepository();
  ~InMemoryEnrollmentRepository() override;

  absl::Status Write(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) override;
  absl::Status Read(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) override;
  // Counts the calls (flush_erasure_count()).
  void FlushErasure() override;

  int64_t flush_erasure_count() const { return flush_erasure_count_.load(); }
  // The trainees whose event notes the domain asked to erase, in order.
  std::vector<std::string> EventNotesErased();

 private:
  class Store;
  std::atomic<int64_t> flush_erasure_count_{0};
};

}  // namespace jit::enrollment::testing

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_TESTING_IN_MEMORY_REPOSITORY_H_
