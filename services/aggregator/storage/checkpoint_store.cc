#include "services/aggregator/storage/checkpoint_store.h"

#include "libs/status/status_macros.h"

namespace jit::aggregator {
namespace {

const std::vector<storage::Migration>& Migrations() {
  static const auto* const kMigrations = new std::vector<storage::Migration>{
      {1, "checkpoint state and partition offsets",
       "CREATE TABLE checkpoint ("
       "  id INTEGER PRIMARY KEY CHECK (id = 1),"
       "  state BLOB NOT NULL,"
       "  version INTEGER NOT NULL,"
       "  written_at_us INTEGER NOT NULL);"
       "CREATE TABLE checkpoint_offsets ("
       "  topic TEXT NOT NULL,"
       "  partition INTEGER NOT NULL,"
       "  next_offset INTEGER NOT NULL,"
       "  PRIMARY KEY (topic, partition));"}};
  return *kMigrations;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CheckpointStore>> CheckpointStore::Open(
    const storage::DatabaseOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::Database> db, storage::Database::Open(options));
  RETURN_IF_ERROR(db->Migrate(Migrations()));
  return std::unique_ptr<CheckpointStore>(new CheckpointStore(std::move(db)));
}

absl::Status CheckpointStore::Write(const Checkpoint& c) {
  return db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto st, tx.Prepare(
        "INSERT OR REPLACE INTO checkpoint(id, state, version, written_at_us) "
        "VALUES (1, ?, ?, ?)"));
    RETURN_IF_ERROR(st.BindBlob(1, c.state));
    RETURN_IF_ERROR(st.BindInt64(2, c.version));
    RETURN_IF_ERROR(st.BindInt64(3, absl::ToUnixMicros(c.written_at)));
    RETURN_IF_ERROR(st.Run());
    RETURN_IF_ERROR(tx.Execute("DELETE FROM checkpoint_offsets"));
    ASSIGN_OR_RETURN(auto ins, tx.Prepare(
        "INSERT INTO checkpoint_offsets(topic, partition, next_offset) VALUES (?, ?, ?)"));
    for (const PartitionOffset& o : c.offsets) {
      RETURN_IF_ERROR(ins.Reset());
      RETURN_IF_ERROR(ins.BindText(1, o.topic));
      RETURN_IF_ERROR(ins.BindInt64(2, o.partition));
      RETURN_IF_ERROR(ins.BindInt64(3, o.next_offset));
      RETURN_IF_ERROR(ins.Run());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Checkpoint>> CheckpointStore::Read() {
  std::optional<Checkpoint> out;
  RETURN_IF_ERROR(db_->Transaction(storage::TxMode::kDeferred, [&](storage::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto st, tx.Prepare(
        "SELECT state, version, written_at_us FROM checkpoint WHERE id = 1"));
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) return absl::OkStatus();
    Checkpoint c;
    c.state = st.ColumnBlob(0);
    c.version = st.ColumnInt64(1);
    c.written_at = absl::FromUnixMicros(st.ColumnInt64(2));
    ASSIGN_OR_RETURN(auto offs, tx.Prepare(
        "SELECT topic, partition, next_offset FROM checkpoint_offsets ORDER BY topic, partition"));
    while (true) {
      ASSIGN_OR_RETURN(bool more, offs.Step());
      if (!more) break;
      c.offsets.push_back({offs.ColumnText(0), static_cast<int32_t>(offs.ColumnInt64(1)),
                           offs.ColumnInt64(2)});
    }
    out = std::move(c);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace jit::aggregator
