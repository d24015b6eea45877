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
       "  PRIMARY KEY (topic, partition));"},
      {2, "incremental checkpoints: the fold in parts",
       "CREATE TABLE fold_header ("
       "  id INTEGER PRIMARY KEY CHECK (id = 1),"
       "  body BLOB NOT NULL,"
       "  version INTEGER NOT NULL,"
       "  event_ids_total INTEGER NOT NULL,"
       "  event_ids_kept INTEGER NOT NULL,"
       "  written_at_us INTEGER NOT NULL);"
       "CREATE TABLE fold_journeys ("
       "  trainee TEXT NOT NULL,"
       "  cohort TEXT NOT NULL,"
       "  body BLOB NOT NULL,"
       "  PRIMARY KEY (trainee, cohort)) WITHOUT ROWID;"
       "CREATE TABLE fold_sequences ("
       "  key TEXT PRIMARY KEY,"
       "  body BLOB NOT NULL) WITHOUT ROWID;"
       "CREATE TABLE fold_event_ids ("
       "  ordinal INTEGER PRIMARY KEY,"
       "  id TEXT NOT NULL);"}};
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
  const FoldParts& d = c.parts;
  return db_->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
    ASSIGN_OR_RETURN(auto header, tx.Prepare(
        "INSERT OR REPLACE INTO fold_header(id, body, version, event_ids_total, "
        "event_ids_kept, written_at_us) VALUES (1, ?, ?, ?, ?, ?)"));
    RETURN_IF_ERROR(header.BindBlob(1, d.header));
    RETURN_IF_ERROR(header.BindInt64(2, c.version));
    RETURN_IF_ERROR(header.BindInt64(3, d.event_ids_total));
    RETURN_IF_ERROR(header.BindInt64(4, d.event_ids_kept));
    RETURN_IF_ERROR(header.BindInt64(5, absl::ToUnixMicros(c.written_at)));
    RETURN_IF_ERROR(header.Run());
    ASSIGN_OR_RETURN(auto journey, tx.Prepare(
        "INSERT OR REPLACE INTO fold_journeys(trainee, cohort, body) VALUES (?, ?, ?)"));
    for (const auto& [key, body] : d.journeys) {
      RETURN_IF_ERROR(journey.Reset());
      RETURN_IF_ERROR(journey.BindText(1, key.first));
      RETURN_IF_ERROR(journey.BindText(2, key.second));
      RETURN_IF_ERROR(journey.BindBlob(3, body));
      RETURN_IF_ERROR(journey.Run());
    }
    ASSIGN_OR_RETURN(auto seq, tx.Prepare(
        "INSERT OR REPLACE INTO fold_sequences(key, body) VALUES (?, ?)"));
    for (const auto& [key, body] : d.sequences) {
      RETURN_IF_ERROR(seq.Reset());
      RETURN_IF_ERROR(seq.BindText(1, key));
      RETURN_IF_ERROR(seq.BindBlob(2, body));
      RETURN_IF_ERROR(seq.Run());
    }
    // The new ids take the ordinals up to the total; the memory keeps the
    // newest `kept`.
    ASSIGN_OR_RETURN(auto id, tx.Prepare(
        "INSERT OR REPLACE INTO fold_event_ids(ordinal, id) VALUES (?, ?)"));
    const int64_t first = d.event_ids_total - static_cast<int64_t>(d.event_ids.size()) + 1;
    for (size_t i = 0; i < d.event_ids.size(); ++i) {
      RETURN_IF_ERROR(id.Reset());
      RETURN_IF_ERROR(id.BindInt64(1, first + static_cast<int64_t>(i)));
      RETURN_IF_ERROR(id.BindText(2, d.event_ids[i]));
      RETURN_IF_ERROR(id.Run());
    }
    ASSIGN_OR_RETURN(auto forget, tx.Prepare("DELETE FROM fold_event_ids WHERE ordinal <= ?"));
    RETURN_IF_ERROR(forget.BindInt64(1, d.event_ids_total - d.event_ids_kept));
    RETURN_IF_ERROR(forget.Run());
    RETURN_IF_ERROR(tx.Execute("DELETE FROM checkpoint"));  // a format-1 checkpoint, if any
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
    Checkpoint c;
    ASSIGN_OR_RETURN(auto header, tx.Prepare(
        "SELECT body, version, event_ids_total, event_ids_kept, written_at_us "
        "FROM fold_header WHERE id = 1"));
    ASSIGN_OR_RETURN(bool incremental, header.Step());
    if (incremental) {
      c.parts.header = header.ColumnBlob(0);
      c.version = header.ColumnInt64(1);
      c.parts.event_ids_total = header.ColumnInt64(2);
      c.parts.event_ids_kept = header.ColumnInt64(3);
      c.written_at = absl::FromUnixMicros(header.ColumnInt64(4));
      ASSIGN_OR_RETURN(auto journeys, tx.Prepare(
          "SELECT trainee, cohort, body FROM fold_journeys ORDER BY trainee, cohort"));
      while (true) {
        ASSIGN_OR_RETURN(bool row, journeys.Step());
        if (!row) break;
        c.parts.journeys.push_back(
            {{journeys.ColumnText(0), journeys.ColumnText(1)}, journeys.ColumnBlob(2)});
      }
      ASSIGN_OR_RETURN(auto seqs, tx.Prepare("SELECT key, body FROM fold_sequences ORDER BY key"));
      while (true) {
        ASSIGN_OR_RETURN(bool row, seqs.Step());
        if (!row) break;
        c.parts.sequences.push_back({seqs.ColumnText(0), seqs.ColumnBlob(1)});
      }
      ASSIGN_OR_RETURN(auto ids, tx.Prepare("SELECT id FROM fold_event_ids ORDER BY ordinal"));
      while (true) {
        ASSIGN_OR_RETURN(bool row, ids.Step());
        if (!row) break;
        c.parts.event_ids.push_back(ids.ColumnText(0));
      }
    } else {
      ASSIGN_OR_RETURN(auto legacy, tx.Prepare(
          "SELECT state, version, written_at_us FROM checkpoint WHERE id = 1"));
      ASSIGN_OR_RETURN(bool row, legacy.Step());
      if (!row) return absl::OkStatus();
      c.legacy_state = legacy.ColumnBlob(0);
      c.version = legacy.ColumnInt64(1);
      c.written_at = absl::FromUnixMicros(legacy.ColumnInt64(2));
    }
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
