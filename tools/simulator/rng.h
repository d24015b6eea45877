// A small seeded random generator with portable results: xoshiro256**
// seeded through SplitMix64, and distributions written out here (the
// standard library's distributions differ between implementations), so a
// seed gives the same plan on every platform and compiler.
#ifndef JIT_TOOLS_SIMULATOR_RNG_H_
#define JIT_TOOLS_SIMULATOR_RNG_H_

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace jit::simulator {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// FNV-1a, to mix names into seeds.
inline uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

class Rng {
 public:
  // A stream for (seed, stream, index): journeys each get their own stream,
  // so journey j's plan does not depend on how many journeys there are.
  Rng(uint64_t seed, uint64_t stream, uint64_t index = 0) {
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ULL) ^ (index * 0x8CB92BA72F3D8DD7ULL);
    for (uint64_t& x : s_) x = SplitMix64(s);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // [0, n), without modulo bias; 0 when n <= 0.
  int Below(int n) {
    if (n <= 0) return 0;
    const uint64_t bound = static_cast<uint64_t>(n);
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return static_cast<int>(x % bound);
  }
  // [lo, hi] inclusive.
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }
  bool Chance(double p) { return Uniform() < p; }
  // An index drawn with the given non-negative weights (0 if all are 0).
  int Pick(const std::vector<double>& weights) {
    double total = 0;
    for (double w : weights) total += w > 0 ? w : 0;
    if (total <= 0) return 0;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      const double w = weights[i] > 0 ? weights[i] : 0;
      if (x < w) return static_cast<int>(i);
      x -= w;
    }
    return static_cast<int>(weights.size()) - 1;
  }
  // Exponential with the given mean (inverse transform; log is correctly
  // rounded enough on every libm we target, and results are rounded to days).
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace jit::simulator

#endif  // JIT_TOOLS_SIMULATOR_RNG_H_
