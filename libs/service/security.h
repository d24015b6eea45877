// The security settings every server binary shares, as flags defined once
// here: its TLS certificate, key and CA bundle (the CA that client
// certificates and peers' certificates chain to), the bearer-token issuer,
// audience and keys, and the loudly named plaintext switch for tests.
//
//   config::Validator v;  ...
//   service::ValidateSecurityFlags(v);
//   config::ExitIfInvalid(v);
//   ...
//   ASSIGN_OR_RETURN(service::Security security, service::SecurityFromFlags(&clock));
//   // security.server_credentials -> GrpcServerOptions / ServeOptions
//   // security.peer_credentials   -> channels to other services (mutual TLS)
//
// The same certificate serves the service's port and identifies it to its
// peers (its SPIFFE id, libs/tls). Files are re-read when they change.
#ifndef JIT_LIBS_SERVICE_SECURITY_H_
#define JIT_LIBS_SERVICE_SECURITY_H_

#include <memory>

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "libs/auth/token.h"
#include "libs/clock/clock.h"
#include "libs/config/config.h"

namespace jit::service {

struct Security {
  // TLS for the server's port; null only with --insecure_plaintext_for_tests.
  std::shared_ptr<grpc::ServerCredentials> server_credentials = nullptr;
  // Mutual TLS for calls to other services (plaintext in insecure mode).
  std::shared_ptr<grpc::ChannelCredentials> peer_credentials = nullptr;
  // Bearer tokens; null when --token_keys_file is empty (no token accepted).
  std::unique_ptr<auth::TokenVerifier> verifier = nullptr;
  bool insecure_plaintext = false;
};

// Records missing or inconsistent security flags: TLS files all set unless
// --insecure_plaintext_for_tests; token issuer and audience set with keys;
// the Kafka security protocol known.
void ValidateSecurityFlags(config::Validator& v);

// The librdkafka security properties from the --kafka_security_protocol,
// --kafka_ca_file, --kafka_cert_file, --kafka_key_file,
// --kafka_sasl_mechanism, --kafka_sasl_username and
// --kafka_sasl_password_file flags (kafka::SecurityProperties).
absl::StatusOr<std::map<std::string, std::string>> KafkaPropertiesFromFlags();

// Loads the files named by the flags (INVALID_ARGUMENT naming the flag when
// one is missing, unreadable or does not match). Logs a loud warning in
// insecure mode.
absl::StatusOr<Security> SecurityFromFlags(const Clock* clock);

}  // namespace jit::service

#endif  // JIT_LIBS_SERVICE_SECURITY_H_
