// Credentials of people's clients (jitctl, the simulator, benchmarks, tests):
// server-authenticated TLS against a CA bundle, plus a bearer token sent on
// every call ("authorization: Bearer <jwt>"). Services call each other with
// mutual TLS instead (service::Security's peer_credentials).
//
//   ASSIGN_OR_RETURN(std::string token, grpcclient::ReadTokenFile(path));
//   ASSIGN_OR_RETURN(auto creds, grpcclient::PersonCredentials(ca_file, token));
//   auto channel = grpcclient::MakeChannel(address, {.credentials = creds});
#ifndef JIT_LIBS_GRPCCLIENT_CREDENTIALS_H_
#define JIT_LIBS_GRPCCLIENT_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"

namespace jit::grpcclient {

// TLS checked against `ca_file` (INVALID_ARGUMENT naming it when missing or
// not PEM); `bearer_token` empty means no token (anonymous: public views
// only).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> PersonCredentials(
    const std::string& ca_file, const std::string& bearer_token);

// The token in `path`, surrounding whitespace removed. INVALID_ARGUMENT when
// the file cannot be read or holds no token.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);

}  // namespace jit::grpcclient

#endif  // JIT_LIBS_GRPCCLIENT_CREDENTIALS_H_
