#include "libs/kafka/errors.h"

#include <librdkafka/rdkafka.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::kafka {
namespace {

using ::testing::HasSubstr;

TEST(KafkaErrorCodeTest, MapsErrorFamiliesToStatusCodes) {
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_NO_ERROR), absl::StatusCode::kOk);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__TRANSPORT),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__PURGE_QUEUE),
            absl::StatusCode::kCancelled);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__FENCED),
            absl::StatusCode::kAborted);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR__FATAL),
            absl::StatusCode::kInternal);
  EXPECT_EQ(KafkaErrorCode(RD_KAFKA_RESP_ERR_STALE_CTRL_EPOCH),
            absl::StatusCode::kUnknown);
}

TEST(KafkaErrorStatusTest, NoErrorIsOk) {
  EXPECT_TRUE(KafkaErrorStatus(RD_KAFKA_RESP_ERR_NO_ERROR, "ctx").ok());
}

TEST(KafkaErrorStatusTest, MessageHasContextTextAndErrorName) {
  absl::Status status =
      KafkaErrorStatus(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "deliver to t[0]");
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr("deliver to t[0]: "));
  EXPECT_THAT(status.message(), HasSubstr("Message timed out"));
  EXPECT_THAT(status.message(), HasSubstr("(_MSG_TIMED_OUT)"));
}

TEST(KafkaErrorStatusTest, DetailReplacesGenericText) {
  absl::Status status =
      KafkaErrorStatus(RD_KAFKA_RESP_ERR__TRANSPORT, "consume", "broker gone");
  EXPECT_EQ(status.message(), "consume: broker gone (_TRANSPORT)");
}

}  // namespace
}  // namespace jit::kafka
