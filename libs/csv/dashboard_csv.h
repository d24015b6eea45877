// The dashboard's tables and series as CSV (jobintech.dashboard.v1 messages
// -> text), written once for the aggregator's HTTP export
// (/api/v1/<view>.csv) and `jitctl dashboard export`, so both give the same
// file for the same view.
//
// Layout (one header row, then one row per region, province or day):
//   summary      level,region_code,province_code,<every metric id>
//   regions      level,region_code,name_fr,name_ar,<key metric ids>
//                (12 "region" rows, then the "national" row MA)
//   provinces    level,province_code,region_code,name,<key metric ids>
//                ("province" rows, then the "region" or "national" total)
//   timeseries   date,<metric id>...   (YYYY-MM-DD, one row per day)
// Columns are named after the metric definitions' ids (MetricDefinition.
// metric_id). A figure's cell (FigureCell):
//   FIGURE_STATE_VALUE       its value as a plain number: a count ("12"), a
//                            ratio as a fraction in [0, 1] ("0.732", the
//                            JSON's `value`, not its "73.2%" display), days
//   FIGURE_STATE_SUPPRESSED  the JSON's mark, exactly: "<5" (the threshold)
//   FIGURE_STATE_MASKED      "x"
//   FIGURE_STATE_NO_DATA     "-"
// i.e. every non-value cell is the figure's `display`, as the JSON views and
// the page show it. Names are Text cells (guarded against formula
// injection); marks are written as given only when they are one of the
// marks above, otherwise as guarded text.
#ifndef JIT_LIBS_CSV_DASHBOARD_CSV_H_
#define JIT_LIBS_CSV_DASHBOARD_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "jobintech/dashboard/v1/dashboard_service.pb.h"
#include "libs/csv/writer.h"

namespace jit::csv {

namespace dv1 = ::jobintech::dashboard::v1;

// The views that export to CSV, by the name used in URLs and by jitctl.
inline constexpr absl::string_view kSummaryView = "summary";
inline constexpr absl::string_view kRegionsView = "regions";
inline constexpr absl::string_view kProvincesView = "provinces";
inline constexpr absl::string_view kTimeSeriesView = "timeseries";

Cell FigureCell(const dv1::Figure& figure);

std::string SummaryCsv(const dv1::Summary& summary, const Options& options = {});
std::string RegionsCsv(const dv1::ListRegionsResponse& regions, const Options& options = {});
std::string ProvincesCsv(const dv1::GetProvinceTableResponse& provinces,
                         const Options& options = {});
// One column per series, in the order given, joined by date (a day missing
// from one series leaves its cell empty).
std::string TimeSeriesCsv(const std::vector<dv1::GetTimeSeriesResponse>& series,
                          const Options& options = {});

// The download's file name:
//   jobintech-<view>[-<what>]-<public|internal>-<YYYY-MM-DD>.csv
// `what` is the scope or metric ("MA-05", "applicants"); the date is
// `as_of`'s (UTC). Characters outside [A-Za-z0-9._-] become '_', so the name
// is safe in a Content-Disposition header and on every file system.
std::string ExportFileName(absl::string_view view, absl::string_view what,
                           dv1::Visibility visibility, const google::protobuf::Timestamp& as_of);

}  // namespace jit::csv

#endif  // JIT_LIBS_CSV_DASHBOARD_CSV_H_
