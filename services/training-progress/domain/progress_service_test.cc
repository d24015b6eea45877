// Behaviour of the training-progress domain core, on the in-memory
// repository with a fake clock and a scripted enrollment client: hermetic,
// no sleeps.
#include "services/training-progress/domain/progress_service.h"

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/status/field_violations.h"
#include "services/training-progress/domain/events.h"
#include "services/training-progress/domain/testing/fake_enrollment_client.h"
#include "services/training-progress/domain/testing/in_memory_repository.h"

namespace jit::progress {
namespace {

namespace cmn = ::jobintech::common::v1;

namespace common = ::jobintech::common::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using S = TrainingStatus;
using K = EventKind;
using Mark = AttendanceMark;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kCohort[] = "coh_1";
constexpr char kTrack[] = "cybersecurity";

std::vector<std::string> ViolatedFields(const absl::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : status::GetFieldViolations(s)) fields.push_back(v.field);
  return fields;
}

MATCHER_P(StatusIs, code, "") { return arg.status().code() == code; }
MATCHER_P(CodeIs, code, "") { return arg.code() == code; }

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, 9, 0, 0),
                         absl::UTCTimeZone());
}

class ProgressServiceTest : public ::testing::Test {
 protected:
  ProgressServiceTest() {
    UseRules(ProgressRules{});
    for (const char* t : {"trn_a", "trn_b", "trn_c"}) Enrol(t, kCohort);
    Must(svc().PublishCurriculum(Ctx(), kTrack, Modules()));
  }

  void UseRules(ProgressRules rules) {
    service_ =
        std::make_unique<ProgressService>(&repo_, &enrollment_, &clock_, rules);
  }
  ProgressService& svc() { return *service_; }

  template <typename T>
  static T Must(absl::StatusOr<T> r) {
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : T{};
  }

  RequestContext Ctx() {
    return RequestContext{.request_id = absl::StrCat("req-", ++next_request_),
                          .traceparent = kTraceparent};
  }

  static Dimensions DimensionsFor(const std::string& cohort_id) {
    Dimensions d;
    d.gender = common::GENDER_FEMALE;
    d.age_band = common::AGE_BAND_21_24;
    d.education_level = common::EDUCATION_LEVEL_BAC_PLUS_2;
    d.residence_province_code = "MA-FQH";
    d.residence_region_code = "MA-05";
    d.training_province_code = "MA-BEM";
    d.training_region_code = "MA-05";
    d.track_id = kTrack;
    d.cohort_id = cohort_id;
    d.centre_id = "ctr_1";
    return d;
  }

  // Enrols the trainee in a cohort running 2025-11-03 .. 2026-04-30.
  void Enrol(const std::string& trainee, const std::string& cohort,
             EnrolmentStatus status = EnrolmentStatus::kEnrolled) {
    enrollment_.Set(
        TraineeEnrolment{.trainee_id = trainee,
                         .cohort_id = cohort,
                         .application_id = "app_" + trainee + "_" + cohort,
                         .status = status,
                         .dimensions = DimensionsFor(cohort),
                         .cohort_start_date = absl::CivilDay(2025, 11, 3),
                         .cohort_end_date = absl::CivilDay(2026, 4, 30),
                         .status_time = At(2025, 10, 20)});
  }

  // Two required modules (pass 60/100 and 10/20) and an optional one.
  static std::vector<Module> Modules() {
    return {Module{.module_id = "network-basics",
                   .title = "Network basics",
                   .order = 1,
                   .hours = 40,
                   .required = true,
                   .max_score = 100,
                   .pass_mark = 60},
            Module{.module_id = "linux",
                   .title = "Linux administration",
                   .order = 2,
                   .hours = 30,
                   .required = true,
                   .max_score = 20,
                   .pass_mark = 10},
            Module{.module_id = "soft-skills",
                   .title = "Soft skills",
                   .order = 3,
                   .hours = 10,
                   .required = false,
                   .max_score = 10,
                   .pass_mark = 5}};
  }

  absl::StatusOr<AttendanceOutcome> Attend(
      const std::vector<std::pair<std::string, Mark>>& marks,
      absl::CivilDay day, const std::string& module = "network-basics",
      const std::string& cohort = kCohort) {
    AttendanceInput in{.cohort_id = cohort,
                       .module_id = module,
                       .session_date = day,
                       .entries = {}};
    for (const auto& [trainee, mark] : marks) {
      in.entries.push_back({.trainee_id = trainee, .mark = mark});
    }
    return svc().RecordAttendance(Ctx(), in);
  }

  absl::StatusOr<AssessmentOutcome> Assess(
      const std::string& trainee, const std::string& module, double score,
      absl::CivilDay day = absl::CivilDay(2025, 12, 1),
      const std::string& cohort = kCohort) {
    return svc().RecordAssessment(Ctx(), AssessmentInput{.cohort_id = cohort,
                                                         .trainee_id = trainee,
                                                         .module_id = module,
                                                         .score = score,
                                                         .assessed_on = day});
  }

  // Passes both required modules (the last on 2026-01-15).
  void Complete(const std::string& trainee) {
    Must(Assess(trainee, "network-basics", 75, absl::CivilDay(2026, 1, 10)));
    Must(Assess(trainee, "linux", 15, absl::CivilDay(2026, 1, 15)));
  }

  TraineeProgress Progress(const std::string& trainee,
                           const std::string& cohort = kCohort) {
    return Must(svc().GetTraineeProgress(cohort, trainee));
  }

  std::vector<DomainEvent> EventsOf(const std::string& trainee) {
    std::vector<DomainEvent> out;
    for (const DomainEvent& e : repo_.published()) {
      if (e.trainee_id == trainee) out.push_back(e);
    }
    return out;
  }
  std::vector<K> KindsOf(const std::string& trainee) {
    std::vector<K> kinds;
    for (const DomainEvent& e : EventsOf(trainee)) kinds.push_back(e.kind);
    return kinds;
  }

  static absl::CivilDay D(int m, int d) {
    return absl::CivilDay(m >= 11 ? 2025 : 2026, m, d);
  }

  FakeClock clock_{At(2026, 4, 30)};
  testing::InMemoryProgressRepository repo_;
  testing::FakeEnrollmentClient enrollment_;
  std::unique_ptr<ProgressService> service_;
  int next_request_ = 0;
};

// ---------------------------------------------------------------- curricula

TEST_F(ProgressServiceTest, EnrollmentLookupsGetTheCallersTraceAndDeadline) {
  RequestContext ctx = Ctx();
  ctx.deadline = absl::FromUnixSeconds(1'900'000'000);
  Must(svc().RecordAttendance(
      ctx, AttendanceInput{
               .cohort_id = kCohort,
               .module_id = "network-basics",
               .session_date = D(11, 4),
               .entries = {{.trainee_id = "trn_a", .mark = Mark::kPresent}}}));
  EXPECT_EQ(enrollment_.last_peer().deadline, ctx.deadline);
  EXPECT_EQ(enrollment_.last_peer().traceparent, kTraceparent);

  Must(svc().GetTraineeExit(
      "trn_a", {}, {.traceparent = "", .deadline = absl::UnixEpoch()}));
  EXPECT_EQ(enrollment_.last_peer().deadline, absl::UnixEpoch());
}

TEST_F(ProgressServiceTest, CurriculumVersionsArePerTrack) {
  Curriculum v1 = Must(svc().GetCurriculum(kTrack, 0));
  EXPECT_EQ(v1.version, 1);
  EXPECT_EQ(v1.modules.size(), 3u);
  EXPECT_EQ(v1.publish_time, clock_.Now());
  Curriculum v2 = Must(svc().PublishCurriculum(Ctx(), kTrack, Modules()));
  EXPECT_EQ(v2.version, 2);
  Curriculum other =
      Must(svc().PublishCurriculum(Ctx(), "digital-marketing", Modules()));
  EXPECT_EQ(other.version, 1);
  EXPECT_EQ(Must(svc().GetCurriculum(kTrack, 0)).version, 2);
  EXPECT_EQ(Must(svc().GetCurriculum(kTrack, 1)), v1);
  EXPECT_THAT(svc().GetCurriculum(kTrack, 3),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(svc().GetCurriculum("digital-health", 0),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ViolatedFields(svc().GetCurriculum("Bad Track", 0).status()),
              ElementsAre("track_id"));
}

TEST_F(ProgressServiceTest, PublishCurriculumReportsEveryViolation) {
  std::vector<Module> modules = Modules();
  modules[1].order = 1;
  modules[2].pass_mark = 11;
  auto r = svc().PublishCurriculum(RequestContext{}, "Cyber", modules);
  EXPECT_THAT(ViolatedFields(r.status()),
              ElementsAre("request_id", "track_id", "modules[1].order",
                          "modules[2].pass_mark"));
  EXPECT_EQ(Must(svc().GetCurriculum(kTrack, 0)).version, 1);
}

TEST_F(ProgressServiceTest, CohortKeepsTheCurriculumItStartedWith) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  std::vector<Module> v2_modules = Modules();
  v2_modules.push_back(Module{.module_id = "cloud",
                              .title = "Cloud security",
                              .order = 4,
                              .hours = 20,
                              .required = true,
                              .max_score = 100,
                              .pass_mark = 50});
  Must(svc().PublishCurriculum(Ctx(), kTrack, v2_modules));

  // coh_1 started on version 1: the new module is unknown there, and a
  // trainee's first record in coh_1 after the new version still follows 1.
  auto r = Assess("trn_a", "cloud", 80);
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("module_id"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("version 1"));
  Must(Assess("trn_b", "linux", 12));
  EXPECT_EQ(Progress("trn_b").record.curriculum_version, 1);
  EXPECT_EQ(Progress("trn_b").modules.size(), 3u);
  // Completing version 1 completes the training, whatever version 2 adds.
  Complete("trn_a");
  EXPECT_EQ(Progress("trn_a").record.status, S::kCompleted);

  // A cohort starting now pins version 2.
  Enrol("trn_a", "coh_2");
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 5), "cloud", "coh_2"));
  TraineeProgress p = Progress("trn_a", "coh_2");
  EXPECT_EQ(p.record.curriculum_version, 2);
  EXPECT_EQ(p.modules.size(), 4u);
}

TEST_F(ProgressServiceTest, RecordsNeedAPublishedCurriculum) {
  Enrol("trn_x", "coh_9");
  TraineeEnrolment e;
  e.trainee_id = "trn_x";
  e.cohort_id = "coh_9";
  e.status = EnrolmentStatus::kEnrolled;
  e.dimensions = DimensionsFor("coh_9");
  e.dimensions.track_id = "digital-health";
  e.cohort_start_date = absl::CivilDay(2025, 11, 3);
  e.cohort_end_date = absl::CivilDay(2026, 4, 30);
  enrollment_.Set(e);
  auto r =
      Attend({{"trn_x", Mark::kPresent}}, D(11, 4), "network-basics", "coh_9");
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("digital-health"));
}

// ---------------------------------------------------------------- attendance

TEST_F(ProgressServiceTest, FirstPresenceStartsTheTraining) {
  AttendanceOutcome out = Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  ASSERT_EQ(out.progress.size(), 1u);
  const TraineeRecord& r = out.progress[0].record;
  EXPECT_EQ(r.status, S::kActive);
  EXPECT_EQ(r.start_date, D(11, 4));
  EXPECT_EQ(r.curriculum_version, 1);
  EXPECT_EQ(r.application_id, "app_trn_a_coh_1");
  EXPECT_EQ(out.progress[0].attendance_rate, 1.0);
  EXPECT_EQ(out.progress[0].modules.size(), 3u);

  const std::vector<DomainEvent> events = EventsOf("trn_a");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, K::kAttendanceRecorded);
  EXPECT_EQ(events[0].sequence, 1);
  EXPECT_EQ(events[0].mark, Mark::kPresent);
  EXPECT_EQ(events[0].session_date, D(11, 4));
  EXPECT_EQ(events[0].module_id, "network-basics");
  EXPECT_EQ(events[0].new_status, S::kActive);
  EXPECT_EQ(events[0].attendance_rate, 1.0);
  EXPECT_EQ(events[1].kind, K::kTrainingStarted);
  EXPECT_EQ(events[1].sequence, 2);
  EXPECT_EQ(events[1].previous_status, S::kEnrolled);
  EXPECT_EQ(events[1].new_status, S::kActive);
  EXPECT_EQ(events[1].effective_date, D(11, 4));
  for (const DomainEvent& e : events) {
    EXPECT_EQ(e.dimensions, DimensionsFor(kCohort));
    EXPECT_EQ(e.cohort_id, kCohort);
    EXPECT_EQ(e.traceparent, kTraceparent);
    EXPECT_EQ(e.occurred_at, clock_.Now());
  }
  // A second presence starts nothing.
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 5)));
  EXPECT_THAT(KindsOf("trn_a"),
              ElementsAre(K::kAttendanceRecorded, K::kTrainingStarted,
                          K::kAttendanceRecorded));
}

TEST_F(ProgressServiceTest, AnAbsenceDoesNotStartTheTraining) {
  Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 4)));
  Must(Attend({{"trn_a", Mark::kExcusedAbsence}}, D(11, 5)));
  TraineeProgress p = Progress("trn_a");
  EXPECT_EQ(p.record.status, S::kEnrolled);
  EXPECT_FALSE(p.record.start_date.has_value());
  EXPECT_EQ(p.attendance_rate, 0.0);
  EXPECT_THAT(KindsOf("trn_a"),
              ElementsAre(K::kAttendanceRecorded, K::kAttendanceRecorded));
}

TEST_F(ProgressServiceTest, AClassSessionIsRecordedInOneCall) {
  AttendanceOutcome out = Must(Attend({{"trn_c", Mark::kPresent},
                                       {"trn_a", Mark::kUnexcusedAbsence},
                                       {"trn_b", Mark::kExcusedAbsence}},
                                      D(11, 4)));
  ASSERT_EQ(out.progress.size(), 3u);
  EXPECT_EQ(out.progress[0].record.trainee_id, "trn_c");
  EXPECT_EQ(out.progress[1].record.trainee_id, "trn_a");
  EXPECT_EQ(out.progress[2].record.trainee_id, "trn_b");
  EXPECT_EQ(out.progress[0].record.status, S::kActive);
  EXPECT_EQ(out.progress[1].record.sessions_unexcused, 1);
  EXPECT_EQ(out.progress[2].record.sessions_excused, 1);
  EXPECT_EQ(repo_.commit_count(), 2);  // the curriculum, then the class
}

TEST_F(ProgressServiceTest, AttendanceRateExcludesExcusedAbsences) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 5)));
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 6)));
  Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 7)));
  AttendanceOutcome out =
      Must(Attend({{"trn_a", Mark::kExcusedAbsence}}, D(11, 10)));
  EXPECT_DOUBLE_EQ(out.progress[0].attendance_rate, 0.75);
  EXPECT_DOUBLE_EQ(EventsOf("trn_a").back().attendance_rate, 0.75);
}

TEST_F(ProgressServiceTest, SessionDateOutsideTheCohortIsInvalid) {
  clock_.Set(At(2026, 6, 1));  // after the cohort: no day below is future
  const int64_t commits = repo_.commit_count();
  for (absl::CivilDay day :
       {absl::CivilDay(2025, 11, 2), absl::CivilDay(2026, 5, 1)}) {
    auto r = Attend({{"trn_a", Mark::kPresent}}, day);
    EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("session_date"));
    EXPECT_THAT(std::string(r.status().message()),
                HasSubstr("2025-11-03 to 2026-04-30"));
  }
  // The first and last days are within.
  Must(Attend({{"trn_a", Mark::kPresent}}, absl::CivilDay(2025, 11, 3)));
  Must(Attend({{"trn_a", Mark::kPresent}}, absl::CivilDay(2026, 4, 30)));
  EXPECT_EQ(repo_.commit_count(), commits + 2);
}

// Every RPC that takes a day refuses one after the clock's day, even within
// the cohort's dates: records say what happened, never what is planned.
TEST_F(ProgressServiceTest, FutureDaysAreRefusedByEveryRecordThatTakesOne) {
  clock_.Set(At(2025, 12, 1));
  const absl::CivilDay tomorrow(2025, 12, 2);
  const int64_t commits = repo_.commit_count();
  const size_t events = repo_.published().size();

  auto attended = Attend({{"trn_a", Mark::kPresent}}, tomorrow);
  EXPECT_THAT(attended, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(attended.status()), ElementsAre("session_date"));
  EXPECT_THAT(std::string(attended.status().message()),
              HasSubstr("must not be in the future (today is 2025-12-01)"));

  auto assessed = Assess("trn_a", "linux", 12, absl::CivilDay(2026, 1, 15));
  EXPECT_THAT(assessed, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(assessed.status()), ElementsAre("assessed_on"));

  DropOutInput drop{.cohort_id = kCohort,
                    .trainee_id = "trn_a",
                    .reason_code = cmn::DROP_OUT_REASON_OTHER,
                    .reason = "moved away",
                    .exit_date = absl::CivilDay(2025, 12, 7)};
  auto dropped = svc().RecordDropOut(Ctx(), drop);
  EXPECT_THAT(dropped, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ViolatedFields(dropped.status()), ElementsAre("exit_date"));

  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_EQ(repo_.published().size(), events);
  EXPECT_THAT(svc().GetTraineeProgress(kCohort, "trn_a"),
              StatusIs(absl::StatusCode::kNotFound));  // nothing recorded

  // Today is not the future.
  Must(Attend({{"trn_a", Mark::kPresent}}, absl::CivilDay(2025, 12, 1)));
  Must(Assess("trn_a", "linux", 12, absl::CivilDay(2025, 12, 1)));
  drop.exit_date = absl::CivilDay(2025, 12, 1);
  EXPECT_EQ(Must(svc().RecordDropOut(Ctx(), drop)).progress.record.status,
            S::kDroppedOut);
}

TEST_F(ProgressServiceTest, AttendanceRequestViolationsAreReportedTogether) {
  AttendanceInput in{
      .cohort_id = "",
      .module_id = "Network",
      .session_date = std::nullopt,
      .entries = {{.trainee_id = "trn_a", .mark = Mark::kPresent},
                  {.trainee_id = "trn_a", .mark = Mark::kPresent},
                  {.trainee_id = "", .mark = static_cast<Mark>(0)}}};
  auto r = svc().RecordAttendance(Ctx(), in);
  EXPECT_THAT(ViolatedFields(r.status()),
              ElementsAre("cohort_id", "module_id", "session_date",
                          "entries[1].trainee_id", "entries[2].trainee_id",
                          "entries[2].mark"));
  in = AttendanceInput{.cohort_id = kCohort,
                       .module_id = "linux",
                       .session_date = D(11, 4),
                       .entries = {}};
  EXPECT_THAT(ViolatedFields(svc().RecordAttendance(Ctx(), in).status()),
              ElementsAre("entries"));
  EXPECT_EQ(enrollment_.lookups(), 0);
}

TEST_F(ProgressServiceTest, UnknownModuleIsInvalidAndWritesNothing) {
  const int64_t commits = repo_.commit_count();
  auto r = Attend({{"trn_a", Mark::kPresent}}, D(11, 4), "cloud");
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("module_id"));
  EXPECT_EQ(repo_.commit_count(), commits);
  // Not even the cohort's curriculum pin: a later version would still be
  // taken by the cohort's first real record.
  Must(svc().PublishCurriculum(Ctx(), kTrack, Modules()));
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  EXPECT_EQ(Progress("trn_a").record.curriculum_version, 2);
}

TEST_F(ProgressServiceTest, ASessionIsRecordedOncePerTraineeAllOrNothing) {
  Must(Attend({{"trn_b", Mark::kPresent}}, D(11, 4)));
  const int64_t commits = repo_.commit_count();
  auto r =
      Attend({{"trn_a", Mark::kPresent}, {"trn_b", Mark::kUnexcusedAbsence}},
             D(11, 4));
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("trn_b"));
  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_THAT(svc().GetTraineeProgress(kCohort, "trn_a"),
              StatusIs(absl::StatusCode::kNotFound));
  // Another module the same day is another session.
  Must(Attend({{"trn_b", Mark::kPresent}}, D(11, 4), "linux"));
}

// ---------------------------------------------------------------- at risk

TEST_F(ProgressServiceTest, ThreeConsecutiveUnexcusedAbsencesFlagAtRisk) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 3)));
  Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 4)));
  Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 5)));
  // An excused absence neither counts nor resets.
  AttendanceOutcome out =
      Must(Attend({{"trn_a", Mark::kExcusedAbsence}}, D(11, 6)));
  EXPECT_FALSE(out.progress[0].record.at_risk);
  EXPECT_EQ(out.progress[0].record.consecutive_unexcused, 2);
  out = Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 7)));
  EXPECT_TRUE(out.progress[0].record.at_risk);
  EXPECT_EQ(out.progress[0].record.consecutive_unexcused, 3);
  EXPECT_EQ(out.progress[0].record.status, S::kActive);  // flagged, not dropped

  std::vector<DomainEvent> events = EventsOf("trn_a");
  ASSERT_EQ(events.back().kind, K::kTraineeAtRisk);
  EXPECT_EQ(events.back().consecutive_unexcused, 3);
  EXPECT_EQ(events.back().threshold, 3);
  EXPECT_EQ(events.back().new_status, S::kActive);
  EXPECT_EQ(events[events.size() - 2].kind, K::kAttendanceRecorded);

  // A fourth absence keeps the flag without a second at-risk event.
  Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 10)));
  EXPECT_EQ(EventsOf("trn_a").back().kind, K::kAttendanceRecorded);
  EXPECT_TRUE(Progress("trn_a").record.at_risk);
  // A presence resets the streak and clears the flag.
  out = Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 11)));
  EXPECT_FALSE(out.progress[0].record.at_risk);
  EXPECT_EQ(out.progress[0].record.consecutive_unexcused, 0);
  // ... and a new streak flags again.
  for (int d : {12, 13, 14})
    Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, d)));
  int at_risk_events = 0;
  for (K k : KindsOf("trn_a")) at_risk_events += k == K::kTraineeAtRisk ? 1 : 0;
  EXPECT_EQ(at_risk_events, 2);
}

TEST_F(ProgressServiceTest, AtRiskThresholdIsConfigurable) {
  UseRules(ProgressRules{.at_risk_absences = 2,
                         .max_attendance_entries = 500,
                         .default_page_size = 50,
                         .max_page_size = 500});
  Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 4)));
  AttendanceOutcome out =
      Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 5)));
  EXPECT_TRUE(out.progress[0].record.at_risk);
  EXPECT_EQ(EventsOf("trn_a").back().threshold, 2);
  // A trainee who never came is flagged too (ENROLLED, in training).
  EXPECT_EQ(out.progress[0].record.status, S::kEnrolled);
}

TEST_F(ProgressServiceTest, ALateRecordCountsInSessionDateOrder) {
  for (int d : {4, 6, 7})
    Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, d)));
  EXPECT_TRUE(Progress("trn_a").record.at_risk);
  // The forgotten presence of the 5th breaks the streak: only the 6th and
  // 7th are consecutive now.
  AttendanceOutcome out = Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 5)));
  EXPECT_EQ(out.progress[0].record.consecutive_unexcused, 2);
  EXPECT_FALSE(out.progress[0].record.at_risk);
  // A late absence before the presence does not extend the current streak.
  out = Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}}, D(11, 3)));
  EXPECT_EQ(out.progress[0].record.consecutive_unexcused, 2);
  EXPECT_EQ(out.progress[0].record.start_date, D(11, 5));
}

// ---------------------------------------------------------------- assessments

TEST_F(ProgressServiceTest, ScoreAboveTheMaximumIsInvalid) {
  const int64_t commits = repo_.commit_count();
  auto r = Assess("trn_a", "linux", 21);
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("score"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("(20)"));
  EXPECT_THAT(ViolatedFields(Assess("trn_a", "linux", -1).status()),
              ElementsAre("score"));
  EXPECT_THAT(ViolatedFields(Assess("trn_a", "cloud", 1).status()),
              ElementsAre("module_id"));
  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_TRUE(Assess("trn_a", "linux", 20).ok());
}

TEST_F(ProgressServiceTest, AssessmentDayOutsideTheCohortIsInvalid) {
  auto r = Assess("trn_a", "linux", 12, absl::CivilDay(2026, 5, 2));
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("assessed_on"));
  // Without a day, the clock's day is used (2026-04-30, within).
  AssessmentOutcome out = Must(svc().RecordAssessment(
      Ctx(), AssessmentInput{.cohort_id = kCohort,
                             .trainee_id = "trn_a",
                             .module_id = "linux",
                             .score = 12,
                             .assessed_on = std::nullopt}));
  EXPECT_EQ(EventsOf("trn_a").back().assessed_on, absl::CivilDay(2026, 4, 30));
  EXPECT_TRUE(out.passed);
}

TEST_F(ProgressServiceTest, RetakesAreNumberedAndTheBestCounts) {
  AssessmentOutcome first = Must(Assess("trn_a", "network-basics", 40));
  EXPECT_FALSE(first.passed);
  EXPECT_EQ(first.attempt, 1);
  AssessmentOutcome second = Must(Assess("trn_a", "network-basics", 70));
  EXPECT_TRUE(second.passed);
  EXPECT_EQ(second.attempt, 2);
  AssessmentOutcome third = Must(Assess("trn_a", "network-basics", 50));
  EXPECT_FALSE(third.passed);
  EXPECT_EQ(third.attempt, 3);
  const ModuleResult& r = third.progress.modules[0];
  EXPECT_EQ(r.module_id, "network-basics");
  EXPECT_EQ(r.best_score, 70);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_DOUBLE_EQ(third.progress.required_passed_ratio, 0.5);
  EXPECT_EQ(third.progress.modules[1].attempts, 0);

  EXPECT_THAT(KindsOf("trn_a"), ElementsAre(K::kModuleFailed, K::kModulePassed,
                                            K::kModuleFailed));
  const DomainEvent& e = EventsOf("trn_a")[1];
  EXPECT_EQ(e.score, 70);
  EXPECT_EQ(e.max_score, 100);
  EXPECT_EQ(e.pass_mark, 60);
  EXPECT_TRUE(e.required);
  EXPECT_EQ(e.attempt, 2);
  EXPECT_DOUBLE_EQ(e.required_passed_ratio, 0.5);
  EXPECT_EQ(e.new_status, S::kEnrolled);
}

TEST_F(ProgressServiceTest, PassingEveryRequiredModuleCompletesTheTraining) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  Must(Assess("trn_a", "network-basics", 60, absl::CivilDay(2026, 1, 10)));
  EXPECT_EQ(Progress("trn_a").record.status, S::kActive);
  AssessmentOutcome out =
      Must(Assess("trn_a", "linux", 10, absl::CivilDay(2026, 1, 15)));
  const TraineeRecord& r = out.progress.record;
  EXPECT_EQ(r.status, S::kCompleted);  // the optional module is not needed
  EXPECT_EQ(r.completion_date, absl::CivilDay(2026, 1, 15));
  EXPECT_EQ(r.exit_date, absl::CivilDay(2026, 1, 15));
  EXPECT_DOUBLE_EQ(out.progress.required_passed_ratio, 1.0);

  const std::vector<DomainEvent> events = EventsOf("trn_a");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[3].kind, K::kModulePassed);
  EXPECT_EQ(events[3].new_status, S::kCompleted);
  EXPECT_EQ(events[4].kind, K::kTrainingCompleted);
  EXPECT_EQ(events[4].previous_status, S::kActive);
  EXPECT_EQ(events[4].new_status, S::kCompleted);
  EXPECT_EQ(events[4].effective_date, absl::CivilDay(2026, 1, 15));
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence, static_cast<int64_t>(i + 1));
  }
}

TEST_F(ProgressServiceTest,
       CompletionWithoutAnyPresenceGoesStraightFromEnrolled) {
  Complete("trn_a");
  EXPECT_THAT(KindsOf("trn_a"), ElementsAre(K::kModulePassed, K::kModulePassed,
                                            K::kTrainingCompleted));
  EXPECT_EQ(EventsOf("trn_a").back().previous_status, S::kEnrolled);
}

TEST_F(ProgressServiceTest, ACompletedTraineeStillTakesRecordsWithoutChange) {
  Complete("trn_a");
  Must(Assess("trn_a", "soft-skills", 8, absl::CivilDay(2026, 2, 1)));
  Must(Assess("trn_a", "linux", 19, absl::CivilDay(2026, 2, 1)));  // a retake
  for (int d : {2, 3, 4}) {
    Must(Attend({{"trn_a", Mark::kUnexcusedAbsence}},
                absl::CivilDay(2026, 2, d)));
  }
  TraineeProgress p = Progress("trn_a");
  EXPECT_EQ(p.record.status, S::kCompleted);
  EXPECT_EQ(p.record.completion_date, absl::CivilDay(2026, 1, 15));
  EXPECT_FALSE(p.record.at_risk);  // at risk only while in training
  EXPECT_EQ(p.modules[1].best_score, 19);
  int completed = 0;
  for (K k : KindsOf("trn_a")) completed += k == K::kTrainingCompleted ? 1 : 0;
  EXPECT_EQ(completed, 1);
  for (K k : KindsOf("trn_a")) EXPECT_NE(k, K::kTraineeAtRisk);
}

// ---------------------------------------------------------------- drop-out

TEST_F(ProgressServiceTest, DropOutEndsTheTrainingWithAReason) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  DropOutOutcome out =
      Must(svc().RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                                   .trainee_id = "trn_a",
                                                   .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                                   .reason = " moved abroad ",
                                                   .exit_date = D(12, 1)}));
  EXPECT_EQ(out.progress.record.status, S::kDroppedOut);
  EXPECT_EQ(out.progress.record.exit_date, D(12, 1));
  EXPECT_EQ(out.progress.record.exit_reason, "moved abroad");
  EXPECT_EQ(out.progress.record.exit_reason_code, cmn::DROP_OUT_REASON_OTHER);
  const DomainEvent e = EventsOf("trn_a").back();
  EXPECT_EQ(e.kind, K::kDroppedOut);
  EXPECT_EQ(e.previous_status, S::kActive);
  EXPECT_EQ(e.new_status, S::kDroppedOut);
  // The event carries the code; the note stays in the store.
  EXPECT_EQ(e.drop_out_reason, cmn::DROP_OUT_REASON_OTHER);
  EXPECT_EQ(e.effective_date, D(12, 1));

  // Nothing more is recorded.
  EXPECT_THAT(Attend({{"trn_a", Mark::kPresent}}, D(12, 2)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(Assess("trn_a", "linux", 15),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  auto again = svc().RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                                       .trainee_id = "trn_a",
                                                       .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                                       .reason = "again",
                                                       .exit_date = D(12, 3)});
  EXPECT_THAT(again, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("DROPPED_OUT"));
  EXPECT_THAT(svc().IssueCertificate(Ctx(), kCohort, "trn_a"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(ProgressServiceTest, DropOutNeedsAReasonCodeAndADayWithinTheCohort) {
  DropOutInput in{.cohort_id = kCohort,
                  .trainee_id = "trn_a",
                  .reason_code = cmn::DROP_OUT_REASON_UNSPECIFIED,
                  .reason = "  ",
                  .exit_date = D(12, 1)};
  EXPECT_THAT(ViolatedFields(svc().RecordDropOut(Ctx(), in).status()),
              ElementsAre("reason_code"));
  in.reason_code = static_cast<cmn::DropOutReason>(999);
  EXPECT_THAT(ViolatedFields(svc().RecordDropOut(Ctx(), in).status()),
              ElementsAre("reason_code"));
  // The note is optional but bounded.
  in.reason_code = cmn::DROP_OUT_REASON_UNREACHABLE;
  in.reason = std::string(501, 'x');
  EXPECT_THAT(ViolatedFields(svc().RecordDropOut(Ctx(), in).status()),
              ElementsAre("reason"));
  in.reason = "no show";
  in.exit_date = absl::CivilDay(2026, 6, 1);
  EXPECT_THAT(ViolatedFields(svc().RecordDropOut(Ctx(), in).status()),
              ElementsAre("exit_date"));
  // A trainee who never came may drop out; the day defaults to the clock's.
  in.exit_date.reset();
  DropOutOutcome out = Must(svc().RecordDropOut(Ctx(), in));
  EXPECT_EQ(out.progress.record.exit_date, absl::CivilDay(2026, 4, 30));
  EXPECT_EQ(EventsOf("trn_a").back().previous_status, S::kEnrolled);
}

TEST_F(ProgressServiceTest, ACompletedTraineeCannotDropOut) {
  Complete("trn_a");
  auto r = svc().RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                                   .trainee_id = "trn_a",
                                                   .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                                   .reason = "late",
                                                   .exit_date = D(2, 1)});
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("COMPLETED -> DROPPED_OUT is not a legal transition"));
}

// ---------------------------------------------------------------- certificates

TEST_F(ProgressServiceTest, CertificationBeforeCompletionIsFailedPrecondition) {
  auto none = svc().IssueCertificate(Ctx(), kCohort, "trn_a");
  EXPECT_THAT(none, StatusIs(absl::StatusCode::kFailedPrecondition));
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  auto active = svc().IssueCertificate(Ctx(), kCohort, "trn_a");
  EXPECT_THAT(active, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(active.status().message()),
              HasSubstr("ACTIVE -> CERTIFIED is not a legal transition"));
  EXPECT_EQ(Progress("trn_a").record.status, S::kActive);
}

TEST_F(ProgressServiceTest, ACompletedTraineeIsCertifiedOnce) {
  Complete("trn_a");
  clock_.Set(At(2026, 2, 20));
  CertificateOutcome out =
      Must(svc().IssueCertificate(Ctx(), kCohort, "trn_a"));
  EXPECT_THAT(out.certificate.certificate_id, StartsWith("crt_"));
  EXPECT_EQ(out.certificate.issued_on, absl::CivilDay(2026, 2, 20));
  EXPECT_FALSE(out.certificate.revoked);
  EXPECT_EQ(out.progress.record.status, S::kCertified);
  EXPECT_EQ(out.progress.record.certificate, out.certificate);
  // Certified is still an exit by completion.
  EXPECT_EQ(out.progress.record.exit_date, absl::CivilDay(2026, 1, 15));

  const DomainEvent e = EventsOf("trn_a").back();
  EXPECT_EQ(e.kind, K::kCertificateIssued);
  EXPECT_EQ(e.previous_status, S::kCompleted);
  EXPECT_EQ(e.new_status, S::kCertified);
  EXPECT_EQ(e.certificate_id, out.certificate.certificate_id);
  EXPECT_EQ(e.effective_date, absl::CivilDay(2026, 2, 20));
  EXPECT_EQ(e.completion_date, absl::CivilDay(2026, 1, 15));

  auto twice = svc().IssueCertificate(Ctx(), kCohort, "trn_a");
  EXPECT_THAT(twice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(twice.status().message()),
              HasSubstr(out.certificate.certificate_id));
}

TEST_F(ProgressServiceTest, RevocationKeepsTheCertificateWithItsReason) {
  Complete("trn_a");
  clock_.Set(At(2026, 2, 20));
  const Certificate issued =
      Must(svc().IssueCertificate(Ctx(), kCohort, "trn_a")).certificate;
  clock_.Set(At(2026, 3, 2));
  CertificateOutcome out = Must(
      svc().RevokeCertificate(Ctx(), kCohort, "trn_a", cmn::REVOCATION_REASON_FRAUD,
                              "fraud in the exam"));
  EXPECT_EQ(out.certificate.certificate_id, issued.certificate_id);
  EXPECT_TRUE(out.certificate.revoked);
  EXPECT_EQ(out.certificate.revocation_reason, "fraud in the exam");
  EXPECT_EQ(out.certificate.revocation_reason_code, cmn::REVOCATION_REASON_FRAUD);
  EXPECT_EQ(out.certificate.revoked_on, absl::CivilDay(2026, 3, 2));
  EXPECT_EQ(out.progress.record.status, S::kCompleted);

  const DomainEvent e = EventsOf("trn_a").back();
  EXPECT_EQ(e.kind, K::kCertificateRevoked);
  EXPECT_EQ(e.previous_status, S::kCertified);
  EXPECT_EQ(e.new_status, S::kCompleted);
  EXPECT_EQ(e.certificate_id, issued.certificate_id);
  EXPECT_EQ(e.revocation_reason, cmn::REVOCATION_REASON_FRAUD);

  EXPECT_THAT(svc().RevokeCertificate(Ctx(), kCohort, "trn_a", cmn::REVOCATION_REASON_OTHER, "again"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  // A new certificate may be issued after a revocation.
  CertificateOutcome reissued =
      Must(svc().IssueCertificate(Ctx(), kCohort, "trn_a"));
  EXPECT_NE(reissued.certificate.certificate_id, issued.certificate_id);
}

TEST_F(ProgressServiceTest, RevocationNeedsARecordAndAReason) {
  EXPECT_THAT(svc().RevokeCertificate(Ctx(), kCohort, "trn_a", cmn::REVOCATION_REASON_OTHER, "x"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(ViolatedFields(svc()
                                 .RevokeCertificate(
                                     Ctx(), kCohort, "trn_a",
                                     cmn::REVOCATION_REASON_UNSPECIFIED, "")
                                 .status()),
              ElementsAre("reason_code"));
  Complete("trn_a");
  EXPECT_THAT(svc().RevokeCertificate(Ctx(), kCohort, "trn_a", cmn::REVOCATION_REASON_OTHER, "x"),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(ProgressServiceTest, RevocationDoesNotNeedTheEnrollmentService) {
  Complete("trn_a");
  Must(svc().IssueCertificate(Ctx(), kCohort, "trn_a"));
  enrollment_.SetDown(true);
  EXPECT_TRUE(
      svc().RevokeCertificate(Ctx(), kCohort, "trn_a", cmn::REVOCATION_REASON_OTHER, "typo in name").ok());
}

// ---------------------------------------------------------------- enrollment

TEST_F(ProgressServiceTest, NothingIsRecordedForATraineeWhoIsNotEnrolled) {
  Enrol("trn_admitted", kCohort, EnrolmentStatus::kAdmitted);
  const int64_t commits = repo_.commit_count();
  auto admitted = Attend({{"trn_admitted", Mark::kPresent}}, D(11, 4));
  EXPECT_THAT(admitted, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(admitted.status().message()), HasSubstr("ADMITTED"));
  auto unknown = Assess("trn_nobody", "linux", 12);
  EXPECT_THAT(unknown, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("trn_nobody"));
  // Enrolled, but in another cohort.
  EXPECT_THAT(Assess("trn_a", "linux", 12, D(12, 1), "coh_other"),
              StatusIs(absl::StatusCode::kNotFound));
  // One trainee of a class who is not enrolled refuses the whole class.
  EXPECT_THAT(
      Attend({{"trn_a", Mark::kPresent}, {"trn_nobody", Mark::kPresent}},
             D(11, 4)),
      StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_THAT(repo_.published(), IsEmpty());
}

TEST_F(ProgressServiceTest, AWithdrawalIsRecordedAndStopsFurtherRecords) {
  Must(
      Attend({{"trn_a", Mark::kPresent}, {"trn_b", Mark::kPresent}}, D(11, 4)));
  enrollment_.SetStatus("trn_a", kCohort, EnrolmentStatus::kWithdrawn,
                        At(2025, 11, 20));
  auto r =
      Attend({{"trn_b", Mark::kPresent}, {"trn_a", Mark::kPresent}}, D(11, 21));
  EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("withdrawn"));
  // trn_b's entry was not recorded either (all or nothing)...
  EXPECT_EQ(Progress("trn_b").record.sessions_present, 1);
  // ... but the withdrawal learned from the enrollment service was.
  TraineeProgress p = Progress("trn_a");
  EXPECT_EQ(p.record.status, S::kWithdrawn);
  EXPECT_EQ(p.record.exit_date, D(11, 20));
  const DomainEvent e = EventsOf("trn_a").back();
  EXPECT_EQ(e.kind, K::kTrainingWithdrawn);
  EXPECT_EQ(e.previous_status, S::kActive);
  EXPECT_EQ(e.new_status, S::kWithdrawn);
  EXPECT_EQ(e.effective_date, D(11, 20));

  // Every later record is refused, and the withdrawal is not recorded twice.
  EXPECT_THAT(Assess("trn_a", "linux", 12),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(svc().RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                                      .trainee_id = "trn_a",
                                                      .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                                      .reason = "x",
                                                      .exit_date = D(12, 1)}),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  int withdrawn = 0;
  for (K k : KindsOf("trn_a")) withdrawn += k == K::kTrainingWithdrawn ? 1 : 0;
  EXPECT_EQ(withdrawn, 1);

  TraineeExit exit = Must(svc().GetTraineeExit("trn_a"));
  EXPECT_TRUE(exit.exited);
  EXPECT_EQ(exit.kind, ExitKind::kWithdrawn);
  EXPECT_EQ(exit.exit_date, D(11, 20));
}

TEST_F(ProgressServiceTest, AWithdrawnTraineeWithoutRecordsGetsNone) {
  Enrol("trn_w", kCohort, EnrolmentStatus::kWithdrawn);
  const int64_t mutations = repo_.mutation_count();
  EXPECT_THAT(Attend({{"trn_w", Mark::kPresent}}, D(11, 4)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(repo_.mutation_count(), mutations);
  EXPECT_THAT(svc().GetTraineeExit("trn_w"),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(ProgressServiceTest,
       EnrollmentServiceDownFailsUnavailableAndWritesNothing) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  enrollment_.SetDown(true);
  const int64_t commits = repo_.commit_count();
  const size_t events = repo_.published().size();
  std::vector<absl::Status> results = {
      Attend({{"trn_a", Mark::kPresent}}, D(11, 5)).status(),
      Assess("trn_a", "linux", 12).status(),
      svc()
          .RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                             .trainee_id = "trn_a",
                                             .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                             .reason = "x",
                                             .exit_date = D(12, 1)})
          .status(),
      svc().IssueCertificate(Ctx(), kCohort, "trn_a").status(),
      svc().GetTraineeExit("trn_a").status(),
  };
  for (const absl::Status& s : results) {
    EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
    EXPECT_THAT(std::string(s.message()),
                StartsWith("enrollment service unavailable: "));
  }
  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_EQ(repo_.published().size(), events);
  // Reads of what is recorded still work.
  EXPECT_EQ(Progress("trn_a").record.sessions_present, 1);
}

// ---------------------------------------------------------------- idempotency

TEST_F(ProgressServiceTest,
       ARepeatedRequestReturnsTheFirstAnswerAndWritesNothing) {
  const RequestContext ctx = Ctx();
  const AssessmentInput in{.cohort_id = kCohort,
                           .trainee_id = "trn_a",
                           .module_id = "linux",
                           .score = 15,
                           .assessed_on = D(12, 1)};
  AssessmentOutcome first = Must(svc().RecordAssessment(ctx, in));
  const int64_t commits = repo_.commit_count();
  const size_t events = repo_.published().size();
  const int lookups = enrollment_.lookups();
  clock_.Advance(absl::Hours(1));
  // Even with the enrollment service down: the answer is stored here.
  enrollment_.SetDown(true);
  AssessmentOutcome again = Must(svc().RecordAssessment(ctx, in));
  EXPECT_EQ(again, first);
  EXPECT_EQ(again.attempt, 1);
  EXPECT_EQ(repo_.commit_count(), commits);
  EXPECT_EQ(repo_.published().size(), events);
  EXPECT_EQ(enrollment_.lookups(), lookups);
  enrollment_.SetDown(false);
  EXPECT_EQ(Progress("trn_a").modules[1].attempts, 1);

  const RequestContext class_ctx = Ctx();
  AttendanceInput session{
      .cohort_id = kCohort,
      .module_id = "linux",
      .session_date = D(11, 4),
      .entries = {{.trainee_id = "trn_a", .mark = Mark::kPresent},
                  {.trainee_id = "trn_b", .mark = Mark::kPresent}}};
  AttendanceOutcome recorded = Must(svc().RecordAttendance(class_ctx, session));
  EXPECT_EQ(Must(svc().RecordAttendance(class_ctx, session)), recorded);
  EXPECT_EQ(Progress("trn_b").record.sessions_present, 1);
}

TEST_F(ProgressServiceTest, ARequestIdReusedForAnotherOperationIsInvalid) {
  const RequestContext ctx = Ctx();
  Must(Assess("trn_a", "linux", 15));
  Complete("trn_b");
  Must(svc().IssueCertificate(ctx, kCohort, "trn_b"));
  auto r = svc().RecordDropOut(ctx, DropOutInput{.cohort_id = kCohort,
                                                 .trainee_id = "trn_a",
                                                 .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                                 .reason = "x",
                                                 .exit_date = D(12, 1)});
  EXPECT_THAT(ViolatedFields(r.status()), ElementsAre("request_id"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("IssueCertificate"));
  auto revoke = svc().RevokeCertificate(ctx, kCohort, "trn_b", cmn::REVOCATION_REASON_OTHER, "x");
  EXPECT_THAT(ViolatedFields(revoke.status()), ElementsAre("request_id"));
}

TEST_F(ProgressServiceTest, AFailedRequestStoresNothingSoItsIdCanBeRetried) {
  const RequestContext ctx = Ctx();
  const AssessmentInput in{.cohort_id = kCohort,
                           .trainee_id = "trn_a",
                           .module_id = "linux",
                           .score = 15,
                           .assessed_on = D(12, 1)};
  enrollment_.SetDown(true);
  EXPECT_THAT(svc().RecordAssessment(ctx, in),
              StatusIs(absl::StatusCode::kUnavailable));
  enrollment_.SetDown(false);
  repo_.FailNextCommit(absl::UnavailableError("database is busy"));
  EXPECT_THAT(svc().RecordAssessment(ctx, in),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(EventsOf("trn_a"), IsEmpty());
  EXPECT_THAT(svc().GetTraineeProgress(kCohort, "trn_a"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Must(svc().RecordAssessment(ctx, in)).attempt, 1);
  EXPECT_EQ(EventsOf("trn_a").size(), 1u);
}

// ---------------------------------------------------------------- events

TEST_F(ProgressServiceTest, SequencesArePerTraineeAcrossCohorts) {
  Must(
      Attend({{"trn_a", Mark::kPresent}, {"trn_b", Mark::kPresent}}, D(11, 4)));
  Must(svc().RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                               .trainee_id = "trn_a",
                                               .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                               .reason = "changed track",
                                               .exit_date = D(11, 5)}));
  Enrol("trn_a", "coh_2");
  Must(
      Attend({{"trn_a", Mark::kPresent}}, D(11, 6), "network-basics", "coh_2"));
  std::vector<int64_t> sequences;
  for (const DomainEvent& e : EventsOf("trn_a"))
    sequences.push_back(e.sequence);
  EXPECT_THAT(sequences, ElementsAre(1, 2, 3, 4, 5));
  EXPECT_EQ(EventsOf("trn_a").back().cohort_id, "coh_2");
  EXPECT_EQ(EventsOf("trn_a").back().dimensions.cohort_id, "coh_2");
  std::vector<int64_t> b;
  for (const DomainEvent& e : EventsOf("trn_b")) b.push_back(e.sequence);
  EXPECT_THAT(b, ElementsAre(1, 2));
  // The exit is the latest cohort's.
  TraineeExit exit = Must(svc().GetTraineeExit("trn_a"));
  EXPECT_EQ(exit.cohort_id, "coh_2");
  EXPECT_FALSE(exit.exited);
}

TEST_F(ProgressServiceTest, EventsCarryTheLatestLookedUpDimensions) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  TraineeEnrolment moved;
  moved.trainee_id = "trn_a";
  moved.cohort_id = kCohort;
  moved.application_id = "app_trn_a_coh_1";
  moved.status = EnrolmentStatus::kEnrolled;
  moved.dimensions = DimensionsFor(kCohort);
  moved.dimensions.residence_province_code = "MA-CAS";
  moved.dimensions.residence_region_code = "MA-06";
  moved.cohort_start_date = absl::CivilDay(2025, 11, 3);
  moved.cohort_end_date = absl::CivilDay(2026, 4, 30);
  enrollment_.Set(moved);
  Must(Assess("trn_a", "linux", 12));
  EXPECT_EQ(EventsOf("trn_a").back().dimensions.residence_region_code, "MA-06");
  EXPECT_EQ(Progress("trn_a").record.dimensions.residence_region_code, "MA-06");
}

TEST_F(ProgressServiceTest, ConcurrentCallsKeepSequencesGapless) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int d = 0; d < 10; ++d) {
        const absl::CivilDay day = absl::CivilDay(2025, 11, 3) + (t * 10 + d);
        auto r = Attend(
            {{"trn_a", Mark::kPresent}, {"trn_b", Mark::kExcusedAbsence}}, day);
        EXPECT_TRUE(r.ok()) << r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<int64_t> sequences;
  for (const DomainEvent& e : EventsOf("trn_a"))
    sequences.push_back(e.sequence);
  ASSERT_EQ(sequences.size(), 41u);  // 40 sessions + training started
  for (size_t i = 0; i < sequences.size(); ++i) {
    EXPECT_EQ(sequences[i], static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(Progress("trn_a").record.sessions_present, 40);
}

// ---------------------------------------------------------------- queries

TEST_F(ProgressServiceTest, CohortProgressIsPagedByTraineeWithTheCohortRate) {
  Must(Attend({{"trn_c", Mark::kPresent},
               {"trn_a", Mark::kUnexcusedAbsence},
               {"trn_b", Mark::kPresent}},
              D(11, 4)));
  Must(Attend({{"trn_a", Mark::kPresent}, {"trn_b", Mark::kExcusedAbsence}},
              D(11, 5)));
  CohortProgressPage first =
      Must(svc().ListCohortProgress(kCohort, {.limit = 2, .after_key = ""}));
  ASSERT_EQ(first.page.items.size(), 2u);
  EXPECT_EQ(first.page.items[0].record.trainee_id, "trn_a");
  EXPECT_EQ(first.page.items[1].record.trainee_id, "trn_b");
  EXPECT_EQ(first.page.next_after_key, "trn_b");
  EXPECT_DOUBLE_EQ(first.cohort_attendance_rate, 0.75);  // 3 of 4, excused out
  CohortProgressPage second = Must(svc().ListCohortProgress(
      kCohort, {.limit = 2, .after_key = first.page.next_after_key}));
  ASSERT_EQ(second.page.items.size(), 1u);
  EXPECT_EQ(second.page.items[0].record.trainee_id, "trn_c");
  EXPECT_EQ(second.page.next_after_key, "");
  CohortProgressPage none = Must(svc().ListCohortProgress("coh_empty", {}));
  EXPECT_THAT(none.page.items, IsEmpty());
  EXPECT_EQ(none.cohort_attendance_rate, 0.0);
}

TEST_F(ProgressServiceTest, TraineeExitFollowsTheTraining) {
  EXPECT_THAT(svc().GetTraineeExit("trn_a"),
              StatusIs(absl::StatusCode::kNotFound));
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  TraineeExit in_training = Must(svc().GetTraineeExit("trn_a"));
  EXPECT_FALSE(in_training.exited);
  EXPECT_FALSE(in_training.kind.has_value());
  EXPECT_EQ(in_training.status, S::kActive);
  EXPECT_EQ(in_training.dimensions, DimensionsFor(kCohort));

  Complete("trn_a");
  enrollment_.SetDown(true);  // a completed trainee needs no check
  TraineeExit completed = Must(svc().GetTraineeExit("trn_a"));
  EXPECT_TRUE(completed.exited);
  EXPECT_EQ(completed.kind, ExitKind::kCompleted);
  EXPECT_EQ(completed.exit_date, absl::CivilDay(2026, 1, 15));
  enrollment_.SetDown(false);

  Must(svc().RecordDropOut(Ctx(), DropOutInput{.cohort_id = kCohort,
                                               .trainee_id = "trn_b",
                                               .reason_code = cmn::DROP_OUT_REASON_OTHER,
                                               .reason = "health",
                                               .exit_date = D(12, 5)}));
  TraineeExit dropped = Must(svc().GetTraineeExit("trn_b"));
  EXPECT_EQ(dropped.kind, ExitKind::kDroppedOut);
  EXPECT_EQ(dropped.exit_date, D(12, 5));
  EXPECT_EQ(dropped.status, S::kDroppedOut);
}

TEST_F(ProgressServiceTest, TraineeExitLearnsAWithdrawal) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  enrollment_.SetStatus("trn_a", kCohort, EnrolmentStatus::kWithdrawn,
                        At(2025, 12, 3));
  TraineeExit exit = Must(svc().GetTraineeExit("trn_a"));
  EXPECT_TRUE(exit.exited);
  EXPECT_EQ(exit.kind, ExitKind::kWithdrawn);
  EXPECT_EQ(exit.exit_date, D(12, 3));
  EXPECT_EQ(exit.status, S::kWithdrawn);
  EXPECT_EQ(EventsOf("trn_a").back().kind, K::kTrainingWithdrawn);
  EXPECT_EQ(EventsOf("trn_a").back().request_id, "");
}

TEST_F(ProgressServiceTest, QueriesValidateTheirIds) {
  EXPECT_THAT(ViolatedFields(svc().GetTraineeProgress("", "a b").status()),
              ElementsAre("cohort_id", "trainee_id"));
  EXPECT_THAT(ViolatedFields(svc().ListCohortProgress("", {}).status()),
              ElementsAre("cohort_id"));
  EXPECT_THAT(ViolatedFields(svc().GetTraineeExit("").status()),
              ElementsAre("trainee_id"));
}

// Row scoping: the trainees of a cohort in MA-05 (centre ctr_1) are out of
// the scope of MA-06's staff, and read exactly like trainees with nothing
// recorded.
TEST_F(ProgressServiceTest,
       ALimitedScopeRecordsAndReadsOnlyItsCohortsTrainees) {
  Must(Attend({{"trn_a", Mark::kPresent}}, D(11, 4)));
  const size_t events_before = repo_.published().size();
  const command::Scope ma05 = command::Scope::Limited({"MA-05"}, {});
  const command::Scope ma06 = command::Scope::Limited({"MA-06"}, {});
  RequestContext other = Ctx();
  other.scope = ma06;
  AttendanceInput in{
      .cohort_id = kCohort,
      .module_id = "network-basics",
      .session_date = D(11, 5),
      .entries = {{.trainee_id = "trn_a", .mark = Mark::kPresent}}};
  EXPECT_EQ(svc().RecordAttendance(other, in).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(repo_.published().size(), events_before);  // nothing recorded

  EXPECT_EQ(svc().GetTraineeProgress(kCohort, "trn_a", ma06).status().code(),
            absl::StatusCode::kNotFound);
  // Same wording as for a trainee with nothing recorded.
  EXPECT_EQ(
      std::string(
          svc().GetTraineeProgress(kCohort, "trn_a", ma06).status().message()),
      absl::StrReplaceAll(
          std::string(svc()
                          .GetTraineeProgress(kCohort, "trn_zz", ma05)
                          .status()
                          .message()),
          {{"trn_zz", "trn_a"}}));
  EXPECT_TRUE(svc().GetTraineeProgress(kCohort, "trn_a", ma05).ok());
  EXPECT_TRUE(svc()
                  .GetTraineeProgress(kCohort, "trn_a",
                                      command::Scope::Limited({}, {"ctr_1"}))
                  .ok());
  EXPECT_TRUE(Must(svc().ListCohortProgress(kCohort, PageQuery{}, ma06))
                  .page.items.empty());
  EXPECT_EQ(
      Must(svc().ListCohortProgress(kCohort, PageQuery{}, ma05))
          .page.items.size(),
      Must(svc().ListCohortProgress(kCohort, PageQuery{})).page.items.size());
  EXPECT_EQ(svc().GetTraineeExit("trn_a", ma06).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(svc().GetTraineeExit("trn_a", ma05).ok());
}

// ---------------------------------------------------------------- erasure

TEST_F(ProgressServiceTest, EraseTraineeNotesClearsNotesInRecordsAndAnswers) {
  Complete("trn_a");
  Must(svc().IssueCertificate(Ctx(), kCohort, "trn_a"));
  const RequestContext revoke = Ctx();
  Must(svc().RevokeCertificate(revoke, kCohort, "trn_a",
                               cmn::REVOCATION_REASON_ISSUED_IN_ERROR,
                               "note naming Fatima B."));
  Must(Attend({{"trn_b", Mark::kPresent}}, D(11, 4)));
  const RequestContext drop = Ctx();
  Must(svc().RecordDropOut(drop, DropOutInput{.cohort_id = kCohort,
                                              .trainee_id = "trn_b",
                                              .reason_code = cmn::DROP_OUT_REASON_HEALTH,
                                              .reason = "hospital stay",
                                              .exit_date = D(12, 1)}));
  const size_t events = repo_.published().size();

  NotesErasure erased = Must(svc().EraseTraineeNotes(Ctx(), "trn_b"));
  // The record and the stored answer of the drop-out.
  EXPECT_EQ(erased.notes_erased, 2);
  const TraineeProgress b = Must(svc().GetTraineeProgress(kCohort, "trn_b"));
  EXPECT_EQ(b.record.exit_reason, "");
  EXPECT_EQ(b.record.exit_reason_code, cmn::DROP_OUT_REASON_HEALTH);
  EXPECT_EQ(b.record.status, S::kDroppedOut);
  const DropOutOutcome replay = Must(svc().RecordDropOut(
      drop, DropOutInput{.cohort_id = kCohort,
                         .trainee_id = "trn_b",
                         .reason_code = cmn::DROP_OUT_REASON_HEALTH,
                         .reason = "hospital stay",
                         .exit_date = D(12, 1)}));
  EXPECT_EQ(replay.progress.record.exit_reason, "");
  EXPECT_EQ(replay.progress.record.exit_reason_code, cmn::DROP_OUT_REASON_HEALTH);
  // Another trainee's note is untouched; nothing is published.
  EXPECT_EQ(Must(svc().GetTraineeProgress(kCohort, "trn_a"))
                .record.certificate->revocation_reason,
            "note naming Fatima B.");
  EXPECT_EQ(repo_.published().size(), events);

  erased = Must(svc().EraseTraineeNotes(Ctx(), "trn_a"));
  EXPECT_EQ(erased.notes_erased, 3);  // record, revoke answer (twice: certificate and progress)
  const TraineeProgress a = Must(svc().GetTraineeProgress(kCohort, "trn_a"));
  EXPECT_EQ(a.record.certificate->revocation_reason, "");
  EXPECT_EQ(a.record.certificate->revocation_reason_code,
            cmn::REVOCATION_REASON_ISSUED_IN_ERROR);
  // A repeat erases nothing more; an unknown trainee is not an error.
  EXPECT_EQ(Must(svc().EraseTraineeNotes(Ctx(), "trn_a")).notes_erased, 0);
  EXPECT_EQ(Must(svc().EraseTraineeNotes(Ctx(), "trn_nobody")).notes_erased, 0);
  EXPECT_THAT(ViolatedFields(svc().EraseTraineeNotes(Ctx(), "").status()),
              ElementsAre("trainee_id"));
}

}  // namespace
}  // namespace jit::progress
