#include "services/aggregator/domain/query.h"

#include <algorithm>
#include <cmath>

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

bool Small(int64_t v, int k) { return v > 0 && v < k; }

// Dimensions a query restricts, for complementary suppression.
enum class Dim { kRegion, kProvince, kTrack, kCohort, kGender };

bool MatchesExcept(const CellKey& key, const Query& q, Dim except) {
  if (except != Dim::kRegion && except != Dim::kProvince) {
    if (q.level == Level::kRegion && key.region_code != q.region_code) return false;
    if (q.level == Level::kProvince && key.province_code != q.province_code) return false;
  }
  if (except == Dim::kProvince && key.region_code != q.region_code) return false;
  if (except != Dim::kTrack && !q.track_id.empty() && key.track_id != q.track_id) return false;
  if (except != Dim::kCohort && !q.cohort_id.empty() && key.cohort_id != q.cohort_id) {
    return false;
  }
  if (except != Dim::kGender && q.gender.has_value() && key.gender != *q.gender) return false;
  return true;
}

std::string SiblingOf(const CellKey& key, Dim dim) {
  switch (dim) {
    case Dim::kRegion: return key.region_code;
    case Dim::kProvince: return key.province_code;
    case Dim::kTrack: return key.track_id;
    case Dim::kCohort: return key.cohort_id;
    case Dim::kGender: return absl::StrCat(static_cast<int>(key.gender));
  }
  return "";
}

std::string RequestedSibling(const Query& q, Dim dim) {
  switch (dim) {
    case Dim::kRegion: return q.region_code;
    case Dim::kProvince: return q.province_code;
    case Dim::kTrack: return q.track_id;
    case Dim::kCohort: return q.cohort_id;
    case Dim::kGender: return absl::StrCat(static_cast<int>(q.gender.value_or(Gender::kUnspecified)));
  }
  return "";
}

// Per counter: hidden by complementary suppression in one of the query's
// own groups (primary suppression included).
std::array<bool, kCounterCount> GroupSuppression(const Fold& fold,
                                                 const Query& q, int k) {
  std::array<bool, kCounterCount> hidden{};
  std::vector<Dim> dims;
  if (q.level == Level::kRegion) dims.push_back(Dim::kRegion);
  if (q.level == Level::kProvince) dims.push_back(Dim::kProvince);
  if (!q.track_id.empty()) dims.push_back(Dim::kTrack);
  if (!q.cohort_id.empty()) dims.push_back(Dim::kCohort);
  if (q.gender.has_value()) dims.push_back(Dim::kGender);
  for (const Dim dim : dims) {
    std::map<std::string, CounterTotals> buckets;
    const std::string requested = RequestedSibling(q, dim);
    buckets[requested];  // present even when empty
    for (const auto& [key, cell] : fold.cells()) {
      if (!MatchesExcept(key, q, dim)) continue;
      CounterTotals& t = buckets[SiblingOf(key, dim)];
      for (const auto& [ck, series] : cell.counters) t[Idx(ck.first)] += series.total;
    }
    const size_t requested_index = static_cast<size_t>(
        std::distance(buckets.begin(), buckets.find(requested)));
    for (int c = 0; c < kCounterCount; ++c) {
      std::vector<int64_t> values;
      values.reserve(buckets.size());
      for (const auto& [sibling, t] : buckets) values.push_back(t[c]);
      if (SuppressGroup(values, k)[requested_index]) hidden[c] = true;
    }
  }
  return hidden;
}

std::string QueryKey(const Query& q) {
  return absl::StrCat(static_cast<int>(q.level), "|", q.region_code, "|", q.province_code, "|",
                      q.track_id, "|", q.cohort_id, "|",
                      q.gender.has_value() ? static_cast<int>(*q.gender) : -1);
}

// Hidden in the query's groups or in any coarser view's (its region for a
// province, the view without one of its filters): a child view must not
// reveal a parent's hidden count (a region with one province, a track with
// one cohort).
std::array<bool, kCounterCount> HiddenCounters(
    const Fold& fold, const Query& q, int k,
    std::map<std::string, std::array<bool, kCounterCount>>& memo) {
  const std::string key = QueryKey(q);
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  std::array<bool, kCounterCount> hidden = GroupSuppression(fold, q, k);
  std::vector<Query> parents;
  if (q.level == Level::kProvince) {
    Query p = q;
    p.level = Level::kRegion;
    p.province_code.clear();
    parents.push_back(p);
  } else if (q.level == Level::kRegion) {
    Query p = q;
    p.level = Level::kNational;
    p.region_code.clear();
    parents.push_back(p);
  }
  if (!q.track_id.empty()) {
    Query p = q;
    p.track_id.clear();
    parents.push_back(p);
  }
  if (!q.cohort_id.empty()) {
    Query p = q;
    p.cohort_id.clear();
    parents.push_back(p);
  }
  if (q.gender.has_value()) {
    Query p = q;
    p.gender.reset();
    parents.push_back(p);
  }
  for (const Query& p : parents) {
    const auto parent_hidden = HiddenCounters(fold, p, k, memo);
    for (int c = 0; c < kCounterCount; ++c) hidden[c] = hidden[c] || parent_hidden[c];
  }
  memo[key] = hidden;
  return hidden;
}

void ApplyPublicRules(FigureValue& f, const std::array<bool, kCounterCount>* hidden,
                      int k) {
  if (f.state != FigureValue::State::kValue) return;
  const MetricDefinition& m = *f.metric;
  bool suppress = false;
  auto is_hidden = [&](Counter c) { return hidden != nullptr && (*hidden)[Idx(c)]; };
  switch (m.formula) {
    case Formula::kCount:
      suppress = Small(static_cast<int64_t>(f.value), k) || is_hidden(m.counter);
      break;
    case Formula::kCompletionRate:
      suppress = Small(f.numerator, k) || Small(f.denominator, k) ||
                 Small(f.denominator - f.numerator, k) ||
                 is_hidden(Counter::kCompleted) || is_hidden(Counter::kDroppedOut) ||
                 is_hidden(Counter::kWithdrawn);
      break;
    case Formula::kPlacementClosed:
    case Formula::kPlacementOpen:
    case Formula::kRetention6:
      suppress = Small(f.numerator, k) || Small(f.denominator, k) ||
                 Small(f.denominator - f.numerator, k);
      break;
    case Formula::kWomenShare:
      suppress = Small(f.numerator, k) || Small(f.denominator, k) ||
                 Small(f.denominator - f.numerator, k) || is_hidden(m.counter);
      break;
    case Formula::kMedianDaysToJob:
      suppress = f.denominator < k;
      break;
    case Formula::kTargetProgress:
      suppress = Small(f.numerator, k) || is_hidden(Counter::kCompleted);
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
  if (suppress) {
    f.state = FigureValue::State::kSuppressed;
    f.value = 0;
  }
}

std::vector<FigureValue> EvaluateRow(const Fold& fold, const Query& q,
                                     const std::vector<const MetricDefinition*>& metrics,
                                     const ViewOptions& options) {
  const Sums sums = Accumulate(fold, q, options.today);
  std::array<bool, kCounterCount> hidden{};
  if (options.public_view) {
    std::map<std::string, std::array<bool, kCounterCount>> memo;
    hidden = HiddenCounters(fold, q, options.threshold, memo);
  }
  std::vector<FigureValue> out;
  out.reserve(metrics.size());
  for (const MetricDefinition* m : metrics) {
    FigureValue f = Evaluate(*m, sums);
    if (options.public_view) ApplyPublicRules(f, &hidden, options.threshold);
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

}  // namespace

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

std::vector<bool> SuppressGroup(const std::vector<int64_t>& values, int k) {
  std::vector<bool> hidden(values.size(), false);
  int primaries = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (Small(values[i], k)) {
      hidden[i] = true;
      ++primaries;
    }
  }
  if (primaries == 1) {
    std::optional<size_t> best;
    for (size_t i = 0; i < values.size(); ++i) {
      if (hidden[i] || values[i] <= 0) continue;
      if (!best.has_value() || values[i] < values[*best]) best = i;
    }
    if (best.has_value()) hidden[*best] = true;
  }
  return hidden;
}

std::string Display(const FigureValue& f, int threshold) {
  switch (f.state) {
    case FigureValue::State::kSuppressed:
      return absl::StrCat("<", threshold);
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
  return EvaluateRow(fold, query, metrics, options);
}

std::vector<std::vector<FigureValue>> Table(
    const Fold& fold, const std::vector<Query>& rows,
    const std::vector<const MetricDefinition*>& metrics,
    const ViewOptions& options) {
  std::vector<std::vector<FigureValue>> out;
  out.reserve(rows.size());
  for (const Query& q : rows) out.push_back(EvaluateRow(fold, q, metrics, options));
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

  // Public series: a point is hidden when it is small, or when the metric
  // is hidden for this view today (its last point is today's figure).
  bool hidden_now = false;
  if (options.public_view) {
    std::vector<const MetricDefinition*> one = {&metric};
    const auto now = EvaluateRow(fold, query, one, options);
    hidden_now = now[0].state == FigureValue::State::kSuppressed;
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
      ApplyPublicRules(f, nullptr, options.threshold);
      if (hidden_now && f.state == FigureValue::State::kValue && f.value != 0) {
        f.state = FigureValue::State::kSuppressed;
        f.value = 0;
      }
    }
    f.display = Display(f, options.threshold);
    out.push_back({d, std::move(f)});
  }
  return out;
}

}  // namespace jit::aggregator
