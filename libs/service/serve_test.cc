#include "libs/service/serve.h"

#include "gtest/gtest.h"

namespace jit::service {
namespace {

TEST(SplitHostPortTest, SplitsAndRejectsMalformedAddresses) {
  auto ok = SplitHostPort("127.0.0.1:50051");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "127.0.0.1");
  EXPECT_EQ(ok->second, 50051);
  EXPECT_EQ(SplitHostPort("0.0.0.0:0")->second, 0);
  EXPECT_EQ(SplitHostPort("nonsense").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(SplitHostPort("host:port").ok());
  EXPECT_FALSE(SplitHostPort("host:70000").ok());
}

}  // namespace
}  // namespace jit::service
