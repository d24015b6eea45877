// The transactional outbox: the table, its migration, and the writer.
//
// A service writes its state change and the events describing it in ONE local
// transaction:
//
//   RETURN_IF_ERROR(db.Transaction(storage::TxMode::kImmediate,
//       [&](storage::Tx& tx) -> absl::Status {
//         RETURN_IF_ERROR(repo.SaveEnrolment(tx, enrolment));
//         return outbox::Append(tx, event_message, clock.Now());
//       }));
//   relay.Notify();  // optional: publish now instead of at the next poll
//
// Either both commit or neither does; the Relay (relay.h) later publishes the
// committed rows and marks them sent.
#ifndef JIT_LIBS_OUTBOX_OUTBOX_H_
#define JIT_LIBS_OUTBOX_OUTBOX_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/outbox/message.h"
#include "libs/storage/database.h"

namespace jit::outbox {

// Schema v1 of the outbox. Times are Unix microseconds (UTC); sent_at NULL
// means "not yet published". AUTOINCREMENT keeps ids unique even after sent
// rows are pruned, so ids order rows by commit forever.
inline constexpr char kSchemaV1Sql[] = R"sql(
CREATE TABLE outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  topic       TEXT    NOT NULL CHECK (topic <> ''),
  key         TEXT    NOT NULL,
  payload     BLOB    NOT NULL,
  headers     BLOB    NOT NULL,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
)sql";

// Number of migrations Migrations() returns. Fixed for schema v1: a later
// outbox schema change will come as a separate function, so the versions a
// service has already assigned never shift.
inline constexpr int kMigrationCount = 1;

// The tag Append() puts on its transaction (storage::Tx::Tag): a Relay on
// the same database is woken when such a transaction commits.
inline constexpr char kOutboxTag[] = "outbox";

// The outbox migrations numbered from `first_version`, to append to the
// owning service's own migration list:
//
//   std::vector<storage::Migration> m = {{1, "enrolment tables", ...}};
//   for (auto& x : outbox::Migrations(2)) m.push_back(std::move(x));
//   RETURN_IF_ERROR(db.Migrate(m));
std::vector<storage::Migration> Migrations(int first_version);

// A write service's whole schema history: its own tables as `schema_v1`
// (version 1), then the outbox (Migrations(2)), then the idempotency caller
// columns (storage::IdempotencyCallerMigration, version 3).
std::vector<storage::Migration> ServiceMigrations(storage::Migration schema_v1);

// Adds `message` to the outbox inside the caller's transaction. `message.id`
// is ignored (assigned by the database). An empty topic is INVALID_ARGUMENT.
// The first form stamps created_at with the system clock; services with an
// injected clock pass `clock.Now()`.
absl::Status Append(storage::Tx& tx, const OutboxMessage& message);
absl::Status Append(storage::Tx& tx, const OutboxMessage& message,
                    absl::Time created_at);

// Turns a service's domain event into its outbox row (topic, key, payload,
// headers). A service's storage is handed one by whoever opens it (main, tests)
// so that storage depends on neither the events layer nor Kafka: the
// dependency rule (cmake/JitDependencyRule.cmake) checks it.
template <typename Event>
using EventEncoder = std::function<absl::StatusOr<OutboxMessage>(const Event&)>;

// Append() for the row a service's event encoder built for an event of
// `event_type`. An encoding error is INTERNAL "cannot publish <event_type>:
// <message>": the domain built an event that does not say what its kind
// says, a bug rather than the caller's fault.
absl::Status AppendEncoded(storage::Tx& tx,
                           const absl::StatusOr<OutboxMessage>& row,
                           absl::string_view event_type, absl::Time created_at);

// SQL for the service migration that introduced reason codes: marks the
// "deprecated-text" outbox rewrite pending. The events layer performs it
// (events::RunPendingOutboxRewrite: clears the deprecated free-text fields of
// the events waiting in the outbox) and libs/bootstrap runs it on every start
// before the relay; storage only writes the marker, so it needs no events code.
inline constexpr char kDeprecatedTextRewriteMarkerSql[] = R"sql(
CREATE TABLE IF NOT EXISTS outbox_rewrites (name TEXT PRIMARY KEY);
INSERT OR IGNORE INTO outbox_rewrites (name) VALUES ('deprecated-text');
)sql";

// Unsent rows.
absl::StatusOr<int64_t> Backlog(storage::Database& db);

// Rewrites stored payloads, sent or not, in the caller's transaction: for
// each row (by id) `rewrite` returns the new payload, nullopt to keep it, or
// an error that aborts (nothing is changed then, if the caller rolls back).
// Returns the number of rows rewritten. For a schema change that must reach
// the events already waiting in the outbox (e.g. clearing a field that must
// no longer be published).
absl::StatusOr<int64_t> RewritePayloads(
    storage::Tx& tx,
    absl::FunctionRef<
        absl::StatusOr<std::optional<std::string>>(absl::string_view payload)>
        rewrite);

// Marks every retained sent row unsent again, so the relay publishes it once
// more (e.g. to fill a new Kafka cluster). Rows keep their ids, so they are
// republished in their original order, ahead of newer unsent rows. Returns the
// number of rows requeued. Only rows not yet pruned (see
// RelayOptions::retention) can be republished.
absl::StatusOr<int64_t> RequeueAll(storage::Database& db);
// Same, limited to sent rows created at or after `since`.
absl::StatusOr<int64_t> RequeueCreatedSince(storage::Database& db,
                                            absl::Time since);

// Rewrites, inside the caller's transaction, the payloads of the rows of
// (`topic`, `key`), sent or not (e.g. to strip free text about a person whose
// data is erased, so that neither the relay nor a requeue publishes it
// again): `rewrite` gets each payload and returns the new one, or nullopt to
// leave the row as it is (an error stops and rolls back with the caller's
// transaction). Ids, order, headers and sent state are kept. Returns the
// number of rows changed. A scan of the outbox (no index on key): for rare
// operations.
absl::StatusOr<int64_t> RewriteKeyPayloads(
    storage::Tx& tx, absl::string_view topic, absl::string_view key,
    absl::FunctionRef<absl::StatusOr<std::optional<std::string>>(
        absl::string_view payload)>
        rewrite);

// Header (de)serialization for the `headers` column: a version byte (1), then
// per header a 4-byte little-endian length and the bytes of the name, then the
// same for the value. Binary-safe; an empty list encodes as "". Decoding
// malformed bytes is DATA_LOSS.
std::string EncodeHeaders(
    const std::vector<std::pair<std::string, std::string>>& headers);
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> DecodeHeaders(
    absl::string_view encoded);

}  // namespace jit::outbox

#endif  // JIT_LIBS_OUTBOX_OUTBOX_H_
