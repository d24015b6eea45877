#include "tools/jitctl/import_rows.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/jitctl/csv.h"
#include "tools/jitctl/enums.h"

namespace jit::jitctl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kHeader[] =
    "cohort_id,given_name,family_name,national_id,birth_date,phone,email,gender,education_level,"
    "residence_province\n";

constexpr char kKey[] = "0123456789abcdef0123456789abcdef";

std::vector<MappedRow> MapAll(ImportKind kind, const std::string& csv, const RowDefaults& defaults = {},
                              absl::string_view key = kKey) {
  const std::vector<CsvRecord> records = ParseCsv(csv, DetectDelimiter(csv));
  auto header = ValidateHeader(kind, records.at(0).fields, defaults);
  EXPECT_TRUE(header.ok()) << header.status();
  std::vector<MappedRow> out;
  for (size_t i = 1; i < records.size(); ++i) {
    out.push_back(MapRow(kind, *header, records[i], static_cast<int>(i), defaults, key));
  }
  return out;
}

TEST(ImportHeaderTest, AcceptsAnyOrderAndSpelling) {
  RowDefaults none;
  auto h = ValidateHeader(ImportKind::kAttendance, {"Trainee ID", "MARK", "session-date", "module_id", "cohort_id"},
                          none);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->index[0], 4);  // cohort_id
  EXPECT_EQ(h->index[3], 0);  // trainee_id
  EXPECT_EQ(h->width, 5);
}

TEST(ImportHeaderTest, ReportsEveryProblem) {
  auto h = ValidateHeader(ImportKind::kAttendance, {"trainee_id", "mark", "mark", "notes", ""}, {});
  ASSERT_FALSE(h.ok());
  const std::string m(h.status().message());
  EXPECT_THAT(m, HasSubstr("column 'mark' appears twice"));
  EXPECT_THAT(m, HasSubstr("unknown column 'notes'"));
  EXPECT_THAT(m, HasSubstr("column 5 has no name"));
  EXPECT_THAT(m, HasSubstr("missing column 'cohort_id'"));
  EXPECT_THAT(m, HasSubstr("missing column 'session_date'"));
  EXPECT_THAT(m, HasSubstr("expected columns: cohort_id,module_id,session_date,trainee_id,mark"));
}

TEST(ImportHeaderTest, DefaultsStandInForMissingColumns) {
  RowDefaults d;
  d.cohort_id = "coh_1";
  d.module_id = "net";
  d.session_date = "2026-02-03";
  EXPECT_TRUE(ValidateHeader(ImportKind::kAttendance, {"trainee_id", "mark"}, d).ok());
  EXPECT_FALSE(ValidateHeader(ImportKind::kAttendance, {"trainee_id"}, d).ok());
}

TEST(ImportRowsTest, MapsAGoodApplicationRow) {
  auto rows = MapAll(ImportKind::kApplications,
                     std::string(kHeader) +
                         "coh_1, Salma ,El Amrani,be 123456,17/04/2001,06 12 34 56 78,Salma@Example.MA,F,bac+2,ma-bem\n");
  ASSERT_THAT(rows, SizeIs(1));
  const MappedRow& r = rows[0];
  ASSERT_THAT(r.errors, IsEmpty());
  ASSERT_TRUE(r.application.has_value());
  const auto& req = *r.application;
  EXPECT_EQ(req.request_id(), r.request_id);
  EXPECT_EQ(req.cohort_id(), "coh_1");
  EXPECT_EQ(req.candidate().given_name(), "Salma");
  EXPECT_EQ(req.candidate().national_id(), "BE123456");
  EXPECT_EQ(FormatDate(req.candidate().birth_date()), "2001-04-17");
  EXPECT_EQ(req.candidate().phone(), "0612345678");
  EXPECT_EQ(req.candidate().email(), "Salma@example.ma");
  EXPECT_EQ(req.gender(), jobintech::common::v1::GENDER_FEMALE);
  EXPECT_EQ(req.education_level(), jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_2);
  EXPECT_EQ(req.residence_province_code(), "MA-BEM");
  EXPECT_EQ(r.line, 2);
}

TEST(ImportRowsTest, BadRowsCarryTheirProblems) {
  auto rows = MapAll(ImportKind::kApplications,
                     std::string(kHeader) +
                         "coh_1,A,B,X1,2001-02-30,0612345678,a@b.ma,robot,bac,MA-BEM\n"  // bad date, gender
                         "coh_1,A,B,X1\n"                                                 // too few fields
                         "coh_1,\"A\"x,B,X1,2001-01-01,0612345678,a@b.ma,F,bac,MA-BEM\n"  // CSV error
                         ",,B,X1,2001-01-01,0612345678,a@b.ma,F,bac,MA-BEM\n");           // missing values
  ASSERT_THAT(rows, SizeIs(4));
  ASSERT_THAT(rows[0].errors, SizeIs(2));
  EXPECT_EQ(rows[0].errors[0].column, "birth_date");
  EXPECT_EQ(rows[0].errors[1].column, "gender");
  EXPECT_FALSE(rows[0].application.has_value());
  EXPECT_TRUE(rows[0].request_id.empty());
  EXPECT_THAT(rows[1].errors.at(0).description, HasSubstr("has 4 fields, the header has 10"));
  EXPECT_THAT(rows[2].errors.at(0).description, HasSubstr("after a closing quote"));
  ASSERT_THAT(rows[3].errors, SizeIs(2));
  EXPECT_EQ(rows[3].errors[0].column, "cohort_id");
  EXPECT_EQ(rows[3].errors[1].column, "given_name");
}

TEST(ImportRowsTest, RequestIdIsStableUnderPresentationChanges) {
  // Same content: other column order, spacing, date and enum spellings,
  // another delimiter, another position in the file.
  auto a = MapAll(ImportKind::kApplications,
                  std::string(kHeader) +
                      "coh_1,Salma,El Amrani,BE123456,2001-04-17,0612345678,salma@example.ma,female,bac+2,MA-BEM\n");
  auto b = MapAll(ImportKind::kApplications,
                  "email;cohort_id;given_name;family_name;national_id;birth_date;phone;gender;education_level;"
                  "residence_province\n"
                  "x@y.ma;coh_1;Other;Person;K1;2000-01-01;0611111111;M;bac;MA-CAS\n"
                  "salma@EXAMPLE.ma; coh_1 ;Salma;El Amrani;be 123456;17/04/2001;06-12-34-56-78;F;BAC_PLUS_2;"
                  "ma-bem\n");
  ASSERT_THAT(a, SizeIs(1));
  ASSERT_THAT(b, SizeIs(2));
  EXPECT_THAT(a[0].request_id, HasSubstr("imp-app-v2-"));
  EXPECT_EQ(a[0].request_id, b[1].request_id);
  EXPECT_NE(a[0].request_id, b[0].request_id);
  EXPECT_LE(a[0].request_id.size(), 128u);
}

TEST(ImportRowsTest, RequestIdsDifferPerRowAndPerKind) {
  std::string csv = "cohort_id,module_id,session_date,trainee_id,mark\n";
  for (int i = 0; i < 50; ++i) csv += "coh_1,net,2026-02-03,trn_" + std::to_string(i) + ",present\n";
  csv += "coh_1,net,2026-02-04,trn_0,present\n";  // other date
  csv += "coh_1,net,2026-02-03,trn_0,absent\n";   // other mark
  auto rows = MapAll(ImportKind::kAttendance, csv);
  std::set<std::string> ids;
  for (const auto& r : rows) {
    ASSERT_THAT(r.errors, IsEmpty());
    ids.insert(r.request_id);
  }
  EXPECT_EQ(ids.size(), rows.size());
  EXPECT_NE(DeriveRequestId(ImportKind::kApplications, "x", kKey),
            DeriveRequestId(ImportKind::kAttendance, "x", kKey));
  EXPECT_EQ(DeriveRequestId(ImportKind::kAttendance, "x", kKey),
            DeriveRequestId(ImportKind::kAttendance, "x", kKey));
}

TEST(ImportRowsTest, AttendanceDefaultsAndMarks) {
  RowDefaults d;
  d.cohort_id = "coh_9";
  d.module_id = "soc";
  d.session_date = "2026-03-02";
  auto rows = MapAll(ImportKind::kAttendance, "trainee_id,mark\ntrn_a,P\ntrn_b,AJ\ntrn_c,ANJ\ntrn_d,late\n", d);
  ASSERT_THAT(rows, SizeIs(4));
  ASSERT_TRUE(rows[0].attendance.has_value());
  const auto& req = *rows[0].attendance;
  EXPECT_EQ(req.cohort_id(), "coh_9");
  EXPECT_EQ(req.module_id(), "soc");
  EXPECT_EQ(FormatDate(req.session_date()), "2026-03-02");
  ASSERT_EQ(req.entries_size(), 1);
  EXPECT_EQ(req.entries(0).trainee_id(), "trn_a");
  EXPECT_EQ(req.entries(0).mark(), jobintech::events::v1::ATTENDANCE_MARK_PRESENT);
  EXPECT_EQ(rows[1].attendance->entries(0).mark(), jobintech::events::v1::ATTENDANCE_MARK_EXCUSED_ABSENCE);
  EXPECT_EQ(rows[2].attendance->entries(0).mark(), jobintech::events::v1::ATTENDANCE_MARK_UNEXCUSED_ABSENCE);
  EXPECT_EQ(rows[3].errors.at(0).column, "mark");
  // A column given in the file and by default: the same content gives the
  // same id either way.
  auto full = MapAll(ImportKind::kAttendance,
                     "cohort_id,module_id,session_date,trainee_id,mark\ncoh_9,soc,02/03/2026,trn_a,present\n");
  EXPECT_EQ(full[0].request_id, rows[0].request_id);
}

TEST(ImportRowsTest, FieldPathsMapToColumns) {
  EXPECT_EQ(ColumnForField(ImportKind::kApplications, "candidate.national_id"), "national_id");
  EXPECT_EQ(ColumnForField(ImportKind::kApplications, "candidate.birth_date.year"), "birth_date");
  EXPECT_EQ(ColumnForField(ImportKind::kApplications, "residence_province_code"), "residence_province");
  EXPECT_EQ(ColumnForField(ImportKind::kAttendance, "entries[0].trainee_id"), "trainee_id");
  EXPECT_EQ(ColumnForField(ImportKind::kAttendance, "entries[0].mark"), "mark");
  EXPECT_EQ(ColumnForField(ImportKind::kAttendance, "request_id"), "request_id");
}

TEST(ImportRowsTest, Sha256KnownAnswer) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ImportRowsTest, HmacSha256KnownAnswer) {
  // RFC 4231, test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// A row's id is keyed with the installation's secret: without the key nobody
// can compute it from a guessed row, and it is not the plain hash of the row.
TEST(ImportRowsTest, RequestIdsAreKeyedNotPlainHashesOfTheRow) {
  const std::string csv = std::string(kHeader) +
                          "coh_1,Amina,Idrissi,AB123456,2001-05-17,0612345678,amina@mail.ma,F,BAC_PLUS_2,MA-FQH\n";
  const auto a = MapAll(ImportKind::kApplications, csv);
  const auto same = MapAll(ImportKind::kApplications, csv);
  const auto other_key = MapAll(ImportKind::kApplications, csv, {}, "another-installation-key-0000000");
  ASSERT_THAT(a[0].errors, IsEmpty());
  EXPECT_THAT(a[0].request_id, ::testing::MatchesRegex("imp-app-v2-[0-9a-f]{32}"));
  EXPECT_EQ(a[0].request_id, same[0].request_id);
  EXPECT_NE(a[0].request_id, other_key[0].request_id);
  const std::string plain = Sha256Hex(absl::StrCat("jitctl-import-v1\x1e", "applications", "\x1e",
                                                   a[0].canonical));
  EXPECT_EQ(a[0].request_id.find(plain.substr(0, 32)), std::string::npos);
  EXPECT_EQ(a[0].legacy_request_id, "imp-app-v1-" + plain.substr(0, 32));
  EXPECT_EQ(a[0].application->request_id(), a[0].request_id);
}

TEST(ImportRowsTest, OldJournalIdsAreRekeyed) {
  const std::string v1 = LegacyRequestId(ImportKind::kAttendance, "x");
  const std::string migrated = MigrateJournalId(v1, kKey);
  EXPECT_THAT(migrated, ::testing::MatchesRegex("imp-att-v1k-[0-9a-f]{32}"));
  EXPECT_EQ(migrated.find(v1.substr(11)), std::string::npos);
  EXPECT_EQ(MigrateJournalId(migrated, kKey), migrated);  // once only
  const std::string v2 = DeriveRequestId(ImportKind::kAttendance, "x", kKey);
  EXPECT_EQ(MigrateJournalId(v2, kKey), v2);
}

class ImportKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/jitctl-key-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ImportKeyTest, CreatedPrivateOnFirstUseThenReused) {
  const std::string path = dir_ + "/state/jitctl/import.key";
  absl::StatusOr<std::string> first = LoadOrCreateImportKey(path);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 32u);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  absl::StatusOr<std::string> again = LoadOrCreateImportKey(path);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *first);
  // Another installation draws another key.
  absl::StatusOr<std::string> other = LoadOrCreateImportKey(dir_ + "/other.key");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(*other, *first);
}

TEST_F(ImportKeyTest, ReadableByOthersOrMalformedIsRefused) {
  const std::string path = dir_ + "/import.key";
  ASSERT_TRUE(LoadOrCreateImportKey(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  absl::StatusOr<std::string> open = LoadOrCreateImportKey(path);
  EXPECT_EQ(open.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(open.status().message()), HasSubstr(path));
  EXPECT_THAT(std::string(open.status().message()), HasSubstr("readable by others"));
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  { std::ofstream(path, std::ios::trunc) << "not-hex\n"; }
  absl::StatusOr<std::string> bad = LoadOrCreateImportKey(path);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("not 64 hex digits"));
}

}  // namespace
}  // namespace jit::jitctl
