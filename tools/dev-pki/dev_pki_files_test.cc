#include "tools/dev-pki/dev_pki_files.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/auth/token.h"
#include "libs/clock/clock.h"
#include "libs/tls/tls.h"

namespace jit::devpki {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  std::ostringstream o;
  o << in.rdbuf();
  return o.str();
}

class DevPkiFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / absl::StrCat("dev_pki_", getpid())).string();
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Options Opts() { return {.dir = dir_ + "/pki", .services = {"enrollment", "placement"}}; }
  int Mode(const std::string& name) {
    struct stat st;
    return ::stat((dir_ + "/pki/" + name).c_str(), &st) == 0 ? (st.st_mode & 0777) : -1;
  }
  std::string dir_;
};

TEST_F(DevPkiFilesTest, MakesEverythingOnceThenKeepsIt) {
  auto first = Ensure(Opts());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->ca_created);
  EXPECT_THAT(first->issued, ElementsAre("enrollment", "placement"));
  EXPECT_TRUE(first->token_key_created);
  EXPECT_EQ(Mode("ca.key"), 0600);
  EXPECT_EQ(Mode("placement.key"), 0600);
  EXPECT_EQ(Mode("token-signing.key"), 0600);
  EXPECT_EQ(Mode("ca.crt"), 0644);
  // The certificates work for TLS (files parse, key matches, CA chains).
  EXPECT_TRUE(tls::MakeServerCredentials({.cert_file = dir_ + "/pki/enrollment.crt",
                                          .key_file = dir_ + "/pki/enrollment.key",
                                          .ca_file = dir_ + "/pki/ca.crt"})
                  .ok());
  const std::string cert = Slurp(dir_ + "/pki/placement.crt");

  auto again = Ensure(Opts());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->ca_created);
  EXPECT_THAT(again->issued, IsEmpty());
  EXPECT_FALSE(again->token_key_created);
  EXPECT_EQ(Slurp(dir_ + "/pki/placement.crt"), cert);

  Options renew = Opts();
  renew.renew = true;
  auto renewed = Ensure(renew);
  ASSERT_TRUE(renewed.ok());
  EXPECT_FALSE(renewed->ca_created);
  EXPECT_THAT(renewed->issued, ElementsAre("enrollment", "placement"));
  EXPECT_NE(Slurp(dir_ + "/pki/placement.crt"), cert);
}

TEST_F(DevPkiFilesTest, AnExpiringCertificateIsRenewed) {
  Options short_lived = Opts();
  short_lived.cert_validity = absl::Hours(24);  // less than min_remaining (7 days)
  ASSERT_TRUE(Ensure(short_lived).ok());
  auto next = Ensure(Opts());
  ASSERT_TRUE(next.ok());
  EXPECT_THAT(next->issued, ElementsAre("enrollment", "placement"));
}

TEST_F(DevPkiFilesTest, ALostCaRenewsEveryCertificateItSigned) {
  ASSERT_TRUE(Ensure(Opts()).ok());
  std::filesystem::remove(dir_ + "/pki/ca.key");
  auto next = Ensure(Opts());
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->ca_created);
  EXPECT_THAT(next->issued, ElementsAre("enrollment", "placement"));
}

TEST_F(DevPkiFilesTest, DevTokensNeedTheDevKeyAndAKnownRoleAndVerifyAgainstThePublicKey) {
  EXPECT_EQ(MintDevToken(dir_ + "/pki", {.role = "analyst"}).status().code(),
            absl::StatusCode::kFailedPrecondition);  // no PKI yet
  ASSERT_TRUE(Ensure(Opts()).ok());
  EXPECT_EQ(MintDevToken(dir_ + "/pki", {.role = "janitor"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto token = MintDevToken(dir_ + "/pki", {.role = "regional-coordinator",
                                            .regions = {"MA-05"},
                                            .subject = "coord-5"});
  ASSERT_TRUE(token.ok()) << token.status();
  auto verifier = auth::MakeTokenVerifier({.issuer = kDevIssuer,
                                           .audience = kDevAudience,
                                           .keys_file = dir_ + "/pki/token-keys.pem"},
                                          &SystemClock::Get());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto person = (*verifier)->Verify(*token);
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->subject, "coord-5");
  EXPECT_TRUE(person->HasRole(auth::Role::kRegionalCoordinator));
  EXPECT_THAT(person->regions, ElementsAre("MA-05"));
}

}  // namespace
}  // namespace jit::devpki
