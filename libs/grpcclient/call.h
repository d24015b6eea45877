// Unary calls to other services, the same way everywhere (the services' peer
// clients, jitctl, the simulator):
// - each attempt gets a fresh ClientContext whose deadline is `timeout` from
//   now, or the caller's own deadline (`parent_deadline`, e.g. that of the
//   server call being handled) when that comes first; no attempt starts, and
//   no backoff is waited, past the caller's deadline;
// - only UNAVAILABLE is retried (the request did not reach a handler, or the
//   service said "try again"), `retry.max_attempts` in all, after an
//   exponential backoff with jitter; every other code, DEADLINE_EXCEEDED
//   included (the service may still be working on it), ends the call;
// - pauses go through a Sleeper, so tests drive the loop without real time;
// - `traceparent`, when set, is sent on every attempt.
//
//   grpcclient::CallOptions options{.timeout = absl::Seconds(2),
//                                   .traceparent = traceparent};
//   grpcclient::CallResult r = grpcclient::Call(
//       options, [&](grpc::ClientContext& ctx) {
//         response.Clear();
//         return stub->LookupTrainee(&ctx, request, &response);
//       });
//   if (r.status.ok()) ...;  // else map r.status / r.attempts to a message
//
// The caller maps the result to its own statuses and messages. Thread-safe:
// Call keeps no state; a Sleeper must be thread-safe when shared.
#ifndef JIT_LIBS_GRPCCLIENT_CALL_H_
#define JIT_LIBS_GRPCCLIENT_CALL_H_

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace jit::grpcclient {

// Waits between attempts. Production uses RealSleeper(); tests record.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(absl::Duration duration) = 0;
};

// absl::SleepFor. Thread-safe, never destroyed.
Sleeper& RealSleeper();

struct RetryPolicy {
  // Attempts in all (1 = no retry); values below 1 count as 1.
  int max_attempts = 3;
  // The pause before retry n (1-based) is initial_backoff * multiplier^(n-1),
  // capped at max_backoff, ...
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(1);
  double multiplier = 2.0;
  // ... times a factor drawn uniformly from [jitter_min, jitter_max]
  // (1 and 1: no jitter).
  double jitter_min = 1.0;
  double jitter_max = 1.0;
};

// The pause before retry `retry` (1-based), without jitter.
absl::Duration BackoffBefore(const RetryPolicy& policy, int retry);

struct CallOptions {
  // Deadline of each attempt, from its start.
  absl::Duration timeout = absl::Seconds(2);
  RetryPolicy retry = {};
  // The caller's remaining budget ends here (see DeadlineOf); none if unset.
  std::optional<absl::Time> parent_deadline = std::nullopt;
  // W3C traceparent metadata for every attempt, when not empty.
  std::string traceparent = {};
  // Pauses between attempts; RealSleeper() when null. Not owned.
  Sleeper* sleeper = nullptr;
};

struct CallResult {
  // The last attempt's status: OK, a code that is not retried, UNAVAILABLE
  // when every attempt was, or DEADLINE_EXCEEDED when the caller's deadline
  // passed before an attempt could start.
  grpc::Status status;
  // Attempts made (0 when the caller's deadline had already passed).
  int attempts = 0;
};

// Runs `attempt` (one RPC on the context it is given) as described above.
CallResult Call(const CallOptions& options,
                absl::FunctionRef<grpc::Status(grpc::ClientContext&)> attempt);

// The deadline of a server call, for CallOptions::parent_deadline: nullopt
// when its client set none.
std::optional<absl::Time> DeadlineOf(const grpc::ServerContextBase& context);

}  // namespace jit::grpcclient

#endif  // JIT_LIBS_GRPCCLIENT_CALL_H_
