#include "services/aggregator/domain/testing/script.h"

#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/geo/geo.h"
#include "services/aggregator/domain/query.h"
#include "services/aggregator/domain/registry.h"

namespace jit::aggregator::testing {
namespace {

absl::Status Bad(int line, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("script line ", line, ": ", why));
}

std::optional<EventKind> KindFromName(absl::string_view name) {
  for (int k = 0; k <= static_cast<int>(EventKind::kJobOfferPosted); ++k) {
    if (KindName(static_cast<EventKind>(k)) == name) return static_cast<EventKind>(k);
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<Script> ParseScript(absl::string_view text) {
  Script script;
  std::map<std::string, Dimensions> journeys;
  int line_no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
    std::map<std::string, std::string> opts;
    std::vector<std::string> positional;
    for (const std::string& w : words) {
      const size_t eq = w.find('=');
      if (eq == std::string::npos) {
        positional.push_back(w);
      } else {
        opts[w.substr(0, eq)] = w.substr(eq + 1);
      }
    }
    if (positional[0] == "today") {
      if (positional.size() != 2 || !ParseDay(positional[1])) return Bad(line_no, "today DATE");
      script.today = ParseDay(positional[1]);
      continue;
    }
    if (positional[0] == "journey") {
      if (positional.size() != 2) return Bad(line_no, "journey TRAINEE k=v...");
      Dimensions d;
      d.cohort_id = opts["cohort"];
      const std::string g = opts["gender"];
      d.gender = g == "F" ? Gender::kFemale : g == "M" ? Gender::kMale : Gender::kUnspecified;
      d.province_code = opts["province"];
      auto region = geo::Atlas::Get().RegionOfProvince(d.province_code);
      if (!region.ok()) return Bad(line_no, "unknown province");
      d.region_code = *region;
      d.track_id = opts["track"];
      journeys[positional[1]] = d;
      continue;
    }
    if (positional.size() != 3) return Bad(line_no, "DATE KIND KEY k=v...");
    const std::optional<Day> day = ParseDay(positional[0]);
    const std::optional<EventKind> kind = KindFromName(positional[1]);
    if (!day.has_value()) return Bad(line_no, "bad date");
    if (!kind.has_value()) return Bad(line_no, absl::StrCat("unknown kind ", positional[1]));
    Event e;
    e.kind = *kind;
    e.day = *day;
    e.date = *day;
    e.occurred_unix = static_cast<int64_t>(*day) * 86400;
    const std::string& key = positional[2];
    if (!absl::SimpleAtoi(opts["seq"], &e.sequence)) return Bad(line_no, "seq=N required");
    e.event_id = opts.count("id") ? opts["id"]
                                  : absl::StrCat(key, "/", StreamName(StreamOf(e.kind)), "/",
                                                 e.sequence);
    if (IsTraineeEvent(e.kind)) {
      e.trainee_id = key;
      auto it = journeys.find(key);
      if (it == journeys.end()) return Bad(line_no, "no journey line for trainee");
      e.dims = it->second;
      e.cohort_id = opts.count("cohort") ? opts["cohort"] : it->second.cohort_id;
    } else {
      e.aggregate_id = key;
    }
    if (opts.count("date")) {
      auto d = ParseDay(opts["date"]);
      if (!d) return Bad(line_no, "bad date=");
      e.date = *d;
    }
    if (opts.count("active")) {
      auto d = ParseDay(opts["active"]);
      if (!d) return Bad(line_no, "bad active=");
      e.implies_started = true;
      e.date = *d;
    }
    if (opts.count("exit")) {
      std::vector<std::string> p = absl::StrSplit(opts["exit"], ':');
      auto d = p.size() == 2 ? ParseDay(p[1]) : std::nullopt;
      if (!d) return Bad(line_no, "exit=kind:date");
      e.exit_kind = p[0] == "completed" ? ExitKind::kCompleted
                    : p[0] == "dropped" ? ExitKind::kDroppedOut
                    : p[0] == "withdrawn" ? ExitKind::kWithdrawn
                                          : ExitKind::kUnspecified;
      e.exit_date = *d;
      e.has_exit_date = true;
    }
    if (opts.count("job")) {
      std::vector<std::string> p = absl::StrSplit(opts["job"], ':');
      auto d = p.size() == 3 ? ParseDay(p[2]) : std::nullopt;
      if (!d) return Bad(line_no, "job=id:type:start");
      e.placement_id = p[0];
      static const std::map<std::string, PlacementType> kTypes = {
          {"permanent", PlacementType::kSalariedPermanent},
          {"fixed", PlacementType::kSalariedFixedTerm},
          {"internship", PlacementType::kInternship},
          {"self", PlacementType::kSelfEmployed},
          {"study", PlacementType::kFurtherStudy}};
      auto t = kTypes.find(p[1]);
      if (t == kTypes.end()) return Bad(line_no, "unknown job type");
      e.placement_type = t->second;
      e.date = *d;
    }
    if (opts.count("followup")) {
      std::vector<std::string> p = absl::StrSplit(opts["followup"], ':');
      auto d = p.size() == 3 ? ParseDay(p[2]) : std::nullopt;
      if (!d || !absl::SimpleAtoi(p[0], &e.months_after_exit)) {
        return Bad(line_no, "followup=months:outcome:date");
      }
      e.outcome = p[1] == "same"    ? FollowUpOutcome::kSameEmployer
                  : p[1] == "other" ? FollowUpOutcome::kOtherEmployer
                  : p[1] == "none"  ? FollowUpOutcome::kNotEmployed
                  : p[1] == "unreachable" ? FollowUpOutcome::kUnreachable
                                          : FollowUpOutcome::kUnspecified;
      e.date = *d;
    }
    if (opts.count("target") && !absl::SimpleAtoi(opts["target"], &e.national_target)) {
      return Bad(line_no, "target=N");
    }
    if (opts.count("name")) e.name_fr = opts["name"];
    script.events.push_back(std::move(e));
  }
  return script;
}

namespace {

void RenderSummary(std::string& out, const Fold& fold, const Query& q, absl::string_view title,
                   const ViewOptions& options) {
  absl::StrAppend(&out, "== ", title, options.public_view ? absl::StrCat(" (public, k=", options.threshold, ")") : " (internal)", "\n");
  for (const FigureValue& f : Summarize(fold, q, options)) {
    std::string detail;
    if (f.metric->unit == MetricUnit::kRatio && !options.public_view &&
        f.state != FigureValue::State::kSuppressed) {
      detail = absl::StrCat("  (", f.numerator, "/", f.denominator, ")");
    }
    if (f.metric->formula == Formula::kMedianDaysToJob && !options.public_view) {
      detail = absl::StrCat("  (n=", f.denominator, ")");
    }
    absl::StrAppend(&out, absl::StrFormat("%-32s %s%s\n", f.metric->id, f.display, detail));
  }
}

}  // namespace

std::string RenderReport(const Fold& fold, Day today, int threshold) {
  std::string out = absl::StrCat("as of ", FormatDay(today), "\n");
  std::set<std::string> regions, provinces;
  for (const auto& [key, cell] : fold.cells()) {
    regions.insert(key.region_code);
    provinces.insert(key.province_code);
  }
  for (const bool public_view : {false, true}) {
    const ViewOptions options{public_view, threshold, today};
    RenderSummary(out, fold, Query{}, "national", options);
    for (const std::string& r : regions) {
      Query q;
      q.level = Level::kRegion;
      q.region_code = r;
      RenderSummary(out, fold, q, absl::StrCat("region ", r), options);
    }
    for (const std::string& p : provinces) {
      Query q;
      q.level = Level::kProvince;
      q.province_code = p;
      (void)NormalizeQuery(q);
      RenderSummary(out, fold, q, absl::StrCat("province ", p), options);
    }
  }
  // The public regions table of key figures (complementary suppression).
  std::vector<Query> rows;
  for (const geo::Region& r : geo::Atlas::Get().regions()) {
    Query q;
    q.level = Level::kRegion;
    q.region_code = r.code;
    rows.push_back(q);
  }
  std::vector<const MetricDefinition*> metrics;
  for (const std::string& id : KeyFigureIds()) metrics.push_back(FindMetric(id));
  const auto table = Table(fold, rows, metrics, ViewOptions{true, threshold, today});
  absl::StrAppend(&out, "== regions table (public, k=", threshold, ")\n", "region");
  for (const MetricDefinition* m : metrics) absl::StrAppend(&out, " | ", m->id);
  absl::StrAppend(&out, "\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    absl::StrAppend(&out, rows[i].region_code);
    for (const FigureValue& f : table[i]) absl::StrAppend(&out, " | ", f.display);
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace jit::aggregator::testing
