#include "libs/kafka/security.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/kafka/client_config.h"

namespace jit::kafka {
namespace {

using ::testing::HasSubstr;

std::string WriteTemp(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << content;
  return path;
}

TEST(KafkaSecurityTest, PlaintextIsTheDevelopmentDefaultAndRefusesTlsFiles) {
  auto props = SecurityProperties({});
  ASSERT_TRUE(props.ok()) << props.status();
  EXPECT_EQ(props->at("security.protocol"), "plaintext");
  auto bad = SecurityProperties({.protocol = "plaintext", .ca_file = "/x"});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("kafka_ca_file"));
}

TEST(KafkaSecurityTest, MutualTlsNamesTheFilesAndNeedsBothCertAndKey) {
  const std::string ca = WriteTemp("ca.crt", "ca");
  const std::string cert = WriteTemp("user.crt", "cert");
  const std::string key = WriteTemp("user.key", "key");
  auto props = SecurityProperties(
      {.protocol = "ssl", .ca_file = ca, .cert_file = cert, .key_file = key});
  ASSERT_TRUE(props.ok()) << props.status();
  EXPECT_EQ(props->at("security.protocol"), "ssl");
  EXPECT_EQ(props->at("ssl.ca.location"), ca);
  EXPECT_EQ(props->at("ssl.certificate.location"), cert);
  EXPECT_EQ(props->at("ssl.key.location"), key);
  auto half = SecurityProperties({.protocol = "ssl", .cert_file = cert});
  EXPECT_THAT(std::string(half.status().message()), HasSubstr("give both"));
  auto missing = SecurityProperties({.protocol = "ssl", .ca_file = "/no/such/ca.crt"});
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("kafka_ca_file"));
}

TEST(KafkaSecurityTest, ScramReadsThePasswordFromItsFile) {
  const std::string password = WriteTemp("password", "s3cret-from-file\n");
  auto props = SecurityProperties({.protocol = "SASL_SSL",
                                   .sasl_username = "enrollment",
                                   .sasl_password_file = password});
  ASSERT_TRUE(props.ok()) << props.status();
  EXPECT_EQ(props->at("security.protocol"), "sasl_ssl");
  EXPECT_EQ(props->at("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(props->at("sasl.username"), "enrollment");
  EXPECT_EQ(props->at("sasl.password"), "s3cret-from-file");
  EXPECT_THAT(std::string(SecurityProperties({.protocol = "sasl_ssl", .sasl_username = "u"})
                              .status()
                              .message()),
              HasSubstr("kafka_sasl_password_file"));
  EXPECT_THAT(std::string(SecurityProperties({.protocol = "ssl", .sasl_username = "u"})
                              .status()
                              .message()),
              HasSubstr("sasl_ssl"));
  EXPECT_EQ(SecurityProperties({.protocol = "kerberos"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jit::kafka
