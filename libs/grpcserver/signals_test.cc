#include "libs/grpcserver/signals.h"

#include <pthread.h>
#include <signal.h>

#include <cstdlib>
#include <thread>

#include "gtest/gtest.h"

namespace jit::grpcserver {
namespace {

// Each case runs in a forked child (EXPECT_EXIT) so that the test process's
// own signal mask is left alone.

TEST(SignalsTest, WaitReturnsTheBlockedSignal) {
  EXPECT_EXIT(
      {
        BlockShutdownSignals();
        raise(SIGTERM);  // stays pending: blocked
        std::exit(WaitForShutdownSignal() == SIGTERM ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(SignalsTest, SignalSentToTheProcessReachesTheWaiterNotOtherThreads) {
  EXPECT_EXIT(
      {
        BlockShutdownSignals();
        // A thread started afterwards inherits the mask, so a process-wide
        // SIGINT cannot kill the process through it.
        std::thread worker([] { kill(getpid(), SIGINT); });
        const int sig = WaitForShutdownSignal();
        worker.join();
        std::exit(sig == SIGINT ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(SignalsTest, WithoutBlockingSigtermTerminates) {
  EXPECT_EXIT(raise(SIGTERM), ::testing::KilledBySignal(SIGTERM), "");
}

}  // namespace
}  // namespace jit::grpcserver
