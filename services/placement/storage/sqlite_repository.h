// The placement service's SQLite store: PlacementRepository over one
// storage::Database (WAL), with the transactional outbox in the same file.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<SqlitePlacementRepository> repo,
//                    SqlitePlacementRepository::Open({.path = db_path},
//                    &clock));
//   PlacementService service(repo.get(), &clock, &progress, &enrollment);
//   outbox::Relay::Create(repo->database(), &publisher, &clock, ...);
//
// Open() creates or upgrades the schema (schema.h, then the outbox). A file
// written by a newer binary is refused with FAILED_PRECONDITION.
//
// Write() runs its callback in one BEGIN IMMEDIATE transaction: business
// rows, the stored request and the outbox rows written by Publish() commit
// together or not at all. Read() runs in a deferred transaction whose store
// refuses every mutation with FAILED_PRECONDITION.
//
// Errors: as documented in repository.h: duplicate keys (and an ICE held by
// another employer) are ALREADY_EXISTS, an update of a missing row NOT_FOUND,
// a busy database UNAVAILABLE (retry the whole call), a broken reference (a
// job offer whose employer, or an offer/placement/follow-up whose trainee,
// does not exist; checked at commit) FAILED_PRECONDITION, anything else
// INTERNAL.
//
// Times are stored as Unix microseconds: sub-microsecond parts are dropped.
//
// Thread-safe: transactions on the one connection run one at a time.
#ifndef JIT_SERVICES_PLACEMENT_STORAGE_SQLITE_REPOSITORY_H_
#define JIT_SERVICES_PLACEMENT_STORAGE_SQLITE_REPOSITORY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/clock/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"
#include "services/placement/domain/repository.h"
#include "services/placement/storage/snapshot_codec.h"

namespace jit::placement {

class SqlitePlacementRepository final : public PlacementRepository {
 public:
  // The placement schema (version 1), the outbox (version 2), the
  // idempotency caller columns (version 3), the reason codes (version 4).
  static std::vector<storage::Migration> Migrations();
  static constexpr int kSchemaVersion = 4;

  // Encodes a domain event into its outbox row (the service's events layer,
  // e.g. ToOutboxMessage from event_mapper.h; injected so that storage does
  // not depend on events or Kafka).
  using EventEncoder = outbox::EventEncoder<DomainEvent>;

  // Opens (creating if allowed by `options`) and migrates the database.
  // `clock` stamps outbox rows (created_at) and must outlive the repository;
  // `encoder` turns each published event into its outbox row.
  static absl::StatusOr<std::unique_ptr<SqlitePlacementRepository>> Open(
      const storage::DatabaseOptions& options, const Clock* clock,
      EventEncoder encoder);

  SqlitePlacementRepository(const SqlitePlacementRepository&) = delete;
  SqlitePlacementRepository& operator=(const SqlitePlacementRepository&) =
      delete;
  ~SqlitePlacementRepository() override;

  absl::Status Write(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) override;
  absl::Status Read(
      absl::FunctionRef<absl::Status(PlacementStore&)> fn) override;

  // The underlying database, for the outbox relay (owned by the repository).
  storage::Database* database() { return db_.get(); }

 private:
  SqlitePlacementRepository(std::unique_ptr<storage::Database> db,
                            const Clock* clock, EventEncoder encoder);

  const std::unique_ptr<storage::Database> db_;
  const Clock* const clock_;
  const EventEncoder encoder_;
};

}  // namespace jit::placement

#endif  // JIT_SERVICES_PLACEMENT_STORAGE_SQLITE_REPOSITORY_H_
