#include "libs/tls/dev_pki.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace jit::tls {
namespace {

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* c) const { X509_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

absl::Status OpenSslError(absl::string_view what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = {0};
  if (e != 0) ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(what, ": ", e != 0 ? buf : "OpenSSL error"));
}

absl::StatusOr<KeyPtr> NewP256Key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return OpenSslError("generating a P-256 key");
  return key;
}

std::string BioString(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return OpenSslError("encoding a private key");
  }
  return BioString(bio.get());
}

absl::StatusOr<std::string> CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) return OpenSslError("encoding a certificate");
  return BioString(bio.get());
}

// Adds the extension `nid` = `value` (OpenSSL's config syntax), issued by
// `issuer`.
absl::Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("certificate extension '", OBJ_nid2sn(nid), "' = '", value, "' is invalid"));
  }
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (!ok) return OpenSslError("adding a certificate extension");
  return absl::OkStatus();
}

absl::StatusOr<CertPtr> NewCert(const std::string& common_name, EVP_PKEY* public_key,
                                absl::Duration validity, absl::Duration backdate) {
  CertPtr cert(X509_new());
  if (cert == nullptr) return OpenSslError("allocating a certificate");
  X509_set_version(cert.get(), 2);  // v3
  // A random 127-bit serial number (positive).
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return OpenSslError("random serial");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  ASN1_INTEGER* asn = BN_to_ASN1_INTEGER(bn, nullptr);
  X509_set_serialNumber(cert.get(), asn);
  ASN1_INTEGER_free(asn);
  BN_free(bn);
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  ASN1_TIME_set(X509_getm_notBefore(cert.get()), now - absl::ToInt64Seconds(backdate));
  ASN1_TIME_set(X509_getm_notAfter(cert.get()), now + absl::ToInt64Seconds(validity));
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("JobInTech"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  if (!X509_set_pubkey(cert.get(), public_key)) return OpenSslError("setting the public key");
  return cert;
}

}  // namespace

struct DevCa::Impl {
  KeyPtr key;
  CertPtr cert;
};

DevCa::DevCa(std::unique_ptr<Impl> impl, Pem pem) : impl_(std::move(impl)), pem_(std::move(pem)) {}
DevCa::DevCa(DevCa&&) noexcept = default;
DevCa& DevCa::operator=(DevCa&&) noexcept = default;
DevCa::~DevCa() = default;

absl::StatusOr<DevCa> DevCa::Create(const std::string& name, absl::Duration validity) {
  auto impl = std::make_unique<Impl>();
  auto key = NewP256Key();
  if (!key.ok()) return key.status();
  impl->key = *std::move(key);
  auto cert = NewCert(name, impl->key.get(), validity, absl::Minutes(5));
  if (!cert.ok()) return cert.status();
  impl->cert = *std::move(cert);
  X509* c = impl->cert.get();
  X509_set_issuer_name(c, X509_get_subject_name(c));
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"}}) {
    if (absl::Status s = AddExt(c, c, nid, value); !s.ok()) return s;
  }
  if (X509_sign(c, impl->key.get(), EVP_sha256()) == 0) return OpenSslError("signing the CA");
  Pem pem;
  auto cert_pem = CertPem(c);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(impl->key.get());
  if (!key_pem.ok()) return key_pem.status();
  pem.cert = *std::move(cert_pem);
  pem.key = *std::move(key_pem);
  return DevCa(std::move(impl), std::move(pem));
}

absl::StatusOr<DevCa> DevCa::Load(const Pem& pem) {
  auto impl = std::make_unique<Impl>();
  BioPtr cert_bio(BIO_new_mem_buf(pem.cert.data(), static_cast<int>(pem.cert.size())));
  impl->cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (impl->cert == nullptr) return absl::InvalidArgumentError("the CA certificate is not PEM");
  BioPtr key_bio(BIO_new_mem_buf(pem.key.data(), static_cast<int>(pem.key.size())));
  impl->key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (impl->key == nullptr) return absl::InvalidArgumentError("the CA key is not PEM");
  if (X509_check_private_key(impl->cert.get(), impl->key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError("the CA key does not match the CA certificate");
  }
  return DevCa(std::move(impl), pem);
}

absl::StatusOr<Pem> DevCa::Issue(const CertRequest& request) const {
  if (request.common_name.empty()) {
    return absl::InvalidArgumentError("a certificate needs a common name");
  }
  auto key = NewP256Key();
  if (!key.ok()) return key.status();
  auto cert = NewCert(request.common_name, key->get(), request.validity, request.backdate);
  if (!cert.ok()) return cert.status();
  X509* c = cert->get();
  X509_set_issuer_name(c, X509_get_subject_name(impl_->cert.get()));
  std::vector<std::string> sans;
  for (const std::string& d : request.dns_names) sans.push_back("DNS:" + d);
  for (const std::string& ip : request.ip_addresses) sans.push_back("IP:" + ip);
  for (const std::string& u : request.uris) sans.push_back("URI:" + u);
  std::vector<std::pair<int, std::string>> exts = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_authority_key_identifier, "keyid:always"}};
  if (!sans.empty()) exts.push_back({NID_subject_alt_name, absl::StrJoin(sans, ",")});
  for (const auto& [nid, value] : exts) {
    if (absl::Status s = AddExt(c, impl_->cert.get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(c, impl_->key.get(), EVP_sha256()) == 0) {
    return OpenSslError("signing a certificate");
  }
  Pem pem;
  auto cert_pem = CertPem(c);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = KeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  pem.cert = *std::move(cert_pem);
  pem.key = *std::move(key_pem);
  return pem;
}

absl::StatusOr<Pem> NewSigningKey() {
  auto key = NewP256Key();
  if (!key.ok()) return key.status();
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PUBKEY(bio.get(), key->get())) return OpenSslError("encoding a public key");
  Pem pem;
  pem.cert = BioString(bio.get());
  auto key_pem = KeyPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  pem.key = *std::move(key_pem);
  return pem;
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& contents,
                                 int mode) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return absl::UnavailableError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  ::fchmod(fd, static_cast<mode_t>(mode));
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot rename ", tmp, " to ", path, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace jit::tls
