#include "services/placement/peers/retry.h"

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/ids/ids.h"
#include "libs/status/grpc_status.h"

namespace jit::placement::peers {
namespace {

// Uniform in [d / 2, d].
absl::Duration Jitter(absl::Duration d) {
  uint64_t r = 0;
  ids::RandomBytes(reinterpret_cast<uint8_t*>(&r), sizeof(r));
  const double fraction = 0.5 + 0.5 * (static_cast<double>(r >> 11) /
                                       static_cast<double>(uint64_t{1} << 53));
  return d * fraction;
}

}  // namespace

absl::Status CallPeer(
    const PeerOptions& options, absl::string_view method,
    const std::string& traceparent,
    const std::function<grpc::Status(grpc::ClientContext&)>& attempt) {
  const int attempts = std::max(1, options.retry.max_attempts);
  absl::Duration backoff = options.retry.initial_backoff;
  grpc::Status last;
  for (int i = 1; i <= attempts; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoMilliseconds(options.deadline));
    if (!traceparent.empty()) ctx.AddMetadata("traceparent", traceparent);
    last = attempt(ctx);
    if (last.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    if (i == attempts) {
      return absl::UnavailableError(absl::StrCat(
          options.name, " service unavailable at ", options.address, " (",
          method, ", ", attempts, attempts == 1 ? " attempt" : " attempts",
          "): ", last.error_message()));
    }
    const absl::Duration pause = Jitter(backoff);
    if (options.sleep) {
      options.sleep(pause);
    } else {
      absl::SleepFor(pause);
    }
    backoff =
        std::min(options.retry.max_backoff, backoff * options.retry.multiplier);
  }
  switch (last.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
      return absl::UnavailableError(absl::StrCat(
          options.name, " service at ", options.address, " did not answer ",
          method, " within ", absl::FormatDuration(options.deadline), " (",
          last.error_message(), ")"));
    case grpc::StatusCode::NOT_FOUND:
      return absl::NotFoundError(last.error_message());
    default: {
      const absl::Status s = status::FromGrpcStatus(last);
      return absl::InternalError(absl::StrCat(
          options.name, " service refused ", method, ": ",
          absl::StatusCodeToString(s.code()), ": ", last.error_message()));
    }
  }
}

}  // namespace jit::placement::peers
