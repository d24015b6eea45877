// The enrollment service's SQLite store: EnrollmentRepository over one
// storage::Database (WAL), with the transactional outbox in the same file.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<SqliteEnrollmentRepository> repo,
//                    SqliteEnrollmentRepository::Open({.path = db_path},
//                    &clock));
//   EnrollmentService service(repo.get(), &clock, hasher.get());
//   outbox::Relay::Create(repo->database(), &publisher, &clock, ...);
//
// Open() creates or upgrades the schema (see kMigrations / README.md): the
// enrollment tables with their seed rows (programme JobInTech/15,000 and the
// three launch tracks), then the outbox table. A file written by a newer
// binary is refused with FAILED_PRECONDITION.
//
// Write() runs its callback in one BEGIN IMMEDIATE transaction: business
// rows, the stored request and the outbox rows written by Publish() commit
// together or not at all. Read() runs in a deferred transaction whose store
// refuses every mutation with FAILED_PRECONDITION.
//
// Errors: as documented in repository.h: duplicate keys (including a
// cin_hash already held by another candidate) are ALREADY_EXISTS, an update
// of a missing row NOT_FOUND, a busy database UNAVAILABLE (retry the whole
// call), a broken reference (an application whose cohort or candidate does
// not exist, checked at commit) FAILED_PRECONDITION, anything else INTERNAL.
//
// Times are stored as Unix microseconds: sub-microsecond parts of absl::Time
// values are dropped (floored).
//
// Thread-safe: transactions on the one connection run one at a time (see
// libs/storage/database.h), so reads wait behind a running write.
#ifndef JIT_SERVICES_ENROLLMENT_STORAGE_SQLITE_REPOSITORY_H_
#define JIT_SERVICES_ENROLLMENT_STORAGE_SQLITE_REPOSITORY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/clock/clock.h"
#include "libs/outbox/outbox.h"
#include "libs/storage/database.h"
#include "services/enrollment/domain/repository.h"
#include "services/enrollment/storage/snapshot_codec.h"

namespace jit::enrollment {

class SqliteEnrollmentRepository final : public EnrollmentRepository {
 public:
  // The enrollment schema (version 1), the outbox (version 2), the
  // idempotency caller columns (version 3), the reason codes (version 4).
  static std::vector<storage::Migration> Migrations();
  // Version of the newest migration above.
  static constexpr int kSchemaVersion = 4;

  // Encodes a domain event into its outbox row (the service's events layer,
  // e.g. ToOutboxMessage from event_mapper.h; injected so that storage does
  // not depend on events or Kafka).
  using EventEncoder = outbox::EventEncoder<DomainEvent>;

  // Opens (creating if allowed by `options`) and migrates the database.
  // `clock` stamps outbox rows (created_at) and must outlive the repository;
  // `encoder` turns each published event into its outbox row.
  static absl::StatusOr<std::unique_ptr<SqliteEnrollmentRepository>> Open(
      const storage::DatabaseOptions& options, const Clock* clock,
      EventEncoder encoder);

  SqliteEnrollmentRepository(const SqliteEnrollmentRepository&) = delete;
  SqliteEnrollmentRepository& operator=(const SqliteEnrollmentRepository&) =
      delete;
  ~SqliteEnrollmentRepository() override;

  absl::Status Write(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) override;
  absl::Status Read(
      absl::FunctionRef<absl::Status(EnrollmentStore&)> fn) override;

  // Truncates the WAL (storage::Database::RequestWalTruncation), waiting up
  // to kErasureFlushWait for readers of other connections; when they hold
  // it longer, logs a warning and leaves it to the retries after the next
  // commits (the outbox relay, the audit log and the idempotency pruner
  // commit regularly). secure_delete (set at Open) has already zeroed the
  // erased bytes in the pages.
  void FlushErasure() override;
  // Whether a truncation asked by FlushErasure has not completed yet.
  bool ErasureFlushPending() const;
  static constexpr absl::Duration kErasureFlushWait = absl::Seconds(1);

  // The underlying database, for the outbox relay (owned by the repository).
  storage::Database* database() { return db_.get(); }

 private:
  SqliteEnrollmentRepository(std::unique_ptr<storage::Database> db,
                             const Clock* clock, EventEncoder encoder);

  const std::unique_ptr<storage::Database> db_;
  const Clock* const clock_;
  const EventEncoder encoder_;
};

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_STORAGE_SQLITE_REPOSITORY_H_
