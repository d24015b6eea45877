// gRPC calls of the operator tools (jitctl, jit-simulator), over
// libs/grpcclient: channels to the four services, a deadline per attempt,
// retries of UNAVAILABLE only (safe: every mutation carries a request id),
// and the translation of failures into messages and exit codes.
#ifndef JIT_TOOLS_JITCTL_RPC_H_
#define JIT_TOOLS_JITCTL_RPC_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "libs/grpcclient/call.h"

namespace jit::jitctl {

// Exit codes of jitctl.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // a call failed or rows were rejected
inline constexpr int kExitUsage = 2;        // bad command line or input file
inline constexpr int kExitUnreachable = 3;  // a service could not be reached

struct CallPolicy {
  absl::Duration deadline = absl::Seconds(10);  // per attempt
  int attempts = 3;                             // 1 = no retry
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  // Pauses between attempts; real sleeps when null. Not owned.
  grpcclient::Sleeper* sleeper = nullptr;
};

// Runs `call` through grpcclient::Call: a fresh ClientContext per attempt
// (deadline set), retrying UNAVAILABLE with exponential backoff (doubling, no
// jitter). The result keeps the service's field violations
// (google.rpc.BadRequest details).
absl::Status CallWithRetry(const CallPolicy& policy,
                           absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call);

// A channel with `credentials` (TLS + the person's bearer token,
// grpcclient::PersonCredentials); null is plaintext, which the services
// refuse unless started with --insecure_plaintext_for_tests.
std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials);

// Waits until the channel is connected; false after `timeout`.
bool WaitForConnected(const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout);

// True for failures that mean the service could not be reached or did not
// answer in time (UNAVAILABLE, DEADLINE_EXCEEDED).
bool IsUnreachable(const absl::Status& status);

// kExitOk, kExitUnreachable or kExitFailed.
int ExitCodeFor(const absl::Status& status);

// "FAILED_PRECONDITION: cohort is full" followed by one indented line per
// field violation ("  candidate.national_id: must be ...").
std::string DescribeError(const absl::Status& status);

}  // namespace jit::jitctl

#endif  // JIT_TOOLS_JITCTL_RPC_H_
