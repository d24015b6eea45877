#include "libs/executor/bounded_executor.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "prometheus/text_serializer.h"

namespace jit::executor {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// What the bodies were told, in the order they ran.
class Journal {
 public:
  void Add(const std::string& name, const absl::Status& start) {
    absl::MutexLock lock(&mu_);
    entries_.push_back(name + ":" +
                       std::string(absl::StatusCodeToString(start.code())));
  }
  std::vector<std::string> entries() const {
    absl::MutexLock lock(&mu_);
    return entries_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> entries_;
};

class BoundedExecutorTest : public ::testing::Test {
 protected:
  BoundedExecutor::Task Record(const std::string& name,
                               absl::Time deadline = absl::InfiniteFuture(),
                               std::function<bool()> cancelled = nullptr) {
    return {.body = [this, name](absl::Status start) {
              journal_.Add(name, start);
            },
            .deadline = deadline,
            .cancelled = std::move(cancelled)};
  }

  // A task that holds its worker until `release` is notified; `started` is
  // notified once it runs.
  BoundedExecutor::Task Blocker(absl::Notification* started,
                                absl::Notification* release) {
    return {.body =
                [this, started, release](absl::Status start) {
                  journal_.Add("blocker", start);
                  started->Notify();
                  release->WaitForNotification();
                }};
  }

  std::string Metrics() {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }

  FakeClock clock_;
  prometheus::Registry registry_;
  Journal journal_;
};

TEST_F(BoundedExecutorTest, RunsTasksFirstInFirstOutOnItsWorkers) {
  BoundedExecutor executor(
      {.name = "t", .threads = 1, .queue_capacity = 8, .clock = &clock_});
  absl::Notification started, release;
  ASSERT_TRUE(executor.Submit(Blocker(&started, &release)).ok());
  started.WaitForNotification();
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(executor.Submit(Record(name)).ok());
  }
  EXPECT_EQ(executor.queue_depth(), 3);
  EXPECT_EQ(executor.unfinished(), 4);
  release.Notify();
  executor.Shutdown();
  EXPECT_THAT(journal_.entries(),
              ElementsAre("blocker:OK", "a:OK", "b:OK", "c:OK"));
  EXPECT_EQ(executor.unfinished(), 0);
}

TEST_F(BoundedExecutorTest, FullQueueFailsFastWithResourceExhausted) {
  BoundedExecutor executor({.name = "t",
                            .threads = 1,
                            .queue_capacity = 2,
                            .retry_after = absl::Milliseconds(300),
                            .clock = &clock_,
                            .registry = &registry_});
  absl::Notification started, release;
  ASSERT_TRUE(executor.Submit(Blocker(&started, &release)).ok());
  started.WaitForNotification();
  ASSERT_TRUE(executor.Submit(Record("a")).ok());
  ASSERT_TRUE(executor.Submit(Record("b")).ok());
  // One running and two waiting: the third waiter is refused at once, and
  // its body never runs.
  const absl::Status full = executor.Submit(Record("refused"));
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.message(), HasSubstr("server overloaded"));
  EXPECT_THAT(full.message(), HasSubstr("300ms"));
  EXPECT_EQ(executor.Submit(Record("refused too")).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(executor.unfinished(), 3);
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_queue_depth{executor=\"t\"} 2"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_busy_threads{executor=\"t\"} 1"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_rejected_total{executor=\"t\","
                                   "reason=\"queue_full\"} 2"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_threads{executor=\"t\"} 1"));
  EXPECT_THAT(Metrics(),
              HasSubstr("jit_executor_queue_capacity{executor=\"t\"} 2"));

  release.Notify();
  executor.Shutdown();
  EXPECT_THAT(journal_.entries(), ElementsAre("blocker:OK", "a:OK", "b:OK"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_completed_total{executor=\"t\"} 3"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_queue_depth{executor=\"t\"} 0"));
}

TEST_F(BoundedExecutorTest, RoomFreedByFinishedTasksIsUsableAgain) {
  BoundedExecutor executor(
      {.name = "t", .threads = 1, .queue_capacity = 0, .clock = &clock_});
  absl::Notification started, release;
  ASSERT_TRUE(executor.Submit(Blocker(&started, &release)).ok());
  EXPECT_EQ(executor.Submit(Record("refused")).code(),
            absl::StatusCode::kResourceExhausted);
  release.Notify();
  // The blocker finishes; the executor then takes one task again.
  absl::Notification done;
  while (true) {
    absl::Status s = executor.Submit(
        {.body = [&done](absl::Status) { done.Notify(); }});
    if (s.ok()) break;
    ASSERT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
    absl::SleepFor(absl::Milliseconds(1));
  }
  done.WaitForNotification();
}

TEST_F(BoundedExecutorTest, TaskWhoseDeadlinePassedWhileWaitingIsNotStarted) {
  BoundedExecutor executor({.name = "t",
                            .threads = 1,
                            .queue_capacity = 4,
                            .clock = &clock_,
                            .registry = &registry_});
  absl::Notification started, release;
  ASSERT_TRUE(executor.Submit(Blocker(&started, &release)).ok());
  started.WaitForNotification();
  ASSERT_TRUE(
      executor.Submit(Record("late", clock_.Now() + absl::Seconds(1))).ok());
  ASSERT_TRUE(
      executor.Submit(Record("in time", clock_.Now() + absl::Seconds(10)))
          .ok());
  clock_.Advance(absl::Seconds(2));
  release.Notify();
  executor.Shutdown();
  EXPECT_THAT(journal_.entries(),
              ElementsAre("blocker:OK", "late:DEADLINE_EXCEEDED", "in time:OK"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_skipped_total{executor=\"t\","
                                   "reason=\"deadline_exceeded\"} 1"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_completed_total{executor=\"t\"} 2"));
}

TEST_F(BoundedExecutorTest, TaskWhoseCallerCancelledWhileWaitingIsNotStarted) {
  BoundedExecutor executor({.name = "t",
                            .threads = 1,
                            .queue_capacity = 4,
                            .clock = &clock_,
                            .registry = &registry_});
  absl::Notification started, release;
  std::atomic<bool> gone{false};
  ASSERT_TRUE(executor.Submit(Blocker(&started, &release)).ok());
  started.WaitForNotification();
  ASSERT_TRUE(executor.Submit(Record("cancelled", absl::InfiniteFuture(),
                                     [&gone] { return gone.load(); }))
                  .ok());
  ASSERT_TRUE(executor.Submit(Record("kept")).ok());
  gone = true;
  release.Notify();
  executor.Shutdown();
  EXPECT_THAT(journal_.entries(),
              ElementsAre("blocker:OK", "cancelled:CANCELLED", "kept:OK"));
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_skipped_total{executor=\"t\","
                                   "reason=\"cancelled\"} 1"));
}

TEST_F(BoundedExecutorTest, CallerAlreadyGoneIsRefusedAtSubmission) {
  BoundedExecutor executor(
      {.name = "t", .threads = 1, .queue_capacity = 4, .clock = &clock_});
  EXPECT_EQ(executor.Submit(Record("expired", clock_.Now())).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(executor
                .Submit(Record("cancelled", absl::InfiniteFuture(),
                               [] { return true; }))
                .code(),
            absl::StatusCode::kCancelled);
  executor.Shutdown();
  EXPECT_THAT(journal_.entries(), ::testing::IsEmpty());
}

TEST_F(BoundedExecutorTest, ShutdownDrainsAcceptedTasksThenRefusesNewOnes) {
  auto executor = std::make_unique<BoundedExecutor>(
      ExecutorOptions{.name = "t",
                      .threads = 2,
                      .queue_capacity = 16,
                      .clock = &clock_,
                      .registry = &registry_});
  absl::Notification started, release;
  ASSERT_TRUE(executor->Submit(Blocker(&started, &release)).ok());
  started.WaitForNotification();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(executor->Submit(Record("queued")).ok());
  }
  absl::Notification shut;
  std::thread stopper([&] {
    executor->Shutdown();
    shut.Notify();
  });
  // Shutdown waits for the blocked task; meanwhile new work is refused.
  while (executor->Submit(Record("probe")).code() !=
         absl::StatusCode::kUnavailable) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  const absl::Status refused = executor->Submit(Record("late"));
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("shutting down"));
  EXPECT_FALSE(shut.HasBeenNotified());
  release.Notify();
  stopper.join();
  EXPECT_EQ(executor->unfinished(), 0);
  // Every task accepted before the shutdown ran (the probes accepted before
  // it too); none after.
  int queued = 0;
  for (const std::string& e : journal_.entries()) {
    EXPECT_THAT(e, ::testing::EndsWith(":OK"));
    EXPECT_NE(e, "late:OK");
    if (e == "queued:OK") ++queued;
  }
  EXPECT_EQ(queued, 10);
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_rejected_total{executor=\"t\","
                                   "reason=\"shutdown\"}"));
  executor->Shutdown();  // idempotent
  executor.reset();
}

}  // namespace
}  // namespace jit::executor
