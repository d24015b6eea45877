// Idempotent commands over a transactional repository: the replay rules the
// write services share.
//
// A mutation carries a request id (RequestContext). Mutate runs it in one
// write transaction of the repository:
// - a request id seen before, from the same actor, for the same operation
//   and payload, answers with the stored snapshot (through `view`, when
//   given) and changes nothing;
// - a request id seen before from another actor is INVALID_ARGUMENT on field
//   "request_id" ("already used by another caller"): a stored answer, which
//   may hold what only its caller may read, is never replayed to anyone else
//   (and the operation it answered is not disclosed either);
// - a request id seen before for another operation is INVALID_ARGUMENT on
//   field "request_id" ("already used for <operation>"), for the same
//   operation with another payload ("already used with a different
//   request"): a client reusing an id by mistake learns it, instead of
//   getting the answer to the other request;
// - otherwise `apply` makes the change (and publishes its events in the same
//   transaction), the snapshot it returns is stored under the request id,
//   and that snapshot (or `view` of it) is the answer.
// A stored answer erased with the personal data it concerned
// (StoredRequest::erase_time) is replayed as scrubbed, to its own actor and
// operation, without the payload comparison (its fingerprint is gone): the
// request is never applied again. A stored snapshot of another type than the
// operation's is INTERNAL (a corrupt or foreign record). FindReplay gives the stored answer in a read
// transaction, for operations that must ask peers before writing and must
// not ask them again on a replay.
//
// `Repository` is any type with
//   absl::Status Write(absl::FunctionRef<absl::Status(Store&)>);
//   absl::Status Read(absl::FunctionRef<absl::Status(Store&)>);
// whose Store implements RequestStore<Variant> (libs/command/request.h);
// `Snapshot` is one alternative of `Variant` (or `Variant` itself).
//
// Thread-safe as far as the repository is: these functions keep no state.
#ifndef JIT_LIBS_COMMAND_COMMAND_H_
#define JIT_LIBS_COMMAND_COMMAND_H_

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/command/request.h"
#include "libs/status/status_macros.h"

namespace jit::command {

// OK when a request stored for `stored_operation` may answer `operation`;
// otherwise INVALID_ARGUMENT on "request_id": "already used for
// <stored_operation>".
absl::Status CheckSameOperation(absl::string_view stored_operation,
                                absl::string_view operation);

// OK when a request stored for `stored_actor_id` may be replayed to `ctx`:
// the same actor (an empty stored actor matches only an empty one, so the
// answers stored before actors were recorded are replayed to nobody);
// otherwise INVALID_ARGUMENT on "request_id": "already used by another
// caller".
absl::Status CheckSameActor(absl::string_view stored_actor_id,
                            const RequestContext& ctx);

// OK when `ctx.fingerprint` is empty (not checked) or equals
// `stored_fingerprint`; otherwise INVALID_ARGUMENT on "request_id": "already
// used with a different request".
absl::Status CheckSamePayload(absl::string_view stored_fingerprint,
                              const RequestContext& ctx);

// INTERNAL: "stored response of request '<id>' does not match operation
// <operation>".
absl::Status SnapshotMismatch(absl::string_view request_id,
                              absl::string_view operation);

// The snapshot a stored request keeps for `operation`, replayed to `ctx`
// (pointing into `stored`): the errors of CheckSameActor, CheckSameOperation,
// CheckSamePayload (skipped for an erased answer, whose fingerprint is gone)
// and SnapshotMismatch, in that order.
template <typename Snapshot, typename Variant>
absl::StatusOr<const Snapshot*> ReplayOf(const StoredRequest<Variant>& stored,
                                         const RequestContext& ctx,
                                         absl::string_view operation) {
  RETURN_IF_ERROR(CheckSameActor(stored.actor_id, ctx));
  RETURN_IF_ERROR(CheckSameOperation(stored.operation, operation));
  if (!stored.erase_time.has_value()) {
    RETURN_IF_ERROR(CheckSamePayload(stored.fingerprint, ctx));
  }
  if constexpr (std::is_same_v<Snapshot, Variant>) {
    return &stored.response;
  } else {
    const Snapshot* snapshot = std::get_if<Snapshot>(&stored.response);
    if (snapshot == nullptr) return SnapshotMismatch(ctx.request_id, operation);
    return snapshot;
  }
}

// Runs a mutation with idempotent replay in one write transaction (see the
// file comment). `apply`: (Store&) -> StatusOr<Snapshot>; `view`: (Store&,
// const Snapshot&) -> StatusOr<Result>. `now` is the stored create time.
template <typename Snapshot, typename Result, typename Repository,
          typename Apply, typename View>
absl::StatusOr<Result> Mutate(Repository& repository, const RequestContext& ctx,
                              absl::string_view operation, absl::Time now,
                              Apply apply, View view) {
  std::optional<Result> result;
  RETURN_IF_ERROR(repository.Write([&](auto& store) -> absl::Status {
    result.reset();
    ASSIGN_OR_RETURN(auto stored, store.FindRequest(ctx.request_id));
    if (stored.has_value()) {
      ASSIGN_OR_RETURN(
          const Snapshot* snapshot,
          (ReplayOf<Snapshot>(*stored, ctx, operation)));
      ASSIGN_OR_RETURN(result, view(store, *snapshot));
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Snapshot snapshot, apply(store));
    typename decltype(stored)::value_type request;
    request.request_id = ctx.request_id;
    request.operation = std::string(operation);
    request.response = snapshot;
    request.create_time = now;
    request.actor_id = ctx.actor_id;
    request.fingerprint = ctx.fingerprint;
    RETURN_IF_ERROR(store.InsertRequest(request));
    ASSIGN_OR_RETURN(result, view(store, snapshot));
    return absl::OkStatus();
  }));
  if (!result.has_value()) {
    return absl::InternalError("mutation gave no result");
  }
  return *std::move(result);
}

// Mutate whose answer is the snapshot itself.
template <typename Snapshot, typename Repository, typename Apply>
absl::StatusOr<Snapshot> Mutate(Repository& repository,
                                const RequestContext& ctx,
                                absl::string_view operation, absl::Time now,
                                Apply apply) {
  return Mutate<Snapshot, Snapshot>(
      repository, ctx, operation, now, std::move(apply),
      [](auto&, const Snapshot& s) -> absl::StatusOr<Snapshot> { return s; });
}

// The stored answer of `ctx.request_id` for `operation`, read in a read
// transaction (so that a replay needs no write lock and asks no peer);
// nullopt when the request id is new. Errors as ReplayOf.
template <typename Snapshot, typename Repository>
absl::StatusOr<std::optional<Snapshot>> FindReplay(
    Repository& repository, const RequestContext& ctx,
    absl::string_view operation) {
  std::optional<Snapshot> replay;
  RETURN_IF_ERROR(repository.Read([&](auto& store) -> absl::Status {
    ASSIGN_OR_RETURN(auto stored, store.FindRequest(ctx.request_id));
    if (!stored.has_value()) return absl::OkStatus();
    ASSIGN_OR_RETURN(const Snapshot* snapshot,
                     (ReplayOf<Snapshot>(*stored, ctx, operation)));
    replay = *snapshot;
    return absl::OkStatus();
  }));
  return replay;
}

// Erases, inside the caller's write transaction, the stored answers that
// concern a person, among those the store finds mentioning `mention` (e.g.
// the trainee id): `scrub` (const Snapshot&) -> std::optional<Snapshot>
// returns the answer without that person's data and free text, or nullopt
// when the answer does not concern them; each one concerned is marked
// erased with its scrubbed answer (ErasableRequestStore::EraseRequest).
// Answers already erased are left alone. Returns how many were erased.
template <typename Store, typename Scrub>
absl::StatusOr<int64_t> EraseStoredAnswers(Store& store,
                                           const std::string& mention,
                                           Scrub scrub,
                                           absl::Time erase_time) {
  ASSIGN_OR_RETURN(auto candidates, store.FindRequestsMentioning(mention));
  int64_t erased = 0;
  for (const auto& stored : candidates) {
    if (stored.erase_time.has_value()) continue;
    auto scrubbed = scrub(stored.response);
    if (!scrubbed.has_value()) continue;
    RETURN_IF_ERROR(store.EraseRequest(stored.request_id, *scrubbed, erase_time));
    ++erased;
  }
  return erased;
}

// Runs `fn`: (Store&) -> StatusOr<T> in a read transaction and returns its
// value.
template <typename T, typename Repository, typename Fn>
absl::StatusOr<T> ReadValue(Repository& repository, Fn fn) {
  std::optional<T> result;
  RETURN_IF_ERROR(repository.Read([&](auto& store) -> absl::Status {
    ASSIGN_OR_RETURN(result, fn(store));
    return absl::OkStatus();
  }));
  if (!result.has_value()) return absl::InternalError("read gave no result");
  return *std::move(result);
}

}  // namespace jit::command

#endif  // JIT_LIBS_COMMAND_COMMAND_H_
