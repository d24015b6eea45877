#include "libs/auth/token.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/geo/geo.h"
#include "nlohmann/json.hpp"

namespace jit::auth {
namespace {

using json = nlohmann::json;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token refused: ", why));
}

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

absl::StatusOr<VerificationKey> KeyOf(EVP_PKEY* key) {
  VerificationKey out;
  if (EVP_PKEY_is_a(key, "RSA")) {
    if (EVP_PKEY_get_bits(key) < 2048) {
      return absl::InvalidArgumentError("RSA keys must have at least 2048 bits");
    }
    out.alg = VerificationKey::Alg::kRS256;
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), &len) ||
        absl::string_view(group) != "prime256v1") {
      return absl::InvalidArgumentError("EC keys must be on P-256 (ES256)");
    }
    out.alg = VerificationKey::Alg::kES256;
  } else {
    return absl::InvalidArgumentError("only RSA (RS256) and P-256 (ES256) keys are accepted");
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  out.public_key_pem.assign(data, n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

absl::StatusOr<std::string> HeaderSegmentJson(absl::string_view token) {
  const size_t dot = token.find('.');
  if (dot == absl::string_view::npos) return Unauthenticated("not a JWT");
  std::string header;
  if (!absl::WebSafeBase64Unescape(token.substr(0, dot), &header)) {
    return Unauthenticated("malformed header");
  }
  return header;
}

std::vector<std::string> Strings(const json& claims, const char* name) {
  std::vector<std::string> out;
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// A NumericDate claim as a time; nullopt when absent, an error when not a
// number.
absl::StatusOr<std::optional<absl::Time>> TimeClaim(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end()) return std::optional<absl::Time>();
  if (!it->is_number()) return Unauthenticated(absl::StrCat("'", name, "' is not a number"));
  return std::optional<absl::Time>(absl::FromUnixSeconds(it->get<int64_t>()));
}

}  // namespace

absl::StatusOr<std::vector<VerificationKey>> ParseVerificationKeys(absl::string_view pem) {
  std::vector<VerificationKey> keys;
  // Public keys and certificates may be mixed: read each PEM block.
  static constexpr absl::string_view kBegin = "-----BEGIN ";
  size_t pos = 0;
  while ((pos = pem.find(kBegin, pos)) != absl::string_view::npos) {
    const size_t end_marker = pem.find("-----END ", pos);
    if (end_marker == absl::string_view::npos) break;
    const size_t end = pem.find("-----", end_marker + 9);
    if (end == absl::string_view::npos) break;
    const absl::string_view block = pem.substr(pos, end + 5 - pos);
    pos = end + 5;
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(block.data(), static_cast<int>(block.size())));
    KeyPtr key;
    if (absl::StrContains(block.substr(0, 40), "CERTIFICATE")) {
      X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
      if (cert != nullptr) {
        key.reset(X509_get_pubkey(cert));
        X509_free(cert);
      }
    } else if (absl::StrContains(block.substr(0, 40), "PUBLIC KEY")) {
      key.reset(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    } else {
      return absl::InvalidArgumentError(
          "holds a PEM block that is neither a public key nor a certificate (a private "
          "key must never be given to a verifier)");
    }
    ERR_clear_error();
    if (key == nullptr) return absl::InvalidArgumentError("holds a malformed PEM block");
    auto k = KeyOf(key.get());
    if (!k.ok()) return k.status();
    keys.push_back(*std::move(k));
  }
  if (keys.empty()) return absl::InvalidArgumentError("holds no PEM public key");
  return keys;
}

absl::StatusOr<std::vector<VerificationKey>> LoadVerificationKeys(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("'", path, "' cannot be read"));
  std::ostringstream out;
  out << in.rdbuf();
  auto keys = ParseVerificationKeys(out.str());
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("'", path, "' ", keys.status().message()));
  }
  return keys;
}

absl::StatusOr<TokenVerifier> TokenVerifier::Create(TokenVerifierOptions options,
                                                    const Clock* clock) {
  if (options.issuer.empty()) return absl::InvalidArgumentError("token issuer is required");
  if (options.audience.empty()) return absl::InvalidArgumentError("token audience is required");
  if (options.keys.empty()) return absl::InvalidArgumentError("token keys are required");
  return TokenVerifier(std::move(options), clock);
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeTokenVerifier(const TokenConfig& config,
                                                                 const Clock* clock) {
  if (config.keys_file.empty()) return std::unique_ptr<TokenVerifier>();
  if (config.issuer.empty()) {
    return absl::InvalidArgumentError("--token_issuer is required with --token_keys_file");
  }
  if (config.audience.empty()) {
    return absl::InvalidArgumentError("--token_audience is required with --token_keys_file");
  }
  auto keys = LoadVerificationKeys(config.keys_file);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token_keys_file: ", keys.status().message()));
  }
  auto verifier = TokenVerifier::Create(
      {.issuer = config.issuer, .audience = config.audience, .keys = *std::move(keys)}, clock);
  if (!verifier.ok()) return verifier.status();
  return std::make_unique<TokenVerifier>(*std::move(verifier));
}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token) const {
  if (token.empty()) return Unauthenticated("empty");
  if (token.size() > options_.max_token_bytes) return Unauthenticated("too large");
  if (std::count(token.begin(), token.end(), '.') != 2) return Unauthenticated("not a JWT");
  auto header_json = HeaderSegmentJson(token);
  if (!header_json.ok()) return header_json.status();
  const json header = json::parse(*header_json, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object() || !header.contains("alg") || !header["alg"].is_string()) {
    return Unauthenticated("malformed header");
  }
  const std::string alg = header["alg"].get<std::string>();
  VerificationKey::Alg want;
  if (alg == "ES256") {
    want = VerificationKey::Alg::kES256;
  } else if (alg == "RS256") {
    want = VerificationKey::Alg::kRS256;
  } else {
    return Unauthenticated(absl::StrCat("algorithm '", alg, "' is not accepted"));
  }

  // The signature must verify with one of the configured keys of that
  // algorithm (the "kid" header only names a key; trying each is as safe).
  const std::string token_str(token);
  std::unique_ptr<jwt_t, JwtFree> jwt;
  for (const VerificationKey& key : options_.keys) {
    if (key.alg != want) continue;
    jwt_t* decoded = nullptr;
    const int rc = jwt_decode(&decoded, token_str.c_str(),
                              reinterpret_cast<const unsigned char*>(key.public_key_pem.data()),
                              static_cast<int>(key.public_key_pem.size()));
    if (rc == 0 && decoded != nullptr && jwt_get_alg(decoded) == jwt_str_alg(alg.c_str())) {
      jwt.reset(decoded);
      break;
    }
    if (decoded != nullptr) jwt_free(decoded);
  }
  ERR_clear_error();
  if (jwt == nullptr) return Unauthenticated("bad signature or unknown signing key");

  char* grants = jwt_get_grants_json(jwt.get(), nullptr);
  if (grants == nullptr) return Unauthenticated("no claims");
  const json claims = json::parse(grants, nullptr, /*allow_exceptions=*/false);
  free(grants);
  if (!claims.is_object()) return Unauthenticated("malformed claims");

  if (claims.value("iss", std::string()) != options_.issuer) {
    return Unauthenticated("wrong issuer");
  }
  bool audience_ok = false;
  if (auto aud = claims.find("aud"); aud != claims.end()) {
    if (aud->is_string()) audience_ok = aud->get<std::string>() == options_.audience;
    if (aud->is_array()) {
      for (const json& a : *aud) {
        if (a.is_string() && a.get<std::string>() == options_.audience) audience_ok = true;
      }
    }
  }
  if (!audience_ok) return Unauthenticated("wrong audience");

  const absl::Time now = clock_->Now();
  auto exp = TimeClaim(claims, "exp");
  if (!exp.ok()) return exp.status();
  if (!exp->has_value()) return Unauthenticated("no expiry ('exp')");
  if (now >= **exp + options_.leeway) return Unauthenticated("expired");
  auto nbf = TimeClaim(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  if (nbf->has_value() && now + options_.leeway < **nbf) return Unauthenticated("not yet valid");
  auto iat = TimeClaim(claims, "iat");
  if (!iat.ok()) return iat.status();
  if (iat->has_value() && now + options_.leeway < **iat) {
    return Unauthenticated("issued in the future");
  }

  Principal p;
  p.kind = Principal::Kind::kPerson;
  p.subject = claims.value("sub", std::string());
  if (p.subject.empty() || p.subject.size() > 256) return Unauthenticated("no subject ('sub')");
  p.actor_id = ActorIdOf(options_.issuer, p.subject);
  std::vector<std::string> role_names = Strings(claims, "roles");
  if (auto realm = claims.find("realm_access"); realm != claims.end() && realm->is_object()) {
    for (const std::string& r : Strings(*realm, "roles")) role_names.push_back(r);
  }
  for (const std::string& name : role_names) {
    if (auto role = ParseRole(name); role.has_value() && !p.HasRole(*role)) {
      p.roles.push_back(*role);
    }
  }
  for (const std::string& region : Strings(claims, "regions")) {
    if (geo::Atlas::Get().FindRegion(region) == nullptr) {
      return Unauthenticated(absl::StrCat("unknown region '", region, "' in 'regions'"));
    }
    p.regions.push_back(region);
  }
  p.centres = Strings(claims, "centres");
  return p;
}

absl::StatusOr<std::string> SignToken(const TokenClaims& claims,
                                      absl::string_view private_key_pem) {
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
  KeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (key == nullptr) return absl::InvalidArgumentError("the signing key is not a PEM private key");
  jwt_alg_t alg;
  if (EVP_PKEY_is_a(key.get(), "EC")) {
    alg = JWT_ALG_ES256;
  } else if (EVP_PKEY_is_a(key.get(), "RSA")) {
    alg = JWT_ALG_RS256;
  } else {
    return absl::InvalidArgumentError("the signing key must be P-256 (ES256) or RSA (RS256)");
  }
  json body = {{"iss", claims.issuer},
               {"aud", claims.audience},
               {"sub", claims.subject},
               {"iat", absl::ToUnixSeconds(claims.issued_at)},
               {"nbf", absl::ToUnixSeconds(claims.issued_at)},
               {"exp", absl::ToUnixSeconds(claims.issued_at + claims.lifetime)},
               {"roles", claims.roles}};
  if (!claims.regions.empty()) body["regions"] = claims.regions;
  if (!claims.centres.empty()) body["centres"] = claims.centres;
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  if (jwt_add_grants_json(jwt.get(), body.dump().c_str()) != 0) {
    return absl::InternalError("cannot add the token's claims");
  }
  if (jwt_set_alg(jwt.get(), alg, reinterpret_cast<const unsigned char*>(private_key_pem.data()),
                  static_cast<int>(private_key_pem.size())) != 0) {
    return absl::InternalError("cannot set the token's algorithm");
  }
  char* encoded = jwt_encode_str(jwt.get());
  ERR_clear_error();
  if (encoded == nullptr) return absl::InternalError("cannot sign the token");
  std::string out(encoded);
  free(encoded);
  return out;
}

}  // namespace jit::auth
