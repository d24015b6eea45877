#include "services/training-progress/api/mapping.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jit::progress::api {
namespace {

TEST(MappingTest, DatesRoundTripAndImpossibleOnesAreViolations) {
  status::FieldViolations v;
  common::Date unset;
  EXPECT_FALSE(FromProtoDate(unset, "session_date", v).has_value());
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(FromProtoDate(ToProtoDate(absl::CivilDay(2024, 2, 29)),
                          "session_date", v),
            absl::CivilDay(2024, 2, 29));
  common::Date bad = ToProtoDate(absl::CivilDay(2025, 2, 28));
  bad.set_day(30);
  EXPECT_FALSE(FromProtoDate(bad, "session_date", v).has_value());
  bad = ToProtoDate(absl::CivilDay(1899, 12, 31));
  EXPECT_FALSE(FromProtoDate(bad, "assessed_on", v).has_value());
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "session_date");
  EXPECT_EQ(v.violations()[1].field, "assessed_on");
}

TEST(MappingTest, EnumsShareTheContractNumbering) {
  for (TrainingStatus s :
       {TrainingStatus::kEnrolled, TrainingStatus::kActive,
        TrainingStatus::kCompleted, TrainingStatus::kDroppedOut,
        TrainingStatus::kCertified, TrainingStatus::kWithdrawn}) {
    EXPECT_EQ(ev::TrainingState_Name(ToProto(s)),
              std::string("TRAINING_STATE_") + std::string(StatusName(s)));
  }
  for (ev::AttendanceMark m :
       {ev::ATTENDANCE_MARK_PRESENT, ev::ATTENDANCE_MARK_EXCUSED_ABSENCE,
        ev::ATTENDANCE_MARK_UNEXCUSED_ABSENCE}) {
    EXPECT_EQ(
        ev::AttendanceMark_Name(m),
        std::string("ATTENDANCE_MARK_") + std::string(MarkName(FromProto(m))));
  }
  EXPECT_EQ(ToProto(ExitKind::kCompleted), ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(ToProto(ExitKind::kDroppedOut), ev::EXIT_KIND_DROPPED_OUT);
  EXPECT_EQ(ToProto(ExitKind::kWithdrawn), ev::EXIT_KIND_WITHDRAWN);
}

TEST(MappingTest, PageTokensAreOpaqueAndChecked) {
  EXPECT_EQ(EncodePageToken(""), "");
  common::PageRequest page;
  page.set_page_size(20);
  page.set_page_token(EncodePageToken("trn_abc"));
  absl::StatusOr<PageQuery> q = FromProto(page);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limit, 20);
  EXPECT_EQ(q->after_key, "trn_abc");
  page.set_page_token("trn_abc");
  EXPECT_EQ(status::GetFieldViolations(FromProto(page).status())[0].field,
            "page.page_token");
  page.set_page_token("");
  page.set_page_size(-1);
  EXPECT_EQ(status::GetFieldViolations(FromProto(page).status())[0].field,
            "page.page_size");
}

TEST(MappingTest, ProgressShowsTheCertificateAndTheExitOnlyWhenThereIsOne) {
  TraineeProgress p;
  p.record.trainee_id = "trn_1";
  p.record.cohort_id = "coh_1";
  p.record.status = TrainingStatus::kActive;
  p.record.curriculum_version = 2;
  p.record.consecutive_unexcused = 1;
  p.modules = {ModuleResult{.module_id = "linux",
                            .required = true,
                            .best_score = 12.5,
                            .passed = true,
                            .attempts = 2}};
  p.required_passed_ratio = 0.5;
  p.attendance_rate = 0.8;
  pb::TraineeProgress out;
  ToProto(p, &out);
  EXPECT_EQ(out.state(), ev::TRAINING_STATE_ACTIVE);
  EXPECT_EQ(out.curriculum_version(), 2);
  EXPECT_EQ(out.consecutive_unexcused_absences(), 1);
  EXPECT_DOUBLE_EQ(out.required_passed_ratio(), 0.5);
  EXPECT_DOUBLE_EQ(out.attendance_rate(), 0.8);
  ASSERT_EQ(out.modules_size(), 1);
  EXPECT_EQ(out.modules(0).attempts(), 2);
  EXPECT_DOUBLE_EQ(out.modules(0).best_score(), 12.5);
  EXPECT_FALSE(out.has_certificate());
  EXPECT_FALSE(out.has_exit_date());

  p.record.status = TrainingStatus::kCertified;
  p.record.exit_date = absl::CivilDay(2026, 1, 15);
  p.record.certificate = Certificate{.certificate_id = "crt_1",
                                     .issued_on = absl::CivilDay(2026, 2, 1),
                                     .revoked = false,
                                     .revocation_reason = "",
                                     .revoked_on = std::nullopt,
                            .revocation_reason_code = ::jobintech::common::v1::REVOCATION_REASON_UNSPECIFIED};
  out.Clear();
  ToProto(p, &out);
  EXPECT_EQ(out.certificate().certificate_id(), "crt_1");
  EXPECT_EQ(out.certificate().issued_on().month(), 2);
  EXPECT_EQ(out.exit_date().day(), 15);
}

TEST(MappingTest, ModulesRoundTrip) {
  const Module m{.module_id = "linux",
                 .title = "Linux",
                 .order = 2,
                 .hours = 12.5,
                 .required = true,
                 .max_score = 20,
                 .pass_mark = 10};
  pb::Module out;
  ToProto(m, &out);
  EXPECT_EQ(FromProto(out), m);
}

}  // namespace
}  // namespace jit::progress::api
