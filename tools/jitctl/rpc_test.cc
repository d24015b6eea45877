// CallWithRetry over grpcclient::Call: the policy's attempts, doubling
// backoff without jitter, and statuses that keep the service's message.
// Pauses are recorded, not slept; the calls are local lambdas.
#include "tools/jitctl/rpc.h"

#include <chrono>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/grpcclient/testing/recording_sleeper.h"

namespace jit::jitctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(CallWithRetryTest, RetriesUnavailableWithDoublingBackoffUpToTheCap) {
  grpcclient::RecordingSleeper sleeper;
  CallPolicy policy;
  policy.attempts = 6;
  policy.initial_backoff = absl::Seconds(1);
  policy.max_backoff = absl::Seconds(5);
  policy.sleeper = &sleeper;
  int calls = 0;
  const absl::Status st = CallWithRetry(policy, [&](grpc::ClientContext*) {
    ++calls;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
  });
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(st.message(), "down");
  EXPECT_EQ(calls, 6);
  EXPECT_THAT(sleeper.pauses(),
              ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(4),
                          absl::Seconds(5), absl::Seconds(5)));
  EXPECT_EQ(ExitCodeFor(st), kExitUnreachable);
}

TEST(CallWithRetryTest, EveryAttemptHasTheDeadlineAndOtherCodesEndTheCall) {
  grpcclient::RecordingSleeper sleeper;
  CallPolicy policy;
  policy.deadline = absl::Seconds(7);
  policy.sleeper = &sleeper;
  int calls = 0;
  const absl::Status st = CallWithRetry(policy, [&](grpc::ClientContext* c) {
    ++calls;
    const absl::Duration left = absl::FromChrono(c->deadline()) - absl::Now();
    EXPECT_GT(left, absl::Seconds(6));
    EXPECT_LE(left, absl::Seconds(7));
    return calls == 1 ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "retry")
                      : grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                     "cohort is full");
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DescribeError(st), "FAILED_PRECONDITION: cohort is full");
  EXPECT_EQ(ExitCodeFor(st), kExitFailed);
  EXPECT_THAT(sleeper.pauses(), ElementsAre(absl::Milliseconds(200)));
}

TEST(CallWithRetryTest, OneAttemptIsNoRetry) {
  grpcclient::RecordingSleeper sleeper;
  CallPolicy policy;
  policy.attempts = 1;
  policy.sleeper = &sleeper;
  int calls = 0;
  EXPECT_TRUE(absl::IsUnavailable(CallWithRetry(policy, [&](grpc::ClientContext*) {
    ++calls;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
  })));
  EXPECT_EQ(calls, 1);
  EXPECT_THAT(sleeper.pauses(), IsEmpty());
}

}  // namespace
}  // namespace jit::jitctl
