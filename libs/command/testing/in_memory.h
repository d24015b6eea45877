// Building blocks of the services' in-memory repository fakes (the fakes of
// the repository contract suites, used by the domain tests):
//
// - InMemoryRequests<Snapshot>: the idempotency table (FindRequest,
//   InsertRequest, DeleteRequestsBefore of RequestStore) as a value that
//   lives in the fake's state.
// - InMemoryStore<StoreInterface, State, Event>: the base of a fake's
//   transaction-scoped store. It implements the RequestStore part and
//   Publish(const Event&) of `StoreInterface` over `State::requests` and the
//   transaction's outbox, refuses mutations in read transactions and counts
//   them in write transactions.
// - InMemoryTransactions<State, Event>: the fake repository's transactions.
//   A write runs on a copy of the whole state that is swapped in only when
//   the callback returns OK (rows, stored requests and events are
//   all-or-nothing, like the real stores); a read sees a consistent state
//   and cannot change it. One mutex serializes both: do not call Read or
//   Write from inside a callback (it would deadlock). Committed events are
//   kept in commit order. Thread-safe.
// - Paged(rows, page, keep[, get]): keyset paging over an ordered map, as
//   the SQLite stores page.
#ifndef JIT_LIBS_COMMAND_TESTING_IN_MEMORY_H_
#define JIT_LIBS_COMMAND_TESTING_IN_MEMORY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/command/paging.h"
#include "libs/command/request.h"
#include "libs/status/status_macros.h"
#include "libs/storage/testing/expiry.h"

namespace jit::command::testing {

template <typename Snapshot>
class InMemoryRequests {
 public:
  using Stored = StoredRequest<Snapshot>;

  std::optional<Stored> Find(const std::string& request_id) const {
    auto it = requests_.find(request_id);
    if (it == requests_.end()) return std::nullopt;
    return it->second;
  }
  // ALREADY_EXISTS "request '<id>' already exists" when the id is taken.
  absl::Status Insert(const Stored& request) {
    if (!requests_.emplace(request.request_id, request).second) {
      return absl::AlreadyExistsError(
          absl::StrCat("request '", request.request_id, "' already exists"));
    }
    return absl::OkStatus();
  }
  // Deletes up to `limit` requests created before `before`, oldest first;
  // returns how many.
  int64_t DeleteBefore(absl::Time before, int64_t limit) {
    return storage::testing::EraseOldestBefore(requests_, before, limit);
  }
  // Every stored request that is not a tombstone, by request id.
  std::vector<Stored> Live() const {
    std::vector<Stored> out;
    for (const auto& [id, stored] : requests_) {
      if (!stored.erase_time.has_value()) out.push_back(stored);
    }
    return out;
  }
  // Marks the request erased (ErasableRequestStore::EraseRequest); NOT_FOUND
  // "request '<id>' not found" when absent.
  absl::Status Erase(const std::string& request_id, const Snapshot& scrubbed,
                     absl::Time erase_time) {
    auto it = requests_.find(request_id);
    if (it == requests_.end()) {
      return absl::NotFoundError(
          absl::StrCat("request '", request_id, "' not found"));
    }
    it->second.response = scrubbed;
    it->second.fingerprint.clear();
    it->second.erase_time = erase_time;
    return absl::OkStatus();
  }
  size_t size() const { return requests_.size(); }
  // Every stored request, by id (a fake's superset of "those containing").
  std::vector<Stored> All() const {
    std::vector<Stored> out;
    for (const auto& [id, r] : requests_) out.push_back(r);
    return out;
  }
  // NOT_FOUND when the id is not stored.
  absl::Status ReplaceResponse(const std::string& request_id,
                               const Snapshot& response) {
    auto it = requests_.find(request_id);
    if (it == requests_.end()) {
      return absl::NotFoundError(
          absl::StrCat("request '", request_id, "' is not stored"));
    }
    it->second.response = response;
    return absl::OkStatus();
  }

 private:
  std::map<std::string, Stored> requests_;
};

// FAILED_PRECONDITION: what a fake's store answers to a mutation inside a
// read transaction.
inline absl::Status ReadOnlyError() {
  return absl::FailedPreconditionError(
      "the store is read-only inside a read transaction");
}

// `State` has a member `requests` of type InMemoryRequests<Snapshot>, where
// `StoreInterface` derives from RequestStore<Snapshot> and declares
// `absl::Status Publish(const Event&)`. The derived store reads and writes
// `state_`, and calls Mutation() before every change.
template <typename StoreInterface, typename State, typename Event>
class InMemoryStore : public StoreInterface {
 public:
  using Stored = typename StoreInterface::StoredRequestType;

  InMemoryStore(State* state, bool writable, std::vector<Event>* outbox)
      : state_(state), writable_(writable), outbox_(outbox) {}

  // Mutating calls made through this store.
  int64_t mutations() const { return mutations_; }

  absl::StatusOr<std::optional<Stored>> FindRequest(
      const std::string& request_id) override {
    return state_->requests.Find(request_id);
  }
  absl::Status InsertRequest(const Stored& request) override {
    RETURN_IF_ERROR(Mutation());
    return state_->requests.Insert(request);
  }
  absl::StatusOr<int64_t> DeleteRequestsBefore(absl::Time before,
                                               int64_t limit) override {
    RETURN_IF_ERROR(Mutation());
    return state_->requests.DeleteBefore(before, limit);
  }
  absl::Status Publish(const Event& event) override {
    RETURN_IF_ERROR(Mutation());
    outbox_->push_back(event);
    return absl::OkStatus();
  }

 protected:
  // ReadOnlyError() in a read transaction; otherwise counts one mutation.
  absl::Status Mutation() {
    if (!writable_) return ReadOnlyError();
    ++mutations_;
    return absl::OkStatus();
  }

  // The transaction's state (a copy in a write transaction).
  State* const state_;
  const bool writable_;

 private:
  std::vector<Event>* const outbox_;
  int64_t mutations_ = 0;
};

// InMemoryStore for a `StoreInterface` deriving from
// ErasableRequestStore<Snapshot>: FindRequestsMentioning returns every live
// stored request (a superset, as the interface allows), EraseRequest marks
// one erased.
template <typename StoreInterface, typename State, typename Event>
class InMemoryErasableStore
    : public InMemoryStore<StoreInterface, State, Event> {
 public:
  using Base = InMemoryStore<StoreInterface, State, Event>;
  using typename Base::Stored;
  using Base::Base;

  absl::StatusOr<std::vector<Stored>> FindRequestsMentioning(
      const std::string& /*text*/) override {
    return this->state_->requests.Live();
  }
  absl::Status EraseRequest(const std::string& request_id,
                            const typename Stored::SnapshotType& scrubbed,
                            absl::Time erase_time) override {
    RETURN_IF_ERROR(this->Mutation());
    return this->state_->requests.Erase(request_id, scrubbed, erase_time);
  }
};

// `Store` (given to Write and Read) is constructible from (State*, bool
// writable, std::vector<Event>* outbox) and has `int64_t mutations()`, as
// InMemoryStore.
template <typename State, typename Event>
class InMemoryTransactions {
 public:
  explicit InMemoryTransactions(std::unique_ptr<State> initial)
      : state_(std::move(initial)) {}
  InMemoryTransactions(const InMemoryTransactions&) = delete;
  InMemoryTransactions& operator=(const InMemoryTransactions&) = delete;

  // Every event of every committed transaction, in commit order.
  std::vector<Event> published() const {
    absl::MutexLock lock(&mu_);
    return published_;
  }
  // Number of committed write transactions.
  int64_t commit_count() const {
    absl::MutexLock lock(&mu_);
    return commit_count_;
  }
  // Number of mutating store calls in committed write transactions:
  // unchanged by a transaction that only read.
  int64_t mutation_count() const {
    absl::MutexLock lock(&mu_);
    return mutation_count_;
  }
  // Fault injection: the next write whose callback succeeds fails with
  // `status` instead of committing (as a failing COMMIT would).
  void FailNextCommit(absl::Status status) {
    absl::MutexLock lock(&mu_);
    fail_next_commit_ = std::move(status);
  }

 protected:
  template <typename Store, typename Fn>
  absl::Status WriteWith(Fn&& fn) {
    absl::MutexLock lock(&mu_);
    auto copy = std::make_unique<State>(*state_);
    std::vector<Event> outbox;
    Store store(copy.get(), /*writable=*/true, &outbox);
    RETURN_IF_ERROR(fn(store));
    if (!fail_next_commit_.ok()) {
      return std::exchange(fail_next_commit_, absl::OkStatus());
    }
    state_ = std::move(copy);
    for (auto& e : outbox) published_.push_back(std::move(e));
    ++commit_count_;
    mutation_count_ += store.mutations();
    return absl::OkStatus();
  }

  template <typename Store, typename Fn>
  absl::Status ReadWith(Fn&& fn) {
    absl::MutexLock lock(&mu_);
    Store store(state_.get(), /*writable=*/false, nullptr);
    return fn(store);
  }

 private:
  mutable absl::Mutex mu_;
  std::unique_ptr<State> state_ ABSL_GUARDED_BY(mu_);
  std::vector<Event> published_ ABSL_GUARDED_BY(mu_);
  int64_t commit_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t mutation_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status fail_next_commit_ ABSL_GUARDED_BY(mu_);
};

// Keyset paging over `rows` ordered by key: the values `get(row)` of the rows
// after `page.after_key` accepted by `keep`, at most `page.limit`;
// next_after_key is set only when at least one more row would follow.
// CheckPageLimit's error for a limit below 1.
template <typename V, typename Keep, typename Get>
absl::StatusOr<Page<std::decay_t<std::invoke_result_t<Get, const V&>>>> Paged(
    const std::map<std::string, V>& rows, const PageQuery& page, Keep keep,
    Get get) {
  RETURN_IF_ERROR(CheckPageLimit(page));
  Page<std::decay_t<std::invoke_result_t<Get, const V&>>> out;
  std::string last_key;
  auto it =
      page.after_key.empty() ? rows.begin() : rows.upper_bound(page.after_key);
  for (; it != rows.end(); ++it) {
    if (!keep(get(it->second))) continue;
    if (static_cast<int32_t>(out.items.size()) == page.limit) {
      out.next_after_key = last_key;
      break;
    }
    out.items.push_back(get(it->second));
    last_key = it->first;
  }
  return out;
}

template <typename V, typename Keep>
absl::StatusOr<Page<V>> Paged(const std::map<std::string, V>& rows,
                              const PageQuery& page, Keep keep) {
  return Paged(rows, page, std::move(keep),
               [](const V& v) -> const V& { return v; });
}

}  // namespace jit::command::testing

#endif  // JIT_LIBS_COMMAND_TESTING_IN_MEMORY_H_
