// Public plan benchmark: how long the aggregator takes to build the public
// suppression plan (PublicPlan::Build, once per fold version) and to read
// every public summary with it (national, 12 regions, 75 provinces, each
// with all tracks or one, all genders, women or men), on seeded
// populations. Not part of the test run; one JSON line per population.
//
//   jit-bench-public-plan [--repeats=5] [--threshold=5]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/geo/geo.h"
#include "services/aggregator/domain/fold.h"
#include "services/aggregator/domain/query.h"
#include "services/aggregator/domain/testing/event_builder.h"
#include "services/aggregator/domain/testing/population.h"

ABSL_FLAG(int, repeats, 5, "runs per population (the median is reported)");
ABSL_FLAG(int, threshold, 5, "suppression threshold k");

namespace {

using namespace jit::aggregator;  // NOLINT: a benchmark's main

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::vector<Query> PublicViews() {
  const jit::geo::Atlas& atlas = jit::geo::Atlas::Get();
  std::vector<Query> geos = {Query{}};
  for (const jit::geo::Region& r : atlas.regions()) {
    Query q;
    q.level = Level::kRegion;
    q.region_code = r.code;
    geos.push_back(q);
  }
  for (const jit::geo::Province& p : atlas.provinces()) {
    Query q;
    q.level = Level::kProvince;
    q.province_code = p.code;
    q.region_code = p.region_code;
    geos.push_back(q);
  }
  std::vector<Query> views;
  for (const Query& g : geos) {
    for (int t = -1; t < 3; ++t) {
      for (const int gender : {-1, 1, 2}) {
        Query q = g;
        if (t >= 0) q.track_id = testing::SeededTracks()[t];
        if (gender >= 0) q.gender = static_cast<Gender>(gender);
        views.push_back(q);
      }
    }
  }
  return views;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int repeats = std::max(1, absl::GetFlag(FLAGS_repeats));
  const int k = absl::GetFlag(FLAGS_threshold);
  struct Population {
    uint32_t seed;
    int journeys, provinces;
  };
  const std::vector<Query> views = PublicViews();
  for (const Population& pop : {Population{6, 1'000, 12}, Population{7, 20'000, 75}}) {
    Fold fold;
    for (const Event& e : testing::SeededJourneys(pop.seed, pop.journeys, pop.provinces)) {
      fold.Apply(e);
    }
    std::vector<double> build_ms, read_ms;
    int64_t hidden = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const PublicPlan plan = PublicPlan::Build(fold, k);
      const auto t1 = std::chrono::steady_clock::now();
      const ViewOptions options{true, k, testing::D("2026-06-30"), &plan};
      hidden = 0;
      for (const Query& q : views) {
        for (const FigureValue& f : Summarize(fold, q, options)) {
          hidden += f.state == FigureValue::State::kSuppressed ||
                    f.state == FigureValue::State::kMasked;
        }
      }
      const auto t2 = std::chrono::steady_clock::now();
      build_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      read_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    std::printf(
        "{\"journeys\": %d, \"provinces\": %d, \"k\": %d, \"plan_build_ms\": %.2f, "
        "\"all_public_summaries_ms\": %.2f, \"summaries\": %zu, \"hidden_figures\": %lld}\n",
        pop.journeys, pop.provinces, k, Median(build_ms), Median(read_ms), views.size(),
        static_cast<long long>(hidden));
  }
  return 0;
}
