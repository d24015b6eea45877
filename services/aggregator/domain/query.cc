#include "services/aggregator/domain/query.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/geo/geo.h"
#include "libs/status/field_violations.h"

namespace jit::aggregator {
namespace {

using CounterTotals = std::array<int64_t, kCounterCount>;

constexpr int Idx(Counter c) { return static_cast<int>(c); }
constexpr int Idx(Gender g) { return static_cast<int>(g); }

// What a figure is computed from, for one set of cells.
struct Sums {
  std::array<CounterTotals, kGenderCount> totals{};  // by gender
  // Placement windows; [0] = 6 months, [1] = 12 months.
  std::array<int64_t, 2> completed_closed{}, placed_closed{}, study_closed{};
  std::array<int64_t, 2> placed_all{}, study_all{};
  std::map<int32_t, int64_t> days_to_job;  // days -> trainees
  int64_t national_target = 0;

  int64_t Total(Counter c) const {
    int64_t sum = 0;
    for (const CounterTotals& t : totals) sum += t[Idx(c)];
    return sum;
  }
};

int WindowIndex(int months) { return months == 12 ? 1 : 0; }

Sums Accumulate(const Fold& fold, const Query& query, Day today) {
  Sums sums;
  sums.national_target = fold.national_target();
  const Day bound[2] = {LastClosedExit(today, 6), LastClosedExit(today, 12)};
  for (const auto& [key, cell] : fold.cells()) {
    if (!Matches(key, query)) continue;
    CounterTotals& totals = sums.totals[Idx(key.gender)];
    for (const auto& [ck, series] : cell.counters) {
      totals[Idx(ck.first)] += series.total;
      switch (ck.first) {
        case Counter::kCompleted:
          sums.completed_closed[0] += series.SumThrough(bound[0]);
          sums.completed_closed[1] += series.SumThrough(bound[1]);
          break;
        case Counter::kPlaced6:
          sums.placed_all[0] += series.total;
          sums.placed_closed[0] += series.SumThrough(bound[0]);
          break;
        case Counter::kStudy6:
          sums.study_all[0] += series.total;
          sums.study_closed[0] += series.SumThrough(bound[0]);
          break;
        case Counter::kPlaced12:
          sums.placed_all[1] += series.total;
          sums.placed_closed[1] += series.SumThrough(bound[1]);
          break;
        case Counter::kStudy12:
          sums.study_all[1] += series.total;
          sums.study_closed[1] += series.SumThrough(bound[1]);
          break;
        case Counter::kDaysToJob:
          sums.days_to_job[ck.second] += series.total;
          break;
        default:
          break;
      }
    }
  }
  return sums;
}

// The lower/upper median of a histogram, averaged.
double Median(const std::map<int32_t, int64_t>& hist, int64_t n) {
  const int64_t lo_rank = (n + 1) / 2;  // 1-based
  const int64_t hi_rank = n / 2 + 1;
  std::optional<int32_t> lo, hi;
  int64_t seen = 0;
  for (const auto& [days, count] : hist) {
    seen += count;
    if (!lo.has_value() && seen >= lo_rank) lo = days;
    if (!hi.has_value() && seen >= hi_rank) {
      hi = days;
      break;
    }
  }
  if (!lo.has_value() || !hi.has_value()) return 0;
  return (static_cast<double>(*lo) + static_cast<double>(*hi)) / 2.0;
}

FigureValue Ratio(const MetricDefinition& m, int64_t num, int64_t den) {
  FigureValue f;
  f.metric = &m;
  f.numerator = num;
  f.denominator = den;
  if (den > 0) {
    f.state = FigureValue::State::kValue;
    f.value = static_cast<double>(num) / static_cast<double>(den);
  }
  return f;
}

FigureValue Evaluate(const MetricDefinition& m, const Sums& s) {
  switch (m.formula) {
    case Formula::kCount: {
      FigureValue f;
      f.metric = &m;
      f.state = FigureValue::State::kValue;
      f.value = static_cast<double>(s.Total(m.counter));
      return f;
    }
    case Formula::kCompletionRate: {
      const int64_t completed = s.Total(Counter::kCompleted);
      return Ratio(m, completed,
                   completed + s.Total(Counter::kDroppedOut) +
                       s.Total(Counter::kWithdrawn));
    }
    case Formula::kPlacementClosed: {
      const int i = WindowIndex(m.months);
      return Ratio(m, s.placed_closed[i],
                   s.completed_closed[i] - s.study_closed[i]);
    }
    case Formula::kPlacementOpen: {
      const int i = WindowIndex(m.months);
      const int64_t completers_open =
          s.Total(Counter::kCompleted) - s.completed_closed[i];
      const int64_t study_open = s.study_all[i] - s.study_closed[i];
      return Ratio(m, s.placed_all[i] - s.placed_closed[i],
                   completers_open - study_open);
    }
    case Formula::kMedianDaysToJob: {
      FigureValue f;
      f.metric = &m;
      int64_t n = 0;
      for (const auto& [days, count] : s.days_to_job) n += count;
      f.denominator = n;
      if (n > 0) {
        f.state = FigureValue::State::kValue;
        f.value = Median(s.days_to_job, n);
      }
      return f;
    }
    case Formula::kRetention6:
      return Ratio(m, s.Total(Counter::kFollowUp6Same),
                   s.Total(Counter::kFollowUp6Known));
    case Formula::kWomenShare: {
      const int64_t women = s.totals[Idx(Gender::kFemale)][Idx(m.counter)];
      const int64_t men = s.totals[Idx(Gender::kMale)][Idx(m.counter)];
      return Ratio(m, women, women + men);
    }
    case Formula::kTargetProgress:
      return Ratio(m, s.Total(Counter::kCompleted), s.national_target);
  }
  return FigureValue{};
}

// Geography as a dimension: national (0) > the 12 regions > provinces.
struct GeoTree {
  Hierarchy tree;
  std::map<std::string, int> region_node, province_node;
};

const GeoTree& Geo() {
  static const GeoTree* const geo = [] {
    auto* g = new GeoTree;
    const geo::Atlas& atlas = geo::Atlas::Get();
    for (const geo::Region& r : atlas.regions()) g->region_node[r.code] = g->tree.Add(0);
    for (const geo::Province& p : atlas.provinces()) {
      g->province_node[p.code] = g->tree.Add(g->region_node.at(p.region_code));
    }
    return g;
  }();
  return *geo;
}

// The query's node of the geography; -1 when unknown.
int GeoNodeOf(const Query& q) {
  const GeoTree& g = Geo();
  const std::map<std::string, int>* nodes = nullptr;
  const std::string* code = nullptr;
  switch (q.level) {
    case Level::kNational: return 0;
    case Level::kRegion: nodes = &g.region_node; code = &q.region_code; break;
    case Level::kProvince: nodes = &g.province_node; code = &q.province_code; break;
  }
  auto it = nodes->find(*code);
  return it == nodes->end() ? -1 : it->second;
}

// Counters published on public views, directly or inside a ratio whose
// complement is published (completion rate, women's share, target).
std::vector<Counter> PublishedCounters() {
  std::set<Counter> counters = {Counter::kCompleted, Counter::kDroppedOut, Counter::kWithdrawn};
  for (const MetricDefinition& m : Metrics()) {
    if (m.formula == Formula::kCount || m.formula == Formula::kWomenShare) {
      counters.insert(m.counter);
    }
  }
  return {counters.begin(), counters.end()};
}

bool Small(int64_t v, int k) { return v > 0 && v < k; }

using Mark = Protection::Mark;

// The marks a public figure is judged by: per counter, the query's own cell
// and, for the women's share, its women and men cells.
struct CellMarks {
  std::array<Mark, kCounterCount> cell{}, women{}, men{};
};

CellMarks MarksOf(const PublicPlan& plan, const Query& q) {
  CellMarks marks;
  for (int c = 0; c < kCounterCount; ++c) {
    const auto counter = static_cast<Counter>(c);
    marks.cell[c] = plan.MarkOf(counter, q);
    Query w = q;
    if (!w.gender.has_value()) w.gender = Gender::kFemale;
    marks.women[c] = plan.MarkOf(counter, w);
    Query m = q;
    if (!m.gender.has_value()) m.gender = Gender::kMale;
    marks.men[c] = plan.MarkOf(counter, m);
  }
  return marks;
}

void ApplyPublicRules(FigureValue& f, const CellMarks& marks, int k) {
  if (f.state != FigureValue::State::kValue) return;
  const MetricDefinition& m = *f.metric;
  bool small = false;   // a count under k: "<k"
  bool masked = false;  // hidden to protect a small count elsewhere
  auto hidden = [&](Counter c) { return marks.cell[Idx(c)] != Mark::kPublished; };
  auto ratio_small = [&] {
    return Small(f.numerator, k) || Small(f.denominator, k) ||
           Small(f.denominator - f.numerator, k);
  };
  switch (m.formula) {
    case Formula::kCount:
      small = marks.cell[Idx(m.counter)] == Mark::kPrimary;
      masked = marks.cell[Idx(m.counter)] == Mark::kSecondary;
      break;
    case Formula::kCompletionRate:
      small = ratio_small();
      masked = hidden(Counter::kCompleted) || hidden(Counter::kDroppedOut) ||
               hidden(Counter::kWithdrawn);
      break;
    case Formula::kPlacementClosed:
    case Formula::kPlacementOpen:
    case Formula::kRetention6:
      small = ratio_small();
      break;
    case Formula::kWomenShare:
      small = ratio_small();
      masked = hidden(m.counter) || marks.women[Idx(m.counter)] != Mark::kPublished ||
               marks.men[Idx(m.counter)] != Mark::kPublished;
      break;
    case Formula::kMedianDaysToJob:
      small = f.denominator < k;
      break;
    case Formula::kTargetProgress:
      small = Small(f.numerator, k);
      masked = hidden(Counter::kCompleted);
      break;
  }
  if (m.unit == MetricUnit::kRatio) {
    f.numerator = 0;
    f.denominator = 0;
    // The target is public and the numerator (completed) is a published
    // count: no rounding needed there.
    if (m.formula != Formula::kTargetProgress) {
      f.value = std::round(f.value * 1000.0) / 1000.0;
    }
  }
  if (m.formula == Formula::kMedianDaysToJob) f.denominator = 0;
  if (small || masked) {
    f.state = small ? FigureValue::State::kSuppressed : FigureValue::State::kMasked;
    f.value = 0;
  }
}

std::vector<FigureValue> EvaluateRow(const Fold& fold, const Query& q,
                                     const std::vector<const MetricDefinition*>& metrics,
                                     const ViewOptions& options, const PublicPlan* plan) {
  const Sums sums = Accumulate(fold, q, options.today);
  std::optional<PublicPlan> own_plan;
  CellMarks marks;
  if (options.public_view) {
    if (plan == nullptr) {
      own_plan = PublicPlan::Build(fold, options.threshold);
      plan = &*own_plan;
    }
    marks = MarksOf(*plan, q);
  }
  std::vector<FigureValue> out;
  out.reserve(metrics.size());
  for (const MetricDefinition* m : metrics) {
    FigureValue f = Evaluate(*m, sums);
    if (options.public_view) ApplyPublicRules(f, marks, options.threshold);
    f.display = Display(f, options.threshold);
    out.push_back(std::move(f));
  }
  return out;
}

// A prefix-summed day series: value through any day in O(log n).
class Prefix {
 public:
  void Add(Day day, int64_t delta) { deltas_[day] += delta; }
  void Finish() {
    int64_t running = 0;
    for (auto& [day, v] : deltas_) {
      running += v;
      v = running;
    }
  }
  int64_t Through(Day day) const {
    auto it = deltas_.upper_bound(day);
    if (it == deltas_.begin()) return 0;
    return std::prev(it)->second;
  }

 private:
  std::map<Day, int64_t> deltas_;
};

// The counters a figure's public rules read.
std::vector<Counter> CountersOf(const MetricDefinition& m) {
  switch (m.formula) {
    case Formula::kCount: return {m.counter};
    case Formula::kCompletionRate:
      return {Counter::kCompleted, Counter::kDroppedOut, Counter::kWithdrawn};
    case Formula::kTargetProgress: return {Counter::kCompleted};
    default: return {};
  }
}

// Public series: for each day, the geography table (national > region >
// province) of each counter, protected on its own.
class GeoDays {
 public:
  GeoDays(const Fold& fold, std::vector<Counter> counters, int k)
      : counters_(std::move(counters)), k_(k) {
    const GeoTree& geo = Geo();
    for (const auto& [key, cell] : fold.cells()) {
      auto province = geo.province_node.find(key.province_code);
      if (province == geo.province_node.end()) continue;
      auto& per_counter = provinces_[province->second];
      for (const auto& [ck, series] : cell.counters) {
        // Only the counters this series is judged by.
        if (std::find(counters_.begin(), counters_.end(), ck.first) == counters_.end()) continue;
        for (const auto& [day, delta] : series.by_day) per_counter[Idx(ck.first)].Add(day, delta);
      }
    }
    for (auto& [node, per_counter] : provinces_) {
      for (Prefix& p : per_counter) p.Finish();
    }
  }

  CellMarks MarksOn(Day day, const Query& q) const {
    CellMarks marks;
    const bool unprotected = !q.track_id.empty() || !q.cohort_id.empty() ||
                             q.gender.has_value() || GeoNodeOf(q) < 0;
    for (int c = 0; c < kCounterCount; ++c) {
      // The women's share is not published in public series.
      marks.women[c] = marks.men[c] = Mark::kSecondary;
      if (unprotected) marks.cell[c] = Mark::kSecondary;
    }
    if (unprotected) return marks;
    for (const Counter c : counters_) {
      std::vector<Leaf> leaves;
      leaves.reserve(provinces_.size());
      for (const auto& [node, per_counter] : provinces_) {
        leaves.push_back({{node, 0, 0}, per_counter[Idx(c)].Through(day)});
      }
      marks.cell[Idx(c)] = Protection::Compute({Geo().tree}, std::move(leaves), k_)
                               .MarkOf({GeoNodeOf(q), 0, 0});
    }
    return marks;
  }

 private:
  std::vector<Counter> counters_;
  int k_;
  std::map<int, std::array<Prefix, kCounterCount>> provinces_;
};


}  // namespace

PublicPlan PublicPlan::Build(const Fold& fold, int threshold) {
  const GeoTree& geo = Geo();
  PublicPlan plan;
  // Tracks in a stable order: node 1.. of the track dimension.
  std::set<std::string> tracks;
  for (const auto& [key, cell] : fold.cells()) tracks.insert(key.track_id);
  Hierarchy track_dim;
  for (const std::string& t : tracks) plan.track_node_[t] = track_dim.Add(0);
  Hierarchy gender_dim;
  for (int g = 0; g < kGenderCount; ++g) gender_dim.Add(0);  // node 1 + gender
  // Leaves: province x track x gender, summed over cohorts.
  std::map<Coord, std::array<int64_t, kCounterCount>> leaves;
  for (const auto& [key, cell] : fold.cells()) {
    auto province = geo.province_node.find(key.province_code);
    if (province == geo.province_node.end()) continue;
    const Coord coord = {province->second, plan.track_node_.at(key.track_id),
                         1 + Idx(key.gender)};
    auto& totals = leaves[coord];
    for (const auto& [ck, series] : cell.counters) totals[Idx(ck.first)] += series.total;
  }
  for (const Counter c : PublishedCounters()) {
    std::vector<Leaf> of_counter;
    of_counter.reserve(leaves.size());
    for (const auto& [coord, totals] : leaves) of_counter.push_back({coord, totals[Idx(c)]});
    plan.by_counter_[Idx(c)] = std::make_shared<const Protection>(
        Protection::Compute({geo.tree, track_dim, gender_dim}, std::move(of_counter), threshold));
  }
  return plan;
}

Protection::Mark PublicPlan::MarkOf(Counter counter, const Query& q) const {
  const auto& protection = by_counter_[Idx(counter)];
  if (protection == nullptr) return Mark::kPublished;
  // Cohorts are not part of the public tables: never published there.
  if (!q.cohort_id.empty()) return Mark::kSecondary;
  const int geo = GeoNodeOf(q);
  int track = 0;
  if (!q.track_id.empty()) {
    auto it = track_node_.find(q.track_id);
    if (it == track_node_.end()) return Mark::kPublished;  // no data: 0
    track = it->second;
  }
  const int gender = q.gender.has_value() ? 1 + Idx(*q.gender) : 0;
  if (geo < 0) return Mark::kPublished;
  return protection->MarkOf({geo, track, gender});
}

absl::Status NormalizeQuery(Query& q) {
  const geo::Atlas& atlas = geo::Atlas::Get();
  status::FieldViolations v;
  switch (q.level) {
    case Level::kNational:
      if (!q.region_code.empty()) v.Add("scope.region_code", "must be empty for a national scope");
      if (!q.province_code.empty()) {
        v.Add("scope.province_code", "must be empty for a national scope");
      }
      break;
    case Level::kRegion:
      if (q.region_code.empty()) {
        v.Add("scope.region_code", "is required for a region scope");
      } else if (atlas.FindRegion(q.region_code) == nullptr) {
        v.Add("scope.region_code", absl::StrCat("unknown region '", q.region_code,
                                                "' (expected MA-01 .. MA-12)"));
      }
      if (!q.province_code.empty()) {
        v.Add("scope.province_code", "must be empty for a region scope");
      }
      break;
    case Level::kProvince: {
      const geo::Province* p =
          q.province_code.empty() ? nullptr : atlas.FindProvince(q.province_code);
      if (q.province_code.empty()) {
        v.Add("scope.province_code", "is required for a province scope");
      } else if (p == nullptr) {
        v.Add("scope.province_code",
              absl::StrCat("unknown prefecture or province '", q.province_code, "'"));
      } else if (!q.region_code.empty() && q.region_code != p->region_code) {
        v.Add("scope.region_code", absl::StrCat("province ", q.province_code,
                                                " is in region ", p->region_code));
      } else {
        q.region_code = p->region_code;
      }
      break;
    }
  }
  return v.ToStatus();
}

bool Matches(const CellKey& key, const Query& q) {
  if (q.level == Level::kRegion && key.region_code != q.region_code) return false;
  if (q.level == Level::kProvince && key.province_code != q.province_code) return false;
  if (!q.track_id.empty() && key.track_id != q.track_id) return false;
  if (!q.cohort_id.empty() && key.cohort_id != q.cohort_id) return false;
  if (q.gender.has_value() && key.gender != *q.gender) return false;
  return true;
}

std::string Display(const FigureValue& f, int threshold) {
  switch (f.state) {
    case FigureValue::State::kSuppressed:
      return absl::StrCat("<", threshold);
    case FigureValue::State::kMasked:
      return "x";
    case FigureValue::State::kNoData:
      return "-";
    case FigureValue::State::kValue:
      break;
  }
  if (f.metric == nullptr) return "-";
  switch (f.metric->unit) {
    case MetricUnit::kTrainees:
      return absl::StrCat(static_cast<int64_t>(f.value));
    case MetricUnit::kRatio:
      // Small shares (e.g. early progress towards the target) keep two
      // decimals so that they do not read as zero.
      if (f.value > 0 && f.value < 0.01) return absl::StrFormat("%.2f%%", f.value * 100.0);
      return absl::StrFormat("%.1f%%", f.value * 100.0);
    case MetricUnit::kDays:
      return std::fmod(f.value, 1.0) == 0 ? absl::StrCat(static_cast<int64_t>(f.value))
                                          : absl::StrFormat("%.1f", f.value);
  }
  return "-";
}

std::vector<FigureValue> Summarize(const Fold& fold, const Query& query,
                                   const ViewOptions& options) {
  std::vector<const MetricDefinition*> metrics;
  for (const MetricDefinition& m : Metrics()) metrics.push_back(&m);
  return EvaluateRow(fold, query, metrics, options, options.plan);
}

std::vector<std::vector<FigureValue>> Table(
    const Fold& fold, const std::vector<Query>& rows,
    const std::vector<const MetricDefinition*>& metrics,
    const ViewOptions& options) {
  std::optional<PublicPlan> own_plan;
  const PublicPlan* plan = options.plan;
  if (options.public_view && plan == nullptr) {
    own_plan = PublicPlan::Build(fold, options.threshold);
    plan = &*own_plan;
  }
  std::vector<std::vector<FigureValue>> out;
  out.reserve(rows.size());
  for (const Query& q : rows) out.push_back(EvaluateRow(fold, q, metrics, options, plan));
  return out;
}

std::vector<SeriesPoint> Series(const Fold& fold, const MetricDefinition& metric,
                                const Query& query, Day from, Day to,
                                const ViewOptions& options) {
  // Prefix sums of every counter, by gender, over the matching cells.
  std::array<std::array<Prefix, kCounterCount>, kGenderCount> prefix;
  std::vector<std::pair<Day, int32_t>> jobs;  // (start day, days to job) x count
  std::vector<int64_t> job_counts;
  for (const auto& [key, cell] : fold.cells()) {
    if (!Matches(key, query)) continue;
    for (const auto& [ck, series] : cell.counters) {
      for (const auto& [day, delta] : series.by_day) {
        prefix[Idx(key.gender)][Idx(ck.first)].Add(day, delta);
        if (ck.first == Counter::kDaysToJob) {
          jobs.emplace_back(day, ck.second);
          job_counts.push_back(delta);
        }
      }
    }
  }
  for (auto& by_gender : prefix) {
    for (Prefix& p : by_gender) p.Finish();
  }
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return jobs[a].first < jobs[b].first; });

  // Public series: each day's geography table protected on its own, and
  // the whole series hidden when today's figure is.
  bool hidden_now = false;
  std::optional<GeoDays> geo_days;
  if (options.public_view) {
    std::vector<const MetricDefinition*> one = {&metric};
    const auto now = EvaluateRow(fold, query, one, options, options.plan);
    hidden_now = now[0].state == FigureValue::State::kSuppressed ||
                 now[0].state == FigureValue::State::kMasked;
    geo_days.emplace(fold, CountersOf(metric), options.threshold);
  }
  std::vector<SeriesPoint> out;
  std::map<int32_t, int64_t> hist;
  size_t next_job = 0;
  for (Day d = from; d <= to; ++d) {
    Sums s;
    s.national_target = fold.national_target();
    for (int g = 0; g < kGenderCount; ++g) {
      for (int c = 0; c < kCounterCount; ++c) s.totals[g][c] = prefix[g][c].Through(d);
    }
    const Day bound[2] = {LastClosedExit(d, 6), LastClosedExit(d, 12)};
    for (int g = 0; g < kGenderCount; ++g) {
      const auto& p = prefix[g];
      for (int i = 0; i < 2; ++i) {
        const Counter placed = i == 0 ? Counter::kPlaced6 : Counter::kPlaced12;
        const Counter study = i == 0 ? Counter::kStudy6 : Counter::kStudy12;
        s.completed_closed[i] += p[Idx(Counter::kCompleted)].Through(bound[i]);
        s.placed_closed[i] += p[Idx(placed)].Through(bound[i]);
        s.study_closed[i] += p[Idx(study)].Through(bound[i]);
        s.placed_all[i] += p[Idx(placed)].Through(d);
        s.study_all[i] += p[Idx(study)].Through(d);
      }
    }
    while (next_job < order.size() && jobs[order[next_job]].first <= d) {
      const size_t i = order[next_job++];
      hist[jobs[i].second] += job_counts[i];
      if (hist[jobs[i].second] == 0) hist.erase(jobs[i].second);
    }
    s.days_to_job = hist;
    FigureValue f = Evaluate(metric, s);
    if (options.public_view) {
      ApplyPublicRules(f, geo_days->MarksOn(d, query), options.threshold);
      if (hidden_now && f.state == FigureValue::State::kValue && f.value != 0) {
        f.state = FigureValue::State::kMasked;
        f.value = 0;
      }
    }
    f.display = Display(f, options.threshold);
    out.push_back({d, std::move(f)});
  }
  return out;
}

}  // namespace jit::aggregator
