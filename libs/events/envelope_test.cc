#include "libs/events/envelope.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::events {
namespace {

using ::testing::HasSubstr;

constexpr char kTopic[] = "jobintech.enrollment.v1";
constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

LifecycleEvent SampleEvent(const Clock& clock) {
  LifecycleEvent e;
  StampMetadata(e, "enrollment.application.submitted", "jobintech/enrollment",
                clock);
  e.mutable_metadata()->set_trainee_id("trn_0123456789abcdefghjkmnpqrs");
  e.mutable_metadata()->set_sequence(1);
  e.mutable_metadata()->mutable_dimensions()->set_track_id("cybersecurity");
  auto* body = e.mutable_application_submitted();
  body->set_application_id("app-1");
  body->set_cohort_id("coh-1");
  body->set_new_state(jobintech::events::v1::APPLICATION_STATE_APPLIED);
  return e;
}

std::map<std::string, std::string> AsMap(const kafka::Headers& h) {
  return std::map<std::string, std::string>(h.begin(), h.end());
}

TEST(EnvelopeTest, EncodesKeyPayloadAndCloudEventHeaders) {
  FakeClock clock;
  LifecycleEvent e = SampleEvent(clock);
  auto msg = ToOutboxMessage(e, kTopic, kTraceparent);
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->topic, kTopic);
  EXPECT_EQ(msg->key, "trn_0123456789abcdefghjkmnpqrs");
  auto h = AsMap(msg->headers);
  EXPECT_EQ(h["ce_specversion"], "1.0");
  EXPECT_EQ(h["ce_id"], e.metadata().event_id());
  EXPECT_EQ(h["ce_source"], "jobintech/enrollment");
  EXPECT_EQ(h["ce_type"], "ma.jobintech.enrollment.application.submitted.v1");
  EXPECT_EQ(h["ce_subject"], msg->key);
  EXPECT_EQ(h["ce_time"], "2025-10-15T00:00:00Z");
  EXPECT_EQ(h["content-type"], "application/protobuf");
  EXPECT_EQ(h["traceparent"], kTraceparent);

  auto decoded = Decode(msg->key, msg->payload, msg->headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->SerializeAsString(), e.SerializeAsString());
}

TEST(EnvelopeTest, CatalogueEventsAreKeyedByAggregate) {
  FakeClock clock;
  LifecycleEvent e = SampleEvent(clock);
  e.mutable_metadata()->clear_trainee_id();
  e.mutable_metadata()->set_aggregate_id("coh-1");
  auto msg = ToOutboxMessage(e, kTopic, "");
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->key, "coh-1");
  EXPECT_EQ(AsMap(msg->headers).count("traceparent"), 0u);
}

TEST(EnvelopeTest, IncompleteEventsAreRefusedWithTheFieldNamed) {
  FakeClock clock;
  LifecycleEvent e = SampleEvent(clock);
  e.mutable_metadata()->set_sequence(0);
  e.clear_body();
  absl::Status s = ToOutboxMessage(e, kTopic, "").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  auto v = status::GetFieldViolations(s);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].field, "metadata.sequence");
  EXPECT_EQ(v[1].field, "body");

  LifecycleEvent both = SampleEvent(clock);
  both.mutable_metadata()->set_aggregate_id("coh-1");
  EXPECT_FALSE(Validate(both).ok());
}

TEST(EnvelopeTest, DecodeRejectsGarbageAndMismatchedHeaders) {
  FakeClock clock;
  LifecycleEvent e = SampleEvent(clock);
  auto msg = ToOutboxMessage(e, kTopic, kTraceparent);
  ASSERT_TRUE(msg.ok());

  EXPECT_EQ(Decode(msg->key, "\xff\xff\xff", msg->headers).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A valid protobuf that is not a complete event (no metadata).
  EXPECT_THAT(std::string(Decode(msg->key, "", msg->headers).status().message()),
              HasSubstr("metadata"));
  EXPECT_THAT(std::string(Decode("other-key", msg->payload, msg->headers)
                              .status()
                              .message()),
              HasSubstr("record key"));

  kafka::Headers wrong_id = msg->headers;
  for (auto& [k, v] : wrong_id) {
    if (k == "ce_id") v = "00000000-0000-4000-8000-000000000000";
  }
  EXPECT_THAT(
      std::string(Decode(msg->key, msg->payload, wrong_id).status().message()),
      HasSubstr("ce_id"));

  kafka::Headers bad_trace = msg->headers;
  for (auto& [k, v] : bad_trace) {
    if (k == "traceparent") v = "not-a-traceparent";
  }
  EXPECT_FALSE(Decode(msg->key, msg->payload, bad_trace).ok());

  EXPECT_FALSE(Decode(msg->key, msg->payload, {}).ok());
}

TEST(EnvelopeTest, DeadLetterKeepsTheRecordAndAddsTheReason) {
  kafka::Message m = DeadLetter(kTopic, 3, 42, "k", "v", {{"ce_id", "x"}},
                                "value is not a LifecycleEvent");
  EXPECT_EQ(m.topic, "jobintech.enrollment.v1.dlq");
  EXPECT_EQ(m.key, "k");
  EXPECT_EQ(m.value, "v");
  auto h = AsMap(m.headers);
  EXPECT_EQ(h["ce_id"], "x");
  EXPECT_EQ(h[kDlqReasonHeader], "value is not a LifecycleEvent");
  EXPECT_EQ(h[kDlqTopicHeader], kTopic);
  EXPECT_EQ(h[kDlqPartitionHeader], "3");
  EXPECT_EQ(h[kDlqOffsetHeader], "42");
}

}  // namespace
}  // namespace jit::events
