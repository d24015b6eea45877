// Calls to peer services through libs/grpcclient (one deadline per attempt,
// retry of UNAVAILABLE only with jittered exponential backoff), and statuses
// that name the peer.
//
//   PeerOptions options;
//   options.name = "training-progress";
//   options.address = "127.0.0.1:50052";
//   absl::Status s = CallPeer(options, "GetTraineeExit", traceparent,
//       [&](grpc::ClientContext& ctx) { return stub->GetTraineeExit(&ctx, req,
//       &resp); });
//
// Result mapping (what the domain relies on, see domain/peers.h):
//   OK                          -> OK
//   UNAVAILABLE (after retries) -> UNAVAILABLE "training-progress service
//                                  unavailable at 127.0.0.1:50052
//                                  (GetTraineeExit, 3 attempts): <detail>"
//   DEADLINE_EXCEEDED, CANCELLED-> UNAVAILABLE naming the peer and the
//                                  deadline (not retried: the peer may still
//                                  be working on it)
//   the caller's deadline passed
//   before any attempt           -> DEADLINE_EXCEEDED (no call made)
//   NOT_FOUND                   -> NOT_FOUND with the peer's message
//   anything else               -> INTERNAL "training-progress service
//                                  refused GetTraineeExit: <CODE>: <detail>"
//
// Thread-safe (stateless apart from the options it is given).
#ifndef JIT_SERVICES_PLACEMENT_PEERS_RETRY_H_
#define JIT_SERVICES_PLACEMENT_PEERS_RETRY_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"
#include "libs/command/request.h"
#include "libs/grpcclient/call.h"

namespace jit::placement::peers {

struct PeerOptions {
  // For messages: "training-progress", "enrollment".
  std::string name;
  // host:port, for messages and the channel.
  std::string address;
  // Deadline of each attempt.
  absl::Duration deadline = absl::Seconds(2);
  // Attempts in all (1 = no retry), backoff 100 ms doubling up to 1 s; each
  // pause drawn uniformly in [backoff / 2, backoff] (jitter).
  grpcclient::RetryPolicy retry = {.jitter_min = 0.5, .jitter_max = 1.0};
  // Pauses between attempts; null means real sleeps. Tests record. Not owned.
  grpcclient::Sleeper* sleeper = nullptr;
  // Mutual TLS towards the peer (service::Security's peer_credentials); null
  // is plaintext (single-process tests only).
  std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr;
};

// Runs `attempt` (one RPC on the context it is given, which carries the
// deadline — `options.deadline`, or the caller's remaining budget
// `peer.deadline` when that is sooner — and the traceparent metadata when
// `peer.traceparent` is not empty)
// as described above.
absl::Status CallPeer(
    const PeerOptions& options, absl::string_view method,
    const command::PeerContext& peer,
    absl::FunctionRef<grpc::Status(grpc::ClientContext&)> attempt);

}  // namespace jit::placement::peers

#endif  // JIT_SERVICES_PLACEMENT_PEERS_RETRY_H_
