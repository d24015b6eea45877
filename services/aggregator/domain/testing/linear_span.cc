#include "services/aggregator/domain/testing/linear_span.h"

namespace jit::aggregator::testing {
namespace {

constexpr int64_t kPrime = 2147483647;  // 2^31 - 1: products fit in 64 bits

int64_t Mod(int64_t a) { return ((a % kPrime) + kPrime) % kPrime; }

int64_t Inverse(int64_t a) {
  int64_t result = 1;
  for (int64_t e = kPrime - 2; e > 0; e >>= 1, a = a * a % kPrime) {
    if (e & 1) result = result * a % kPrime;
  }
  return result;
}

}  // namespace

void LinearSpan::Reduce(std::vector<int64_t>& v) const {
  for (const auto& [pivot, row] : basis_) {
    const int64_t f = v[pivot];
    if (f == 0) continue;
    for (size_t i = 0; i < v.size(); ++i) v[i] = Mod(v[i] - f * row[i] % kPrime);
  }
}

bool LinearSpan::Add(std::vector<int64_t> v) {
  for (int64_t& x : v) x = Mod(x);
  Reduce(v);
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == 0) continue;
    const int64_t inv = Inverse(v[i]);
    for (int64_t& x : v) x = x * inv % kPrime;
    basis_.emplace_back(i, std::move(v));
    return true;
  }
  return false;
}

bool LinearSpan::Contains(std::vector<int64_t> v) const {
  for (int64_t& x : v) x = Mod(x);
  Reduce(v);
  for (int64_t x : v) {
    if (x != 0) return false;
  }
  return true;
}

}  // namespace jit::aggregator::testing
