#include "libs/service/security.h"

#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/kafka/security.h"
#include "libs/log/log.h"
#include "libs/status/status_macros.h"
#include "libs/tls/tls.h"

ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain of this service (server certificate, and client "
          "certificate towards other services; its URI SAN is the service's SPIFFE id)");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA bundle that client certificates and other services' certificates "
          "chain to");
ABSL_FLAG(absl::Duration, tls_refresh_interval, absl::Minutes(1),
          "how often the TLS files are checked for changes (rotation)");
ABSL_FLAG(std::string, token_issuer, "", "issuer (iss) of the accepted bearer tokens");
ABSL_FLAG(std::string, token_audience, "", "audience (aud) the bearer tokens must name");
ABSL_FLAG(std::string, token_keys_file, "",
          "PEM public keys or certificates that sign bearer tokens; empty = no token "
          "is accepted (people cannot call)");
ABSL_FLAG(std::string, kafka_security_protocol, "plaintext",
          "Kafka: plaintext (the embedded development broker only), ssl (TLS; mutual TLS "
          "with --kafka_cert_file/--kafka_key_file) or sasl_ssl (TLS + SCRAM)");
ABSL_FLAG(std::string, kafka_ca_file, "", "Kafka: PEM CA of the brokers' certificates");
ABSL_FLAG(std::string, kafka_cert_file, "", "Kafka: client certificate (mutual TLS)");
ABSL_FLAG(std::string, kafka_key_file, "", "Kafka: key of --kafka_cert_file");
ABSL_FLAG(std::string, kafka_sasl_mechanism, "SCRAM-SHA-512",
          "Kafka: SASL mechanism with sasl_ssl (SCRAM-SHA-512 or SCRAM-SHA-256)");
ABSL_FLAG(std::string, kafka_sasl_username, "", "Kafka: SASL user name with sasl_ssl");
ABSL_FLAG(std::string, kafka_sasl_password_file, "",
          "Kafka: file holding the SASL password (never the password itself on the "
          "command line)");
ABSL_FLAG(bool, insecure_plaintext_for_tests, false,
          "INSECURE: serve and call gRPC in plaintext without TLS. Only for a "
          "single-process test; never in a deployment");

namespace jit::service {

void ValidateSecurityFlags(config::Validator& v) {
  const bool insecure = absl::GetFlag(FLAGS_insecure_plaintext_for_tests);
  if (!insecure) {
    const char* kHint =
        "is required (scripts/run.sh makes development certificates; plaintext only "
        "with --insecure_plaintext_for_tests)";
    v.Require(!absl::GetFlag(FLAGS_tls_cert_file).empty(), "tls_cert_file", kHint)
        .Require(!absl::GetFlag(FLAGS_tls_key_file).empty(), "tls_key_file", kHint)
        .Require(!absl::GetFlag(FLAGS_tls_ca_file).empty(), "tls_ca_file", kHint);
  }
  v.Range("tls_refresh_interval", absl::GetFlag(FLAGS_tls_refresh_interval),
          absl::Seconds(1), absl::Hours(24));
  if (!absl::GetFlag(FLAGS_token_keys_file).empty()) {
    v.NonEmpty("token_issuer", absl::GetFlag(FLAGS_token_issuer))
        .NonEmpty("token_audience", absl::GetFlag(FLAGS_token_audience));
  }
  const std::string protocol = absl::GetFlag(FLAGS_kafka_security_protocol);
  v.Require(protocol == "plaintext" || protocol == "ssl" || protocol == "sasl_ssl",
            "kafka_security_protocol", "must be plaintext, ssl or sasl_ssl");
}

absl::StatusOr<std::map<std::string, std::string>> KafkaPropertiesFromFlags() {
  const std::string protocol = absl::GetFlag(FLAGS_kafka_security_protocol);
  return kafka::SecurityProperties(
      {.protocol = protocol,
       .ca_file = absl::GetFlag(FLAGS_kafka_ca_file),
       .cert_file = absl::GetFlag(FLAGS_kafka_cert_file),
       .key_file = absl::GetFlag(FLAGS_kafka_key_file),
       .sasl_mechanism = protocol == "sasl_ssl" ? absl::GetFlag(FLAGS_kafka_sasl_mechanism) : "",
       .sasl_username = absl::GetFlag(FLAGS_kafka_sasl_username),
       .sasl_password_file = absl::GetFlag(FLAGS_kafka_sasl_password_file)});
}

absl::StatusOr<Security> SecurityFromFlags(const Clock* clock) {
  Security security;
  ASSIGN_OR_RETURN(security.verifier,
                   auth::MakeTokenVerifier({.issuer = absl::GetFlag(FLAGS_token_issuer),
                                            .audience = absl::GetFlag(FLAGS_token_audience),
                                            .keys_file = absl::GetFlag(FLAGS_token_keys_file)},
                                           clock));
  if (absl::GetFlag(FLAGS_insecure_plaintext_for_tests)) {
    log::Event(log::Level::kWarn,
               "INSECURE: --insecure_plaintext_for_tests: gRPC in PLAINTEXT, no "
               "service identities; never use this outside a single-process test",
               {});
    security.insecure_plaintext = true;
    security.peer_credentials = grpc::InsecureChannelCredentials();
    return security;
  }
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  const std::string ca = absl::GetFlag(FLAGS_tls_ca_file);
  const absl::Duration refresh = absl::GetFlag(FLAGS_tls_refresh_interval);
  auto named = [](absl::Status s) {
    return absl::Status(s.code(), absl::StrCat("TLS flags (--tls_*): ", s.message()));
  };
  auto server = tls::MakeServerCredentials({.cert_file = cert,
                                            .key_file = key,
                                            .ca_file = ca,
                                            .client_certs = tls::ClientCertMode::kVerifyIfPresent,
                                            .refresh_interval = refresh});
  if (!server.ok()) return named(server.status());
  auto peer = tls::MakeChannelCredentials(
      {.ca_file = ca, .cert_file = cert, .key_file = key, .refresh_interval = refresh});
  if (!peer.ok()) return named(peer.status());
  security.server_credentials = *std::move(server);
  security.peer_credentials = *std::move(peer);
  return security;
}

}  // namespace jit::service
