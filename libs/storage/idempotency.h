// The `idempotency_requests` table every service keeps (request_id TEXT
// PRIMARY KEY, operation TEXT, response TEXT, create_time INTEGER in
// microseconds, indexed; since IdempotencyCallerMigration also actor_id and
// fingerprint TEXT): the first answer to a mutating request, stored in the
// transaction of its change, with who asked and a digest of what was asked
// (see libs/command/command.h for the replay rules). The response text is the
// service's own snapshot format.
//
// Erasure (no schema change): a record whose answer concerned personal data
// that was erased keeps a scrubbed answer, stored as
// "erased@<erase time in Unix microseconds>;<scrubbed response text>", and
// an empty fingerprint (the digest of a request holding personal data is
// personal data too); operation, actor and create time stay, so that the
// request id is never applied again. The overwritten bytes are zeroed in the
// file when the connection runs with PRAGMA secure_delete = ON.
#ifndef JIT_LIBS_STORAGE_IDEMPOTENCY_H_
#define JIT_LIBS_STORAGE_IDEMPOTENCY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/storage/database.h"

namespace jit::storage {

struct RequestRecord {
  std::string operation;
  std::string response;
  absl::Time create_time = absl::UnixEpoch();
  // The first caller's pseudonymous actor id and the request's digest ("" in
  // rows stored before IdempotencyCallerMigration).
  std::string actor_id = {};
  std::string fingerprint = {};
  // Set on an erased record (EraseRequestRecord); `response` is then the
  // scrubbed response text.
  std::optional<absl::Time> erase_time = std::nullopt;
};

// The schema step that adds `actor_id` and `fingerprint` (NOT NULL DEFAULT
// '') to a service's idempotency_requests table, as migration `version`.
Migration IdempotencyCallerMigration(int version);

// nullopt when the request id was never stored (or has expired).
absl::StatusOr<std::optional<RequestRecord>> FindRequestRecord(Tx& tx,
                                                               absl::string_view request_id);
// ALREADY_EXISTS ("request '<id>' already exists") when the id is taken.
absl::Status InsertRequestRecord(Tx& tx, absl::string_view request_id,
                                 const RequestRecord& record);
// The records (by request id) whose response text contains `text` (instr(),
// a scan of the table: erasure is rare); erased records excluded.
absl::StatusOr<std::vector<std::pair<std::string, RequestRecord>>>
FindRequestRecordsMentioning(Tx& tx, absl::string_view text);
// Marks the record erased at `erase_time`, its response replaced by
// `scrubbed_response` and its fingerprint by ''; NOT_FOUND ("request '<id>'
// not found") when absent.
absl::Status EraseRequestRecord(Tx& tx, absl::string_view request_id,
                                absl::string_view scrubbed_response,
                                absl::Time erase_time);
// Deletes up to `limit` records created before `before`, oldest first;
// returns how many (the retention pruner's batches).
absl::StatusOr<int64_t> DeleteRequestRecordsBefore(Tx& tx, absl::Time before, int64_t limit);

// The records whose stored response contains `text` (a plain substring
// match, e.g. a trainee id, to find the answers to rewrite on an erasure),
// by request id. An empty `text` is INVALID_ARGUMENT.
absl::StatusOr<std::vector<std::pair<std::string, RequestRecord>>> FindRequestRecordsContaining(
    Tx& tx, absl::string_view text);
// Replaces the stored response of `request_id` (erasure of what it held);
// NOT_FOUND when the id is not stored.
absl::Status ReplaceRequestResponse(Tx& tx, absl::string_view request_id,
                                    absl::string_view response);

}  // namespace jit::storage

#endif  // JIT_LIBS_STORAGE_IDEMPOTENCY_H_
