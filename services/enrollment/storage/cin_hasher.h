// The production CinHasher: HMAC-SHA256 of the normalized national ID (CIN)
// under a secret key from config, as 64 lowercase hex digits.
//
// Duplicate applications are found by this hash, so the key must stay the
// same for the life of the data (a new key makes every stored hash useless
// for duplicate detection) and must stay secret (CINs are short and
// structured: without the key a plain hash could be reversed by brute force).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<HmacCinHasher> hasher,
//                    HmacCinHasher::Create(config.cin_hash_key));
//   std::string h = hasher->Hash("AB123456");
//
// Thread-safe (Hash is const and uses no shared state).
#ifndef JIT_SERVICES_ENROLLMENT_STORAGE_CIN_HASHER_H_
#define JIT_SERVICES_ENROLLMENT_STORAGE_CIN_HASHER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/enrollment/domain/enrollment_service.h"

namespace jit::enrollment {

class HmacCinHasher final : public CinHasher {
 public:
  static constexpr size_t kMinKeyBytes = 16;

  // INVALID_ARGUMENT (field "cin_hash_key") for a key shorter than
  // kMinKeyBytes. The key is used as raw bytes.
  static absl::StatusOr<std::unique_ptr<HmacCinHasher>> Create(
      absl::string_view key);

  ~HmacCinHasher() override;  // wipes the key
  HmacCinHasher(const HmacCinHasher&) = delete;
  HmacCinHasher& operator=(const HmacCinHasher&) = delete;

  // HMAC-SHA256(key, normalized_cin) in lowercase hex. The input is hashed
  // as given: the caller normalizes (services/enrollment/domain/validation.h).
  std::string Hash(absl::string_view normalized_cin) const override;

 private:
  explicit HmacCinHasher(absl::string_view key) : key_(key) {}

  std::string key_;
};

}  // namespace jit::enrollment

#endif  // JIT_SERVICES_ENROLLMENT_STORAGE_CIN_HASHER_H_
