#include "libs/tls/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace jit::tls {
namespace {

absl::Status FileError(absl::string_view field, const std::string& path,
                       absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, " '", path, "': ", problem));
}

absl::StatusOr<std::string> ReadPemFile(absl::string_view field, const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError(field, path, "cannot be read");
  std::ostringstream out;
  out << in.rdbuf();
  std::string data = out.str();
  if (data.find("-----BEGIN ") == std::string::npos) {
    return FileError(field, path, "is not PEM");
  }
  return data;
}

struct X509Free {
  void operator()(X509* c) const { X509_free(c); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

// Parses every certificate of a PEM bundle; INVALID_ARGUMENT when there is
// none or one is expired or not yet valid.
absl::StatusOr<std::vector<std::unique_ptr<X509, X509Free>>> ParseCerts(
    absl::string_view field, const std::string& path, const std::string& pem) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<std::unique_ptr<X509, X509Free>> certs;
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(c);
  }
  ERR_clear_error();
  if (certs.empty()) return FileError(field, path, "holds no PEM certificate");
  for (const auto& c : certs) {
    if (X509_cmp_current_time(X509_get0_notBefore(c.get())) > 0) {
      return FileError(field, path, "holds a certificate that is not valid yet");
    }
    if (X509_cmp_current_time(X509_get0_notAfter(c.get())) < 0) {
      return FileError(field, path, "holds an expired certificate");
    }
  }
  return certs;
}

// Checks a certificate/key pair; returns nothing but errors naming files.
absl::Status CheckPair(const std::string& cert_file, const std::string& key_file) {
  auto cert_pem = ReadPemFile("cert_file", cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto certs = ParseCerts("cert_file", cert_file, *cert_pem);
  if (!certs.ok()) return certs.status();
  auto key_pem = ReadPemFile("key_file", key_file);
  if (!key_pem.ok()) return key_pem.status();
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    ERR_clear_error();
    return FileError("key_file", key_file, "holds no PEM private key");
  }
  if (X509_check_private_key(certs->front().get(), key.get()) != 1) {
    ERR_clear_error();
    return FileError("key_file", key_file,
                     absl::StrCat("does not match the certificate in ", cert_file));
  }
  return absl::OkStatus();
}

absl::Status CheckCa(const std::string& ca_file) {
  auto pem = ReadPemFile("ca_file", ca_file);
  if (!pem.ok()) return pem.status();
  return ParseCerts("ca_file", ca_file, *pem).status();
}

unsigned int RefreshSeconds(absl::Duration d) {
  const int64_t s = absl::ToInt64Seconds(d);
  return s < 1 ? 1u : static_cast<unsigned int>(s);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options) {
  if (absl::Status s = CheckPair(options.cert_file, options.key_file); !s.ok()) return s;
  if (absl::Status s = CheckCa(options.ca_file); !s.ok()) return s;
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      options.key_file, options.cert_file, options.ca_file,
      RefreshSeconds(options.refresh_interval));
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(options.client_certs == ClientCertMode::kRequire
                                ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(tls);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTlsOptions& options) {
  if (absl::Status s = CheckCa(options.ca_file); !s.ok()) return s;
  const bool mutual = !options.cert_file.empty() || !options.key_file.empty();
  if (mutual) {
    if (absl::Status s = CheckPair(options.cert_file, options.key_file); !s.ok()) return s;
  }
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      mutual ? options.key_file : "", mutual ? options.cert_file : "", options.ca_file,
      RefreshSeconds(options.refresh_interval));
  grpc::experimental::TlsChannelCredentialsOptions tls;
  tls.set_certificate_provider(provider);
  tls.watch_root_certs();
  if (mutual) tls.watch_identity_key_cert_pairs();
  tls.set_verify_server_certs(true);
  auto creds = grpc::experimental::TlsCredentials(tls);
  if (creds == nullptr) return absl::InternalError("gRPC refused the TLS channel options");
  return creds;
}

std::string SpiffeIdOf(absl::string_view ns, absl::string_view service) {
  return absl::StrCat("spiffe://", kTrustDomain, "/ns/", ns, "/sa/", service);
}

absl::StatusOr<ServiceIdentity> ParseSpiffeId(absl::string_view uri) {
  const std::string prefix = absl::StrCat("spiffe://", kTrustDomain, "/");
  if (!absl::StartsWith(uri, prefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", uri, "' is not a SPIFFE id of trust domain ", kTrustDomain));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(uri.substr(prefix.size()), '/');
  if (parts.size() != 4 || parts[0] != "ns" || parts[2] != "sa" || parts[1].empty() ||
      parts[3].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", uri, "' is not of the form ", prefix, "ns/<namespace>/sa/<service>"));
  }
  return ServiceIdentity{std::string(parts[1]), std::string(parts[3])};
}

bool IsTls(const grpc::AuthContext& auth_context) {
  for (const auto& v : auth_context.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME)) {
    // "ssl" from SslServerCredentials, "tls" from the TLS credentials above.
    const absl::string_view type(v.data(), v.size());
    if (type == GRPC_SSL_TRANSPORT_SECURITY_TYPE || type == "tls") return true;
  }
  return false;
}

std::optional<ServiceIdentity> PeerServiceOf(const grpc::AuthContext& auth_context) {
  // A client certificate is only there when the handshake verified it
  // against the CA (VERIFY modes above).
  if (!IsTls(auth_context) || !auth_context.IsPeerAuthenticated()) return std::nullopt;
  for (const char* property :
       {GRPC_PEER_SPIFFE_ID_PROPERTY_NAME, GRPC_PEER_URI_PROPERTY_NAME,
        GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const auto& v : auth_context.FindPropertyValues(property)) {
      auto id = ParseSpiffeId(absl::string_view(v.data(), v.size()));
      if (id.ok()) return *std::move(id);
    }
  }
  return std::nullopt;
}

}  // namespace jit::tls
