// Producer and Consumer against a private in-process mock cluster.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/testing/mock_cluster.h"

namespace jit::kafka {
namespace {

using ::jit::kafka_testing::ReadAll;
using ::jit::kafka_testing::UniqueName;
using ::testing::Each;
using ::testing::HasSubstr;

constexpr int kPartitions = 3;

class KafkaMockClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto cluster = MockCluster::Start(1);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
    topic_ = UniqueName("test");
    ASSERT_TRUE(cluster_->CreateTopic(topic_, kPartitions).ok());
  }

  std::unique_ptr<Producer> NewProducer(
      std::map<std::string, std::string> properties = {}) {
    auto producer =
        Producer::Create({.bootstrap_servers = cluster_->bootstrap_servers(),
                          .client_id = "test-producer",
                          .properties = std::move(properties)});
    EXPECT_TRUE(producer.ok()) << producer.status();
    return producer.ok() ? *std::move(producer) : nullptr;
  }

  std::unique_ptr<Consumer> NewConsumer(
      std::string group_id = "", std::string auto_offset_reset = "earliest") {
    auto consumer = Consumer::Create(
        {.bootstrap_servers = cluster_->bootstrap_servers(),
         .group_id = std::move(group_id),
         .client_id = "test-consumer",
         .auto_offset_reset = std::move(auto_offset_reset),
         // Short fetch waits make end-of-partition show up sooner.
         .properties = {{"session.timeout.ms", "6000"},
                        {"fetch.wait.max.ms", "10"}}});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    return consumer.ok() ? *std::move(consumer) : nullptr;
  }

  // Polls until every assigned partition is at its end.
  std::vector<ConsumedMessage> ReadToEnd(Consumer& consumer,
                                         absl::Duration timeout) {
    std::vector<ConsumedMessage> messages;
    const absl::Time deadline = absl::Now() + timeout;
    while (!consumer.AtEndOfAssignedPartitions()) {
      if (absl::Now() > deadline) {
        ADD_FAILURE() << "not at end after " << timeout << ", "
                      << messages.size() << " messages read";
        break;
      }
      auto message = consumer.Poll(absl::Milliseconds(100));
      if (!message.ok()) {
        ADD_FAILURE() << message.status();
        break;
      }
      if (message->has_value()) messages.push_back(**std::move(message));
    }
    return messages;
  }

  std::vector<TopicPartitionOffset> AllPartitions(int64_t offset) {
    std::vector<TopicPartitionOffset> partitions;
    for (int p = 0; p < kPartitions; ++p)
      partitions.push_back({topic_, p, offset});
    return partitions;
  }

  // Message i has key "k<i % keys>", value "v<i>" and CloudEvents headers.
  std::vector<Message> MakeMessages(int n, int keys) {
    std::vector<Message> messages;
    for (int i = 0; i < n; ++i) {
      CloudEventAttributes ce;
      ce.id = absl::StrCat("event-", i);
      ce.source = "jobintech/test";
      ce.type = "ma.jobintech.test.happened.v1";
      ce.subject = absl::StrCat("k", i % keys);
      ce.time = absl::FromUnixMillis(1700000000000 + i);
      ce.traceparent = NewTraceparent();
      messages.push_back({.topic = topic_,
                          .key = absl::StrCat("k", i % keys),
                          .value = absl::StrCat("v", i),
                          .headers = ToHeaders(ce)});
    }
    return messages;
  }

  static std::vector<absl::Status> NonOk(const std::vector<absl::Status>& all) {
    std::vector<absl::Status> bad;
    for (const absl::Status& s : all) {
      if (!s.ok()) bad.push_back(s);
    }
    return bad;
  }

  // Checks that `got` is `sent` (same messages, per-key order kept, each key
  // on one partition, offsets increasing within a partition).
  static void ExpectSameMessagesInKeyOrder(
      const std::vector<Message>& sent,
      const std::vector<ConsumedMessage>& got) {
    ASSERT_EQ(got.size(), sent.size());
    std::map<std::string, const Message*> by_value;
    for (const Message& m : sent) by_value[m.value] = &m;
    std::map<std::string, std::vector<std::string>> sent_by_key;
    for (const Message& m : sent) sent_by_key[m.key].push_back(m.value);
    std::map<std::string, std::vector<std::string>> got_by_key;
    std::map<std::string, int32_t> partition_of_key;
    std::map<int32_t, int64_t> last_offset;
    for (const ConsumedMessage& m : got) {
      ASSERT_TRUE(by_value.count(m.value)) << m.value;
      const Message& original = *by_value[m.value];
      EXPECT_EQ(m.key, original.key);
      EXPECT_EQ(m.headers, original.headers);
      EXPECT_TRUE(FromHeaders(m.headers).ok());
      EXPECT_NE(m.timestamp, absl::InfinitePast());
      got_by_key[m.key].push_back(m.value);
      auto [it, inserted] = partition_of_key.emplace(m.key, m.partition);
      EXPECT_EQ(it->second, m.partition) << "key " << m.key << " moved";
      if (last_offset.count(m.partition)) {
        EXPECT_GT(m.offset, last_offset[m.partition]);
      }
      last_offset[m.partition] = m.offset;
    }
    EXPECT_EQ(got_by_key, sent_by_key);
  }

  std::unique_ptr<MockCluster> cluster_;
  std::string topic_;
};

TEST_F(KafkaMockClusterTest, AssignedConsumerReadsKeyedMessagesInOrder) {
  auto producer = NewProducer();
  const std::vector<Message> sent = MakeMessages(60, 7);
  const std::vector<absl::Status> results =
      producer->ProduceAndWait(sent, absl::Seconds(10));
  ASSERT_EQ(results.size(), sent.size());
  EXPECT_THAT(NonOk(results), ::testing::IsEmpty());

  auto consumer = NewConsumer();
  ASSERT_TRUE(consumer->Assign(AllPartitions(kOffsetBeginning)).ok());
  ExpectSameMessagesInKeyOrder(sent, ReadToEnd(*consumer, absl::Seconds(10)));
  EXPECT_TRUE(consumer->Close().ok());
}

TEST_F(KafkaMockClusterTest, AssignFromAbsoluteOffsetSkipsEarlierMessages) {
  auto producer = NewProducer();
  std::vector<Message> sent = MakeMessages(5, 1);  // one key: one partition
  EXPECT_THAT(NonOk(producer->ProduceAndWait(sent, absl::Seconds(10))),
              ::testing::IsEmpty());
  auto all = ReadAll(cluster_->bootstrap_servers(), topic_, absl::Seconds(10));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 5u);
  const int32_t partition = (*all)[0].partition;

  auto consumer = NewConsumer();
  ASSERT_TRUE(consumer->Assign({{topic_, partition, 3}}).ok());
  std::vector<ConsumedMessage> got = ReadToEnd(*consumer, absl::Seconds(10));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value, "v3");
  EXPECT_EQ(got[0].offset, 3);
  EXPECT_EQ(got[1].value, "v4");
}

TEST_F(KafkaMockClusterTest, EmptyValueAndKeylessMessagesRoundTrip) {
  auto producer = NewProducer();
  EXPECT_THAT(
      NonOk(producer->ProduceAndWait(
          {{.topic = topic_, .key = "", .value = ""}}, absl::Seconds(10))),
      ::testing::IsEmpty());
  auto all = ReadAll(cluster_->bootstrap_servers(), topic_, absl::Seconds(10));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].key, "");
  EXPECT_EQ((*all)[0].value, "");
  EXPECT_TRUE((*all)[0].headers.empty());
}

TEST_F(KafkaMockClusterTest,
       SubscribedGroupReadsAllAndResumesFromStoredOffsets) {
  auto producer = NewProducer();
  const std::vector<Message> sent = MakeMessages(20, 5);
  EXPECT_THAT(NonOk(producer->ProduceAndWait(sent, absl::Seconds(10))),
              ::testing::IsEmpty());

  const std::string group = UniqueName("group");
  auto consumer = NewConsumer(group);
  ASSERT_TRUE(consumer->Subscribe({topic_}).ok());
  std::vector<ConsumedMessage> got = ReadToEnd(*consumer, absl::Seconds(30));
  ExpectSameMessagesInKeyOrder(sent, got);
  for (const ConsumedMessage& m : got) {
    ASSERT_TRUE(consumer->StoreOffset(m).ok());
  }
  ASSERT_TRUE(consumer->Commit().ok());
  ASSERT_TRUE(consumer->Commit().ok());  // nothing new: still OK
  ASSERT_TRUE(consumer->Close().ok());

  Message late = MakeMessages(1, 1)[0];
  late.value = "late";
  EXPECT_THAT(NonOk(producer->ProduceAndWait({late}, absl::Seconds(10))),
              ::testing::IsEmpty());

  // Same group, committed offsets, without a (slow) group join.
  auto resumed = NewConsumer(group);
  ASSERT_TRUE(resumed->Assign(AllPartitions(kOffsetStored)).ok());
  std::vector<ConsumedMessage> rest = ReadToEnd(*resumed, absl::Seconds(10));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].value, "late");
}

TEST_F(KafkaMockClusterTest, StoringOffsetOfUnassignedPartitionFails) {
  auto consumer = NewConsumer(UniqueName("group"));
  ConsumedMessage message;
  message.topic = topic_;
  message.partition = 0;
  message.offset = 0;
  EXPECT_EQ(consumer->StoreOffset(message).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(KafkaMockClusterTest, MetadataGivesPartitionCountsAndWatermarks) {
  auto consumer = NewConsumer();
  auto count = consumer->PartitionCount(topic_);
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*count, kPartitions);
  EXPECT_EQ(consumer->PartitionCount("no-such-topic").status().code(),
            absl::StatusCode::kNotFound);
  auto topics = consumer->ListTopics();
  ASSERT_TRUE(topics.ok()) << topics.status();
  EXPECT_EQ((*topics)[topic_], kPartitions);

  auto producer = NewProducer();
  EXPECT_THAT(
      NonOk(producer->ProduceAndWait(MakeMessages(5, 1), absl::Seconds(10))),
      ::testing::IsEmpty());
  int64_t total = 0;
  for (int p = 0; p < kPartitions; ++p) {
    auto marks = consumer->WatermarkOffsets(topic_, p);
    ASSERT_TRUE(marks.ok()) << marks.status();
    EXPECT_EQ(marks->first, 0);
    EXPECT_TRUE(marks->second == 0 || marks->second == 5) << marks->second;
    total += marks->second;
  }
  EXPECT_EQ(total, 5);
}

TEST_F(KafkaMockClusterTest, CachedWatermarksComeFromTheConsumersOwnFetches) {
  auto producer = NewProducer();
  EXPECT_THAT(
      NonOk(producer->ProduceAndWait(MakeMessages(7, 1), absl::Seconds(10))),
      ::testing::IsEmpty());
  auto consumer = NewConsumer();
  // Not fetched yet: nothing cached, and no broker round trip to find out.
  EXPECT_EQ(consumer->CachedWatermarkOffsets(topic_, 0).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(consumer->Assign(AllPartitions(kOffsetBeginning)).ok());
  int read = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (read < 7 && absl::Now() < deadline) {
    auto m = consumer->Poll(absl::Milliseconds(100));
    if (m.ok() && m->has_value()) ++read;
  }
  ASSERT_EQ(read, 7);
  int64_t total = 0;
  for (int p = 0; p < kPartitions; ++p) {
    absl::StatusOr<std::pair<int64_t, int64_t>> marks = consumer->CachedWatermarkOffsets(topic_, p);
    // Every partition has been fetched by now (fetch.wait.max.ms is short).
    for (int i = 0; i < 50 && !marks.ok(); ++i) {
      (void)consumer->Poll(absl::Milliseconds(50));
      marks = consumer->CachedWatermarkOffsets(topic_, p);
    }
    ASSERT_TRUE(marks.ok()) << marks.status();
    total += marks->second;
  }
  EXPECT_EQ(total, 7);
}

TEST_F(KafkaMockClusterTest, OffsetOutOfRangeWithResetErrorIsAStatus) {
  auto consumer = NewConsumer("", "error");
  ASSERT_TRUE(consumer->Assign({{topic_, 0, 1000}}).ok());
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  absl::Status status;
  while (status.ok() && absl::Now() < deadline) {
    status = consumer->Poll(absl::Milliseconds(100)).status();
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
}

TEST_F(KafkaMockClusterTest, ConcurrentCallersEachGetTheirReports) {
  auto producer = NewProducer();
  std::vector<std::vector<absl::Status>> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Message> batch = MakeMessages(50, 5);
      for (Message& m : batch) m.value = absl::StrCat("t", t, "-", m.value);
      results[t] = producer->ProduceAndWait(batch, absl::Seconds(10));
    });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& r : results) {
    EXPECT_EQ(r.size(), 50u);
    EXPECT_THAT(NonOk(r), ::testing::IsEmpty());
  }
  EXPECT_TRUE(producer->Flush(absl::Seconds(5)).ok());
  auto all = ReadAll(cluster_->bootstrap_servers(), topic_, absl::Seconds(10));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->size(), 200u);
}

TEST_F(KafkaMockClusterTest, ProducingToUnknownTopicFailsDelivery) {
  // The mock cluster auto-creates any topic a client asks for (even with
  // allow.auto.create.topics=false), so make the topic unknown explicitly.
  const std::string missing = UniqueName("missing");
  rd_kafka_mock_topic_set_error(cluster_->raw(), missing.c_str(),
                                RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  auto producer = NewProducer(
      {{"allow.auto.create.topics", "false"}, {"message.timeout.ms", "1500"}});
  const std::vector<absl::Status> results = producer->ProduceAndWait(
      {{.topic = missing, .key = "k", .value = "v"}}, absl::Seconds(10));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_THAT(results[0].code(),
              ::testing::AnyOf(absl::StatusCode::kNotFound,
                               absl::StatusCode::kDeadlineExceeded))
      << results[0];
}

TEST_F(KafkaMockClusterTest, BrokerRejectionIsSurfacedPerMessage) {
  auto producer = NewProducer({{"message.timeout.ms", "5000"}});
  // Warm up so that the rejection hits the Produce request itself.
  EXPECT_THAT(
      NonOk(producer->ProduceAndWait(MakeMessages(1, 1), absl::Seconds(10))),
      ::testing::IsEmpty());
  constexpr int16_t kProduceApiKey = 0;
  rd_kafka_mock_push_request_errors(
      cluster_->raw(), kProduceApiKey, 1,
      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  const std::vector<absl::Status> results =
      producer->ProduceAndWait(MakeMessages(1, 1), absl::Seconds(10));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].code(), absl::StatusCode::kPermissionDenied)
      << results[0];
  EXPECT_THAT(results[0].message(), HasSubstr("TOPIC_AUTHORIZATION_FAILED"));
}

TEST_F(KafkaMockClusterTest, DeliveryFailsWhenBrokerIsDown) {
  auto producer = NewProducer({{"message.timeout.ms", "1000"}});
  ASSERT_TRUE(cluster_->SetBrokerDown(-1).ok());
  const std::vector<absl::Status> results =
      producer->ProduceAndWait(MakeMessages(3, 3), absl::Seconds(10));
  ASSERT_EQ(results.size(), 3u);
  for (const absl::Status& s : results) {
    EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
    EXPECT_THAT(s.message(), HasSubstr("_MSG_TIMED_OUT")) << s;
  }
  ASSERT_TRUE(cluster_->SetBrokerUp(-1).ok());
}

TEST_F(KafkaMockClusterTest, WaitTimeoutReportsDeadlineAndDestroyDoesNotHang) {
  auto producer = NewProducer({{"message.timeout.ms", "60000"}});
  ASSERT_TRUE(cluster_->SetBrokerDown(-1).ok());
  const std::vector<absl::Status> results =
      producer->ProduceAndWait(MakeMessages(2, 2), absl::Milliseconds(300));
  ASSERT_EQ(results.size(), 2u);
  for (const absl::Status& s : results) {
    EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << s;
    EXPECT_THAT(s.message(), HasSubstr("no delivery report")) << s;
  }
  EXPECT_EQ(producer->Flush(absl::Milliseconds(50)).code(),
            absl::StatusCode::kDeadlineExceeded);
  const absl::Time start = absl::Now();
  producer.reset();
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST_F(KafkaMockClusterTest, BrokerRecoveryLetsLaterBatchesThrough) {
  auto producer = NewProducer({{"message.timeout.ms", "20000"}});
  ASSERT_TRUE(cluster_->SetBrokerDown(-1).ok());
  std::thread revive([this] {
    absl::SleepFor(absl::Milliseconds(500));
    EXPECT_TRUE(cluster_->SetBrokerUp(-1).ok());
  });
  const std::vector<absl::Status> results =
      producer->ProduceAndWait(MakeMessages(5, 5), absl::Seconds(15));
  revive.join();
  EXPECT_THAT(NonOk(results), ::testing::IsEmpty());
}

TEST(KafkaMockClusterSetupTest, CreateTopicValidatesArguments) {
  auto cluster = MockCluster::Start(2);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  EXPECT_EQ((*cluster)->broker_count(), 2);
  EXPECT_THAT((*cluster)->bootstrap_servers(), HasSubstr(","));
  EXPECT_TRUE((*cluster)->CreateTopic("ok", 2, 2).ok());
  EXPECT_EQ((*cluster)->CreateTopic("bad name", 1).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*cluster)->CreateTopic("zero", 0).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*cluster)->CreateTopic("wide", 1, 3).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MockCluster::Start(0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(KafkaMockClusterSetupTest, ProducerWithPrivateMockClusterDelivers) {
  auto producer =
      Producer::Create({.properties = {{"test.mock.num.brokers", "1"}}});
  ASSERT_TRUE(producer.ok()) << producer.status();
  const std::vector<absl::Status> results = (*producer)->ProduceAndWait(
      {{.topic = "auto-created", .key = "k", .value = "v"}}, absl::Seconds(10));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok()) << results[0];
}

}  // namespace
}  // namespace jit::kafka
