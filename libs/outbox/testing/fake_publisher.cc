#include "libs/outbox/testing/fake_publisher.h"

#include <utility>

namespace jit::outbox::testing {

std::vector<absl::Status> FakePublisher::PublishBatch(
    const std::vector<OutboxMessage>& batch) {
  absl::MutexLock lock(&mu_);
  calls_.push_back(batch);
  mu_.Await(absl::Condition(
      +[](bool* held) { return !*held; }, &held_));

  std::vector<absl::Status> statuses;
  statuses.reserve(batch.size());
  if (fail_calls_ > 0) {
    --fail_calls_;
    statuses.assign(batch.size(), fail_calls_status_);
  } else {
    for (const OutboxMessage& m : batch) {
      absl::Status status;
      for (MessageFailure& f : message_failures_) {
        if (f.remaining != 0 && f.predicate(m)) {
          if (f.remaining > 0) --f.remaining;
          status = f.status;
          break;
        }
      }
      if (status.ok()) published_.push_back(m);
      statuses.push_back(std::move(status));
    }
  }
  if (wrong_count_once_ && !statuses.empty()) {
    wrong_count_once_ = false;
    statuses.pop_back();
  }
  return statuses;
}

void FakePublisher::FailNextCalls(int n, absl::Status status) {
  absl::MutexLock lock(&mu_);
  fail_calls_ = n;
  fail_calls_status_ = std::move(status);
}

void FakePublisher::FailMessages(Predicate predicate, int times,
                                 absl::Status status) {
  absl::MutexLock lock(&mu_);
  message_failures_.push_back({std::move(predicate), times, std::move(status)});
}

void FakePublisher::FailPayload(std::string payload, int times) {
  FailMessages([payload = std::move(payload)](
                   const OutboxMessage& m) { return m.payload == payload; },
               times);
}

void FakePublisher::ReturnWrongStatusCountOnce() {
  absl::MutexLock lock(&mu_);
  wrong_count_once_ = true;
}

void FakePublisher::HoldCalls() {
  absl::MutexLock lock(&mu_);
  held_ = true;
}

void FakePublisher::ReleaseCalls() {
  absl::MutexLock lock(&mu_);
  held_ = false;
}

bool FakePublisher::WaitForCalls(int n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(calls_.size()) >= n;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool FakePublisher::WaitForPublished(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return published_.size() >= n;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

std::vector<OutboxMessage> FakePublisher::published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

std::vector<std::vector<OutboxMessage>> FakePublisher::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

int FakePublisher::call_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(calls_.size());
}

void FakePublisher::ClearRecords() {
  absl::MutexLock lock(&mu_);
  calls_.clear();
  published_.clear();
}

std::vector<std::string> Payloads(const std::vector<OutboxMessage>& messages) {
  std::vector<std::string> out;
  out.reserve(messages.size());
  for (const OutboxMessage& m : messages) out.push_back(m.payload);
  return out;
}

}  // namespace jit::outbox::testing
