// The aggregator's checkpoint in SQLite: the fold's state (journeys,
// sequence sets, the event-id memory, catalogue) and the next offset of
// every partition, written together in one transaction, so that a restart
// resumes exactly where the state was taken: no event is counted twice,
// none is lost. Incremental: each write applies the fold's changes since
// the previous one (a journey is one row), so its cost follows the activity
// since the last checkpoint, not the size of the state.
#ifndef JIT_SERVICES_AGGREGATOR_STORAGE_CHECKPOINT_STORE_H_
#define JIT_SERVICES_AGGREGATOR_STORAGE_CHECKPOINT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/storage/database.h"
#include "services/aggregator/domain/fold.h"

namespace jit::aggregator {

struct PartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t next_offset = 0;
  friend bool operator==(const PartitionOffset&, const PartitionOffset&) = default;
};

struct Checkpoint {
  // Write: the changes since the previous write (Fold::TakeChanges()).
  // Read: the whole state (Fold::FromParts()).
  FoldParts parts;
  // Read only: a checkpoint of format 1 (one Fold::Serialize() blob),
  // written before incremental checkpoints; replaced by the next write.
  std::string legacy_state;
  int64_t version = 0;  // Fold::version(), for logs
  std::vector<PartitionOffset> offsets;
  absl::Time written_at = absl::UnixEpoch();
};

class CheckpointStore {
 public:
  static absl::StatusOr<std::unique_ptr<CheckpointStore>> Open(
      const storage::DatabaseOptions& options);

  // Applies the changes and replaces the offsets in one IMMEDIATE
  // transaction (all or nothing).
  absl::Status Write(const Checkpoint& checkpoint);
  // The last checkpoint written, or nullopt on a fresh database.
  absl::StatusOr<std::optional<Checkpoint>> Read();

 private:
  explicit CheckpointStore(std::unique_ptr<storage::Database> db) : db_(std::move(db)) {}
  std::unique_ptr<storage::Database> db_;
};

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_STORAGE_CHECKPOINT_STORE_H_
