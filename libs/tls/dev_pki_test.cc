#include "libs/tls/dev_pki.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::tls {
namespace {

using ::testing::HasSubstr;

// The URI SANs of a PEM certificate.
std::vector<std::string> UrisOf(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  std::vector<std::string> out;
  if (cert == nullptr) return out;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_URI) {
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.uniformResourceIdentifier)),
                       ASN1_STRING_length(n->d.uniformResourceIdentifier));
    }
  }
  GENERAL_NAMES_free(names);
  X509_free(cert);
  return out;
}

TEST(DevPkiTest, IssuesCertificatesWithTheRequestedSpiffeId) {
  auto ca = DevCa::Create("dev CA", absl::Hours(24));
  ASSERT_TRUE(ca.ok()) << ca.status();
  auto leaf = ca->Issue({.common_name = "placement",
                         .uris = {"spiffe://jobintech/ns/dev/sa/placement"}});
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_THAT(leaf->cert, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_THAT(leaf->key, HasSubstr("BEGIN PRIVATE KEY"));
  EXPECT_EQ(UrisOf(leaf->cert),
            std::vector<std::string>{"spiffe://jobintech/ns/dev/sa/placement"});
}

TEST(DevPkiTest, ACaReloadedFromItsFilesIssuesToo) {
  auto ca = DevCa::Create("dev CA", absl::Hours(24));
  ASSERT_TRUE(ca.ok());
  auto loaded = DevCa::Load(ca->pem());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(loaded->Issue({.common_name = "x"}).ok());
  // A key that is not the CA's is refused.
  auto other = DevCa::Create("other", absl::Hours(24));
  ASSERT_TRUE(other.ok());
  Pem mixed{ca->pem().cert, other->pem().key};
  EXPECT_THAT(DevCa::Load(mixed).status().message(), HasSubstr("does not match"));
  EXPECT_FALSE(DevCa::Load(Pem{"junk", "junk"}).ok());
}

TEST(DevPkiTest, RefusesMalformedRequests) {
  auto ca = DevCa::Create("dev CA", absl::Hours(24));
  ASSERT_TRUE(ca.ok());
  EXPECT_EQ(ca->Issue({.common_name = ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ca->Issue({.common_name = "x", .ip_addresses = {"not-an-ip"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DevPkiTest, SigningKeysArePemPairs) {
  auto key = NewSigningKey();
  ASSERT_TRUE(key.ok());
  EXPECT_THAT(key->cert, HasSubstr("BEGIN PUBLIC KEY"));
  EXPECT_THAT(key->key, HasSubstr("BEGIN PRIVATE KEY"));
  auto other = NewSigningKey();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(key->key, other->key);
}

}  // namespace
}  // namespace jit::tls
