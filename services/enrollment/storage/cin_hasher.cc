#include "services/enrollment/storage/cin_hasher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/status/field_violations.h"

namespace jit::enrollment {

absl::StatusOr<std::unique_ptr<HmacCinHasher>> HmacCinHasher::Create(
    absl::string_view key) {
  if (key.size() < kMinKeyBytes) {
    return status::InvalidField("cin_hash_key",
                                absl::StrCat("must be at least ", kMinKeyBytes,
                                             " bytes (got ", key.size(), ")"));
  }
  return std::unique_ptr<HmacCinHasher>(new HmacCinHasher(key));
}

HmacCinHasher::~HmacCinHasher() {
  if (!key_.empty()) OPENSSL_cleanse(key_.data(), key_.size());
}

std::string HmacCinHasher::Hash(absl::string_view normalized_cin) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
           reinterpret_cast<const unsigned char*>(normalized_cin.data()),
           normalized_cin.size(), digest, &length);
  // Fails only if OpenSSL cannot allocate or lacks SHA-256: a broken build,
  // not an input error; never fall back to a weaker hash.
  if (ok == nullptr || length != 32) std::abort();
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace jit::enrollment
