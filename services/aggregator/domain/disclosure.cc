#include "services/aggregator/domain/disclosure.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>


namespace jit::aggregator {

int Hierarchy::Add(int parent) {
  parent_.push_back(parent);
  return static_cast<int>(parent_.size()) - 1;
}

std::vector<int> Hierarchy::Chain(int node) const {
  std::vector<int> chain;
  for (int n = node; n >= 0; n = parent_[n]) chain.push_back(n);
  return chain;
}

bool Hierarchy::Contains(int ancestor, int node) const {
  for (int n = node; n >= 0; n = parent_[n]) {
    if (n == ancestor) return true;
  }
  return false;
}

int64_t Protection::IdOf(const Coord& c) const {
  int64_t id = 0;
  for (int d = 0; d < kMaxDimensions; ++d) id += c[d] * stride_[d];
  return id;
}

Coord Protection::CoordOf(int64_t id) const {
  Coord c{};
  for (int d = 0; d < kMaxDimensions; ++d) {
    c[d] = static_cast<int>(id / stride_[d]);
    id %= stride_[d];
  }
  return c;
}

Protection::Mark Protection::MarkOf(const Coord& cell) const {
  for (int d = 0; d < kMaxDimensions; ++d) {
    if (cell[d] < 0 || cell[d] >= dims_[d].size()) return Mark::kPublished;
  }
  return marks_[IdOf(cell)];
}

int64_t Protection::Value(const Coord& cell) const {
  for (int d = 0; d < kMaxDimensions; ++d) {
    if (cell[d] < 0 || cell[d] >= dims_[d].size()) return 0;
  }
  return values_[IdOf(cell)];
}

int64_t Protection::hidden_count() const {
  return std::count_if(marks_.begin(), marks_.end(),
                       [](Mark m) { return m != Mark::kPublished; });
}

Protection Protection::Compute(std::vector<Hierarchy> dims, std::vector<Leaf> leaves, int k) {
  Protection p;
  while (dims.size() < kMaxDimensions) dims.emplace_back();
  p.dims_ = std::move(dims);
  int64_t cells = 1;
  for (int d = kMaxDimensions - 1; d >= 0; --d) {
    p.stride_[d] = cells;
    cells *= p.dims_[d].size();
  }
  p.values_.assign(cells, 0);
  p.marks_.assign(cells, Mark::kPublished);

  std::array<std::vector<std::vector<int>>, kMaxDimensions> chains;
  for (int d = 0; d < kMaxDimensions; ++d) {
    for (int n = 0; n < p.dims_[d].size(); ++n) chains[d].push_back(p.dims_[d].Chain(n));
  }
  // Calls fn(id) for every cell above (or at) the leaf coordinate `c`.
  auto for_each_above = [&](const Coord& c, auto&& fn) {
    for (int a0 : chains[0][c[0]]) {
      for (int a1 : chains[1][c[1]]) {
        for (int a2 : chains[2][c[2]]) {
          fn(a0 * p.stride_[0] + a1 * p.stride_[1] + a2 * p.stride_[2]);
        }
      }
    }
  };
  std::vector<int32_t> leaf_at(cells, -1);
  for (size_t i = 0; i < leaves.size(); ++i) {
    leaf_at[p.IdOf(leaves[i].coord)] = static_cast<int32_t>(i);
    for_each_above(leaves[i].coord, [&](int64_t id) { p.values_[id] += leaves[i].value; });
  }
  auto primary = [&](int64_t v) { return v >= 1 && v < k; };
  std::vector<int64_t> order;
  for (int64_t id = 0; id < cells; ++id) {
    if (primary(p.values_[id])) {
      p.marks_[id] = Mark::kPrimary;
      order.push_back(id);
    }
  }
  // The most detailed cells first: their perturbations usually protect
  // the coarser primaries above them as well.
  auto depth = [&](int64_t id) {
    const Coord c = p.CoordOf(id);
    size_t depth = 0;
    for (int d = 0; d < kMaxDimensions; ++d) depth += chains[d][c[d]].size();
    return depth;
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return depth(a) > depth(b); });

  // Hiding a coarser cell costs more: x4 per level above the leaves, so a
  // national total is hidden only when nothing finer will do.
  std::array<size_t, kMaxDimensions> leaf_depth{};
  for (int d = 0; d < kMaxDimensions; ++d) {
    for (const auto& chain : chains[d]) leaf_depth[d] = std::max(leaf_depth[d], chain.size());
  }
  std::vector<int64_t> weight(cells, 1);
  for (int64_t id = 0; id < cells; ++id) {
    const Coord c = p.CoordOf(id);
    for (int d = 0; d < kMaxDimensions; ++d) {
      for (size_t l = chains[d][c[d]].size(); l < leaf_depth[d]; ++l) weight[id] *= 4;
    }
  }
  std::vector<bool> protected_cell(cells, false);
  // Per dimension, the nodes whose sum the perturbation changes, with the
  // side (0: the anchor leaf's, 1: the partner's) they hold.
  std::array<std::vector<std::pair<int, int>>, kMaxDimensions> sides;
  std::vector<std::pair<int64_t, int>> affected;
  for (const int64_t x : order) {
    if (protected_cell[x]) continue;
    const Coord xc = p.CoordOf(x);
    auto inside_x = [&](const Coord& c) {
      for (int d = 0; d < kMaxDimensions; ++d) {
        if (!p.dims_[d].Contains(xc[d], c[d])) return false;
      }
      return true;
    };
    int64_t best_cost = std::numeric_limits<int64_t>::max();
    std::vector<std::pair<int64_t, int>> best;
    for (const Leaf& a : leaves) {
      if (best_cost == 0) break;  // nothing cheaper than hiding nothing new
      if (a.value < 1 || !inside_x(a.coord)) continue;
      // Partner -1: the perturbation of `a` alone.
      for (int partner = -1; partner < static_cast<int>(leaves.size()) && best_cost > 0;
           ++partner) {
        std::array<int, kMaxDimensions> s{};
        int s_count = 0;
        bool usable = true;
        if (partner >= 0) {
          const Coord& dc = leaves[partner].coord;
          for (int d = 0; d < kMaxDimensions; ++d) {
            if (dc[d] == a.coord[d]) continue;
            // A dimension where x holds both corners cancels at x.
            if (p.dims_[d].Contains(xc[d], dc[d])) usable = false;
            s[s_count++] = d;
          }
          if (s_count == 0) usable = false;
        }
        if (!usable) continue;
        // Corners: mask bit j takes the partner's node in dimension s[j].
        std::array<std::pair<size_t, int>, 1 << kMaxDimensions> corners{};
        const int corner_count = 1 << s_count;
        for (int mask = 0; mask < corner_count && usable; ++mask) {
          Coord c = a.coord;
          for (int j = 0; j < s_count; ++j) {
            if (mask & (1 << j)) c[s[j]] = leaves[partner].coord[s[j]];
          }
          const int32_t at = leaf_at[p.IdOf(c)];
          if (at < 0) {
            usable = false;
            break;
          }
          corners[mask] = {static_cast<size_t>(at),
                           std::popcount(static_cast<unsigned>(mask)) % 2 == 0 ? -1 : 1};
        }
        if (!usable) continue;
        // The changed cells, directly: in a dimension of S, the nodes above
        // exactly one of the two corners' nodes (a node above both sums a
        // +1 and a -1); elsewhere every node above the anchor's.
        for (int d = 0; d < kMaxDimensions; ++d) {
          sides[d].clear();
          const auto& mine = chains[d][a.coord[d]];
          const bool in_s = partner >= 0 && leaves[partner].coord[d] != a.coord[d];
          if (!in_s) {
            for (int n : mine) sides[d].emplace_back(n, 0);
            continue;
          }
          const auto& theirs = chains[d][leaves[partner].coord[d]];
          for (int n : mine) {
            if (std::find(theirs.begin(), theirs.end(), n) == theirs.end()) sides[d].emplace_back(n, 0);
          }
          for (int n : theirs) {
            if (std::find(mine.begin(), mine.end(), n) == mine.end()) sides[d].emplace_back(n, 1);
          }
        }
        affected.clear();
        int64_t cost = 0;
        for (const auto& [n0, s0] : sides[0]) {
          for (const auto& [n1, s1] : sides[1]) {
            for (const auto& [n2, s2] : sides[2]) {
              const int64_t id = n0 * p.stride_[0] + n1 * p.stride_[1] + n2 * p.stride_[2];
              // The anchor's side is -1; each partner side flips the sign.
              affected.emplace_back(id, (s0 + s1 + s2) % 2 == 0 ? -1 : 1);
              if (p.marks_[id] == Mark::kPublished) cost += (p.values_[id] + 1) * weight[id];
            }
          }
          if (cost >= best_cost) break;
        }
        if (cost >= best_cost) continue;
        bool feasible = false;
        for (const int sigma : {1, -1}) {
          bool ok = true;
          for (int i = 0; i < corner_count && ok; ++i) {
            ok = leaves[corners[i].first].value + sigma * corners[i].second >= 0;
          }
          for (size_t i = 0; i < affected.size() && ok; ++i) {
            const auto& [id, delta] = affected[i];
            if (p.marks_[id] == Mark::kPrimary) ok = primary(p.values_[id] + sigma * delta);
          }
          if (ok) {
            feasible = true;
            break;
          }
        }
        if (!feasible) continue;
        best_cost = cost;
        best = affected;
      }
    }
    if (best.empty()) {
      // Too little data for any perturbation: publish nothing but zeros.
      for (int64_t id = 0; id < cells; ++id) {
        if (p.values_[id] != 0) p.marks_[id] = Mark::kSecondary;
      }
      break;
    }
    for (const auto& [id, delta] : best) {
      protected_cell[id] = true;
      if (p.marks_[id] == Mark::kPublished) p.marks_[id] = Mark::kSecondary;
    }
  }
  return p;
}

}  // namespace jit::aggregator
