#include "tools/jitctl/rpc.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/grpcclient/call.h"
#include "libs/grpcclient/channel.h"
#include "libs/status/field_violations.h"
#include "libs/status/grpc_status.h"

namespace jit::jitctl {

absl::Status CallWithRetry(const CallPolicy& policy,
                           absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call) {
  grpcclient::CallOptions options;
  options.timeout = policy.deadline;
  options.retry.max_attempts = policy.attempts;
  options.retry.initial_backoff = policy.initial_backoff;
  options.retry.max_backoff = policy.max_backoff;
  options.retry.multiplier = 2;
  options.sleeper = policy.sleeper;
  return status::FromGrpcStatus(
      grpcclient::Call(options, [&](grpc::ClientContext& context) { return call(&context); })
          .status);
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& address, std::shared_ptr<grpc::ChannelCredentials> credentials) {
  // Fail fast when nothing listens, so that retries see UNAVAILABLE quickly.
  return grpcclient::MakeChannel(address, {.credentials = std::move(credentials),
                                           .initial_reconnect_backoff = absl::Milliseconds(200),
                                           .max_reconnect_backoff = absl::Seconds(2)});
}

bool WaitForConnected(const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  return channel->WaitForConnected(absl::ToChronoTime(absl::Now() + timeout));
}

bool IsUnreachable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  return IsUnreachable(status) ? kExitUnreachable : kExitFailed;
}

std::string DescribeError(const absl::Status& status) {
  std::string out =
      absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  for (const status::FieldViolation& v : status::GetFieldViolations(status)) {
    absl::StrAppend(&out, "\n  ", v.field, ": ", v.description);
  }
  return out;
}

}  // namespace jit::jitctl
