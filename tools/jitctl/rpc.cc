#include "tools/jitctl/rpc.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "libs/status/field_violations.h"
#include "libs/status/grpc_status.h"

namespace jit::jitctl {

absl::Status CallWithRetry(const CallPolicy& policy,
                           absl::FunctionRef<grpc::Status(grpc::ClientContext*)> call) {
  absl::Duration backoff = policy.initial_backoff;
  absl::Status last;
  const int attempts = std::max(1, policy.attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + policy.deadline));
    last = status::FromGrpcStatus(call(&context));
    if (!absl::IsUnavailable(last) || attempt == attempts) return last;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  return last;
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address) {
  grpc::ChannelArguments args;
  // Fail fast when nothing listens, so that retries see UNAVAILABLE quickly.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
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
