#include "libs/auth/token.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/tls/dev_pki.h"

namespace jit::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://sso.jobintech.ma/realms/jobintech";
constexpr char kAudience[] = "jobintech-platform";
const absl::Time kNow = absl::FromUnixSeconds(1'790'000'000);

// An RSA-2048 key pair in PEM: {public, private}.
tls::Pem RsaKey() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  auto str = [](BIO* b) {
    char* d = nullptr;
    long n = BIO_get_mem_data(b, &d);
    return std::string(d, n);
  };
  tls::Pem pem{str(pub), str(priv)};
  BIO_free(pub);
  BIO_free(priv);
  EVP_PKEY_free(key);
  return pem;
}

class TokenTest : public ::testing::Test {
 protected:
  TokenTest() {
    auto key = tls::NewSigningKey();
    EXPECT_TRUE(key.ok());
    key_ = *key;
    static const tls::Pem* const kRsa = new tls::Pem(RsaKey());  // slow: once
    rsa_ = *kRsa;
  }

  TokenVerifier Verifier() {
    auto keys = ParseVerificationKeys(key_.cert + rsa_.cert);
    EXPECT_TRUE(keys.ok()) << keys.status();
    auto v = TokenVerifier::Create(
        {.issuer = kIssuer, .audience = kAudience, .keys = *keys}, &clock_);
    EXPECT_TRUE(v.ok()) << v.status();
    return *std::move(v);
  }

  TokenClaims Claims() {
    return {.issuer = kIssuer,
            .audience = kAudience,
            .subject = "4f1c2a7e-user",
            .roles = {"regional-coordinator"},
            .regions = {"MA-05"},
            .issued_at = kNow - absl::Minutes(1),
            .lifetime = absl::Hours(1)};
  }

  std::string Sign(const TokenClaims& claims, const std::string& key = "") {
    auto t = SignToken(claims, key.empty() ? key_.key : key);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? *t : "";
  }

  absl::Status Refusal(const std::string& token) { return Verifier().Verify(token).status(); }

  FakeClock clock_{kNow};
  tls::Pem key_;
  tls::Pem rsa_;
};

TEST_F(TokenTest, AValidTokenNamesThePersonWithRolesAndScopes) {
  TokenClaims c = Claims();
  c.roles = {"regional-coordinator", "analyst", "not-a-role"};
  c.regions = {"MA-05", "MA-06"};
  c.centres = {"ctr_1"};
  auto p = Verifier().Verify(Sign(c));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->kind, Principal::Kind::kPerson);
  EXPECT_EQ(p->subject, "4f1c2a7e-user");
  EXPECT_THAT(p->roles, ElementsAre(Role::kRegionalCoordinator, Role::kAnalyst));
  EXPECT_THAT(p->regions, ElementsAre("MA-05", "MA-06"));
  EXPECT_THAT(p->centres, ElementsAre("ctr_1"));
  EXPECT_TRUE(p->InRegion("MA-05"));
  EXPECT_FALSE(p->InRegion("MA-07"));
  // The actor id is opaque and stable, and says nothing of the subject.
  EXPECT_EQ(p->actor_id, ActorIdOf(kIssuer, "4f1c2a7e-user"));
  EXPECT_THAT(p->actor_id, ::testing::MatchesRegex("act_[0-9a-f]{16}"));
}

TEST_F(TokenTest, Rs256TokensVerifyToo) {
  auto p = Verifier().Verify(Sign(Claims(), rsa_.key));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->subject, "4f1c2a7e-user");
}

TEST_F(TokenTest, KeycloakRealmRolesAreRead) {
  // Keycloak's shape: {"realm_access": {"roles": [...]}} and aud as an array.
  jwt_t* jwt = nullptr;
  ASSERT_EQ(jwt_new(&jwt), 0);
  const std::string body = absl::StrCat(
      R"({"iss":")", kIssuer, R"(","aud":["account",")", kAudience,
      R"("],"sub":"kc-user","exp":)", absl::ToUnixSeconds(kNow + absl::Hours(1)),
      R"(,"realm_access":{"roles":["offline_access","analyst"]}})");
  ASSERT_EQ(jwt_add_grants_json(jwt, body.c_str()), 0);
  ASSERT_EQ(jwt_set_alg(jwt, JWT_ALG_ES256, reinterpret_cast<const unsigned char*>(key_.key.data()),
                        static_cast<int>(key_.key.size())),
            0);
  char* token = jwt_encode_str(jwt);
  jwt_free(jwt);
  ASSERT_NE(token, nullptr);
  auto p = Verifier().Verify(token);
  free(token);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_THAT(p->roles, ElementsAre(Role::kAnalyst));
}

TEST_F(TokenTest, ExpiryAndNotBeforeAllowTheLeewayOnly) {
  TokenClaims c = Claims();
  c.issued_at = kNow - absl::Hours(1) - absl::Seconds(20);  // expired 20 s ago
  EXPECT_TRUE(Verifier().Verify(Sign(c)).ok());             // within 30 s
  c.issued_at = kNow - absl::Hours(1) - absl::Seconds(31);
  auto s = Refusal(Sign(c));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("expired"));

  c.issued_at = kNow + absl::Minutes(5);  // nbf and iat in the future
  s = Refusal(Sign(c));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("not yet valid"));
}

TEST_F(TokenTest, WrongIssuerOrAudienceIsRefused) {
  TokenClaims c = Claims();
  c.issuer = "https://evil.example/realms/jobintech";
  EXPECT_THAT(Refusal(Sign(c)).message(), HasSubstr("wrong issuer"));
  c = Claims();
  c.audience = "another-app";
  EXPECT_THAT(Refusal(Sign(c)).message(), HasSubstr("wrong audience"));
}

TEST_F(TokenTest, UnknownKeyAndTamperingAreRefused) {
  auto other = tls::NewSigningKey();
  ASSERT_TRUE(other.ok());
  auto s = Refusal(Sign(Claims(), other->key));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("bad signature or unknown signing key"));

  // Swap the payload for one with more roles, keep the signature.
  const std::string good = Sign(Claims());
  TokenClaims admin = Claims();
  admin.roles = {"programme-admin"};
  const std::string forged_payload = Sign(admin);
  const auto parts = [](const std::string& t) {
    std::vector<std::string> p = absl::StrSplit(t, '.');
    return p;
  };
  const std::string tampered =
      absl::StrCat(parts(good)[0], ".", parts(forged_payload)[1], ".", parts(good)[2]);
  EXPECT_THAT(Refusal(tampered).message(), HasSubstr("bad signature"));
}

TEST_F(TokenTest, AlgorithmsOtherThanRs256AndEs256AreRefused) {
  const std::string payload = absl::WebSafeBase64Escape(absl::StrCat(
      R"({"iss":")", kIssuer, R"(","aud":")", kAudience, R"(","sub":"x","exp":)",
      absl::ToUnixSeconds(kNow + absl::Hours(1)), R"(,"roles":["programme-admin"]})"));
  const std::string none = absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none"})"), ".",
                                        payload, ".");
  EXPECT_THAT(Refusal(none).message(), HasSubstr("algorithm 'none' is not accepted"));

  // HS256 with the verifier's public key as the HMAC secret (key confusion).
  jwt_t* jwt = nullptr;
  ASSERT_EQ(jwt_new(&jwt), 0);
  std::string body;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(payload, &body));
  ASSERT_EQ(jwt_add_grants_json(jwt, body.c_str()), 0);
  ASSERT_EQ(jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key_.cert.data()),
                        static_cast<int>(key_.cert.size())),
            0);
  char* hs = jwt_encode_str(jwt);
  jwt_free(jwt);
  ASSERT_NE(hs, nullptr);
  EXPECT_THAT(Refusal(hs).message(), HasSubstr("algorithm 'HS256' is not accepted"));
  free(hs);

  for (const char* junk : {"", "abc", "a.b", "a.b.c.d", "!!!.e30.x"}) {
    EXPECT_EQ(Refusal(junk).code(), absl::StatusCode::kUnauthenticated) << junk;
  }
  EXPECT_THAT(Refusal(std::string(9000, 'a')).message(), HasSubstr("too large"));
}

TEST_F(TokenTest, UnknownRegionInScopeIsRefused) {
  TokenClaims c = Claims();
  c.regions = {"MA-99"};
  EXPECT_THAT(Refusal(Sign(c)).message(), HasSubstr("unknown region 'MA-99'"));
}

TEST_F(TokenTest, KeyFilesHoldPublicKeysOrCertificatesNeverPrivateKeys) {
  auto ca = tls::DevCa::Create("ca", absl::Hours(1));
  ASSERT_TRUE(ca.ok());
  auto keys = ParseVerificationKeys(ca->pem().cert + key_.cert);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 2u);
  EXPECT_THAT(ParseVerificationKeys(key_.key).status().message(),
              HasSubstr("private key must never be given"));
  EXPECT_THAT(ParseVerificationKeys("nothing").status().message(),
              HasSubstr("no PEM public key"));
  EXPECT_THAT(LoadVerificationKeys("/nonexistent/keys.pem").status().message(),
              HasSubstr("cannot be read"));
  EXPECT_FALSE(TokenVerifier::Create({.issuer = kIssuer, .audience = kAudience}, &clock_).ok());
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : kAllRoles) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

}  // namespace
}  // namespace jit::auth
