#include "libs/grpcclient/call.h"

#include <algorithm>
#include <chrono>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace jit::grpcclient {
namespace {

class SleepFor final : public Sleeper {
 public:
  void Sleep(absl::Duration duration) override { absl::SleepFor(duration); }
};

absl::Duration Jittered(const RetryPolicy& policy, absl::Duration d) {
  const double lo = std::min(policy.jitter_min, policy.jitter_max);
  const double hi = std::max(policy.jitter_min, policy.jitter_max);
  if (lo == hi) return d * lo;
  thread_local absl::BitGen gen;
  return d * absl::Uniform(absl::IntervalClosedClosed, gen, lo, hi);
}

}  // namespace

Sleeper& RealSleeper() {
  static SleepFor* const sleeper = new SleepFor();
  return *sleeper;
}

absl::Duration BackoffBefore(const RetryPolicy& policy, int retry) {
  absl::Duration d = policy.initial_backoff;
  for (int i = 1; i < retry && d < policy.max_backoff; ++i) {
    d = d * policy.multiplier;
  }
  return std::min(d, policy.max_backoff);
}

CallResult Call(const CallOptions& options,
                absl::FunctionRef<grpc::Status(grpc::ClientContext&)> attempt) {
  Sleeper& sleeper =
      options.sleeper != nullptr ? *options.sleeper : RealSleeper();
  const int max_attempts = std::max(1, options.retry.max_attempts);
  CallResult result;
  while (true) {
    const absl::Time now = absl::Now();
    absl::Time deadline = now + options.timeout;
    if (options.parent_deadline.has_value()) {
      if (*options.parent_deadline <= now) {
        if (result.attempts == 0) {
          result.status = grpc::Status(
              grpc::StatusCode::DEADLINE_EXCEEDED,
              "the caller's deadline passed before the call was made");
        }
        return result;
      }
      deadline = std::min(deadline, *options.parent_deadline);
    }
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(deadline));
    if (!options.traceparent.empty()) {
      context.AddMetadata("traceparent", options.traceparent);
    }
    result.status = attempt(context);
    ++result.attempts;
    if (result.status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        result.attempts >= max_attempts) {
      return result;
    }
    const absl::Duration pause =
        Jittered(options.retry, BackoffBefore(options.retry, result.attempts));
    // Waiting past the caller's deadline would only end in DEADLINE_EXCEEDED.
    if (options.parent_deadline.has_value() &&
        absl::Now() + pause >= *options.parent_deadline) {
      return result;
    }
    sleeper.Sleep(pause);
  }
}

std::optional<absl::Time> DeadlineOf(const grpc::ServerContextBase& context) {
  const std::chrono::system_clock::time_point deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) {
    return std::nullopt;
  }
  return absl::FromChrono(deadline);
}

}  // namespace jit::grpcclient
