// Test helper: the span of a set of 0/1 vectors, for audits of published
// tables ("is this hidden cell a linear combination of published ones?").
// Gaussian elimination modulo the prime 2^31 - 1: a combination over the
// rationals survives the reduction (unless the prime divides one of its
// denominators, which would take a determinant that large), so "not in the
// span" here means no linear combination of the published figures gives it.
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_LINEAR_SPAN_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_LINEAR_SPAN_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace jit::aggregator::testing {

class LinearSpan {
 public:
  // Adds `v` to the spanning set; returns whether it was independent.
  bool Add(std::vector<int64_t> v);
  bool Contains(std::vector<int64_t> v) const;

 private:
  void Reduce(std::vector<int64_t>& v) const;
  std::vector<std::pair<size_t, std::vector<int64_t>>> basis_;
};

}  // namespace jit::aggregator::testing

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_TESTING_LINEAR_SPAN_H_
