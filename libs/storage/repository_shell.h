// The shell every service's SQLite repository shares: open the database and
// bring its schema up to date, then run the service's store in a BEGIN
// IMMEDIATE transaction for Write() and a deferred one, read-only, for
// Read(); and the idempotency part of that store (RequestStore's
// FindRequest / InsertRequest / DeleteRequestsBefore over the
// idempotency_requests table, see idempotency.h) given the service's
// snapshot codec.
//
//   class SqliteStore final
//       : public storage::SqliteRequestStore<EnrollmentStore, &SnapshotToJson,
//                                            &SnapshotFromJson> {
//    public:
//     SqliteStore(storage::Tx& tx, bool writable, const Clock* clock)
//         : SqliteRequestStore(tx, writable), clock_(clock) {}
//     absl::Status InsertTrack(const Track& t) override {
//       RETURN_IF_ERROR(CheckWritable("InsertTrack"));
//       ...
//   };
//
//   ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db,
//                    storage::OpenMigrated(options, Migrations(),
//                                          {"PRAGMA secure_delete = ON"}));
//   absl::Status Repo::Write(absl::FunctionRef<absl::Status(Store&)> fn) {
//     return storage::WriteWith<SqliteStore>(*db_, fn, clock_);
//   }
//
// The store type is built on the stack as StoreImpl(tx, writable, args...)
// for each transaction; it must not outlive the callback.
#ifndef JIT_LIBS_STORAGE_REPOSITORY_SHELL_H_
#define JIT_LIBS_STORAGE_REPOSITORY_SHELL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/storage/database.h"
#include "libs/storage/idempotency.h"
#include "libs/storage/rows.h"

namespace jit::storage {

// Opens the database (Database::Open), runs `writable_setup` (statements
// such as "PRAGMA secure_delete = ON"; skipped on a read-only connection),
// then Migrate(migrations). A file written by a newer binary is
// FAILED_PRECONDITION (see Database::Migrate).
absl::StatusOr<std::unique_ptr<Database>> OpenMigrated(
    const DatabaseOptions& options, const std::vector<Migration>& migrations,
    const std::vector<std::string>& writable_setup = {});

// Runs fn(StoreImpl(tx, /*writable=*/true, args...)) in one BEGIN IMMEDIATE
// transaction: committed when fn returns OK, rolled back otherwise.
template <typename StoreImpl, typename Store, typename... Args>
absl::Status WriteWith(Database& db, absl::FunctionRef<absl::Status(Store&)> fn,
                       const Args&... args) {
  return db.Transaction(TxMode::kImmediate, [&](Tx& tx) -> absl::Status {
    StoreImpl store(tx, /*writable=*/true, args...);
    return fn(store);
  });
}

// Runs fn(StoreImpl(tx, /*writable=*/false, args...)) in a deferred
// transaction.
template <typename StoreImpl, typename Store, typename... Args>
absl::Status ReadWith(Database& db, absl::FunctionRef<absl::Status(Store&)> fn,
                      const Args&... args) {
  return db.Transaction(TxMode::kDeferred, [&](Tx& tx) -> absl::Status {
    StoreImpl store(tx, /*writable=*/false, args...);
    return fn(store);
  });
}

// The base of a service's SQLite store: `StoreInterface` is the service's
// store (a command::RequestStore<Snapshot>, naming its StoredRequestType);
// kEncode / kDecode convert the snapshot to and from its stored text
// (std::string(const Snapshot&), absl::StatusOr<Snapshot>(const
// std::string&)). A snapshot that does not decode is DATA_LOSS "stored
// request '<id>': <decode error>".
template <typename StoreInterface, auto kEncode, auto kDecode>
class SqliteRequestStore : public StoreInterface {
 public:
  using StoredRequestType = typename StoreInterface::StoredRequestType;

  absl::StatusOr<std::optional<StoredRequestType>> FindRequest(
      const std::string& request_id) override {
    absl::StatusOr<std::optional<RequestRecord>> record =
        FindRequestRecord(tx_, request_id);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return std::optional<StoredRequestType>();
    auto stored = Stored(request_id, **record);
    if (!stored.ok()) return stored.status();
    return std::optional<StoredRequestType>(*std::move(stored));
  }

  absl::Status InsertRequest(const StoredRequestType& request) override {
    if (!writable_) return ReadOnlyError("InsertRequest");
    return InsertRequestRecord(tx_, request.request_id,
                               {.operation = request.operation,
                                .response = kEncode(request.response),
                                .create_time = request.create_time,
                                .actor_id = request.actor_id,
                                .fingerprint = request.fingerprint});
  }

  absl::StatusOr<int64_t> DeleteRequestsBefore(absl::Time before,
                                               int64_t limit) override {
    if (!writable_) return ReadOnlyError("DeleteRequestsBefore");
    return DeleteRequestRecordsBefore(tx_, before, limit);
  }

  // The stored requests whose answer contains `text` (e.g. a quoted trainee
  // id), decoded; for a service's erasure to rewrite what they hold. Not an
  // override: a store interface that needs it declares its own method and
  // forwards here.
  absl::StatusOr<std::vector<StoredRequestType>> StoredRequestsContaining(
      absl::string_view text) {
    absl::StatusOr<std::vector<std::pair<std::string, RequestRecord>>> records =
        FindRequestRecordsContaining(tx_, text);
    if (!records.ok()) return records.status();
    std::vector<StoredRequestType> out;
    for (auto& [request_id, r] : *records) {
      auto response = kDecode(r.response);
      if (!response.ok()) {
        return absl::DataLossError(absl::StrCat(
            "stored request '", request_id, "': ", response.status().message()));
      }
      StoredRequestType x;
      x.request_id = request_id;
      x.operation = std::move(r.operation);
      x.response = *std::move(response);
      x.create_time = r.create_time;
      x.actor_id = std::move(r.actor_id);
      x.fingerprint = std::move(r.fingerprint);
      out.push_back(std::move(x));
    }
    return out;
  }
  // Replaces a stored request's answer (same id, operation, caller, time).
  template <typename Snapshot>
  absl::Status ReplaceStoredResponse(const std::string& request_id,
                                     const Snapshot& response) {
    if (!writable_) return ReadOnlyError("ReplaceStoredResponse");
    return ReplaceRequestResponse(tx_, request_id, kEncode(response));
  }

 protected:
  SqliteRequestStore(Tx& tx, bool writable) : tx_(tx), writable_(writable) {}

  // The stored request of a record.
  static absl::StatusOr<StoredRequestType> Stored(const std::string& request_id,
                                                  RequestRecord& r) {
    StoredRequestType out;
    out.request_id = request_id;
    auto response = kDecode(r.response);
    if (!response.ok()) {
      return absl::DataLossError(absl::StrCat(
          "stored request '", request_id, "': ", response.status().message()));
    }
    out.response = *std::move(response);
    out.operation = std::move(r.operation);
    out.create_time = r.create_time;
    out.actor_id = std::move(r.actor_id);
    out.fingerprint = std::move(r.fingerprint);
    out.erase_time = r.erase_time;
    return out;
  }

  // OK in a write transaction, ReadOnlyError(operation) in a read one.
  absl::Status CheckWritable(absl::string_view operation) const {
    return writable_ ? absl::OkStatus() : ReadOnlyError(operation);
  }

  Tx& tx_;
  const bool writable_;
};

// SqliteRequestStore for a `StoreInterface` deriving from
// command::ErasableRequestStore: FindRequestsMentioning and EraseRequest over
// FindRequestRecordsMentioning / EraseRequestRecord (idempotency.h).
template <typename StoreInterface, auto kEncode, auto kDecode>
class SqliteErasableRequestStore
    : public SqliteRequestStore<StoreInterface, kEncode, kDecode> {
 public:
  using Base = SqliteRequestStore<StoreInterface, kEncode, kDecode>;
  using typename Base::StoredRequestType;

  absl::StatusOr<std::vector<StoredRequestType>> FindRequestsMentioning(
      const std::string& text) override {
    auto records = FindRequestRecordsMentioning(this->tx_, text);
    if (!records.ok()) return records.status();
    std::vector<StoredRequestType> out;
    for (auto& [id, record] : *records) {
      auto stored = Base::Stored(id, record);
      if (!stored.ok()) return stored.status();
      out.push_back(*std::move(stored));
    }
    return out;
  }

  absl::Status EraseRequest(const std::string& request_id,
                            const typename StoredRequestType::SnapshotType& scrubbed,
                            absl::Time erase_time) override {
    if (!this->writable_) return ReadOnlyError("EraseRequest");
    return EraseRequestRecord(this->tx_, request_id, kEncode(scrubbed), erase_time);
  }

 protected:
  using Base::Base;
};

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_REPOSITORY_SHELL_H_
