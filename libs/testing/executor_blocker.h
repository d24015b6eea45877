// Fills a bounded executor (libs/executor) for a test: every worker held by a
// task that waits for Release(), every waiting place taken, so the next
// Submit is refused with RESOURCE_EXHAUSTED. Lets an adapter test prove that
// its handlers hand their work to the executor (a call made meanwhile fails
// fast) without racing real load.
//
//   {
//     testing::ExecutorBlocker full(&executor);
//     EXPECT_EQ(stub->ListTracks(...).error_code(), RESOURCE_EXHAUSTED);
//   }  // released; the executor is idle again
#ifndef JIT_LIBS_TESTING_EXECUTOR_BLOCKER_H_
#define JIT_LIBS_TESTING_EXECUTOR_BLOCKER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "libs/executor/bounded_executor.h"

namespace jit::testing {

class ExecutorBlocker {
 public:
  // `executor` must be idle. ok() tells whether it could be filled.
  explicit ExecutorBlocker(executor::BoundedExecutor* executor)
      : executor_(executor) {
    const int threads = executor_->options().threads;
    started_ = std::make_unique<absl::BlockingCounter>(threads);
    for (int i = 0; i < threads; ++i) {
      status_ = executor_->Submit({.body = [this](absl::Status) {
        started_->DecrementCount();
        release_.WaitForNotification();
      }});
      if (!status_.ok()) return;
    }
    started_->Wait();
    for (int i = 0; i < executor_->options().queue_capacity && status_.ok();
         ++i) {
      status_ = executor_->Submit({.body = [](absl::Status) {}});
    }
  }
  ~ExecutorBlocker() { Release(); }
  ExecutorBlocker(const ExecutorBlocker&) = delete;
  ExecutorBlocker& operator=(const ExecutorBlocker&) = delete;

  const absl::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  // Lets the held tasks finish and waits (up to 10 s) until the executor is
  // idle. Idempotent.
  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
    const absl::Time until = absl::Now() + absl::Seconds(10);
    while (executor_->unfinished() > 0 && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }

 private:
  executor::BoundedExecutor* const executor_;
  absl::Status status_;
  std::unique_ptr<absl::BlockingCounter> started_;
  absl::Notification release_;
};

}  // namespace jit::testing

#endif  // JIT_LIBS_TESTING_EXECUTOR_BLOCKER_H_
