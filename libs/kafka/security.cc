#include "libs/kafka/security.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace jit::kafka {
namespace {

absl::Status Readable(const std::string& setting, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat(setting, ": cannot read '", path, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Properties> SecurityProperties(const KafkaSecurity& s) {
  const std::string protocol = absl::AsciiStrToLower(s.protocol);
  if (protocol != "plaintext" && protocol != "ssl" && protocol != "sasl_ssl") {
    return absl::InvalidArgumentError(absl::StrCat(
        "kafka_security_protocol: '", s.protocol, "' is not plaintext, ssl or sasl_ssl"));
  }
  Properties props;
  props["security.protocol"] = protocol;
  const bool tls = protocol != "plaintext";
  if (!tls) {
    for (const auto& [setting, value] :
         {std::pair{"kafka_ca_file", s.ca_file}, std::pair{"kafka_cert_file", s.cert_file},
          std::pair{"kafka_key_file", s.key_file},
          std::pair{"kafka_sasl_password_file", s.sasl_password_file}}) {
      if (!value.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(setting, ": needs kafka_security_protocol ssl or sasl_ssl"));
      }
    }
    return props;
  }
  if (!s.ca_file.empty()) {
    if (auto st = Readable("kafka_ca_file", s.ca_file); !st.ok()) return st;
    props["ssl.ca.location"] = s.ca_file;
  }
  if (s.cert_file.empty() != s.key_file.empty()) {
    return absl::InvalidArgumentError(
        "kafka_cert_file and kafka_key_file: give both (mutual TLS) or neither");
  }
  if (!s.cert_file.empty()) {
    if (auto st = Readable("kafka_cert_file", s.cert_file); !st.ok()) return st;
    if (auto st = Readable("kafka_key_file", s.key_file); !st.ok()) return st;
    props["ssl.certificate.location"] = s.cert_file;
    props["ssl.key.location"] = s.key_file;
  }
  const bool sasl_given =
      !s.sasl_mechanism.empty() || !s.sasl_username.empty() || !s.sasl_password_file.empty();
  if (protocol == "ssl") {
    if (sasl_given) {
      return absl::InvalidArgumentError(
          "kafka_sasl_*: SASL settings need kafka_security_protocol sasl_ssl");
    }
    return props;
  }
  const std::string mechanism = s.sasl_mechanism.empty() ? "SCRAM-SHA-512" : s.sasl_mechanism;
  if (mechanism != "SCRAM-SHA-512" && mechanism != "SCRAM-SHA-256") {
    return absl::InvalidArgumentError(absl::StrCat(
        "kafka_sasl_mechanism: '", s.sasl_mechanism, "' is not SCRAM-SHA-512 or SCRAM-SHA-256"));
  }
  if (s.sasl_username.empty()) {
    return absl::InvalidArgumentError("kafka_sasl_username: required with sasl_ssl");
  }
  if (s.sasl_password_file.empty()) {
    return absl::InvalidArgumentError("kafka_sasl_password_file: required with sasl_ssl");
  }
  std::ifstream in(s.sasl_password_file);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka_sasl_password_file: cannot read '", s.sasl_password_file, "'"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string password(absl::StripTrailingAsciiWhitespace(text.str()));
  if (password.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("kafka_sasl_password_file: '", s.sasl_password_file, "' is empty"));
  }
  props["sasl.mechanism"] = mechanism;
  props["sasl.username"] = s.sasl_username;
  props["sasl.password"] = password;
  return props;
}

}  // namespace jit::kafka
