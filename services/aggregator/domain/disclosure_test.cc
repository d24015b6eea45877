#include "services/aggregator/domain/disclosure.h"

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "services/aggregator/domain/testing/linear_span.h"

namespace jit::aggregator {
namespace {

using Mark = Protection::Mark;

// national (0) > regions > provinces: `regions` x `per_region`.
Hierarchy GeoOf(int regions, int per_region, std::vector<int>* provinces) {
  Hierarchy h;
  std::vector<int> region_nodes;
  for (int r = 0; r < regions; ++r) region_nodes.push_back(h.Add(0));
  for (int r = 0; r < regions; ++r) {
    for (int p = 0; p < per_region; ++p) provinces->push_back(h.Add(region_nodes[r]));
  }
  return h;
}

Hierarchy Flat(int values) {
  Hierarchy h;
  for (int i = 0; i < values; ++i) h.Add(0);
  return h;
}

bool Contains(const Protection& p, const Coord& cell, const Coord& leaf) {
  for (int d = 0; d < kMaxDimensions; ++d) {
    if (!p.dims()[d].Contains(cell[d], leaf[d])) return false;
  }
  return true;
}

// Exact audit, independent of how the cells were chosen: hidden cells
// whose indicator over the leaves is in the span of the published cells'.
// The hidden cells whose value follows linearly from the published ones.
std::vector<Coord> LinearlyRecoverable(const Protection& p, const std::vector<Leaf>& leaves) {
  auto indicator = [&](const Coord& cell) {
    std::vector<int64_t> v(leaves.size(), 0);
    for (size_t i = 0; i < leaves.size(); ++i) v[i] = Contains(p, cell, leaves[i].coord) ? 1 : 0;
    return v;
  };
  testing::LinearSpan published;
  std::vector<Coord> hidden;
  p.ForEachCell([&](const Coord& c, int64_t, Mark mark) {
    if (mark == Mark::kPublished) {
      published.Add(indicator(c));
    } else {
      hidden.push_back(c);
    }
  });
  std::vector<Coord> recoverable;
  for (const Coord& c : hidden) {
    if (published.Contains(indicator(c))) recoverable.push_back(c);
  }
  return recoverable;
}

TEST(HierarchyTest, ChainsAndContainment) {
  std::vector<int> provinces;
  const Hierarchy geo = GeoOf(2, 2, &provinces);
  EXPECT_EQ(geo.Chain(provinces[3]), (std::vector<int>{provinces[3], 2, 0}));
  EXPECT_TRUE(geo.Contains(0, provinces[0]));
  EXPECT_TRUE(geo.Contains(1, provinces[1]));
  EXPECT_FALSE(geo.Contains(2, provinces[1]));
}

TEST(ProtectionTest, NothingSmallNothingHidden) {
  std::vector<int> prov;
  const Hierarchy geo = GeoOf(2, 2, &prov);
  std::vector<Leaf> leaves = {{{prov[0], 0, 0}, 10}, {{prov[1], 0, 0}, 0},
                              {{prov[2], 0, 0}, 7}, {{prov[3], 0, 0}, 5}};
  const Protection p = Protection::Compute({geo}, leaves, 5);
  EXPECT_EQ(p.hidden_count(), 0);
  EXPECT_EQ(p.Value({0, 0, 0}), 22);
  EXPECT_EQ(p.Value({1, 0, 0}), 10);
}

TEST(ProtectionTest, ASmallProvinceTakesTheCheapestSibling) {
  std::vector<int> prov;
  const Hierarchy geo = GeoOf(2, 3, &prov);
  // Region 1: 3, 40, 12; region 2: 50, 60, 70.
  std::vector<Leaf> leaves = {{{prov[0], 0, 0}, 3},  {{prov[1], 0, 0}, 40},
                              {{prov[2], 0, 0}, 12}, {{prov[3], 0, 0}, 50},
                              {{prov[4], 0, 0}, 60}, {{prov[5], 0, 0}, 70}};
  const Protection p = Protection::Compute({geo}, leaves, 5);
  EXPECT_EQ(p.MarkOf({prov[0], 0, 0}), Mark::kPrimary);
  // The sibling of least value in the same region: the region total stays.
  EXPECT_EQ(p.MarkOf({prov[2], 0, 0}), Mark::kSecondary);
  EXPECT_EQ(p.MarkOf({prov[1], 0, 0}), Mark::kPublished);
  EXPECT_EQ(p.MarkOf({1, 0, 0}), Mark::kPublished);
  EXPECT_EQ(p.MarkOf({0, 0, 0}), Mark::kPublished);
  EXPECT_EQ(p.hidden_count(), 2);
  EXPECT_TRUE(LinearlyRecoverable(p, leaves).empty());
}

TEST(ProtectionTest, AnOnlyChildPullsItsParentsSiblingAlong) {
  std::vector<int> prov;
  const Hierarchy geo = GeoOf(2, 2, &prov);
  // Region 1 has one province with data, of 2: region 1 is 2 as well, so
  // it needs region 2 hidden, and region 2's difference goes down to one of
  // its provinces.
  std::vector<Leaf> leaves = {{{prov[0], 0, 0}, 2}, {{prov[2], 0, 0}, 30},
                              {{prov[3], 0, 0}, 9}};
  const Protection p = Protection::Compute({geo}, leaves, 5);
  EXPECT_EQ(p.MarkOf({prov[0], 0, 0}), Mark::kPrimary);
  EXPECT_EQ(p.MarkOf({1, 0, 0}), Mark::kPrimary);
  EXPECT_EQ(p.MarkOf({2, 0, 0}), Mark::kSecondary);
  EXPECT_EQ(p.MarkOf({prov[3], 0, 0}), Mark::kSecondary);  // 9 < 30
  EXPECT_EQ(p.MarkOf({0, 0, 0}), Mark::kPublished);
  EXPECT_TRUE(LinearlyRecoverable(p, leaves).empty());
}

TEST(ProtectionTest, TwoWayTableUsesARectangle) {
  std::vector<int> prov;
  const Hierarchy geo = GeoOf(1, 2, &prov);
  const Hierarchy track = Flat(2);
  // province x track: [[2, 20], [30, 40]].
  std::vector<Leaf> leaves = {{{prov[0], 1, 0}, 2}, {{prov[0], 2, 0}, 20},
                              {{prov[1], 1, 0}, 30}, {{prov[1], 2, 0}, 40}};
  const Protection p = Protection::Compute({geo, track}, leaves, 5);
  for (const Leaf& l : leaves) EXPECT_TRUE(p.Hidden(l.coord));
  // Every margin stays published.
  EXPECT_FALSE(p.Hidden({prov[0], 0, 0}));
  EXPECT_FALSE(p.Hidden({prov[1], 0, 0}));
  EXPECT_FALSE(p.Hidden({1, 1, 0}));
  EXPECT_FALSE(p.Hidden({0, 0, 0}));
  EXPECT_TRUE(LinearlyRecoverable(p, leaves).empty());
}

TEST(ProtectionTest, NoPerturbationMeansOnlyZerosArePublished) {
  std::vector<int> prov;
  const Hierarchy geo = GeoOf(1, 1, &prov);
  // One leaf of 1 with k = 2: 1 -> 0 or 2 leaves "<2": nothing works.
  std::vector<Leaf> leaves = {{{prov[0], 0, 0}, 1}};
  const Protection p = Protection::Compute({geo}, leaves, 2);
  EXPECT_EQ(p.MarkOf({prov[0], 0, 0}), Mark::kSecondary);
  EXPECT_EQ(p.MarkOf({0, 0, 0}), Mark::kSecondary);
}

// Random tables over geography x track x gender with many small counts and
// some leaves that do not exist: no hidden cell is a linear combination of
// the published ones.
TEST(ProtectionTest, RandomTablesLeaveNothingLinearlyRecoverable) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    std::vector<int> prov;
    const int regions = 2 + static_cast<int>(rng() % 3);
    const Hierarchy geo = GeoOf(regions, 1 + static_cast<int>(rng() % 4), &prov);
    const int tracks = 1 + static_cast<int>(rng() % 3);
    const Hierarchy track = Flat(tracks);
    const Hierarchy gender = Flat(2);
    std::vector<Leaf> leaves;
    for (int pr : prov) {
      for (int t = 1; t <= tracks; ++t) {
        for (int g = 1; g <= 2; ++g) {
          if (rng() % 5 == 0) continue;  // does not exist
          const uint32_t r = rng() % 10;
          const int64_t v = r < 2 ? 0 : r < 6 ? 1 + rng() % 4 : 5 + rng() % 40;
          leaves.push_back({{pr, t, g}, v});
        }
      }
    }
    const Protection p = Protection::Compute({geo, track, gender}, leaves, 5);
    const auto recoverable = LinearlyRecoverable(p, leaves);
    EXPECT_TRUE(recoverable.empty())
        << "seed " << seed << ": " << recoverable.size() << " hidden cells recoverable, e.g. ("
        << recoverable[0][0] << "," << recoverable[0][1] << "," << recoverable[0][2] << ")";
    // Primary marks are exactly the small cells.
    p.ForEachCell([&](const Coord& c, int64_t v, Mark mark) {
      if (v >= 1 && v < 5) {
        EXPECT_NE(mark, Mark::kPublished) << "seed " << seed;
      }
    });
  }
}

// Exhaustive check of the full guarantee on small tables: every table of
// leaf values that shows exactly what was displayed (published values,
// "<k" cells in 1..k-1, the same existing leaves) is enumerated; every
// hidden cell must take at least two values among them.
TEST(ProtectionTest, TinyTablesEveryHiddenCellKeepsTwoPossibleValues) {
  constexpr int kK = 4;
  for (uint32_t seed = 1; seed <= 25; ++seed) {
    std::mt19937 rng(seed);
    std::vector<int> prov;
    const Hierarchy geo = GeoOf(2, 2, &prov);
    const Hierarchy track = Flat(2);
    std::vector<Leaf> leaves;
    for (int pr : prov) {
      for (int t = 1; t <= 2; ++t) {
        if (leaves.size() == 5 || rng() % 4 == 0) continue;
        const uint32_t r = rng() % 10;
        leaves.push_back({{pr, t, 0}, r < 5 ? static_cast<int64_t>(1 + rng() % 3)
                                            : static_cast<int64_t>(4 + rng() % 2)});
      }
    }
    const Protection p = Protection::Compute({geo, track}, leaves, kK);
    struct Shown {
      Coord cell;
      Mark mark;
      int64_t value;
    };
    std::vector<Shown> shown;
    p.ForEachCell([&](const Coord& c, int64_t v, Mark m) { shown.push_back({c, m, v}); });
    int64_t max_leaf = 0;
    for (const Leaf& l : leaves) max_leaf = std::max(max_leaf, l.value);
    std::map<size_t, std::set<int64_t>> seen;  // hidden cell index -> values
    std::vector<int64_t> values(leaves.size(), 0);
    std::function<void(size_t)> walk = [&](size_t i) {
      if (i < leaves.size()) {
        for (int64_t v = 0; v <= max_leaf + 1; ++v) {
          values[i] = v;
          walk(i + 1);
        }
        return;
      }
      std::vector<int64_t> sums(shown.size(), 0);
      for (size_t s = 0; s < shown.size(); ++s) {
        for (size_t l = 0; l < leaves.size(); ++l) {
          if (Contains(p, shown[s].cell, leaves[l].coord)) sums[s] += values[l];
        }
        const bool consistent =
            shown[s].mark == Mark::kPublished ? sums[s] == shown[s].value
            : shown[s].mark == Mark::kPrimary ? sums[s] >= 1 && sums[s] < kK
                                              : true;
        if (!consistent) return;
      }
      for (size_t s = 0; s < shown.size(); ++s) {
        if (shown[s].mark != Mark::kPublished) seen[s].insert(sums[s]);
      }
    };
    walk(0);
    for (size_t s = 0; s < shown.size(); ++s) {
      if (shown[s].mark == Mark::kPublished) continue;
      EXPECT_GE(seen[s].size(), 2u) << "seed " << seed << ": cell (" << shown[s].cell[0] << ","
                                    << shown[s].cell[1] << ") = " << shown[s].value
                                    << " is determined by what is shown";
    }
  }
}

}  // namespace
}  // namespace jit::aggregator
