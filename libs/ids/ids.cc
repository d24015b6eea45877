#include "libs/ids/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace jit::ids {
namespace {

std::string FormatUuid(const std::array<uint8_t, 16>& b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 0xf]);
  }
  return s;
}

}  // namespace

void RandomBytes(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // The kernel's CSPRNG failing is not a recoverable condition.
      std::abort();
    }
    done += static_cast<size_t>(got);
  }
}

std::string NewUuidV4() {
  std::array<uint8_t, 16> b;
  RandomBytes(b.data(), b.size());
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return FormatUuid(b);
}

std::string NewUuidV7(const Clock& clock) {
  std::array<uint8_t, 16> b;
  RandomBytes(b.data(), b.size());
  const uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(clock.Now()));
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = (b[6] & 0x0f) | 0x70;  // version 7
  b[8] = (b[8] & 0x3f) | 0x80;
  return FormatUuid(b);
}

bool IsUuid(absl::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!absl::ascii_isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

std::string NewOpaqueId(absl::string_view prefix) {
  static constexpr char kCrockford[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::array<uint8_t, 16> b;
  RandomBytes(b.data(), b.size());
  // 128 bits -> 26 base32 digits (130 bits, the top two always zero).
  std::string out = absl::StrCat(prefix, "_");
  // Bit i of the 130-bit big-endian stream (two leading zero bits, then b).
  auto bit = [&b](int i) -> int {
    i -= 2;
    if (i < 0) return 0;
    return (b[i / 8] >> (7 - i % 8)) & 1;
  };
  char digits[26];
  for (int d = 0; d < 26; ++d) {
    int v = 0;
    for (int k = 0; k < 5; ++k) v = (v << 1) | bit(d * 5 + k);
    digits[d] = kCrockford[v];
  }
  out.append(digits, 26);
  return out;
}

}  // namespace jit::ids
