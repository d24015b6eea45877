// How a client authenticates to the Kafka cluster: librdkafka's security
// settings from files (certificates, keys, the SASL password), never from
// values that would show in `ps`.
//
//   ASSIGN_OR_RETURN(kafka::Properties props, kafka::SecurityProperties({
//       .protocol = "ssl", .ca_file = "/etc/kafka/ca.crt",
//       .cert_file = "/etc/kafka/user.crt", .key_file = "/etc/kafka/user.key"}));
//   Producer::Create({.bootstrap_servers = b, .properties = props});
//
// Protocols: "plaintext" (the embedded development broker only), "ssl" (TLS,
// with a client certificate for mutual TLS, e.g. a Strimzi `tls` KafkaUser),
// "sasl_ssl" (TLS + SASL/SCRAM, e.g. a Strimzi `scram-sha-512` KafkaUser).
#ifndef JIT_LIBS_KAFKA_SECURITY_H_
#define JIT_LIBS_KAFKA_SECURITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "libs/kafka/client_config.h"

namespace jit::kafka {

struct KafkaSecurity {
  std::string protocol = "plaintext";  // plaintext | ssl | sasl_ssl
  std::string ca_file = {};            // PEM CA of the brokers' certificates
  std::string cert_file = {};          // client certificate (mutual TLS)
  std::string key_file = {};
  std::string sasl_mechanism = {};     // SCRAM-SHA-512 or SCRAM-SHA-256
  std::string sasl_username = {};
  std::string sasl_password_file = {};  // the password, read from this file
};

// The librdkafka properties for `security`. INVALID_ARGUMENT naming the
// setting ("kafka_ca_file", "kafka_sasl_password_file", ...) for an unknown
// protocol, a missing or unreadable file, a certificate without its key, or
// SASL settings that are incomplete or given without sasl_ssl.
absl::StatusOr<Properties> SecurityProperties(const KafkaSecurity& security);

}  // namespace jit::kafka

#endif  // JIT_LIBS_KAFKA_SECURITY_H_
