// jitctl dashboard commands: the aggregator's views as terminal tables.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/jitctl/commands.h"
#include "tools/jitctl/output.h"

namespace jit::jitctl {
namespace {

namespace dv1 = jobintech::dashboard::v1;
namespace cv1 = jobintech::common::v1;
using DS = dv1::DashboardService::StubInterface;

const std::vector<FlagSpec> kViewFlags = {
    {"track", "TRACK_ID", FlagKind::kValue, "only this track"},
    {"cohort", "COHORT_ID", FlagKind::kValue, "only this cohort"},
    {"gender", "GENDER", FlagKind::kValue, "only female or only male trainees"},
    {"internal", "", FlagKind::kBool, "exact figures for programme staff (no small-count suppression)"}};

bool ReadView(Context& ctx, const ParsedArgs& args, dv1::Filters* filters, dv1::Visibility* visibility,
              std::string* problems) {
  Input in(args);
  filters->set_track_id(args.Get("track"));
  filters->set_cohort_id(args.Get("cohort"));
  filters->set_gender(in.EnumAs<cv1::Gender>("gender", cv1::Gender_descriptor()));
  *visibility = args.Bool("internal") ? dv1::VISIBILITY_INTERNAL : dv1::VISIBILITY_PUBLIC;
  *problems = in.problems();
  return in.ok();
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%SZ", absl::FromUnixSeconds(t.seconds()), absl::UTCTimeZone());
}

std::string FigureDetail(const dv1::Figure& f) {
  std::string d;
  if (f.denominator() > 0) d = absl::StrCat(f.numerator(), "/", f.denominator());
  if (f.provisional()) d += d.empty() ? "provisional" : " provisional";
  return d;
}

std::string ScopeName(const dv1::Scope& s) {
  switch (s.level()) {
    case dv1::SCOPE_LEVEL_REGION:
      return absl::StrCat("Region ", s.region_code());
    case dv1::SCOPE_LEVEL_PROVINCE:
      return absl::StrCat("Province ", s.province_code());
    default:
      return "National";
  }
}

// Titles of the metric definitions (empty map if the call fails).
std::map<std::string, std::string> Titles(Context& ctx) {
  dv1::ListMetricDefinitionsResponse defs;
  std::map<std::string, std::string> out;
  if (Unary(ctx, ctx.dashboard(), &DS::ListMetricDefinitions, dv1::ListMetricDefinitionsRequest(), &defs).ok()) {
    for (const auto& m : defs.metrics()) out[m.metric_id()] = m.title().fr();
  }
  return out;
}

std::string SummaryText(const dv1::Summary& s, const std::map<std::string, std::string>& titles) {
  std::string out = absl::StrCat(
      ScopeName(s.scope()), " dashboard, ",
      s.visibility() == dv1::VISIBILITY_INTERNAL
          ? std::string("internal view (exact figures)")
          : absl::StrCat("public view (counts under ", s.suppression_threshold(), " shown as <",
                         s.suppression_threshold(), ")"),
      "\nas of ", TimeText(s.as_of()), ", ", s.state_version(), " events folded, lag ", s.freshness().total_lag(),
      "\n");
  Table table({"METRIC", "VALUE", "DETAIL", "TITLE"});
  for (const auto& f : s.figures()) {
    auto it = titles.find(f.metric_id());
    table.AddRow({f.metric_id(), f.display(), FigureDetail(f), it == titles.end() ? "" : it->second});
  }
  return out + table.Render();
}

int ShowSummary(Context& ctx, const ParsedArgs& args, const dv1::Scope& scope, bool with_provinces) {
  dv1::GetSummaryRequest req;
  *req.mutable_scope() = scope;
  dv1::Visibility visibility = dv1::VISIBILITY_PUBLIC;
  std::string problems;
  if (!ReadView(ctx, args, req.mutable_filters(), &visibility, &problems)) return ctx.Usage(problems);
  req.set_visibility(visibility);
  dv1::GetSummaryResponse resp;
  absl::Status st = Unary(ctx, ctx.dashboard(), &DS::GetSummary, req, &resp);
  if (!st.ok()) return ctx.Fail(st);
  dv1::GetProvinceTableResponse provinces;
  if (with_provinces) {
    dv1::GetProvinceTableRequest preq;
    preq.set_region_code(scope.region_code());
    *preq.mutable_filters() = req.filters();
    preq.set_visibility(visibility);
    st = Unary(ctx, ctx.dashboard(), &DS::GetProvinceTable, preq, &provinces);
    if (!st.ok()) return ctx.Fail(st);
  }
  if (ctx.json()) {
    if (with_provinces) {
      ctx.out() << "{\"summary\":" << ToJson(resp.summary()) << ",\"provinceTable\":" << ToJson(provinces) << "}\n";
    } else {
      ctx.out() << ToJson(resp) << "\n";
    }
    return kExitOk;
  }
  ctx.out() << SummaryText(resp.summary(), Titles(ctx));
  if (with_provinces) {
    std::vector<std::string> headers = {"PROVINCE", "NAME"};
    for (const auto& id : provinces.metric_ids()) headers.push_back(id);
    Table table(headers);
    auto add = [&](const dv1::ProvinceRow& row) {
      std::vector<std::string> cells = {row.province_code(), row.name()};
      for (const auto& f : row.figures()) cells.push_back(f.display());
      table.AddRow(cells);
    };
    for (const auto& row : provinces.provinces()) add(row);
    if (provinces.has_total()) add(provinces.total());
    ctx.out() << "\nprovinces:\n" << table.Render();
  }
  return kExitOk;
}

int DashboardNational(Context& ctx, const ParsedArgs& args) {
  dv1::Scope scope;
  scope.set_level(dv1::SCOPE_LEVEL_NATIONAL);
  return ShowSummary(ctx, args, scope, false);
}

int DashboardRegion(Context& ctx, const ParsedArgs& args) {
  dv1::Scope scope;
  scope.set_level(dv1::SCOPE_LEVEL_REGION);
  scope.set_region_code(args.positional[0]);
  return ShowSummary(ctx, args, scope, true);
}

int DashboardProvince(Context& ctx, const ParsedArgs& args) {
  dv1::Scope scope;
  scope.set_level(dv1::SCOPE_LEVEL_PROVINCE);
  scope.set_province_code(args.positional[0]);
  return ShowSummary(ctx, args, scope, false);
}

int DashboardRegions(Context& ctx, const ParsedArgs& args) {
  dv1::ListRegionsRequest req;
  dv1::Visibility visibility = dv1::VISIBILITY_PUBLIC;
  std::string problems;
  if (!ReadView(ctx, args, req.mutable_filters(), &visibility, &problems)) return ctx.Usage(problems);
  req.set_visibility(visibility);
  dv1::ListRegionsResponse resp;
  return ctx.Respond(Unary(ctx, ctx.dashboard(), &DS::ListRegions, req, &resp), resp, [&] {
    std::vector<std::string> headers = {"REGION", "NAME"};
    for (const auto& id : resp.metric_ids()) headers.push_back(id);
    Table table(headers);
    auto add = [&](const dv1::RegionRow& row) {
      std::vector<std::string> cells = {row.region_code(), row.name_fr()};
      for (const auto& f : row.figures()) cells.push_back(f.display());
      table.AddRow(cells);
    };
    for (const auto& row : resp.regions()) add(row);
    if (resp.has_national()) add(resp.national());
    return absl::StrCat("Regions, as of ", TimeText(resp.as_of()), ", ", resp.state_version(), " events folded\n",
                        table.Render());
  });
}

int DashboardFreshness(Context& ctx, const ParsedArgs&) {
  dv1::GetFreshnessResponse resp;
  return ctx.Respond(Unary(ctx, ctx.dashboard(), &DS::GetFreshness, dv1::GetFreshnessRequest(), &resp), resp, [&] {
    Table table({"TOPIC", "LAST EVENT", "LAST READ", "LAG", "APPLIED", "DUPLICATES", "DEAD LETTERS"});
    for (const auto& t : resp.freshness().topics()) {
      table.AddRow({t.topic(), TimeText(t.last_event_time()), TimeText(t.last_read_time()), absl::StrCat(t.lag()),
                    absl::StrCat(t.events_applied()), absl::StrCat(t.duplicates()), absl::StrCat(t.dead_letters())});
    }
    return absl::StrCat(table.Render(), "total lag ", resp.freshness().total_lag(), ", held events ",
                        resp.freshness().held_events(), ", last checkpoint ",
                        TimeText(resp.freshness().checkpoint_time()), "\n");
  });
}

int DashboardMetrics(Context& ctx, const ParsedArgs& args) {
  dv1::ListMetricDefinitionsResponse resp;
  absl::Status st = Unary(ctx, ctx.dashboard(), &DS::ListMetricDefinitions, dv1::ListMetricDefinitionsRequest(), &resp);
  return ctx.Respond(st, resp, [&] {
    if (!args.positional.empty()) {
      for (const auto& m : resp.metrics()) {
        if (m.metric_id() == args.positional[0]) return ObjectText(m);
      }
      return absl::StrCat("no metric '", args.positional[0], "'\n");
    }
    return RepeatedTable(resp, "metrics",
                         {{"METRIC", "metric_id"}, {"V", "version"}, {"KIND", "kind"}, {"UNIT", "unit"},
                          {"KEY", "key_figure"}, {"TITLE", "title.fr"}});
  });
}

}  // namespace

void AddDashboardCommands(std::vector<Command>& out) {
  out.insert(out.end(), {
      {"dashboard national", "", 0, 0, false, "every national figure, with its definition's title", kViewFlags,
       "Figures are public unless --internal: small counts are shown as <k.", DashboardNational},
      {"dashboard region", "REGION_CODE", 1, 1, false, "a region's figures and its provinces' key figures",
       kViewFlags, "Example: jitctl dashboard region MA-05", DashboardRegion},
      {"dashboard province", "PROVINCE_CODE", 1, 1, false, "a province's figures", kViewFlags,
       "Example: jitctl dashboard province MA-FQH", DashboardProvince},
      {"dashboard regions", "", 0, 0, false, "the 12 regions and the national row, key figures", kViewFlags, "",
       DashboardRegions},
      {"dashboard freshness", "", 0, 0, false, "last event per topic, consumer lag, dead letters", {}, "",
       DashboardFreshness},
      {"dashboard metrics", "[METRIC_ID]", 0, 1, false, "the metric definitions (one in full with its id)", {}, "",
       DashboardMetrics},
  });
}

}  // namespace jit::jitctl
