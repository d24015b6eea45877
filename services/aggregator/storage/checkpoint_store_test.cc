#include "services/aggregator/storage/checkpoint_store.h"

#include "gtest/gtest.h"
#include "libs/storage/testing/temp_dir.h"
#include "services/aggregator/domain/fold.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator {
namespace {

using testing::Ev;

TEST(CheckpointStoreTest, FreshDatabaseHasNoCheckpoint) {
  storage::testing::TempDir dir;
  auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
  ASSERT_TRUE(store.ok()) << store.status();
  auto c = (*store)->Read();
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->has_value());
}

Event Applicant(const std::string& trainee, int64_t seq = 1) {
  return Ev(EventKind::kApplicationSubmitted, trainee, seq, "2025-01-10")
      .Cohort("c1")
      .Dims(Gender::kFemale, "MA-FQH", "cyber");
}

Checkpoint DeltaOf(Fold& fold, std::vector<PartitionOffset> offsets) {
  Checkpoint c;
  c.parts = fold.TakeChanges();
  c.version = fold.version();
  c.offsets = std::move(offsets);
  c.written_at = absl::FromUnixSeconds(1760486400 + fold.version());
  return c;
}

TEST(CheckpointStoreTest, DeltasAndOffsetsSurviveAReopen) {
  storage::testing::TempDir dir;
  FoldOptions options;
  options.event_id_memory = 3;  // ids are forgotten between the deltas
  Fold fold(options);
  Checkpoint last;
  {
    auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
    ASSERT_TRUE(store.ok());
    fold.Apply(Applicant("t1"));
    fold.Apply(Applicant("t2"));
    ASSERT_TRUE((*store)->Write(DeltaOf(fold, {{"jobintech.enrollment.v1", 0, 2}})).ok());
    for (const char* t : {"t3", "t4", "t5"}) fold.Apply(Applicant(t));
    last = DeltaOf(fold, {{"jobintech.enrollment.v1", 0, 5}, {"jobintech.progress.v1", 3, 7}});
    EXPECT_EQ(last.parts.journeys.size(), 3u);  // only what changed
    ASSERT_TRUE((*store)->Write(last).ok());
  }
  auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
  ASSERT_TRUE(store.ok());
  auto read = (*store)->Read();
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->offsets, last.offsets);
  EXPECT_EQ((*read)->version, 5);
  EXPECT_EQ((*read)->written_at, last.written_at);
  EXPECT_TRUE((*read)->legacy_state.empty());
  EXPECT_EQ((*read)->parts.journeys.size(), 5u);
  EXPECT_EQ((*read)->parts.event_ids.size(), 3u);  // the memory's size
  auto restored = Fold::FromParts((*read)->parts, options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->CanonicalText(), fold.CanonicalText());
  // The newest ids are remembered, the oldest forgotten (sequences still
  // catch those).
  EXPECT_EQ(restored->Apply(Applicant("t5")), Fold::Outcome::kDuplicateEventId);
  EXPECT_EQ(restored->Apply(Applicant("t1")), Fold::Outcome::kDuplicateSequence);
}

TEST(CheckpointStoreTest, AFormatOneCheckpointIsReadAndReplaced) {
  storage::testing::TempDir dir;
  Fold fold;
  fold.Apply(Applicant("t1"));
  {
    // A checkpoint as format 1 wrote it: one blob in the `checkpoint` table.
    auto created = CheckpointStore::Open({.path = dir.File("agg.db")});
    ASSERT_TRUE(created.ok());
  }
  {
    auto db = storage::Database::Open({.path = dir.File("agg.db")});
    ASSERT_TRUE(db.ok());
    const std::string blob = fold.Serialize();
    ASSERT_TRUE((*db)->Transaction(storage::TxMode::kImmediate, [&](storage::Tx& tx) -> absl::Status {
                       auto st = tx.Prepare(
                           "INSERT INTO checkpoint(id, state, version, written_at_us) "
                           "VALUES (1, ?, 1, 0)");
                       if (!st.ok()) return st.status();
                       if (absl::Status b = st->BindBlob(1, blob); !b.ok()) return b;
                       return st->Run();
                     }).ok());
  }
  auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
  ASSERT_TRUE(store.ok()) << store.status();
  auto read = (*store)->Read();
  ASSERT_TRUE(read.ok() && read->has_value());
  ASSERT_FALSE((*read)->legacy_state.empty());
  auto restored = Fold::Deserialize((*read)->legacy_state, {});
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->CanonicalText(), fold.CanonicalText());
  // The loader marks everything changed: the next write is the whole state
  // and replaces the old blob.
  restored->MarkAllChanged();
  ASSERT_TRUE((*store)->Write(DeltaOf(*restored, {{"t", 0, 1}})).ok());
  read = (*store)->Read();
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_TRUE((*read)->legacy_state.empty());
  auto again = Fold::FromParts((*read)->parts, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->CanonicalText(), fold.CanonicalText());
}

TEST(CheckpointStoreTest, AFailedWriteChangesNothing) {
  storage::testing::TempDir dir;
  auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
  ASSERT_TRUE(store.ok());
  Fold fold;
  fold.Apply(Applicant("t1"));
  const Checkpoint first = DeltaOf(fold, {{"t", 0, 5}});
  ASSERT_TRUE((*store)->Write(first).ok());
  // The same partition twice violates the primary key half-way through:
  // the new journey must not be kept without its offsets.
  fold.Apply(Applicant("t2"));
  EXPECT_FALSE((*store)->Write(DeltaOf(fold, {{"t", 0, 9}, {"t", 0, 9}})).ok());
  auto read = (*store)->Read();
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->parts.journeys.size(), 1u);
  EXPECT_EQ((*read)->version, 1);
  EXPECT_EQ((*read)->offsets, first.offsets);
}

}  // namespace
}  // namespace jit::aggregator
