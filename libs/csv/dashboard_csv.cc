#include "libs/csv/dashboard_csv.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"

namespace jit::csv {
namespace {

// "<" followed by digits, "x" or "-": the marks the views print.
bool IsMark(absl::string_view s) {
  if (s == "x" || s == "-") return true;
  if (s.size() < 2 || s.front() != '<') return false;
  for (char c : s.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The figures of a row in the order of `metric_ids` (empty when missing).
template <typename Row>
void AddFigures(const Row& row, const google::protobuf::RepeatedPtrField<std::string>& metric_ids,
                std::vector<Cell>* cells) {
  for (const std::string& id : metric_ids) {
    const dv1::Figure* found = nullptr;
    for (const dv1::Figure& f : row.figures()) {
      if (f.metric_id() == id) {
        found = &f;
        break;
      }
    }
    cells->push_back(found == nullptr ? Cell::Empty() : FigureCell(*found));
  }
}

const char* LevelName(dv1::ScopeLevel level) {
  switch (level) {
    case dv1::SCOPE_LEVEL_REGION: return "region";
    case dv1::SCOPE_LEVEL_PROVINCE: return "province";
    default: return "national";
  }
}

std::string DateText(const jobintech::common::v1::Date& d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

}  // namespace

Cell FigureCell(const dv1::Figure& figure) {
  switch (figure.state()) {
    case dv1::FIGURE_STATE_VALUE:
      return Cell::Number(figure.value());
    case dv1::FIGURE_STATE_SUPPRESSED:
    case dv1::FIGURE_STATE_MASKED:
    case dv1::FIGURE_STATE_NO_DATA:
      return IsMark(figure.display()) ? Cell::Literal(figure.display()) : Cell::Text(figure.display());
    default:
      return Cell::Empty();
  }
}

std::string SummaryCsv(const dv1::Summary& summary, const Options& options) {
  Writer w(options);
  std::vector<std::string> header = {"level", "region_code", "province_code"};
  for (const dv1::Figure& f : summary.figures()) header.push_back(f.metric_id());
  w.Header(header);
  std::vector<Cell> row = {Cell::Text(LevelName(summary.scope().level())),
                           Cell::Text(summary.scope().region_code()),
                           Cell::Text(summary.scope().province_code())};
  for (const dv1::Figure& f : summary.figures()) row.push_back(FigureCell(f));
  w.Row(row);
  return std::move(w).Take();
}

std::string RegionsCsv(const dv1::ListRegionsResponse& regions, const Options& options) {
  Writer w(options);
  std::vector<std::string> header = {"level", "region_code", "name_fr", "name_ar"};
  header.insert(header.end(), regions.metric_ids().begin(), regions.metric_ids().end());
  w.Header(header);
  auto add = [&](const dv1::RegionRow& r, const char* level) {
    std::vector<Cell> row = {Cell::Text(level), Cell::Text(r.region_code()), Cell::Text(r.name_fr()),
                             Cell::Text(r.name_ar())};
    AddFigures(r, regions.metric_ids(), &row);
    w.Row(row);
  };
  for (const dv1::RegionRow& r : regions.regions()) add(r, "region");
  if (regions.has_national()) add(regions.national(), "national");
  return std::move(w).Take();
}

std::string ProvincesCsv(const dv1::GetProvinceTableResponse& provinces, const Options& options) {
  Writer w(options);
  std::vector<std::string> header = {"level", "province_code", "region_code", "name"};
  header.insert(header.end(), provinces.metric_ids().begin(), provinces.metric_ids().end());
  w.Header(header);
  auto add = [&](const dv1::ProvinceRow& p, const char* level) {
    std::vector<Cell> row = {Cell::Text(level), Cell::Text(p.province_code()),
                             Cell::Text(p.region_code()), Cell::Text(p.name())};
    AddFigures(p, provinces.metric_ids(), &row);
    w.Row(row);
  };
  for (const dv1::ProvinceRow& p : provinces.provinces()) add(p, "province");
  if (provinces.has_total()) {
    // The total of one region carries its code; the national total "MA".
    const bool national = provinces.total().region_code() == "MA";
    add(provinces.total(), national ? "national" : "region");
  }
  return std::move(w).Take();
}

std::string TimeSeriesCsv(const std::vector<dv1::GetTimeSeriesResponse>& series,
                          const Options& options) {
  Writer w(options);
  std::vector<std::string> header = {"date"};
  // date -> one cell per series ("YYYY-MM-DD" sorts by date).
  std::map<std::string, std::vector<Cell>> rows;
  for (size_t i = 0; i < series.size(); ++i) {
    header.push_back(series[i].metric_id());
    for (const dv1::TimeSeriesPoint& p : series[i].points()) {
      std::vector<Cell>& cells = rows[DateText(p.date())];
      cells.resize(series.size(), Cell::Empty());
      cells[i] = FigureCell(p.figure());
    }
  }
  w.Header(header);
  for (auto& [date, cells] : rows) {
    std::vector<Cell> row = {Cell::Literal(date)};
    cells.resize(series.size(), Cell::Empty());
    row.insert(row.end(), cells.begin(), cells.end());
    w.Row(row);
  }
  return std::move(w).Take();
}

std::string ExportFileName(absl::string_view view, absl::string_view what,
                           dv1::Visibility visibility, const google::protobuf::Timestamp& as_of) {
  std::vector<std::string> parts = {"jobintech", std::string(view)};
  if (!what.empty()) parts.emplace_back(what);
  parts.emplace_back(visibility == dv1::VISIBILITY_INTERNAL ? "internal" : "public");
  parts.push_back(
      absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(as_of.seconds()), absl::UTCTimeZone()));
  std::string name = absl::StrJoin(parts, "-");
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      c = '_';
    }
  }
  return name + ".csv";
}

}  // namespace jit::csv
