#include "libs/grpcclient/channel.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace jit::grpcclient {
namespace {

int Millis(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

}  // namespace

grpc::ChannelArguments ChannelArgumentsFor(const ChannelOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              Millis(options.initial_reconnect_backoff));
  if (options.min_reconnect_backoff.has_value()) {
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                Millis(*options.min_reconnect_backoff));
  }
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              Millis(options.max_reconnect_backoff));
  return args;
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address,
                                           const ChannelOptions& options) {
  return grpc::CreateCustomChannel(
      address,
      options.credentials != nullptr ? options.credentials : grpc::InsecureChannelCredentials(),
      ChannelArgumentsFor(options));
}

}  // namespace jit::grpcclient
