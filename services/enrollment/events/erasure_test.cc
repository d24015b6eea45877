#include "services/enrollment/events/erasure.h"

#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "google/protobuf/descriptor.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"

namespace jit::enrollment {
namespace {

namespace pb = ::jobintech::events::v1;

// A rejection event with `reason` (set by name: the field may be deprecated).
pb::LifecycleEvent Rejection(const std::string& reason) {
  pb::LifecycleEvent e;
  e.mutable_metadata()->set_event_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
  e.mutable_metadata()->set_trainee_id("trn_abc");
  pb::ApplicationTransition* t = e.mutable_application_rejected();
  t->set_application_id("app_1");
  t->set_cohort_id("coh_1");
  t->set_previous_state(pb::APPLICATION_STATE_APPLIED);
  t->set_new_state(pb::APPLICATION_STATE_REJECTED);
  t->GetReflection()->SetString(t, t->GetDescriptor()->FindFieldByName("reason"), reason);
  return e;
}

TEST(StripEventNotesTest, ClearsTheReasonAndKeepsEverythingElse) {
  const pb::LifecycleEvent e = Rejection("Salma Bennani moved to Agadir");
  absl::StatusOr<std::optional<std::string>> out = StripEventNotes(e.SerializeAsString());
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ((*out)->find("Agadir"), std::string::npos);
  pb::LifecycleEvent back;
  ASSERT_TRUE(back.ParseFromString(**out));
  pb::LifecycleEvent expected = e;
  pb::ApplicationTransition* t = expected.mutable_application_rejected();
  t->GetReflection()->ClearField(t, t->GetDescriptor()->FindFieldByName("reason"));
  EXPECT_EQ(back.SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(back.metadata().trainee_id(), "trn_abc");
  EXPECT_EQ(back.application_rejected().new_state(), pb::APPLICATION_STATE_REJECTED);
}

TEST(StripEventNotesTest, EventsWithoutFreeTextAreLeftAlone) {
  EXPECT_FALSE(StripEventNotes(Rejection("").SerializeAsString())->has_value());
  pb::LifecycleEvent submitted;
  submitted.mutable_metadata()->set_trainee_id("trn_abc");
  submitted.mutable_application_submitted();
  EXPECT_FALSE(StripEventNotes(submitted.SerializeAsString())->has_value());
  pb::LifecycleEvent opened;
  opened.mutable_cohort_opened();
  EXPECT_FALSE(StripEventNotes(opened.SerializeAsString())->has_value());
  EXPECT_FALSE(StripEventNotes("")->has_value());  // an empty event
}

TEST(StripEventNotesTest, UnparsableBytesAreDataLoss) {
  EXPECT_EQ(StripEventNotes("\xff\xff\xff").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace jit::enrollment
