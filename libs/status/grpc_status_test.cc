#include "libs/status/grpc_status.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::status {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(GrpcStatusTest, OkMapsToOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(GrpcStatusTest, EveryCodeMapsOneToOne) {
  for (int code = 1; code <= 16; ++code) {
    absl::Status s(static_cast<absl::StatusCode>(code), "boom");
    grpc::Status g = ToGrpcStatus(s);
    EXPECT_EQ(static_cast<int>(g.error_code()), code);
    EXPECT_EQ(g.error_message(), "boom");
    absl::Status back = FromGrpcStatus(g);
    EXPECT_EQ(back.code(), s.code());
    EXPECT_EQ(back.message(), "boom");
  }
}

TEST(GrpcStatusTest, UnknownAbslCodeBecomesUnknown) {
  absl::Status s(static_cast<absl::StatusCode>(42), "odd");
  EXPECT_EQ(ToGrpcStatus(s).error_code(), grpc::StatusCode::UNKNOWN);
}

TEST(GrpcStatusTest, FieldViolationsTravelAsBadRequestDetails) {
  absl::Status s = InvalidArgument({{"cohort.capacity", "must be positive"},
                                    {"province_code", "unknown province 'MA-XXX'"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("cohort.capacity: must be positive"));

  grpc::Status g = ToGrpcStatus(s);
  ASSERT_FALSE(g.error_details().empty());
  // Decode exactly as an independent client would.
  google::rpc::Status rpc;
  ASSERT_TRUE(rpc.ParseFromString(g.error_details()));
  EXPECT_EQ(rpc.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(rpc.details_size(), 1);
  EXPECT_EQ(rpc.details(0).type_url(), "type.googleapis.com/google.rpc.BadRequest");
  google::rpc::BadRequest br;
  ASSERT_TRUE(rpc.details(0).UnpackTo(&br));
  ASSERT_EQ(br.field_violations_size(), 2);
  EXPECT_EQ(br.field_violations(1).field(), "province_code");

  absl::Status back = FromGrpcStatus(g);
  EXPECT_THAT(GetFieldViolations(back),
              ElementsAre(FieldViolation{"cohort.capacity", "must be positive"},
                          FieldViolation{"province_code",
                                         "unknown province 'MA-XXX'"}));
}

TEST(GrpcStatusTest, MalformedDetailsKeepCodeAndMessage) {
  grpc::Status g(grpc::StatusCode::INVALID_ARGUMENT, "bad", "\xff\xff not a proto");
  absl::Status back = FromGrpcStatus(g);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(back.message(), "bad");
  EXPECT_TRUE(GetFieldViolations(back).empty());
}

TEST(FieldViolationsTest, EmptyCollectorIsOk) {
  FieldViolations v;
  EXPECT_TRUE(v.ToStatus().ok());
  v.Add("email", "not an email address");
  absl::Status s = v.ToStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(GetFieldViolations(s),
              ElementsAre(FieldViolation{"email", "not an email address"}));
}

TEST(FieldViolationsTest, PlainStatusHasNoViolations) {
  EXPECT_TRUE(GetFieldViolations(absl::InvalidArgumentError("x")).empty());
}

}  // namespace
}  // namespace jit::status
