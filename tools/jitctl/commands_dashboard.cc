// jitctl dashboard commands: the aggregator's views as terminal tables, and
// as CSV files (dashboard export, written by libs/csv like the aggregator's
// /api/v1/<view>.csv downloads).
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/csv/dashboard_csv.h"
#include "nlohmann/json.hpp"
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

std::vector<FlagSpec> ExportFlags() {
  std::vector<FlagSpec> flags = {
      {"region", "REGION_CODE", FlagKind::kValue,
       "summary, timeseries: this region; provinces: this region's provinces (default all 75)"},
      {"province", "PROVINCE_CODE", FlagKind::kValue, "summary, timeseries: this province"},
      {"metric", "METRIC_ID", FlagKind::kRepeated,
       "timeseries: a metric id (repeat it, or a,b,c: one column each)"},
      {"start", "YYYY-MM-DD", FlagKind::kValue, "timeseries: first day (default 89 days before --end)"},
      {"end", "YYYY-MM-DD", FlagKind::kValue, "timeseries: last day (default today)"},
      {"file", "FILE", FlagKind::kValue, "write the CSV to FILE (default: standard output)"},
      {"no-bom", "", FlagKind::kBool,
       "leave out the UTF-8 byte-order mark (spreadsheets want it; some scripts do not)"}};
  flags.insert(flags.end(), kViewFlags.begin(), kViewFlags.end());
  return flags;
}

// Writes `text` to `path` through a temporary file renamed into place, so a
// spreadsheet never opens half a file.
absl::Status WriteFile(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot rename ", tmp, " to ", path));
  }
  return absl::OkStatus();
}

int DashboardExport(Context& ctx, const ParsedArgs& args) {
  const std::string view = args.positional[0];
  const std::set<std::string> views = {std::string(csv::kSummaryView), std::string(csv::kRegionsView),
                                       std::string(csv::kProvincesView),
                                       std::string(csv::kTimeSeriesView)};
  if (!views.count(view)) {
    return ctx.Usage(absl::StrCat("unknown view '", view, "': one of ", absl::StrJoin(views, ", ")));
  }
  const bool series = view == csv::kTimeSeriesView;
  std::vector<std::string> problems;
  for (const char* flag : {"metric", "start", "end"}) {
    if (args.Has(flag) && !series) problems.push_back(absl::StrCat("--", flag, " is for timeseries only"));
  }
  if (args.Has("province") && view != csv::kSummaryView && !series) {
    problems.push_back("--province is for summary and timeseries only");
  }
  if (args.Has("region") && view == csv::kRegionsView) problems.push_back("regions has every region: no --region");
  std::vector<std::string> metrics;
  for (const std::string& m : args.All("metric")) {
    for (absl::string_view id : absl::StrSplit(m, ',', absl::SkipWhitespace())) {
      metrics.emplace_back(absl::StripAsciiWhitespace(id));
    }
  }
  if (series && metrics.empty()) problems.push_back("--metric is required for timeseries");

  dv1::Filters filters;
  dv1::Visibility visibility = dv1::VISIBILITY_PUBLIC;
  std::string view_problems;
  const bool view_ok = ReadView(ctx, args, &filters, &visibility, &view_problems);
  Input in(args);
  const cv1::Date start = in.Date("start");
  const cv1::Date end = in.Date("end");
  if (!view_ok) problems.push_back(view_problems);
  if (!in.ok()) problems.push_back(in.problems());
  if (!problems.empty()) return ctx.Usage(absl::StrJoin(problems, "; "));

  dv1::Scope scope;
  scope.set_region_code(args.Get("region"));
  scope.set_province_code(args.Get("province"));
  scope.set_level(!scope.province_code().empty()  ? dv1::SCOPE_LEVEL_PROVINCE
                  : !scope.region_code().empty() ? dv1::SCOPE_LEVEL_REGION
                                                 : dv1::SCOPE_LEVEL_NATIONAL);
  const std::string scope_name = !scope.province_code().empty() ? scope.province_code()
                                 : !scope.region_code().empty() ? scope.region_code()
                                                                : "national";
  const csv::Options options{.byte_order_mark = !args.Bool("no-bom"), .delimiter = ','};
  std::string text, file_name;
  int rows = 0;
  absl::Status st;
  if (view == csv::kSummaryView) {
    dv1::GetSummaryRequest req;
    *req.mutable_scope() = scope;
    *req.mutable_filters() = filters;
    req.set_visibility(visibility);
    dv1::GetSummaryResponse resp;
    st = Unary(ctx, ctx.dashboard(), &DS::GetSummary, req, &resp);
    text = csv::SummaryCsv(resp.summary(), options);
    file_name = csv::ExportFileName(view, scope_name, visibility, resp.summary().as_of());
    rows = 1;
  } else if (view == csv::kRegionsView) {
    dv1::ListRegionsRequest req;
    *req.mutable_filters() = filters;
    req.set_visibility(visibility);
    dv1::ListRegionsResponse resp;
    st = Unary(ctx, ctx.dashboard(), &DS::ListRegions, req, &resp);
    text = csv::RegionsCsv(resp, options);
    file_name = csv::ExportFileName(view, "", visibility, resp.as_of());
    rows = resp.regions_size() + (resp.has_national() ? 1 : 0);
  } else if (view == csv::kProvincesView) {
    dv1::GetProvinceTableRequest req;
    req.set_region_code(scope.region_code());
    *req.mutable_filters() = filters;
    req.set_visibility(visibility);
    dv1::GetProvinceTableResponse resp;
    st = Unary(ctx, ctx.dashboard(), &DS::GetProvinceTable, req, &resp);
    text = csv::ProvincesCsv(resp, options);
    file_name = csv::ExportFileName(view, scope.region_code(), visibility, resp.as_of());
    rows = resp.provinces_size() + (resp.has_total() ? 1 : 0);
  } else {
    std::vector<dv1::GetTimeSeriesResponse> all;
    std::set<std::string> days;
    for (const std::string& metric : metrics) {
      dv1::GetTimeSeriesRequest req;
      req.set_metric_id(metric);
      *req.mutable_scope() = scope;
      *req.mutable_filters() = filters;
      req.set_visibility(visibility);
      if (args.Has("start")) *req.mutable_start_date() = start;
      if (args.Has("end")) *req.mutable_end_date() = end;
      dv1::GetTimeSeriesResponse resp;
      st = Unary(ctx, ctx.dashboard(), &DS::GetTimeSeries, req, &resp);
      if (!st.ok()) break;
      for (const auto& p : resp.points()) {
        days.insert(absl::StrCat(p.date().year(), "-", p.date().month(), "-", p.date().day()));
      }
      all.push_back(std::move(resp));
    }
    if (st.ok()) {
      text = csv::TimeSeriesCsv(all, options);
      file_name = csv::ExportFileName(view, absl::StrCat(absl::StrJoin(metrics, "_"), "-", scope_name),
                                      visibility, all.front().as_of());
      rows = static_cast<int>(days.size());
    }
  }
  if (!st.ok()) return ctx.Fail(st);
  const std::string path = args.Get("file");
  if (path.empty()) {
    ctx.out() << text;
    return kExitOk;
  }
  if (absl::Status w = WriteFile(path, text); !w.ok()) {
    ctx.err() << "jitctl: " << w.message() << "\n";
    return kExitFailed;
  }
  if (ctx.json()) {
    ctx.out() << nlohmann::json{{"file", path}, {"rows", rows}, {"suggestedName", file_name}}.dump() << "\n";
  } else {
    ctx.out() << "wrote " << rows << " rows to " << path << " (" << view << ", "
              << (visibility == dv1::VISIBILITY_INTERNAL ? "internal" : "public") << ")\n";
  }
  return kExitOk;
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
      {"dashboard export", "VIEW", 1, 1, false,
       "a view as CSV for a spreadsheet: summary, regions, provinces or timeseries", ExportFlags(),
       "The same file as the aggregator's /api/v1/VIEW.csv: a header row, columns named after the metric ids,\n"
       "one row per region, province or day; values as plain numbers (ratios as fractions), public small\n"
       "counts as <k, masked figures as x, no data as -. UTF-8 with a byte-order mark (Excel reads Arabic\n"
       "and French names right). Public unless --internal (an analyst's or staff token).\n"
       "Examples: jitctl dashboard export regions --file regions.csv\n"
       "          jitctl dashboard export provinces --region MA-05 --internal --file ma05.csv\n"
       "          jitctl dashboard export timeseries --metric applicants,enrolled --region MA-05 \\\n"
       "            --start 2026-01-01 --end 2026-03-31 --internal --file series.csv",
       DashboardExport},
  });
}

}  // namespace jit::jitctl
