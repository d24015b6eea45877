#include "libs/grpcserver/unary.h"

#include "gtest/gtest.h"
#include "libs/status/field_violations.h"

namespace jit::grpcserver {
namespace {

TEST(RequireIdTest, EmptyAndOversizedIdsNameTheField) {
  EXPECT_TRUE(RequireId("cohort_id", "coh_1").ok());
  absl::Status empty = RequireId("cohort_id", "");
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetFieldViolations(empty)[0].field, "cohort_id");
  absl::Status long_id = RequireId("request_id", std::string(129, 'x'));
  EXPECT_EQ(status::GetFieldViolations(long_id)[0].field, "request_id");
  EXPECT_TRUE(RequireId("request_id", std::string(128, 'x')).ok());
}

}  // namespace
}  // namespace jit::grpcserver
