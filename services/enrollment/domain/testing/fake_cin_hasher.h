// A deterministic CinHasher for tests: a keyed 64-bit FNV-1a, hex-encoded.
// Not cryptographic; never use it outside tests. The output never contains
// the CIN itself.
#ifndef JIT_SERVICES_ENROLLMENT_DOMAIN_TESTING_FAKE_CIN_HASHER_H_
#define JIT_SERVICES_ENROLLMENT_DOMAIN_TESTING_FAKE_CIN_HASHER_H_

#include <cstdint>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/enrollment/domain/enrollment_service.h"

namespace jit::enrollment::testing {

class FakeCinHasher final : public CinHasher {
 public:
  explicit FakeCinHasher(std::string key = "test-key") : key_(std::move(key)) {}

  std::string Hash(absl::string_view normalized_cin) const override {
    uint64_t h = 14695981039346656037ull;
    auto mix = [&h](absl::string_view s) {
      for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
      }
    };
    mix(key_);
    mix(absl::string_view("\0", 1));
    mix(normalized_cin);
    return absl::StrCat("fake-", absl::Hex(h, absl::kZeroPad16));
  }

 private:
  std::string key_;
};

}  // namespace jit::enrollment::testing

#endif  // JIT_SERVICES_ENROLLMENT_DOMAIN_TESTING_FAKE_CIN_HASHER_H_
