#include "tools/dev-pki/dev_pki_files.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/auth/principal.h"
#include "libs/auth/token.h"
#include "absl/time/clock.h"
#include "libs/tls/dev_pki.h"
#include "libs/tls/tls.h"

namespace jit::devpki {
namespace {

std::optional<std::string> Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// True when the PEM certificate parses and stays valid for `remaining`.
bool ValidFor(const std::string& pem, absl::Duration remaining) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  if (cert == nullptr) return false;
  time_t until = absl::ToTimeT(absl::Now() + remaining);
  const bool ok = X509_cmp_time(X509_get0_notAfter(cert), &until) > 0 &&
                  X509_cmp_current_time(X509_get0_notBefore(cert)) < 0;
  X509_free(cert);
  return ok;
}

}  // namespace

absl::StatusOr<Report> Ensure(const Options& options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("--dir is required");
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot create ", options.dir, ": ", ec.message()));
  std::filesystem::permissions(options.dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const auto path = [&](const std::string& name) { return options.dir + "/" + name; };
  Report report;

  std::optional<tls::DevCa> ca;
  auto ca_cert = Read(path("ca.crt"));
  auto ca_key = Read(path("ca.key"));
  if (ca_cert && ca_key && ValidFor(*ca_cert, options.min_remaining)) {
    auto loaded = tls::DevCa::Load({*ca_cert, *ca_key});
    if (loaded.ok()) ca.emplace(*std::move(loaded));
  }
  if (!ca.has_value()) {
    auto created = tls::DevCa::Create("JobInTech development CA", options.ca_validity);
    if (!created.ok()) return created.status();
    ca.emplace(*std::move(created));
    if (auto s = tls::WriteFileAtomically(path("ca.key"), ca->pem().key, 0600); !s.ok()) return s;
    if (auto s = tls::WriteFileAtomically(path("ca.crt"), ca->pem().cert, 0644); !s.ok()) return s;
    report.ca_created = true;
  }

  for (const std::string& service : options.services) {
    auto cert = Read(path(service + ".crt"));
    const bool keep = !options.renew && !report.ca_created && cert.has_value() &&
                      Read(path(service + ".key")).has_value() &&
                      ValidFor(*cert, options.min_remaining);
    if (keep) continue;
    auto pem = ca->Issue({.common_name = service,
                          .dns_names = {"localhost", service},
                          .ip_addresses = {"127.0.0.1", "::1"},
                          .uris = {tls::SpiffeIdOf(options.ns, service)},
                          .validity = options.cert_validity});
    if (!pem.ok()) return pem.status();
    // Key first: a reader that sees the new certificate finds its key.
    if (auto s = tls::WriteFileAtomically(path(service + ".key"), pem->key, 0600); !s.ok()) return s;
    if (auto s = tls::WriteFileAtomically(path(service + ".crt"), pem->cert, 0644); !s.ok()) return s;
    report.issued.push_back(service);
  }

  if (!Read(path("token-signing.key")).has_value() || !Read(path("token-keys.pem")).has_value()) {
    auto key = tls::NewSigningKey();
    if (!key.ok()) return key.status();
    if (auto s = tls::WriteFileAtomically(path("token-signing.key"), key->key, 0600); !s.ok()) {
      return s;
    }
    if (auto s = tls::WriteFileAtomically(path("token-keys.pem"), key->cert, 0644); !s.ok()) {
      return s;
    }
    report.token_key_created = true;
  }
  return report;
}

absl::StatusOr<std::string> MintDevToken(const std::string& dir, const DevTokenRequest& request) {
  if (!auth::ParseRole(request.role).has_value()) {
    std::vector<std::string> names;
    for (auth::Role r : auth::kAllRoles) names.emplace_back(auth::RoleName(r));
    return absl::InvalidArgumentError(absl::StrCat("unknown role '", request.role,
                                                   "' (one of: ", absl::StrJoin(names, ", "), ")"));
  }
  if (request.subject.empty()) return absl::InvalidArgumentError("the subject must not be empty");
  auto key = Read(dir + "/token-signing.key");
  if (!key.has_value() || key->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no development signing key ", dir,
                     "/token-signing.key: dev tokens exist only for a development data folder "
                     "(made by scripts/run.sh / jit-dev-pki); in production get a token from the "
                     "identity provider"));
  }
  return auth::SignToken({.issuer = kDevIssuer,
                          .audience = kDevAudience,
                          .subject = request.subject,
                          .roles = {request.role},
                          .regions = request.regions,
                          .centres = request.centres,
                          .issued_at = absl::Now(),
                          .lifetime = request.lifetime},
                         *key);
}

}  // namespace jit::devpki
