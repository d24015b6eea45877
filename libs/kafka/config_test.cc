// Configuration handling of Producer and Consumer. Hermetic: no client here
// ever reaches a broker (127.0.0.1:1 refuses connections).
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/client_config.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/log/log.h"
#include "spdlog/sinks/ostream_sink.h"

namespace jit::kafka {
namespace {

using ::testing::HasSubstr;

constexpr char kNowhere[] = "127.0.0.1:1";

// librdkafka's own lines come out as JSON events of the service's log, not
// as plain "%3|..." text on stderr.
TEST(KafkaClientLogTest, LibrdkafkaLinesAreJsonLogEvents) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  ASSERT_TRUE(log::Init({.component = "kafka-test", .level = "info", .sink = sink}).ok());
  {
    auto producer = Producer::Create({.bootstrap_servers = kNowhere});
    ASSERT_TRUE(producer.ok()) << producer.status();
    // The refused connection is logged by librdkafka's threads.
    for (int i = 0; i < 100 && out.str().find("librdkafka") == std::string::npos; ++i) {
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  const std::string text = out.str();
  ASSERT_THAT(text, HasSubstr("\"library\":\"librdkafka\""));
  ASSERT_THAT(text, HasSubstr("\"facility\":"));
  // Every line is a JSON object.
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
  }
  ASSERT_TRUE(log::Init({.component = "kafka-test", .level = "off"}).ok());
}

TEST(KafkaProducerConfigTest, UnknownPropertyIsInvalidArgumentNamingIt) {
  auto producer = Producer::Create({.bootstrap_servers = kNowhere,
                                    .properties = {{"no.such.property", "1"}}});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("\"no.such.property\""));
}

TEST(KafkaProducerConfigTest, BadValueIsInvalidArgumentNamingProperty) {
  auto producer = Producer::Create(
      {.bootstrap_servers = kNowhere, .properties = {{"linger.ms", "soon"}}});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("\"linger.ms\""));
}

TEST(KafkaProducerConfigTest, ConflictingPropertiesAreInvalidArgument) {
  // The default enable.idempotence=true needs acks=all.
  auto producer = Producer::Create(
      {.bootstrap_servers = kNowhere, .properties = {{"acks", "1"}}});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("acks"));
}

TEST(KafkaProducerConfigTest, EmptyBootstrapServersIsInvalidArgument) {
  auto producer = Producer::Create({});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(producer.status().message(), HasSubstr("bootstrap_servers"));
}

TEST(KafkaProducerConfigTest, CreatesWithoutReachingABroker) {
  auto producer = Producer::Create({.bootstrap_servers = kNowhere});
  ASSERT_TRUE(producer.ok()) << producer.status();
  EXPECT_TRUE((*producer)->Flush(absl::Milliseconds(10)).ok());
}

TEST(KafkaConsumerConfigTest,
     BadAutoOffsetResetIsInvalidArgumentNamingProperty) {
  auto consumer = Consumer::Create(
      {.bootstrap_servers = kNowhere, .auto_offset_reset = "sometimes"});
  ASSERT_FALSE(consumer.ok());
  EXPECT_EQ(consumer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(consumer.status().message(), HasSubstr("\"auto.offset.reset\""));
}

TEST(KafkaConsumerConfigTest, UnknownPropertyIsInvalidArgumentNamingIt) {
  auto consumer = Consumer::Create(
      {.bootstrap_servers = kNowhere, .properties = {{"bogus.setting", "x"}}});
  ASSERT_FALSE(consumer.ok());
  EXPECT_EQ(consumer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(consumer.status().message(), HasSubstr("\"bogus.setting\""));
}

TEST(KafkaConsumerConfigTest, GroupOperationsNeedAGroupId) {
  auto consumer = Consumer::Create({.bootstrap_servers = kNowhere});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  EXPECT_EQ((*consumer)->Subscribe({"t"}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*consumer)->Commit().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*consumer)->StoreOffset({.topic = "t"}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KafkaConsumerConfigTest, ClosedConsumerRefusesWork) {
  auto consumer = Consumer::Create({.bootstrap_servers = kNowhere});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  EXPECT_TRUE((*consumer)->Close().ok());
  EXPECT_TRUE((*consumer)->Close().ok());
  EXPECT_EQ((*consumer)->Poll(absl::ZeroDuration()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE((*consumer)->AtEndOfAssignedPartitions());
}

TEST(KafkaTimeoutMsTest, RoundsUpAndClamps) {
  EXPECT_EQ(TimeoutMs(absl::ZeroDuration()), 0);
  EXPECT_EQ(TimeoutMs(absl::Milliseconds(-5)), 0);
  EXPECT_EQ(TimeoutMs(absl::Microseconds(1)), 1);
  EXPECT_EQ(TimeoutMs(absl::Milliseconds(1500)), 1500);
  EXPECT_EQ(TimeoutMs(absl::InfiniteDuration()), INT_MAX);
}

}  // namespace
}  // namespace jit::kafka
