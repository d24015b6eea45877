#include "libs/service/serve.h"

#include <pthread.h>
#include <signal.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/grpcserver/signals.h"
#include "libs/grpcserver/testdata/echo.grpc.pb.h"

namespace jit::service {
namespace {

using ::testing::ElementsAre;

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

TEST(ServeUntilSignalTest, RefusesToServeWithoutSecuritySettings) {
  absl::Status s = ServeUntilSignal({.name = "x",
                                     .grpc_address = "127.0.0.1:0",
                                     .admin_address = "127.0.0.1:0"});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
}

// The hooks the aggregator's main relies on, in order: admin routes before
// the admin server starts, ready(true) once serving, then on SIGTERM
// ready(false), the drain hook, after_drain, whose error is the result.
TEST(ServeUntilSignalTest, RunsTheHooksInOrderAndReturnsAfterDrainsError) {
  grpcserver::BlockShutdownSignals();  // before any thread of this test
  // Any service (gRPC needs one to start); its methods are never called.
  grpcserver::testing::CallbackEcho::CallbackService echo;
  Security security;
  security.insecure_plaintext = true;
  absl::Mutex mu;
  std::vector<std::string> calls;
  auto record = [&](std::string what) {
    absl::MutexLock lock(&mu);
    calls.push_back(std::move(what));
  };
  absl::Notification ready;
  const pthread_t serving_thread = pthread_self();
  absl::Notification done;
  std::thread signaller([&] {
    ready.WaitForNotification();
    if (!done.HasBeenNotified()) pthread_kill(serving_thread, SIGTERM);
  });
  absl::Status s = ServeUntilSignal(
      {.name = "hooks",
       .grpc_address = "127.0.0.1:0",
       .admin_address = "127.0.0.1:0",
       .unready_grace = absl::ZeroDuration(),
       .drain_timeout = absl::Seconds(5),
       .services = {&echo},
       .security = &security,
       .admin_routes = [&](metrics::AdminServer&) { record("admin_routes"); },
       .on_ready =
           [&](bool r) {
             record(r ? "ready" : "unready");
             if (r) ready.Notify();
           },
       .on_drain = [&] { record("drain"); },
       .after_drain =
           [&] {
             record("after_drain");
             return absl::DataLossError("final checkpoint: disk gone");
           }});
  done.Notify();
  if (!ready.HasBeenNotified()) ready.Notify();  // it never served: free the signaller
  signaller.join();
  EXPECT_EQ(s, absl::DataLossError("final checkpoint: disk gone"));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(calls, ElementsAre("admin_routes", "ready", "unready", "drain", "after_drain"));
}

}  // namespace
}  // namespace jit::service
