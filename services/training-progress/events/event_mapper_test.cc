#include "services/training-progress/events/event_mapper.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/envelope.h"
#include "libs/ids/ids.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/topics.h"
#include "libs/status/field_violations.h"

namespace jit::progress {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Pair;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const absl::Time kAt = absl::FromUnixMicros(1'763'380'800'123'456);

Dimensions SampleDimensions() {
  Dimensions d;
  d.gender = common::GENDER_MALE;
  d.age_band = common::AGE_BAND_25_29;
  d.education_level = common::EDUCATION_LEVEL_BAC_PLUS_3;
  d.residence_province_code = "MA-FQH";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-BEM";
  d.training_region_code = "MA-05";
  d.track_id = "cybersecurity";
  d.cohort_id = "coh_1";
  d.centre_id = "ctr_1";
  return d;
}

DomainEvent Base(EventKind kind, TrainingStatus status) {
  DomainEvent e;
  e.kind = kind;
  e.trainee_id = "trn_abc";
  e.sequence = 4;
  e.occurred_at = kAt;
  e.request_id = "req-7";
  e.traceparent = kTraceparent;
  e.dimensions = SampleDimensions();
  e.cohort_id = "coh_1";
  e.new_status = status;
  return e;
}

DomainEvent Transition(EventKind kind, TrainingStatus from, TrainingStatus to) {
  DomainEvent e = Base(kind, to);
  e.previous_status = from;
  e.effective_date = absl::CivilDay(2026, 1, 15);
  return e;
}

DomainEvent Attendance() {
  DomainEvent e = Base(EventKind::kAttendanceRecorded, TrainingStatus::kActive);
  e.module_id = "network-basics";
  e.session_date = absl::CivilDay(2025, 11, 4);
  e.mark = AttendanceMark::kUnexcusedAbsence;
  e.attendance_rate = 0.75;
  return e;
}

DomainEvent Assessed(bool passed) {
  DomainEvent e =
      Base(passed ? EventKind::kModulePassed : EventKind::kModuleFailed,
           TrainingStatus::kActive);
  e.module_id = "linux";
  e.score = passed ? 14.5 : 8;
  e.max_score = 20;
  e.pass_mark = 10;
  e.required = true;
  e.attempt = 2;
  e.assessed_on = absl::CivilDay(2025, 12, 1);
  e.required_passed_ratio = 0.5;
  return e;
}

void ExpectMetadata(const pb::LifecycleEvent& out, const DomainEvent& e) {
  const pb::EventMetadata& md = out.metadata();
  EXPECT_TRUE(ids::IsUuid(md.event_id())) << md.event_id();
  EXPECT_EQ(md.event_id()[14], '7') << "UUID version 7";
  EXPECT_EQ(md.event_type(), EventType(e.kind));
  EXPECT_EQ(md.source(), "jobintech/training-progress");
  EXPECT_EQ(md.occurred_at().seconds(), absl::ToUnixSeconds(kAt));
  EXPECT_EQ(md.occurred_at().nanos(), 123'456'000);
  EXPECT_EQ(md.trainee_id(), "trn_abc");
  EXPECT_EQ(md.aggregate_id(), "");
  EXPECT_EQ(md.sequence(), 4);
  EXPECT_EQ(md.schema_version(), events::kSchemaVersion);
  EXPECT_EQ(md.request_id(), "req-7");
  EXPECT_EQ(md.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  const common::TraineeDimensions& d = md.dimensions();
  EXPECT_EQ(d.gender(), common::GENDER_MALE);
  EXPECT_EQ(d.age_band(), common::AGE_BAND_25_29);
  EXPECT_EQ(d.education_level(), common::EDUCATION_LEVEL_BAC_PLUS_3);
  EXPECT_EQ(d.residence().province_code(), "MA-FQH");
  EXPECT_EQ(d.residence().region_code(), "MA-05");
  EXPECT_EQ(d.training_location().province_code(), "MA-BEM");
  EXPECT_EQ(d.training_location().region_code(), "MA-05");
  EXPECT_EQ(d.track_id(), "cybersecurity");
  EXPECT_EQ(d.cohort_id(), "coh_1");
  EXPECT_EQ(d.centre_id(), "ctr_1");
  EXPECT_TRUE(events::Validate(out).ok()) << events::Validate(out);
}

pb::LifecycleEvent MustMap(const DomainEvent& e) {
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  EXPECT_TRUE(out.ok()) << out.status();
  if (!out.ok()) return {};
  ExpectMetadata(*out, e);
  return *out;
}

void ExpectDate(const common::Date& d, int y, int m, int day) {
  EXPECT_EQ(d.year(), y);
  EXPECT_EQ(d.month(), m);
  EXPECT_EQ(d.day(), day);
}

TEST(EventMapperTest, TrainingStartedAndCompletedAreTransitions) {
  pb::LifecycleEvent started =
      MustMap(Transition(EventKind::kTrainingStarted, TrainingStatus::kEnrolled,
                         TrainingStatus::kActive));
  ASSERT_EQ(started.body_case(), pb::LifecycleEvent::kTrainingStarted);
  EXPECT_EQ(started.training_started().cohort_id(), "coh_1");
  EXPECT_EQ(started.training_started().previous_state(),
            pb::TRAINING_STATE_ENROLLED);
  EXPECT_EQ(started.training_started().new_state(), pb::TRAINING_STATE_ACTIVE);
  ExpectDate(started.training_started().effective_date(), 2026, 1, 15);
  EXPECT_EQ(started.metadata().event_type(), "progress.training.started");

  pb::LifecycleEvent completed =
      MustMap(Transition(EventKind::kTrainingCompleted, TrainingStatus::kActive,
                         TrainingStatus::kCompleted));
  ASSERT_EQ(completed.body_case(), pb::LifecycleEvent::kTrainingCompleted);
  EXPECT_EQ(completed.training_completed().previous_state(),
            pb::TRAINING_STATE_ACTIVE);
  EXPECT_EQ(completed.training_completed().new_state(),
            pb::TRAINING_STATE_COMPLETED);
}

TEST(EventMapperTest, AttendanceRecorded) {
  pb::LifecycleEvent out = MustMap(Attendance());
  ASSERT_EQ(out.body_case(), pb::LifecycleEvent::kAttendanceRecorded);
  const pb::AttendanceRecorded& b = out.attendance_recorded();
  EXPECT_EQ(b.cohort_id(), "coh_1");
  EXPECT_EQ(b.module_id(), "network-basics");
  ExpectDate(b.session_date(), 2025, 11, 4);
  EXPECT_EQ(b.mark(), pb::ATTENDANCE_MARK_UNEXCUSED_ABSENCE);
  EXPECT_DOUBLE_EQ(b.attendance_rate(), 0.75);
  EXPECT_EQ(b.state(), pb::TRAINING_STATE_ACTIVE);
}

TEST(EventMapperTest, ModulePassedAndFailedShareTheirBody) {
  pb::LifecycleEvent passed = MustMap(Assessed(true));
  ASSERT_EQ(passed.body_case(), pb::LifecycleEvent::kModulePassed);
  const pb::ModuleAssessed& b = passed.module_passed();
  EXPECT_EQ(b.cohort_id(), "coh_1");
  EXPECT_EQ(b.module_id(), "linux");
  EXPECT_DOUBLE_EQ(b.score(), 14.5);
  EXPECT_DOUBLE_EQ(b.max_score(), 20);
  EXPECT_DOUBLE_EQ(b.pass_mark(), 10);
  EXPECT_TRUE(b.required());
  EXPECT_EQ(b.attempt(), 2);
  ExpectDate(b.assessed_on(), 2025, 12, 1);
  EXPECT_DOUBLE_EQ(b.required_passed_ratio(), 0.5);
  EXPECT_EQ(b.state(), pb::TRAINING_STATE_ACTIVE);

  pb::LifecycleEvent failed = MustMap(Assessed(false));
  ASSERT_EQ(failed.body_case(), pb::LifecycleEvent::kModuleFailed);
  EXPECT_DOUBLE_EQ(failed.module_failed().score(), 8);
  EXPECT_EQ(failed.metadata().event_type(), "progress.module.failed");
}

TEST(EventMapperTest, TraineeAtRisk) {
  DomainEvent e = Base(EventKind::kTraineeAtRisk, TrainingStatus::kActive);
  e.consecutive_unexcused = 3;
  e.threshold = 3;
  pb::LifecycleEvent out = MustMap(e);
  ASSERT_EQ(out.body_case(), pb::LifecycleEvent::kTraineeAtRisk);
  EXPECT_EQ(out.trainee_at_risk().consecutive_unexcused_absences(), 3);
  EXPECT_EQ(out.trainee_at_risk().threshold(), 3);
  EXPECT_EQ(out.trainee_at_risk().state(), pb::TRAINING_STATE_ACTIVE);
  EXPECT_EQ(out.trainee_at_risk().cohort_id(), "coh_1");
}

TEST(EventMapperTest, DropOutAndWithdrawalAreExits) {
  DomainEvent dropped =
      Transition(EventKind::kDroppedOut, TrainingStatus::kActive,
                 TrainingStatus::kDroppedOut);
  dropped.drop_out_reason = ::jobintech::common::v1::DROP_OUT_REASON_RELOCATION;
  pb::LifecycleEvent out = MustMap(dropped);
  ASSERT_EQ(out.body_case(), pb::LifecycleEvent::kDroppedOut);
  EXPECT_EQ(out.dropped_out().previous_state(), pb::TRAINING_STATE_ACTIVE);
  EXPECT_EQ(out.dropped_out().new_state(), pb::TRAINING_STATE_DROPPED_OUT);
  EXPECT_EQ(out.dropped_out().drop_out_reason(),
            ::jobintech::common::v1::DROP_OUT_REASON_RELOCATION);
  // The deprecated free-text field is never filled.
  EXPECT_FALSE(out.dropped_out().GetReflection()->HasField(
      out.dropped_out(),
      out.dropped_out().GetDescriptor()->FindFieldByName("reason")));
  ExpectDate(out.dropped_out().exit_date(), 2026, 1, 15);

  DomainEvent withdrawn =
      Transition(EventKind::kTrainingWithdrawn, TrainingStatus::kEnrolled,
                 TrainingStatus::kWithdrawn);
  out = MustMap(withdrawn);
  ASSERT_EQ(out.body_case(), pb::LifecycleEvent::kTrainingWithdrawn);
  EXPECT_EQ(out.training_withdrawn().previous_state(),
            pb::TRAINING_STATE_ENROLLED);
  EXPECT_EQ(out.training_withdrawn().new_state(), pb::TRAINING_STATE_WITHDRAWN);
  // A withdrawal's code is enrollment's; this event carries none.
  EXPECT_EQ(out.training_withdrawn().drop_out_reason(), 0);
}

TEST(EventMapperTest, CertificateIssuedAndRevoked) {
  DomainEvent issued =
      Transition(EventKind::kCertificateIssued, TrainingStatus::kCompleted,
                 TrainingStatus::kCertified);
  issued.certificate_id = "crt_1";
  issued.effective_date = absl::CivilDay(2026, 2, 20);
  issued.completion_date = absl::CivilDay(2026, 1, 15);
  pb::LifecycleEvent out = MustMap(issued);
  ASSERT_EQ(out.body_case(), pb::LifecycleEvent::kCertificateIssued);
  const pb::CertificateIssued& b = out.certificate_issued();
  EXPECT_EQ(b.certificate_id(), "crt_1");
  EXPECT_EQ(b.previous_state(), pb::TRAINING_STATE_COMPLETED);
  EXPECT_EQ(b.new_state(), pb::TRAINING_STATE_CERTIFIED);
  ExpectDate(b.issued_on(), 2026, 2, 20);
  ExpectDate(b.completion_date(), 2026, 1, 15);

  DomainEvent revoked =
      Transition(EventKind::kCertificateRevoked, TrainingStatus::kCertified,
                 TrainingStatus::kCompleted);
  revoked.certificate_id = "crt_1";
  revoked.revocation_reason = ::jobintech::common::v1::REVOCATION_REASON_FRAUD;
  out = MustMap(revoked);
  ASSERT_EQ(out.body_case(), pb::LifecycleEvent::kCertificateRevoked);
  EXPECT_EQ(out.certificate_revoked().previous_state(),
            pb::TRAINING_STATE_CERTIFIED);
  EXPECT_EQ(out.certificate_revoked().new_state(),
            pb::TRAINING_STATE_COMPLETED);
  EXPECT_EQ(out.certificate_revoked().revocation_reason(),
            ::jobintech::common::v1::REVOCATION_REASON_FRAUD);
  EXPECT_FALSE(out.certificate_revoked().GetReflection()->HasField(
      out.certificate_revoked(),
      out.certificate_revoked().GetDescriptor()->FindFieldByName("reason")));
}

TEST(EventMapperTest, EveryKindHasItsOwnTypeAndBody) {
  std::set<std::string> types;
  for (EventKind k :
       {EventKind::kTrainingStarted, EventKind::kAttendanceRecorded,
        EventKind::kModulePassed, EventKind::kModuleFailed,
        EventKind::kTraineeAtRisk, EventKind::kTrainingCompleted,
        EventKind::kDroppedOut, EventKind::kTrainingWithdrawn,
        EventKind::kCertificateIssued, EventKind::kCertificateRevoked}) {
    types.insert(std::string(EventType(k)));
  }
  EXPECT_EQ(types.size(), 10u);
  for (const std::string& t : types) {
    EXPECT_EQ(t.rfind("progress.", 0), 0u) << t;
  }
}

TEST(EventMapperTest, OutboxRowRoundTripsThroughTheConsumerDecoder) {
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(Attendance());
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->topic, kafka::kProgressTopic);
  EXPECT_EQ(row->key, "trn_abc");
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_source", "jobintech/training-progress")));
  EXPECT_THAT(row->headers, Contains(Pair("ce_subject", "trn_abc")));
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_type",
                            "ma.jobintech.progress.attendance.recorded.v1")));
  EXPECT_THAT(row->headers,
              Contains(Pair("content-type", "application/protobuf")));
  EXPECT_THAT(row->headers, Contains(Pair("traceparent", kTraceparent)));
  absl::StatusOr<pb::LifecycleEvent> decoded =
      events::Decode(row->key, row->payload, row->headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->body_case(), pb::LifecycleEvent::kAttendanceRecorded);
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_id", decoded->metadata().event_id())));
}

TEST(EventMapperTest, MalformedOrMissingTraceparentIsNotPublished) {
  DomainEvent e = Attendance();
  e.traceparent = "00-not-a-trace";
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(kafka::FindHeader(row->headers, "traceparent"), nullptr);
  e.traceparent.clear();
  row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(kafka::FindHeader(row->headers, "traceparent"), nullptr);
  EXPECT_EQ(ToLifecycleEvent(e)->metadata().trace_id(), "");
}

std::vector<std::string> ViolatedFields(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& v : status::GetFieldViolations(s)) out.push_back(v.field);
  return out;
}

TEST(EventMapperTest, RefusesIncompleteOrInconsistentEvents) {
  struct Case {
    const char* name;
    DomainEvent event;
    const char* field;
  };
  std::vector<Case> cases;
  auto add = [&](const char* name, DomainEvent e, const char* field) {
    cases.push_back({name, std::move(e), field});
  };
  DomainEvent e = Attendance();
  e.trainee_id.clear();
  add("no trainee", e, "trainee_id");
  e = Attendance();
  e.cohort_id.clear();
  add("no cohort", e, "cohort_id");
  e = Attendance();
  e.sequence = 0;
  add("no sequence", e, "sequence");
  e = Attendance();
  e.occurred_at = absl::UnixEpoch();
  add("no time", e, "occurred_at");
  e = Attendance();
  e.session_date.reset();
  add("no session date", e, "session_date");
  e = Attendance();
  e.attendance_rate = 1.5;
  add("rate above 1", e, "attendance_rate");
  e = Attendance();
  e.previous_status = TrainingStatus::kEnrolled;
  add("record with previous status", e, "previous_status");
  e = Transition(EventKind::kTrainingStarted, TrainingStatus::kEnrolled,
                 TrainingStatus::kActive);
  e.previous_status.reset();
  add("transition without previous", e, "previous_status");
  e = Transition(EventKind::kTrainingCompleted, TrainingStatus::kActive,
                 TrainingStatus::kCertified);
  add("completed into certified", e, "new_status");
  e = Transition(EventKind::kTrainingStarted, TrainingStatus::kEnrolled,
                 TrainingStatus::kActive);
  e.effective_date.reset();
  add("start without day", e, "effective_date");
  e = Assessed(true);
  e.score = 5;
  add("passed below the pass mark", e, "score");
  e = Assessed(false);
  e.attempt = 0;
  add("attempt 0", e, "attempt");
  e = Base(EventKind::kTraineeAtRisk, TrainingStatus::kActive);
  e.threshold = 3;
  e.consecutive_unexcused = 2;
  add("at risk below threshold", e, "consecutive_unexcused");
  e = Transition(EventKind::kCertificateIssued, TrainingStatus::kCompleted,
                 TrainingStatus::kCertified);
  add("certificate without id", e, "certificate_id");
  e = Transition(EventKind::kDroppedOut, TrainingStatus::kActive,
                 TrainingStatus::kDroppedOut);
  add("drop-out without reason code", e, "drop_out_reason");
  e = Transition(EventKind::kCertificateRevoked, TrainingStatus::kCertified,
                 TrainingStatus::kCompleted);
  e.certificate_id = "crt_1";
  add("revocation without reason code", e, "revocation_reason");
  for (const Case& c : cases) {
    absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(c.event);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name;
    EXPECT_THAT(ViolatedFields(out.status()), Contains(c.field)) << c.name;
    EXPECT_FALSE(ToOutboxMessage(c.event).ok()) << c.name;
  }
}

TEST(EventMapperTest, EnumsMapOneToOneByName) {
  std::set<int> states;
  for (TrainingStatus s :
       {TrainingStatus::kEnrolled, TrainingStatus::kActive,
        TrainingStatus::kCompleted, TrainingStatus::kDroppedOut,
        TrainingStatus::kCertified, TrainingStatus::kWithdrawn}) {
    EXPECT_EQ(pb::TrainingState_Name(ToTrainingState(s)),
              absl::StrCat("TRAINING_STATE_", StatusName(s)));
    states.insert(ToTrainingState(s));
  }
  EXPECT_EQ(states.size(), 6u);
  for (AttendanceMark m :
       {AttendanceMark::kPresent, AttendanceMark::kExcusedAbsence,
        AttendanceMark::kUnexcusedAbsence}) {
    EXPECT_EQ(pb::AttendanceMark_Name(ToAttendanceMark(m)),
              absl::StrCat("ATTENDANCE_MARK_", MarkName(m)));
  }
  EXPECT_EQ(ToExitKind(ExitKind::kCompleted), pb::EXIT_KIND_COMPLETED);
  EXPECT_EQ(ToExitKind(ExitKind::kDroppedOut), pb::EXIT_KIND_DROPPED_OUT);
  EXPECT_EQ(ToExitKind(ExitKind::kWithdrawn), pb::EXIT_KIND_WITHDRAWN);
}

TEST(EventMapperTest, PayloadHoldsOnlyTheMappedValues) {
  DomainEvent e = Transition(EventKind::kDroppedOut, TrainingStatus::kActive,
                             TrainingStatus::kDroppedOut);
  e.drop_out_reason = ::jobintech::common::v1::DROP_OUT_REASON_HEALTH;
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  pb::LifecycleEvent event;
  ASSERT_TRUE(event.ParseFromString(row->payload));
  pb::LifecycleEvent expected = *ToLifecycleEvent(e);
  expected.mutable_metadata()->set_event_id(event.metadata().event_id());
  EXPECT_EQ(event.SerializeAsString(), expected.SerializeAsString());
}

}  // namespace
}  // namespace jit::progress
