#include "libs/status/details.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"
#include "libs/status/grpc_status.h"

namespace jit::status {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(RetryDelayTest, RoundTripsAndOkStaysOk) {
  absl::Status s = WithRetryDelay(absl::ResourceExhaustedError("overloaded"),
                                  absl::Milliseconds(1250));
  EXPECT_EQ(RetryDelayOf(s), absl::Milliseconds(1250));
  EXPECT_EQ(RetryDelayOf(absl::ResourceExhaustedError("no hint")), std::nullopt);
  EXPECT_TRUE(WithRetryDelay(absl::OkStatus(), absl::Seconds(1)).ok());
  EXPECT_EQ(RetryDelayOf(WithRetryDelay(absl::UnavailableError("x"),
                                        absl::Seconds(-3))),
            absl::ZeroDuration());
}

TEST(RetryDelayTest, TravelsAsRetryInfoDetailsAnyClientCanRead) {
  absl::Status s = WithRetryDelay(absl::ResourceExhaustedError("overloaded"),
                                  absl::Milliseconds(250));
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  EXPECT_EQ(rpc.code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(rpc.message(), "overloaded");
  ASSERT_EQ(rpc.details_size(), 1);
  EXPECT_EQ(rpc.details(0).type_url(),
            "type.googleapis.com/google.rpc.RetryInfo");
  google::rpc::RetryInfo info;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&info));
  EXPECT_EQ(info.retry_delay().seconds(), 0);
  EXPECT_EQ(info.retry_delay().nanos(), 250'000'000);
  EXPECT_EQ(RetryDelayOf(FromGrpcStatus(g)), absl::Milliseconds(250));
}

TEST(RetryDelayTest, FieldViolationsAndRetryInfoTravelTogether) {
  absl::Status s = WithRetryDelay(InvalidField("name", "is required"),
                                  absl::Seconds(2));
  absl::Status back = FromGrpcStatus(ToGrpcStatus(s));
  EXPECT_THAT(GetFieldViolations(back),
              ElementsAre(FieldViolation{"name", "is required"}));
  EXPECT_EQ(RetryDelayOf(back), absl::Seconds(2));
}

TEST(WithheldTest, ClientMessageHidesEveryWithheldText) {
  absl::Status s = absl::InternalError(
      "sqlite error 10: /var/lib/jit/data/enrollment.db: COMMIT: disk I/O "
      "error (also /var/lib/jit/data/enrollment.db-wal)");
  s = Withhold(s, "/var/lib/jit/data/enrollment.db");
  s = Withhold(s, "/var/lib/jit/data/enrollment.db");  // once is enough
  EXPECT_THAT(WithheldOf(s), ElementsAre("/var/lib/jit/data/enrollment.db"));
  // The server keeps the whole message.
  EXPECT_THAT(s.message(), HasSubstr("/var/lib/jit/data/enrollment.db"));
  EXPECT_EQ(ClientMessage(s),
            "sqlite error 10: [withheld]: COMMIT: disk I/O error (also "
            "[withheld]-wal)");
}

TEST(WithheldTest, NeverSentToClientsNeitherInMessageNorInDetails) {
  const std::string path = "/srv/jit/placement.db";
  absl::Status s = Withhold(
      WithRetryDelay(absl::UnavailableError("database is busy: " + path +
                                            ": BEGIN IMMEDIATE: locked"),
                     absl::Seconds(1)),
      path);
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(g.error_message(),
            "database is busy: [withheld]: BEGIN IMMEDIATE: locked");
  EXPECT_THAT(g.error_details(), Not(HasSubstr(path)));
  EXPECT_THAT(g.error_details(), Not(HasSubstr("jit.status.Withheld")));
  EXPECT_FALSE(FromGrpcStatus(g).GetPayload(kWithheldTypeUrl).has_value());
}

TEST(WithheldTest, NothingWithheldLeavesTheMessageAlone) {
  absl::Status s = absl::NotFoundError("no cohort coh_1");
  EXPECT_EQ(ClientMessage(s), "no cohort coh_1");
  EXPECT_FALSE(Withhold(s, "").GetPayload(kWithheldTypeUrl).has_value());
  EXPECT_TRUE(Withhold(absl::OkStatus(), "/x").ok());
}

}  // namespace
}  // namespace jit::status
