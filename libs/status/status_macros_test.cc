#include "libs/status/status_macros.h"

#include <string>

#include "gtest/gtest.h"

namespace jit::status {
namespace {

absl::StatusOr<int> ParsePositive(int v) {
  if (v <= 0) return absl::InvalidArgumentError("not positive");
  return v;
}

absl::Status Check(int v, int* calls) {
  ++*calls;
  RETURN_IF_ERROR(ParsePositive(v).status());
  return absl::OkStatus();
}

absl::StatusOr<std::string> Twice(int v) {
  ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  int total = 0;
  ASSIGN_OR_RETURN(total, ParsePositive(parsed * 2));
  return std::to_string(total);
}

TEST(StatusMacrosTest, ReturnIfErrorPassesOkThrough) {
  int calls = 0;
  EXPECT_TRUE(Check(3, &calls).ok());
  EXPECT_EQ(calls, 1);
}

TEST(StatusMacrosTest, ReturnIfErrorReturnsTheError) {
  int calls = 0;
  absl::Status s = Check(-1, &calls);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "not positive");
}

TEST(StatusMacrosTest, AssignOrReturnAssignsDeclarationsAndLvalues) {
  auto r = Twice(4);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, "8");
}

TEST(StatusMacrosTest, AssignOrReturnPropagatesTheError) {
  auto r = Twice(0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jit::status
