#include "tools/kafka-broker/broker_options.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::kafka_broker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(KafkaBrokerValidateCountsTest, AcceptsTheDocumentedRanges) {
  EXPECT_TRUE(ValidateCounts(1, 1).ok());
  EXPECT_TRUE(ValidateCounts(9, 1024).ok());
}

TEST(KafkaBrokerValidateCountsTest, NamesTheOffendingFlag) {
  EXPECT_THAT(ValidateCounts(0, 16).message(), HasSubstr("--brokers"));
  EXPECT_THAT(ValidateCounts(10, 16).message(), HasSubstr("--brokers"));
  EXPECT_THAT(ValidateCounts(1, 0).message(), HasSubstr("--partitions"));
  EXPECT_THAT(ValidateCounts(1, 1025).message(), HasSubstr("--partitions"));
  EXPECT_EQ(ValidateCounts(1, 0).code(), absl::StatusCode::kInvalidArgument);
}

TEST(KafkaBrokerExpandTopicsTest, AddsDeadLetterTopicAfterEachTopic) {
  auto topics = ExpandTopics(" a , b,,");
  ASSERT_TRUE(topics.ok()) << topics.status();
  EXPECT_THAT(*topics, ElementsAre("a", "a.dlq", "b", "b.dlq"));
}

TEST(KafkaBrokerExpandTopicsTest,
     DropsDuplicatesAndKeepsDeadLetterTopicsAsGiven) {
  auto topics = ExpandTopics("a,a.dlq,a,x.dlq");
  ASSERT_TRUE(topics.ok()) << topics.status();
  EXPECT_THAT(*topics, ElementsAre("a", "a.dlq", "x.dlq"));
}

TEST(KafkaBrokerExpandTopicsTest, RejectsEmptyListAndIllegalNames) {
  EXPECT_THAT(ExpandTopics(" , ").status().message(), HasSubstr("--topics"));
  EXPECT_THAT(ExpandTopics("bad topic").status().message(),
              HasSubstr("--topics"));
  // Legal alone, too long with ".dlq".
  EXPECT_FALSE(ExpandTopics(std::string(247, 'a')).ok());
}

TEST(KafkaBrokerReplicationFactorTest, IsBrokerCountUpToThree) {
  EXPECT_EQ(ReplicationFactor(1), 1);
  EXPECT_EQ(ReplicationFactor(3), 3);
  EXPECT_EQ(ReplicationFactor(9), 3);
}

TEST(KafkaBrokerWriteFileAtomicallyTest, WritesContentsAndLeavesNoTempFile) {
  std::string dir = ::testing::TempDir() + "/broker_options_XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/bootstrap";
  ASSERT_TRUE(WriteFileAtomically(path, "old\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "127.0.0.1:1234\n").ok());
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  EXPECT_EQ(contents.str(), "127.0.0.1:1234\n");
  EXPECT_NE(access((path + ".tmp." + std::to_string(getpid())).c_str(), F_OK),
            0);
  unlink(path.c_str());
  rmdir(dir.c_str());
}

TEST(KafkaBrokerWriteFileAtomicallyTest, MissingDirectoryIsAnError) {
  EXPECT_FALSE(WriteFileAtomically("/nonexistent-dir/x/bootstrap", "x").ok());
}

TEST(KafkaBrokerReadyLineTest, IsOneJsonLine) {
  BrokerOptions options;
  options.brokers = 2;
  options.partitions = 4;
  options.topics = {"a", "a.dlq"};
  EXPECT_EQ(ReadyLine(options, "127.0.0.1:1,127.0.0.1:2"),
            "{\"event\":\"ready\",\"bootstrap\":\"127.0.0.1:1,127.0.0.1:2\","
            "\"brokers\":2,\"partitions\":4,\"topics\":[\"a\",\"a.dlq\"]}");
}

}  // namespace
}  // namespace jit::kafka_broker
