// Small-count protection of a set of published tables that share their
// margins: which cells of a counter must be hidden so that no hidden cell's
// value can be worked out from everything else that is published.
//
// The published cells are every combination of one node per dimension
// (e.g. geography x track x gender, where geography is the tree national >
// region > province and the others are "all" > value). A cell's value is the
// sum of the leaves under it. Primary cells are the counts in 1..k-1; they
// are displayed as "<k", which tells that their value is in 1..k-1.
//
// Guarantee (by construction, and checked independently by the tests with
// exact linear algebra): for every hidden cell there is another table of
// leaf values, with every leaf >= 0, no leaf outside those that exist, every
// primary cell still in 1..k-1, that gives exactly the same value to every
// published cell and a different value to the hidden cell. So the published
// figures, totals included, do not determine any hidden value.
//
// How: for each primary cell not yet protected, a perturbation is chosen
// among the hypercubes of existing leaves anchored on one of its leaves
// (+1/-1 on the 2^|S| corners spanned by the leaf and a partner leaf that
// differs in the dimensions S). Sums over a dimension where both corners of
// a pair fall cancel, so only the cells that separate every pair change;
// they are all hidden (secondary suppression), choosing the perturbation
// that hides the least: the sum over the newly hidden cells of (value + 1),
// times 4 per level the cell stands above the leaves (a national total is
// the last resort). When no
// perturbation is feasible (almost no data), every non-zero cell is hidden.
#ifndef JIT_SERVICES_AGGREGATOR_DOMAIN_DISCLOSURE_H_
#define JIT_SERVICES_AGGREGATOR_DOMAIN_DISCLOSURE_H_

#include <array>
#include <cstdint>
#include <vector>

namespace jit::aggregator {

// A dimension: a tree of nodes, node 0 the root ("all"); leaves are the
// nodes without children.
class Hierarchy {
 public:
  Hierarchy() : parent_{-1} {}
  // Adds a child of `parent` and returns its id.
  int Add(int parent);
  int size() const { return static_cast<int>(parent_.size()); }
  int parent(int node) const { return parent_[node]; }
  // `node`, its parent, ..., the root.
  std::vector<int> Chain(int node) const;
  bool Contains(int ancestor, int node) const;

 private:
  std::vector<int> parent_;
};

inline constexpr int kMaxDimensions = 3;
using Coord = std::array<int, kMaxDimensions>;  // unused dimensions: 0

struct Leaf {
  Coord coord{};      // a leaf node per dimension
  int64_t value = 0;  // >= 0; 0 for a leaf that exists but counts nothing
};

class Protection {
 public:
  enum class Mark : uint8_t { kPublished, kPrimary, kSecondary };

  // `leaves` lists every leaf that exists (each coordinate once); a cell's
  // value sums them. Threshold k >= 2.
  static Protection Compute(std::vector<Hierarchy> dims, std::vector<Leaf> leaves, int k);

  Mark MarkOf(const Coord& cell) const;
  bool Hidden(const Coord& cell) const { return MarkOf(cell) != Mark::kPublished; }
  int64_t Value(const Coord& cell) const;
  const std::vector<Hierarchy>& dims() const { return dims_; }
  int64_t hidden_count() const;
  // Every cell, for audits: calls fn(coord, value, mark).
  template <typename Fn>
  void ForEachCell(Fn&& fn) const {
    for (int64_t id = 0; id < static_cast<int64_t>(values_.size()); ++id) {
      fn(CoordOf(id), values_[id], marks_[id]);
    }
  }

 private:
  int64_t IdOf(const Coord& c) const;
  Coord CoordOf(int64_t id) const;

  std::vector<Hierarchy> dims_;
  std::array<int64_t, kMaxDimensions> stride_{};
  std::vector<int64_t> values_;
  std::vector<Mark> marks_;
};

}  // namespace jit::aggregator

#endif  // JIT_SERVICES_AGGREGATOR_DOMAIN_DISCLOSURE_H_
