// The vocabulary of an idempotent command: who asks (RequestContext), the
// first answer kept under a request id (StoredRequest), and the store-side
// interface that keeps those answers (RequestStore), which every write
// service's transactional store implements and the retention pruner
// (libs/service/retention_pruner.h) drives through DeleteRequestsBefore.
//
// `Snapshot` is the service's own response type, usually a std::variant of
// the answers of its mutations; how it is encoded on disk is the store's
// business (e.g. JSON in the `idempotency_requests` table of
// libs/storage/idempotency.h).
//
// Plain values and an interface: no gRPC, Kafka or SQL types.
#ifndef JIT_LIBS_COMMAND_REQUEST_H_
#define JIT_LIBS_COMMAND_REQUEST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/command/scope.h"

namespace jit::command {

// Who asks, for idempotency and tracing.
struct RequestContext {
  // Required on every mutation: 1-128 printable ASCII characters (see
  // ValidateRequestId in libs/command/validation.h).
  std::string request_id = {};
  // W3C traceparent of the call (may be empty); copied onto the events and
  // forwarded to peers.
  std::string traceparent = {};
  // The rows the caller may change (scope.h); national by default.
  Scope scope = {};
  // Who asks, pseudonymously (auth::Principal::actor_id): copied onto the
  // events' metadata and kept with the stored answer, which is replayed to
  // this actor only. Never a name or an e-mail.
  std::string actor_id = {};
  // Digest of the request's payload (e.g. grpcserver::CommandContextOf: the
  // SHA-256 of the deterministically serialized request), kept with the
  // stored answer: a request id reused with another payload is refused
  // instead of answered. Empty: not checked (callers inside a service).
  std::string fingerprint = {};
  // The caller's deadline (e.g. the gRPC call's), when it set one: calls to
  // peer services that this request causes get the remaining budget, and none
  // starts once it has passed.
  std::optional<absl::Time> deadline = std::nullopt;
};

// What a call to a peer service inherits from the request that causes it:
// its trace and its caller's deadline.
struct PeerContext {
  std::string traceparent = {};  // may be empty
  std::optional<absl::Time> deadline = std::nullopt;
};

inline PeerContext PeerContextOf(const RequestContext& ctx) {
  return {.traceparent = ctx.traceparent, .deadline = ctx.deadline};
}

// The first answer to a mutating request, kept for idempotent replay.
template <typename Snapshot>
struct StoredRequest {
  using SnapshotType = Snapshot;

  std::string request_id = {};
  // The RPC it answered, e.g. "AdmitApplication": a request id reused for
  // another operation is refused.
  std::string operation = {};
  Snapshot response = {};
  absl::Time create_time = absl::UnixEpoch();
  // RequestContext::actor_id and ::fingerprint of the first request.
  std::string actor_id = {};
  std::string fingerprint = {};
  // Set when the answer was erased with the personal data it concerned:
  // `response` is then the answer with that data and free text removed, and
  // `fingerprint` is empty (the digest of a request holding personal data is
  // personal data too). A replay to the same actor for the same operation
  // answers that scrubbed response without comparing payloads (ReplayOf).
  std::optional<absl::Time> erase_time = std::nullopt;
};

// The idempotency records of a store, used inside one of its transactions.
// Not thread-safe; valid only during the transaction that handed it out.
template <typename Snapshot>
class RequestStore {
 public:
  using StoredRequestType = StoredRequest<Snapshot>;

  virtual ~RequestStore() = default;

  // nullopt when the request id was never stored (or has expired).
  virtual absl::StatusOr<std::optional<StoredRequestType>> FindRequest(
      const std::string& request_id) = 0;
  // ALREADY_EXISTS when the request id is taken; FAILED_PRECONDITION in a
  // read transaction.
  virtual absl::Status InsertRequest(const StoredRequestType& request) = 0;
  // Deletes up to `limit` stored requests created before `before`, oldest
  // first; returns how many. Run in batches by the retention pruner: a
  // request id retried after its record expired is a new request.
  virtual absl::StatusOr<int64_t> DeleteRequestsBefore(absl::Time before,
                                                       int64_t limit) = 0;
};

// A RequestStore whose stored answers can be erased (EraseStoredAnswers in
// command.h): what a store implements when its answers may concern a person
// whose data must be erasable.
template <typename Snapshot>
class ErasableRequestStore : public RequestStore<Snapshot> {
 public:
  using StoredRequestType = StoredRequest<Snapshot>;

  // The stored requests whose answer may mention `text` (e.g. a trainee id):
  // a superset of those whose stored answer contains it (a store that cannot
  // search may return every request); erased ones excluded. Any order.
  virtual absl::StatusOr<std::vector<StoredRequestType>> FindRequestsMentioning(
      const std::string& text) = 0;
  // Marks the stored request erased at `erase_time`: its answer becomes
  // `scrubbed` and its fingerprint is dropped; operation, actor and create
  // time stay (so the request id is never applied again). NOT_FOUND when the
  // request id is not stored; FAILED_PRECONDITION in a read transaction.
  virtual absl::Status EraseRequest(const std::string& request_id,
                                    const Snapshot& scrubbed,
                                    absl::Time erase_time) = 0;
};

// Records on a domain event when it happened and who asked: sets
// `event.occurred_at`, `event.request_id`, `event.traceparent` and
// `event.actor_id`.
template <typename Event>
void StampEvent(Event& event, const RequestContext& ctx,
                absl::Time occurred_at) {
  event.occurred_at = occurred_at;
  event.request_id = ctx.request_id;
  event.traceparent = ctx.traceparent;
  event.actor_id = ctx.actor_id;
}

// `t` truncated to whole microseconds (what the stores keep), so that a first
// answer and its idempotent replay show the same times.
inline absl::Time TruncateToMicros(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
}

}  // namespace jit::command

#endif  // JIT_LIBS_COMMAND_REQUEST_H_
