#include "libs/events/deprecated_text.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "libs/outbox/outbox.h"
#include "libs/status/status_macros.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"

namespace jit::events {
namespace {

namespace pb = ::jobintech::events::v1;

// A drop-out event as written before reason codes: with free text in the
// (now deprecated) `reason` field, set through reflection.
pb::LifecycleEvent OldDropOut(const std::string& text) {
  pb::LifecycleEvent e;
  e.mutable_metadata()->set_trainee_id("trn_1");
  pb::TrainingExited* body = e.mutable_dropped_out();
  body->set_cohort_id("coh_1");
  body->GetReflection()->SetString(
      body, body->GetDescriptor()->FindFieldByName("reason"), text);
  return e;
}

TEST(WithoutDeprecatedTextTest, ClearsTheBodysDeprecatedTextOnly) {
  pb::LifecycleEvent old = OldDropOut("hospitalisée au CHU");
  absl::StatusOr<std::optional<std::string>> out =
      WithoutDeprecatedText(old.SerializeAsString());
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ((*out)->find("CHU"), std::string::npos);
  pb::LifecycleEvent back;
  ASSERT_TRUE(back.ParseFromString(**out));
  EXPECT_EQ(back.metadata().trainee_id(), "trn_1");
  EXPECT_EQ(back.dropped_out().cohort_id(), "coh_1");

  // Nothing to clear, or not an event: left alone.
  out = WithoutDeprecatedText(back.SerializeAsString());
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
  out = WithoutDeprecatedText("\xff\xff not a protobuf");
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
}

TEST(RunPendingOutboxRewriteTest, RewritesOnceWhenMarked) {
  storage::testing::TempDir dir;
  auto db = storage::Database::Open({.path = dir.File("svc.db")});
  ASSERT_TRUE(db.ok()) << db.status();
  std::vector<storage::Migration> migrations = outbox::Migrations(1);
  ASSERT_TRUE((*db)->Migrate(migrations).ok());
  // Without the marker nothing happens.
  auto append = [&](const std::string& payload) {
    return (*db)->Transaction(
        storage::TxMode::kImmediate, [&](storage::Tx& tx) {
          return outbox::Append(
              tx, outbox::OutboxMessage{
                      .topic = "t", .key = "k", .payload = payload});
        });
  };
  ASSERT_TRUE(append(OldDropOut("note one").SerializeAsString()).ok());
  ASSERT_TRUE(append("opaque").ok());
  EXPECT_EQ(*RunPendingOutboxRewrite(**db), 0);

  migrations.push_back({2, "marker", kOutboxRewriteMarkerSql});
  ASSERT_TRUE((*db)->Migrate(migrations).ok());
  EXPECT_EQ(*RunPendingOutboxRewrite(**db), 1);
  EXPECT_EQ(*RunPendingOutboxRewrite(**db), 0);  // done once
  std::vector<std::string> payloads;
  ASSERT_TRUE(
      (*db)
          ->Transaction(
              storage::TxMode::kDeferred,
              [&](storage::Tx& tx) -> absl::Status {
                ASSIGN_OR_RETURN(
                    storage::Statement st,
                    tx.Prepare("SELECT payload FROM outbox ORDER BY id"));
                while (true) {
                  ASSIGN_OR_RETURN(bool row, st.Step());
                  if (!row) return absl::OkStatus();
                  payloads.push_back(st.ColumnBlob(0));
                }
              })
          .ok());
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[0].find("note one"), std::string::npos);
  pb::LifecycleEvent first;
  ASSERT_TRUE(first.ParseFromString(payloads[0]));
  EXPECT_EQ(first.dropped_out().cohort_id(), "coh_1");
  EXPECT_EQ(payloads[1], "opaque");
}

}  // namespace
}  // namespace jit::events
