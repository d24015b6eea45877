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

TEST(CheckpointStoreTest, StateAndOffsetsSurviveAReopen) {
  storage::testing::TempDir dir;
  Fold fold;
  fold.Apply(Ev(EventKind::kApplicationSubmitted, "t1", 1, "2025-01-10")
                 .Cohort("c1").Dims(Gender::kFemale, "MA-FQH", "cyber"));
  Checkpoint c;
  c.state = fold.Serialize();
  c.version = fold.version();
  c.offsets = {{"jobintech.enrollment.v1", 0, 12}, {"jobintech.progress.v1", 3, 7}};
  c.written_at = absl::FromUnixSeconds(1760486400);
  {
    auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Write(c).ok());
    c.offsets[0].next_offset = 13;  // a later checkpoint replaces the first
    ASSERT_TRUE((*store)->Write(c).ok());
  }
  auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
  ASSERT_TRUE(store.ok());
  auto read = (*store)->Read();
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->offsets, c.offsets);
  EXPECT_EQ((*read)->version, 1);
  EXPECT_EQ((*read)->written_at, c.written_at);
  auto restored = Fold::Deserialize((*read)->state, {});
  ASSERT_TRUE(restored.ok());
  EXPECT_EQ(restored->CanonicalText(), fold.CanonicalText());
}

TEST(CheckpointStoreTest, AFailedWriteChangesNothing) {
  storage::testing::TempDir dir;
  auto store = CheckpointStore::Open({.path = dir.File("agg.db")});
  ASSERT_TRUE(store.ok());
  Checkpoint first;
  first.state = "state-1";
  first.offsets = {{"t", 0, 5}};
  ASSERT_TRUE((*store)->Write(first).ok());
  // The same partition twice violates the primary key half-way through:
  // the new state must not be kept without its offsets.
  Checkpoint broken;
  broken.state = "state-2";
  broken.offsets = {{"t", 0, 9}, {"t", 0, 10}};
  EXPECT_FALSE((*store)->Write(broken).ok());
  auto read = (*store)->Read();
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->state, "state-1");
  EXPECT_EQ((*read)->offsets, first.offsets);
}

}  // namespace
}  // namespace jit::aggregator
