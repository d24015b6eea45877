// The dashboard views as CSV: columns named after metric ids, one row per
// region / province / day, figures as numbers and suppression marks exactly
// as the JSON views show them.
#include "libs/csv/dashboard_csv.h"

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace jit::csv {
namespace {

const Options kNoBom{.byte_order_mark = false};

dv1::Figure Value(const std::string& id, double v, const std::string& display) {
  dv1::Figure f;
  f.set_metric_id(id);
  f.set_metric_version(1);
  f.set_state(dv1::FIGURE_STATE_VALUE);
  f.set_value(v);
  f.set_display(display);
  return f;
}

dv1::Figure Hidden(const std::string& id, dv1::FigureState state, const std::string& display) {
  dv1::Figure f;
  f.set_metric_id(id);
  f.set_metric_version(1);
  f.set_state(state);
  f.set_display(display);
  return f;
}

TEST(FigureCellTest, ValuesAreNumbersAndHiddenFiguresKeepTheirMark) {
  EXPECT_EQ(FigureCell(Value("applicants", 32, "32")).value(), "32");
  EXPECT_EQ(FigureCell(Value("completion_rate", 0.9, "90.0%")).value(), "0.9");
  EXPECT_EQ(FigureCell(Value("median_days_to_placement", 25.5, "25.5")).value(), "25.5");
  EXPECT_EQ(FigureCell(Hidden("applicants", dv1::FIGURE_STATE_SUPPRESSED, "<5")).value(), "<5");
  EXPECT_EQ(FigureCell(Hidden("applicants", dv1::FIGURE_STATE_SUPPRESSED, "<10")).value(), "<10");
  EXPECT_EQ(FigureCell(Hidden("applicants", dv1::FIGURE_STATE_MASKED, "x")).value(), "x");
  EXPECT_EQ(FigureCell(Hidden("completion_rate", dv1::FIGURE_STATE_NO_DATA, "-")).value(), "-");
  EXPECT_EQ(FigureCell(dv1::Figure()).value(), "");
  // A mark the views never print is treated as text from elsewhere.
  EXPECT_EQ(FigureCell(Hidden("applicants", dv1::FIGURE_STATE_MASKED, "=1+1")).value(), "'=1+1");
  EXPECT_EQ(FigureCell(Hidden("applicants", dv1::FIGURE_STATE_MASKED, "-1")).value(), "'-1");
}

TEST(DashboardCsvTest, RegionsOneRowPerRegionThenTheNationalRow) {
  dv1::ListRegionsResponse r;
  r.add_metric_ids("applicants");
  r.add_metric_ids("completion_rate");
  auto* casa = r.add_regions();
  casa->set_region_code("MA-06");
  casa->set_name_fr("Casablanca-Settat");
  casa->set_name_ar("الدار البيضاء سطات");
  *casa->add_figures() = Value("applicants", 120, "120");
  *casa->add_figures() = Value("completion_rate", 0.75, "75.0%");
  auto* guelmim = r.add_regions();
  guelmim->set_region_code("MA-10");
  guelmim->set_name_fr("Guelmim-Oued Noun");
  guelmim->set_name_ar("كلميم واد نون");
  // Figures out of order: matched by metric id, not position.
  *guelmim->add_figures() = Hidden("completion_rate", dv1::FIGURE_STATE_MASKED, "x");
  *guelmim->add_figures() = Hidden("applicants", dv1::FIGURE_STATE_SUPPRESSED, "<5");
  auto* national = r.mutable_national();
  national->set_region_code("MA");
  national->set_name_fr("Maroc");
  national->set_name_ar("المغرب");
  *national->add_figures() = Value("applicants", 123, "123");
  *national->add_figures() = Hidden("completion_rate", dv1::FIGURE_STATE_NO_DATA, "-");

  EXPECT_EQ(RegionsCsv(r, kNoBom),
            "level,region_code,name_fr,name_ar,applicants,completion_rate\r\n"
            "region,MA-06,Casablanca-Settat,الدار البيضاء سطات,120,0.75\r\n"
            "region,MA-10,Guelmim-Oued Noun,كلميم واد نون,<5,x\r\n"
            "national,MA,Maroc,المغرب,123,-\r\n");
  EXPECT_EQ(RegionsCsv(r).substr(0, 3), std::string(kByteOrderMark));
}

TEST(DashboardCsvTest, ProvinceNamesFromDataAreQuotedAndGuarded) {
  dv1::GetProvinceTableResponse p;
  p.add_metric_ids("applicants");
  auto* a = p.add_provinces();
  a->set_province_code("MA-BEM");
  a->set_region_code("MA-05");
  a->set_name("Béni Mellal, \"centre\"");
  *a->add_figures() = Value("applicants", 7, "7");
  auto* b = p.add_provinces();
  b->set_province_code("MA-FQH");
  b->set_region_code("MA-05");
  b->set_name("=cmd|' /C calc'!A0");
  *b->add_figures() = Hidden("applicants", dv1::FIGURE_STATE_SUPPRESSED, "<5");
  auto* total = p.mutable_total();
  total->set_region_code("MA-05");
  total->set_name("Béni Mellal-Khénifra");
  *total->add_figures() = Value("applicants", 9, "9");
  EXPECT_EQ(ProvincesCsv(p, kNoBom),
            "level,province_code,region_code,name,applicants\r\n"
            "province,MA-BEM,MA-05,\"Béni Mellal, \"\"centre\"\"\",7\r\n"
            "province,MA-FQH,MA-05,'=cmd|' /C calc'!A0,<5\r\n"
            "region,,MA-05,Béni Mellal-Khénifra,9\r\n");
  p.mutable_total()->set_region_code("MA");
  EXPECT_NE(ProvincesCsv(p, kNoBom).find("\r\nnational,,MA,"), std::string::npos);
}

TEST(DashboardCsvTest, SummaryIsOneRowWithEveryMetric) {
  dv1::Summary s;
  s.mutable_scope()->set_level(dv1::SCOPE_LEVEL_PROVINCE);
  s.mutable_scope()->set_region_code("MA-05");
  s.mutable_scope()->set_province_code("MA-FQH");
  *s.add_figures() = Value("applicants", 7, "7");
  *s.add_figures() = Hidden("completed", dv1::FIGURE_STATE_SUPPRESSED, "<5");
  *s.add_figures() = Value("placement_rate_6m", 2.0 / 3, "66.7%");
  const std::string csv = SummaryCsv(s, kNoBom);
  std::vector<std::string> lines = absl::StrSplit(csv, "\r\n");
  ASSERT_EQ(lines.size(), 3u);  // header, row, "" after the last CRLF
  EXPECT_EQ(lines[0], "level,region_code,province_code,applicants,completed,placement_rate_6m");
  EXPECT_EQ(lines[1], "province,MA-05,MA-FQH,7,<5,0.6666666666666666");
  EXPECT_EQ(lines[2], "");
}

TEST(DashboardCsvTest, SeriesAreJoinedByDateOneColumnPerMetric) {
  auto point = [](dv1::GetTimeSeriesResponse& r, int day, const dv1::Figure& f) {
    auto* p = r.add_points();
    p->mutable_date()->set_year(2025);
    p->mutable_date()->set_month(10);
    p->mutable_date()->set_day(day);
    *p->mutable_figure() = f;
  };
  dv1::GetTimeSeriesResponse applicants;
  applicants.set_metric_id("applicants");
  point(applicants, 1, Value("applicants", 0, "0"));
  point(applicants, 2, Hidden("applicants", dv1::FIGURE_STATE_SUPPRESSED, "<5"));
  point(applicants, 3, Value("applicants", 7, "7"));
  dv1::GetTimeSeriesResponse enrolled;
  enrolled.set_metric_id("enrolled");
  point(enrolled, 2, Value("enrolled", 0, "0"));
  point(enrolled, 3, Hidden("enrolled", dv1::FIGURE_STATE_MASKED, "x"));
  EXPECT_EQ(TimeSeriesCsv({applicants, enrolled}, kNoBom),
            "date,applicants,enrolled\r\n"
            "2025-10-01,0,\r\n"
            "2025-10-02,<5,0\r\n"
            "2025-10-03,7,x\r\n");
  EXPECT_EQ(TimeSeriesCsv({}, kNoBom), "date\r\n");
}

TEST(DashboardCsvTest, FileNamesAreSafe) {
  google::protobuf::Timestamp t;
  t.set_seconds(1760529600);  // 2025-10-15 12:00:00Z
  EXPECT_EQ(ExportFileName(kRegionsView, "", dv1::VISIBILITY_PUBLIC, t),
            "jobintech-regions-public-2025-10-15.csv");
  EXPECT_EQ(ExportFileName(kTimeSeriesView, "applicants-MA-05", dv1::VISIBILITY_INTERNAL, t),
            "jobintech-timeseries-applicants-MA-05-internal-2025-10-15.csv");
  EXPECT_EQ(ExportFileName(kSummaryView, "a\"b/c\r\n", dv1::VISIBILITY_PUBLIC, t),
            "jobintech-summary-a_b_c__-public-2025-10-15.csv");
}

}  // namespace
}  // namespace jit::csv
