// Channels to other services, made in one place: TLS with the credentials
// given (mutual TLS between services: service::Security's peer_credentials,
// libs/tls), connecting lazily, and reconnecting within seconds of a peer
// coming back (gRPC's own reconnect backoff grows to two minutes).
//
//   auto stub = EnrollmentService::NewStub(
//       grpcclient::MakeChannel(address, {.credentials = security.peer_credentials}));
#ifndef JIT_LIBS_GRPCCLIENT_CHANNEL_H_
#define JIT_LIBS_GRPCCLIENT_CHANNEL_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace jit::grpcclient {

struct ChannelOptions {
  // How to connect. Null means plaintext, which servers refuse unless they
  // run with --insecure_plaintext_for_tests: only single-process tests leave
  // it null.
  std::shared_ptr<grpc::ChannelCredentials> credentials = nullptr;
  // GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS / GRPC_ARG_MAX_RECONNECT_BACKOFF_MS.
  absl::Duration initial_reconnect_backoff = absl::Milliseconds(100);
  absl::Duration max_reconnect_backoff = absl::Seconds(1);
  // GRPC_ARG_MIN_RECONNECT_BACKOFF_MS (gRPC's minimum connect timeout) when
  // set; gRPC's default otherwise.
  std::optional<absl::Duration> min_reconnect_backoff = std::nullopt;
};

// The channel arguments MakeChannel uses, for callers that add their own.
grpc::ChannelArguments ChannelArgumentsFor(const ChannelOptions& options);

// A channel to `address` ("host:port") with those credentials and arguments.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ChannelOptions& options = {});

}  // namespace jit::grpcclient

#endif  // JIT_LIBS_GRPCCLIENT_CHANNEL_H_
