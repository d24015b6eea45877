// TLS for every gRPC port and channel of the suite, from PEM files that are
// re-read when they change on disk (cert-manager rotates them in place):
// gRPC's FileWatcherCertificateProvider behind its TLS credentials.
//
// Servers always present a certificate. Client certificates:
//   - kVerifyIfPresent: a client may connect with server-authenticated TLS
//     only (people, with a bearer token) or present a certificate, which is
//     then verified against the CA (services, mutual TLS);
//   - kRequire: every client must present a certificate from the CA.
// A certificate from another CA is refused during the handshake, and so is a
// plaintext client (the port speaks TLS only).
//
// Service identity: a SPIFFE id in the certificate's URI SAN,
//   spiffe://jobintech/ns/<namespace>/sa/<service>
// (the form Kubernetes workload identities and cert-manager's csi-driver-spiffe
// use; "jobintech" is the trust domain). PeerServiceOf reads it from a call's
// verified peer.
//
// Thread safety: the functions are thread-safe; credentials are shared.
#ifndef JIT_LIBS_TLS_TLS_H_
#define JIT_LIBS_TLS_TLS_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/security/auth_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace jit::tls {

inline constexpr absl::string_view kTrustDomain = "jobintech";

enum class ClientCertMode { kVerifyIfPresent, kRequire };

struct ServerTlsOptions {
  std::string cert_file = {};  // PEM chain, leaf first
  std::string key_file = {};   // PEM private key
  std::string ca_file = {};    // PEM CA bundle that client certificates chain to
  ClientCertMode client_certs = ClientCertMode::kVerifyIfPresent;
  // How often the files are checked for changes.
  absl::Duration refresh_interval = absl::Minutes(1);
};

struct ClientTlsOptions {
  std::string ca_file = {};    // PEM CA bundle the server's certificate chains to
  // Optional client certificate (mutual TLS): both or neither.
  std::string cert_file = {};
  std::string key_file = {};
  absl::Duration refresh_interval = absl::Minutes(1);
};

// Checks that the files exist, parse as PEM, that the key matches the
// certificate and that the certificate is valid now (INVALID_ARGUMENT naming
// the file and the flag-like field: "cert_file", "key_file", "ca_file"), then
// builds the credentials. Fails fast at start-up instead of on first call.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options);
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsOptions& options);

// "spiffe://jobintech/ns/<ns>/sa/<service>".
std::string SpiffeIdOf(absl::string_view ns, absl::string_view service);

struct ServiceIdentity {
  std::string ns = {};
  std::string service = {};
};
// Parses a SPIFFE id of the trust domain; INVALID_ARGUMENT otherwise.
absl::StatusOr<ServiceIdentity> ParseSpiffeId(absl::string_view uri);

// The service identity of a call's peer: the SPIFFE id of its verified client
// certificate, or nullopt when the peer presented none (or none of ours).
std::optional<ServiceIdentity> PeerServiceOf(const grpc::AuthContext& auth_context);

// True when the call arrived over TLS.
bool IsTls(const grpc::AuthContext& auth_context);

}  // namespace jit::tls

#endif  // JIT_LIBS_TLS_TLS_H_
