#include "libs/executor/bounded_executor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace jit::executor {
namespace {

ExecutorOptions Clamped(ExecutorOptions options) {
  options.threads = std::max(1, options.threads);
  options.queue_capacity = std::max(0, options.queue_capacity);
  if (options.retry_after < absl::ZeroDuration()) {
    options.retry_after = absl::ZeroDuration();
  }
  return options;
}

}  // namespace

BoundedExecutor::BoundedExecutor(ExecutorOptions options)
    : options_(Clamped(std::move(options))),
      clock_(options_.clock != nullptr ? options_.clock : &SystemClock::Get()) {
  if (options_.registry != nullptr) {
    metrics_ = std::make_unique<metrics::ExecutorMetrics>(
        *options_.registry, options_.name, options_.threads,
        options_.queue_capacity);
  }
  absl::MutexLock lock(&shutdown_mu_);
  workers_.reserve(options_.threads);
  for (int i = 0; i < options_.threads; ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

BoundedExecutor::~BoundedExecutor() { Shutdown(); }

absl::Status BoundedExecutor::CallerGone(const Task& task) const {
  if (task.deadline != absl::InfiniteFuture() &&
      clock_->Now() >= task.deadline) {
    return absl::DeadlineExceededError(
        "the call's deadline passed before its work started");
  }
  if (task.cancelled && task.cancelled()) {
    return absl::CancelledError("the call was cancelled before its work started");
  }
  return absl::OkStatus();
}

absl::Status BoundedExecutor::Submit(Task task) {
  if (absl::Status gone = CallerGone(task); !gone.ok()) {
    if (metrics_ != nullptr) {
      gone.code() == absl::StatusCode::kDeadlineExceeded
          ? metrics_->SkippedDeadline()
          : metrics_->SkippedCancelled();
    }
    return gone;
  }
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    if (metrics_ != nullptr) metrics_->RejectedShutdown();
    return absl::UnavailableError(
        absl::StrCat(options_.name, " is shutting down; retry on another "
                                    "replica"));
  }
  const int unfinished = running_ + static_cast<int>(queue_.size());
  if (unfinished >= options_.threads + options_.queue_capacity) {
    if (metrics_ != nullptr) metrics_->RejectedQueueFull();
    return absl::ResourceExhaustedError(absl::StrCat(
        "server overloaded: ", options_.threads, " workers busy and ",
        options_.queue_capacity, " calls waiting; retry after ",
        absl::FormatDuration(options_.retry_after)));
  }
  queue_.push_back({std::move(task), now});
  PublishLocked();
  return absl::OkStatus();
}

void BoundedExecutor::PublishLocked() {
  if (metrics_ == nullptr) return;
  metrics_->SetQueueDepth(static_cast<int>(queue_.size()));
  metrics_->SetBusyThreads(running_);
}

void BoundedExecutor::Work() {
  while (true) {
    Queued item;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](BoundedExecutor* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return !self->queue_.empty() || self->stopping_;
          },
          this));
      if (queue_.empty()) return;  // stopping, nothing left
      item = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
      PublishLocked();
    }
    const absl::Status start = CallerGone(item.task);
    if (metrics_ != nullptr) {
      metrics_->QueueWait(
          absl::ToDoubleSeconds(clock_->Now() - item.submitted));
      if (start.code() == absl::StatusCode::kDeadlineExceeded) {
        metrics_->SkippedDeadline();
      } else if (start.code() == absl::StatusCode::kCancelled) {
        metrics_->SkippedCancelled();
      }
    }
    std::move(item.task.body)(start);
    item.task.body = nullptr;  // what it captured goes before it counts done
    if (metrics_ != nullptr && start.ok()) metrics_->Completed();
    absl::MutexLock lock(&mu_);
    --running_;
    PublishLocked();
  }
}

void BoundedExecutor::Shutdown() {
  absl::MutexLock serial(&shutdown_mu_);
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

int BoundedExecutor::unfinished() const {
  absl::MutexLock lock(&mu_);
  return running_ + static_cast<int>(queue_.size());
}

int BoundedExecutor::queue_depth() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

}  // namespace jit::executor
