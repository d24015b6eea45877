#include "libs/kafka/topics.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::kafka {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(KafkaTopicsTest, LifecycleTopicsAreTheThreeServiceTopics) {
  EXPECT_THAT(LifecycleTopics(),
              ElementsAre("jobintech.enrollment.v1", "jobintech.progress.v1",
                          "jobintech.placement.v1"));
}

TEST(KafkaTopicsTest, DeadLetterTopicAppendsDlq) {
  EXPECT_EQ(DeadLetterTopic(kEnrollmentTopic), "jobintech.enrollment.v1.dlq");
}

TEST(KafkaTopicsTest, LifecycleAndDeadLetterTopicNamesAreValid) {
  for (const std::string& topic : LifecycleTopics()) {
    EXPECT_TRUE(ValidateTopicName(topic).ok()) << topic;
    EXPECT_TRUE(ValidateTopicName(DeadLetterTopic(topic)).ok()) << topic;
  }
}

TEST(KafkaTopicsTest, RejectsIllegalTopicNames) {
  for (const std::string& topic :
       {std::string(""), std::string("."), std::string(".."),
        std::string("has space"), std::string("slash/topic"),
        std::string(250, 'a')}) {
    absl::Status status = ValidateTopicName(topic);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << topic;
    EXPECT_THAT(status.message(), HasSubstr("topic")) << topic;
  }
  EXPECT_TRUE(ValidateTopicName(std::string(249, 'a')).ok());
}

}  // namespace
}  // namespace jit::kafka
