#include "services/aggregator/events/event_adapter.h"

#include "gtest/gtest.h"
#include "libs/clock/clock.h"
#include "libs/events/envelope.h"
#include "libs/kafka/topics.h"

namespace jit::aggregator {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;

pb::LifecycleEvent Trainee(const char* type, int64_t seq) {
  pb::LifecycleEvent e;
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2025, 1, 10, 23, 30, 0), absl::UTCTimeZone()));
  events::StampMetadata(e, type, "jobintech/test", clock);
  auto* md = e.mutable_metadata();
  md->set_trainee_id("trn-1");
  md->set_sequence(seq);
  auto* d = md->mutable_dimensions();
  d->set_gender(common::GENDER_FEMALE);
  d->mutable_training_location()->set_province_code("MA-FQH");
  d->set_track_id("cybersecurity");
  d->set_cohort_id("coh-1");
  return e;
}

void SetDate(common::Date* d, int y, int m, int day) {
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
}

TEST(EventAdapterTest, EnrollmentEventWithDimensions) {
  pb::LifecycleEvent in = Trainee("enrollment.application.submitted", 1);
  in.mutable_application_submitted()->set_cohort_id("coh-1");
  auto e = ToFoldEvent(in, kafka::kEnrollmentTopic, ProgrammeTimeZone());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->kind, EventKind::kApplicationSubmitted);
  EXPECT_EQ(e->trainee_id, "trn-1");
  EXPECT_EQ(e->cohort_id, "coh-1");
  EXPECT_EQ(e->dims.region_code, "MA-05");  // derived from the province
  EXPECT_EQ(e->dims.gender, Gender::kFemale);
  // 23:30 UTC on 2025-01-10 is 2025-01-11 00:30 in Casablanca (UTC+1).
  EXPECT_EQ(FormatDay(e->day), "2025-01-11");
}

TEST(EventAdapterTest, BodyMustBelongToTheTopic) {
  pb::LifecycleEvent in = Trainee("progress.training.completed", 2);
  in.mutable_training_completed()->set_cohort_id("coh-1");
  auto e = ToFoldEvent(in, kafka::kEnrollmentTopic, ProgrammeTimeZone());
  ASSERT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(e.status().message().find("not on topic jobintech.enrollment.v1"),
            std::string::npos);
  EXPECT_TRUE(ToFoldEvent(in, kafka::kProgressTopic, ProgrammeTimeZone()).ok());
}

TEST(EventAdapterTest, RefusesWhatTheFoldCannotPlace) {
  pb::LifecycleEvent unknown_province = Trainee("enrollment.application.submitted", 1);
  unknown_province.mutable_application_submitted()->set_cohort_id("coh-1");
  unknown_province.mutable_metadata()->mutable_dimensions()->mutable_training_location()
      ->set_province_code("MA-XXX");
  EXPECT_FALSE(ToFoldEvent(unknown_province, kafka::kEnrollmentTopic, ProgrammeTimeZone()).ok());

  pb::LifecycleEvent wrong_region = Trainee("enrollment.application.submitted", 1);
  wrong_region.mutable_application_submitted()->set_cohort_id("coh-1");
  wrong_region.mutable_metadata()->mutable_dimensions()->mutable_training_location()
      ->set_region_code("MA-06");
  EXPECT_FALSE(ToFoldEvent(wrong_region, kafka::kEnrollmentTopic, ProgrammeTimeZone()).ok());

  pb::LifecycleEvent no_cohort = Trainee("progress.training.started", 1);
  no_cohort.mutable_metadata()->mutable_dimensions()->clear_cohort_id();
  no_cohort.mutable_training_started();
  EXPECT_FALSE(ToFoldEvent(no_cohort, kafka::kProgressTopic, ProgrammeTimeZone()).ok());

  pb::LifecycleEvent bad_date = Trainee("placement.placement.started", 1);
  auto* p = bad_date.mutable_placement_started();
  p->set_placement_id("p1");
  p->mutable_exit()->set_kind(pb::EXIT_KIND_COMPLETED);
  SetDate(p->mutable_exit()->mutable_exit_date(), 2025, 2, 30);
  SetDate(p->mutable_start_date(), 2025, 4, 1);
  auto e = ToFoldEvent(bad_date, kafka::kPlacementTopic, ProgrammeTimeZone());
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("exit.exit_date"), std::string::npos);

  pb::LifecycleEvent no_start = Trainee("placement.placement.started", 1);
  no_start.mutable_placement_started()->set_placement_id("p1");
  EXPECT_FALSE(ToFoldEvent(no_start, kafka::kPlacementTopic, ProgrammeTimeZone()).ok());

  pb::LifecycleEvent target;
  FakeClock clock;
  events::StampMetadata(target, "enrollment.programme.target_changed", "x", clock);
  target.mutable_metadata()->set_aggregate_id("programme");
  target.mutable_metadata()->set_sequence(1);
  target.mutable_programme_target_changed()->set_national_target(0);
  EXPECT_FALSE(ToFoldEvent(target, kafka::kEnrollmentTopic, ProgrammeTimeZone()).ok());
  target.mutable_programme_target_changed()->set_national_target(20000);
  auto t = ToFoldEvent(target, kafka::kEnrollmentTopic, ProgrammeTimeZone());
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->national_target, 20000);
}

TEST(EventAdapterTest, PlacementCarriesTheExitAndTheJob) {
  pb::LifecycleEvent in = Trainee("placement.placement.started", 3);
  in.mutable_metadata()->mutable_dimensions()->clear_cohort_id();
  auto* p = in.mutable_placement_started();
  p->set_placement_id("p1");
  p->set_type(pb::PLACEMENT_TYPE_SALARIED_FIXED_TERM);
  p->mutable_exit()->set_kind(pb::EXIT_KIND_COMPLETED);
  p->mutable_exit()->set_cohort_id("coh-9");
  SetDate(p->mutable_exit()->mutable_exit_date(), 2025, 3, 31);
  SetDate(p->mutable_start_date(), 2025, 4, 30);
  auto e = ToFoldEvent(in, kafka::kPlacementTopic, ProgrammeTimeZone());
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->cohort_id, "coh-9");
  EXPECT_EQ(e->exit_kind, ExitKind::kCompleted);
  EXPECT_EQ(FormatDay(e->exit_date), "2025-03-31");
  EXPECT_EQ(FormatDay(e->date), "2025-04-30");
  EXPECT_EQ(e->placement_type, PlacementType::kSalariedFixedTerm);
}

TEST(EventAdapterTest, AttendanceShowsAnActiveTrainee) {
  pb::LifecycleEvent in = Trainee("progress.attendance.recorded", 4);
  auto* a = in.mutable_attendance_recorded();
  a->set_cohort_id("coh-1");
  a->set_mark(pb::ATTENDANCE_MARK_PRESENT);
  SetDate(a->mutable_session_date(), 2025, 2, 3);
  auto e = ToFoldEvent(in, kafka::kProgressTopic, ProgrammeTimeZone());
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->implies_started);
  EXPECT_EQ(FormatDay(e->date), "2025-02-03");
  a->set_mark(pb::ATTENDANCE_MARK_UNEXCUSED_ABSENCE);
  a->set_state(pb::TRAINING_STATE_ENROLLED);
  EXPECT_FALSE(ToFoldEvent(in, kafka::kProgressTopic, ProgrammeTimeZone())->implies_started);
}

// Hostile or broken producers cannot grow the fold without bound or put
// figures in impossible years: each refusal names the field.
TEST(EventAdapterTest, BoundsIdsNamesAndDates) {
  const absl::Time now =
      absl::FromCivil(absl::CivilSecond(2025, 1, 20, 12, 0, 0), absl::UTCTimeZone());
  auto refusal = [&](const pb::LifecycleEvent& in, absl::string_view topic) {
    auto e = ToFoldEvent(in, topic, ProgrammeTimeZone(), now);
    return e.ok() ? std::string("accepted") : std::string(e.status().message());
  };
  auto submitted = [] {
    pb::LifecycleEvent in = Trainee("enrollment.application.submitted", 1);
    in.mutable_application_submitted()->set_cohort_id("coh-1");
    return in;
  };
  EXPECT_EQ(refusal(submitted(), kafka::kEnrollmentTopic), "accepted");

  pb::LifecycleEvent long_track = submitted();
  long_track.mutable_metadata()->mutable_dimensions()->set_track_id(std::string(65, 'a'));
  EXPECT_EQ(refusal(long_track, kafka::kEnrollmentTopic),
            "metadata.dimensions.track_id: longer than 64 bytes");
  pb::LifecycleEvent odd_track = submitted();
  odd_track.mutable_metadata()->mutable_dimensions()->set_track_id("cyber security<script>");
  EXPECT_NE(refusal(odd_track, kafka::kEnrollmentTopic).find("metadata.dimensions.track_id"),
            std::string::npos);
  pb::LifecycleEvent long_trainee = submitted();
  long_trainee.mutable_metadata()->set_trainee_id(std::string(200, 't'));
  EXPECT_NE(refusal(long_trainee, kafka::kEnrollmentTopic).find("metadata.trainee_id"),
            std::string::npos);

  // occurred_at: not before 2015, not after tomorrow.
  pb::LifecycleEvent old = submitted();
  old.mutable_metadata()->mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(1990, 5, 1), absl::UTCTimeZone())));
  EXPECT_NE(refusal(old, kafka::kEnrollmentTopic).find("metadata.occurred_at: 1990-05-01"),
            std::string::npos);
  pb::LifecycleEvent future = submitted();
  future.mutable_metadata()->mutable_occurred_at()->set_seconds(
      absl::ToUnixSeconds(now + absl::Hours(24 * 3)));
  EXPECT_NE(refusal(future, kafka::kEnrollmentTopic).find("metadata.occurred_at"),
            std::string::npos);

  // Business dates too: a placement that starts in 2090.
  pb::LifecycleEvent placed = Trainee("placement.placement.started", 1);
  auto* p = placed.mutable_placement_started();
  p->set_placement_id("p1");
  p->mutable_exit()->set_kind(pb::EXIT_KIND_COMPLETED);
  SetDate(p->mutable_exit()->mutable_exit_date(), 2024, 12, 1);
  SetDate(p->mutable_start_date(), 2090, 1, 1);
  EXPECT_NE(refusal(placed, kafka::kPlacementTopic).find("date: 2090-01-01 is outside"),
            std::string::npos);
  SetDate(p->mutable_start_date(), 2025, 1, 2);
  EXPECT_EQ(refusal(placed, kafka::kPlacementTopic), "accepted");

  pb::LifecycleEvent follow_up = Trainee("placement.follow_up.recorded", 2);
  auto* f = follow_up.mutable_follow_up_recorded();
  f->mutable_exit()->set_kind(pb::EXIT_KIND_COMPLETED);
  SetDate(f->mutable_exit()->mutable_exit_date(), 2024, 6, 1);
  f->set_months_after_exit(7);
  EXPECT_EQ(refusal(follow_up, kafka::kPlacementTopic), "months_after_exit: 7 is not 3, 6 or 12");

  // Without `now` (replays of recorded data), there is no upper bound.
  EXPECT_TRUE(ToFoldEvent(future, kafka::kEnrollmentTopic, ProgrammeTimeZone()).ok());
}

}  // namespace
}  // namespace jit::aggregator
