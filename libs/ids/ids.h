// Identifiers: random UUIDs (RFC 9562 version 4), time-ordered UUIDs
// (version 7, for event ids and rows that benefit from index locality), and
// opaque prefixed ids such as trainee ids.
//
// Randomness comes from the kernel (getrandom(2)), so ids are unguessable: a
// trainee id reveals nothing about the person and cannot be enumerated.
// All functions are thread-safe.
#ifndef JIT_LIBS_IDS_IDS_H_
#define JIT_LIBS_IDS_IDS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/clock/clock.h"

namespace jit::ids {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex.
std::string NewUuidV4();

// Version 7: 48-bit Unix milliseconds from `clock`, then random bits.
std::string NewUuidV7(const Clock& clock);

// True for a canonical lower- or upper-case hyphenated UUID string.
bool IsUuid(absl::string_view s);

// `prefix` + "_" + 26 characters of Crockford base32 encoding 128 random bits,
// e.g. NewOpaqueId("trn") -> "trn_5v9k2m...". Opaque: carries no meaning.
std::string NewOpaqueId(absl::string_view prefix);

// Fills `out` with kernel randomness.
void RandomBytes(uint8_t* out, size_t n);

}  // namespace jit::ids

#endif  // JIT_LIBS_IDS_IDS_H_
