#include "services/enrollment/events/event_mapper.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "libs/events/envelope.h"
#include "libs/ids/ids.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/topics.h"
#include "libs/status/field_violations.h"

namespace jit::enrollment {
namespace {

namespace pb = ::jobintech::events::v1;
namespace common = ::jobintech::common::v1;

using ::testing::Contains;
using ::testing::Pair;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const absl::Time kAt = absl::FromUnixMicros(1'760'486'400'123'456);

Dimensions SampleDimensions() {
  Dimensions d;
  d.gender = common::GENDER_FEMALE;
  d.age_band = common::AGE_BAND_21_24;
  d.education_level = common::EDUCATION_LEVEL_BAC_PLUS_2;
  d.residence_province_code = "MA-FQH";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-CAS";
  d.training_region_code = "MA-06";
  d.track_id = "cybersecurity";
  d.cohort_id = "coh_1";
  d.centre_id = "ctr_1";
  return d;
}

DomainEvent TraineeEvent(EventKind kind,
                         std::optional<ApplicationStatus> previous,
                         ApplicationStatus next) {
  DomainEvent e;
  e.kind = kind;
  e.trainee_id = "trn_abc";
  e.sequence = 3;
  e.occurred_at = kAt;
  e.request_id = "req-1";
  e.traceparent = kTraceparent;
  e.dimensions = SampleDimensions();
  e.application_id = "app_1";
  e.cohort_id = "coh_1";
  e.previous_status = previous;
  e.new_status = next;
  return e;
}

Cohort SampleCohort() {
  Cohort c;
  c.cohort_id = "coh_1";
  c.name = "Cyber Casablanca 2025";
  c.track_id = "cybersecurity";
  c.centre_id = "ctr_1";
  c.province_code = "MA-CAS";
  c.region_code = "MA-06";
  c.capacity = 50;
  c.start_date = absl::CivilDay(2025, 11, 3);
  c.end_date = absl::CivilDay(2026, 4, 30);
  c.status = CohortStatus::kOpen;
  c.event_sequence = 2;
  return c;
}

DomainEvent CatalogueEvent(EventKind kind, std::string aggregate_id) {
  DomainEvent e;
  e.kind = kind;
  e.aggregate_id = std::move(aggregate_id);
  e.sequence = 1;
  e.occurred_at = kAt;
  e.request_id = "req-2";
  e.actor_id = "act_0123456789abcdef";
  return e;
}

void ExpectCommonMetadata(const pb::LifecycleEvent& out, const DomainEvent& e) {
  const pb::EventMetadata& md = out.metadata();
  EXPECT_TRUE(ids::IsUuid(md.event_id())) << md.event_id();
  EXPECT_EQ(md.event_id()[14], '7') << "UUID version 7";
  EXPECT_EQ(md.event_type(), EventType(e.kind));
  EXPECT_EQ(md.source(), "jobintech/enrollment");
  EXPECT_EQ(md.occurred_at().seconds(), absl::ToUnixSeconds(kAt));
  EXPECT_EQ(md.occurred_at().nanos(), 123'456'000);
  EXPECT_EQ(md.sequence(), e.sequence);
  EXPECT_EQ(md.schema_version(), events::kSchemaVersion);
  EXPECT_EQ(md.request_id(), e.request_id);
  EXPECT_EQ(md.actor_id(), e.actor_id);
  EXPECT_TRUE(events::Validate(out).ok()) << events::Validate(out);
}

void ExpectSampleDimensions(const common::TraineeDimensions& d) {
  EXPECT_EQ(d.gender(), common::GENDER_FEMALE);
  EXPECT_EQ(d.age_band(), common::AGE_BAND_21_24);
  EXPECT_EQ(d.education_level(), common::EDUCATION_LEVEL_BAC_PLUS_2);
  EXPECT_EQ(d.residence().province_code(), "MA-FQH");
  EXPECT_EQ(d.residence().region_code(), "MA-05");
  EXPECT_EQ(d.training_location().province_code(), "MA-CAS");
  EXPECT_EQ(d.training_location().region_code(), "MA-06");
  EXPECT_EQ(d.track_id(), "cybersecurity");
  EXPECT_EQ(d.cohort_id(), "coh_1");
  EXPECT_EQ(d.centre_id(), "ctr_1");
}

TEST(EventMapperTest, EventIdEncodesOccurredAtMilliseconds) {
  DomainEvent e = TraineeEvent(EventKind::kApplicationSubmitted, std::nullopt,
                               ApplicationStatus::kApplied);
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  std::string hex = out->metadata().event_id().substr(0, 8) +
                    out->metadata().event_id().substr(9, 4);
  EXPECT_EQ(std::stoll(hex, nullptr, 16), absl::ToUnixMillis(kAt));
}

TEST(EventMapperTest, EachCallGetsAFreshEventId) {
  DomainEvent e = TraineeEvent(EventKind::kApplicationSubmitted, std::nullopt,
                               ApplicationStatus::kApplied);
  EXPECT_NE(ToLifecycleEvent(e)->metadata().event_id(),
            ToLifecycleEvent(e)->metadata().event_id());
}

TEST(EventMapperTest, ApplicationSubmitted) {
  DomainEvent e = TraineeEvent(EventKind::kApplicationSubmitted, std::nullopt,
                               ApplicationStatus::kApplied);
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCommonMetadata(*out, e);
  EXPECT_EQ(out->metadata().event_type(), "enrollment.application.submitted");
  EXPECT_EQ(out->metadata().trainee_id(), "trn_abc");
  EXPECT_EQ(out->metadata().aggregate_id(), "");
  EXPECT_EQ(out->metadata().trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  ExpectSampleDimensions(out->metadata().dimensions());
  ASSERT_EQ(out->body_case(), pb::LifecycleEvent::kApplicationSubmitted);
  const pb::ApplicationSubmitted& body = out->application_submitted();
  EXPECT_EQ(body.application_id(), "app_1");
  EXPECT_EQ(body.cohort_id(), "coh_1");
  EXPECT_EQ(body.previous_state(), pb::APPLICATION_STATE_UNSPECIFIED);
  EXPECT_EQ(body.new_state(), pb::APPLICATION_STATE_APPLIED);
}

struct TransitionCase {
  const char* name;
  EventKind kind;
  ApplicationStatus previous;
  ApplicationStatus next;
  pb::LifecycleEvent::BodyCase body_case;
  pb::ApplicationState previous_state;
  pb::ApplicationState new_state;
  const char* event_type;
};

class TransitionMappingTest : public ::testing::TestWithParam<TransitionCase> {
};

const pb::ApplicationTransition& TransitionBody(const pb::LifecycleEvent& e) {
  switch (e.body_case()) {
    case pb::LifecycleEvent::kApplicationAdmitted:
      return e.application_admitted();
    case pb::LifecycleEvent::kApplicationWaitlisted:
      return e.application_waitlisted();
    case pb::LifecycleEvent::kApplicationRejected:
      return e.application_rejected();
    case pb::LifecycleEvent::kEnrolmentConfirmed:
      return e.enrolment_confirmed();
    case pb::LifecycleEvent::kAdmissionDeclined:
      return e.admission_declined();
    case pb::LifecycleEvent::kEnrolmentWithdrawn:
      return e.enrolment_withdrawn();
    default:
      return pb::ApplicationTransition::default_instance();
  }
}

TEST_P(TransitionMappingTest, MapsBodyStatesKeyAndDimensions) {
  const TransitionCase& c = GetParam();
  DomainEvent e = TraineeEvent(c.kind, c.previous, c.next);
  e.reason_code = 3;
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCommonMetadata(*out, e);
  EXPECT_EQ(out->metadata().event_type(), c.event_type);
  EXPECT_EQ(out->metadata().trainee_id(), "trn_abc");
  ExpectSampleDimensions(out->metadata().dimensions());
  ASSERT_EQ(out->body_case(), c.body_case);
  const pb::ApplicationTransition& body = TransitionBody(*out);
  EXPECT_EQ(body.application_id(), "app_1");
  EXPECT_EQ(body.cohort_id(), "coh_1");
  EXPECT_EQ(body.previous_state(), c.previous_state);
  EXPECT_EQ(body.new_state(), c.new_state);
  // The code goes in the field of the transition that has one; the
  // deprecated free-text field is never filled.
  const bool rejected = c.new_state == pb::APPLICATION_STATE_REJECTED;
  const bool declined = c.new_state == pb::APPLICATION_STATE_DECLINED;
  const bool withdrawn = c.new_state == pb::APPLICATION_STATE_WITHDRAWN;
  EXPECT_EQ(body.rejection_reason(), rejected ? 3 : 0);
  EXPECT_EQ(body.decline_reason(), declined ? 3 : 0);
  EXPECT_EQ(body.withdrawal_reason(), withdrawn ? 3 : 0);
  EXPECT_FALSE(body.GetReflection()->HasField(
      body, body.GetDescriptor()->FindFieldByName("reason")));

  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->topic, "jobintech.enrollment.v1");
  EXPECT_EQ(row->key, "trn_abc");
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_type", absl::StrCat("ma.jobintech.",
                                                    c.event_type, ".v1"))));
}

INSTANTIATE_TEST_SUITE_P(
    AllTransitions, TransitionMappingTest,
    ::testing::Values(
        TransitionCase{
            "Admitted", EventKind::kApplicationAdmitted,
            ApplicationStatus::kApplied, ApplicationStatus::kAdmitted,
            pb::LifecycleEvent::kApplicationAdmitted,
            pb::APPLICATION_STATE_APPLIED, pb::APPLICATION_STATE_ADMITTED,
            "enrollment.application.admitted"},
        TransitionCase{
            "AdmittedFromWaitlist", EventKind::kApplicationAdmitted,
            ApplicationStatus::kWaitlisted, ApplicationStatus::kAdmitted,
            pb::LifecycleEvent::kApplicationAdmitted,
            pb::APPLICATION_STATE_WAITLISTED, pb::APPLICATION_STATE_ADMITTED,
            "enrollment.application.admitted"},
        TransitionCase{
            "Waitlisted", EventKind::kApplicationWaitlisted,
            ApplicationStatus::kApplied, ApplicationStatus::kWaitlisted,
            pb::LifecycleEvent::kApplicationWaitlisted,
            pb::APPLICATION_STATE_APPLIED, pb::APPLICATION_STATE_WAITLISTED,
            "enrollment.application.waitlisted"},
        TransitionCase{
            "Rejected", EventKind::kApplicationRejected,
            ApplicationStatus::kWaitlisted, ApplicationStatus::kRejected,
            pb::LifecycleEvent::kApplicationRejected,
            pb::APPLICATION_STATE_WAITLISTED, pb::APPLICATION_STATE_REJECTED,
            "enrollment.application.rejected"},
        TransitionCase{
            "Enrolled", EventKind::kEnrolmentConfirmed,
            ApplicationStatus::kAdmitted, ApplicationStatus::kEnrolled,
            pb::LifecycleEvent::kEnrolmentConfirmed,
            pb::APPLICATION_STATE_ADMITTED, pb::APPLICATION_STATE_ENROLLED,
            "enrollment.enrolment.confirmed"},
        TransitionCase{
            "Declined", EventKind::kAdmissionDeclined,
            ApplicationStatus::kAdmitted, ApplicationStatus::kDeclined,
            pb::LifecycleEvent::kAdmissionDeclined,
            pb::APPLICATION_STATE_ADMITTED, pb::APPLICATION_STATE_DECLINED,
            "enrollment.admission.declined"},
        TransitionCase{
            "Withdrawn", EventKind::kEnrolmentWithdrawn,
            ApplicationStatus::kEnrolled, ApplicationStatus::kWithdrawn,
            pb::LifecycleEvent::kEnrolmentWithdrawn,
            pb::APPLICATION_STATE_ENROLLED, pb::APPLICATION_STATE_WITHDRAWN,
            "enrollment.enrolment.withdrawn"}),
    [](const ::testing::TestParamInfo<TransitionCase>& info) {
      return std::string(info.param.name);
    });

void ExpectSampleCohort(const pb::CohortSnapshot& s) {
  EXPECT_EQ(s.cohort_id(), "coh_1");
  EXPECT_EQ(s.name(), "Cyber Casablanca 2025");
  EXPECT_EQ(s.track_id(), "cybersecurity");
  EXPECT_EQ(s.centre_id(), "ctr_1");
  EXPECT_EQ(s.location().province_code(), "MA-CAS");
  EXPECT_EQ(s.location().region_code(), "MA-06");
  EXPECT_EQ(s.capacity(), 50);
  EXPECT_EQ(s.start_date().year(), 2025);
  EXPECT_EQ(s.start_date().month(), 11);
  EXPECT_EQ(s.start_date().day(), 3);
  EXPECT_EQ(s.end_date().year(), 2026);
  EXPECT_EQ(s.end_date().month(), 4);
  EXPECT_EQ(s.end_date().day(), 30);
  EXPECT_EQ(s.state(), pb::COHORT_STATE_OPEN);
}

TEST(EventMapperTest, CohortOpenedIsKeyedByCohortWithoutDimensions) {
  DomainEvent e = CatalogueEvent(EventKind::kCohortOpened, "coh_1");
  e.cohort = SampleCohort();
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCommonMetadata(*out, e);
  EXPECT_EQ(out->metadata().event_type(), "enrollment.cohort.opened");
  EXPECT_EQ(out->metadata().aggregate_id(), "coh_1");
  EXPECT_EQ(out->metadata().trainee_id(), "");
  EXPECT_FALSE(out->metadata().has_dimensions());
  ASSERT_EQ(out->body_case(), pb::LifecycleEvent::kCohortOpened);
  ExpectSampleCohort(out->cohort_opened().cohort());

  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->key, "coh_1");
  EXPECT_THAT(row->headers, Contains(Pair("ce_subject", "coh_1")));
}

TEST(EventMapperTest, CohortChangedCarriesPreviousCapacityAndState) {
  DomainEvent e = CatalogueEvent(EventKind::kCohortChanged, "coh_1");
  e.sequence = 4;
  e.cohort = SampleCohort();
  e.previous_capacity = 40;
  e.previous_cohort_status = CohortStatus::kPlanned;
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCommonMetadata(*out, e);
  EXPECT_EQ(out->metadata().event_type(), "enrollment.cohort.changed");
  ASSERT_EQ(out->body_case(), pb::LifecycleEvent::kCohortChanged);
  ExpectSampleCohort(out->cohort_changed().cohort());
  EXPECT_EQ(out->cohort_changed().previous_capacity(), 40);
  EXPECT_EQ(out->cohort_changed().previous_state(), pb::COHORT_STATE_PLANNED);
  EXPECT_EQ(ToOutboxMessage(e)->key, "coh_1");
}

TEST(EventMapperTest, TrackAddedIsKeyedByTrack) {
  DomainEvent e = CatalogueEvent(EventKind::kTrackAdded, "digital-health");
  e.track = Track{.track_id = "digital-health",
                  .name_fr = "Santé digitale",
                  .name_ar = "الصحة الرقمية",
                  .create_time = kAt};
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCommonMetadata(*out, e);
  EXPECT_EQ(out->metadata().event_type(), "enrollment.track.added");
  ASSERT_EQ(out->body_case(), pb::LifecycleEvent::kTrackAdded);
  EXPECT_EQ(out->track_added().track_id(), "digital-health");
  EXPECT_EQ(out->track_added().name_fr(), "Santé digitale");
  EXPECT_EQ(out->track_added().name_ar(), "الصحة الرقمية");
  EXPECT_EQ(ToOutboxMessage(e)->key, "digital-health");
}

TEST(EventMapperTest, ProgrammeTargetChangedIsKeyedByProgramme) {
  DomainEvent e =
      CatalogueEvent(EventKind::kProgrammeTargetChanged, kProgrammeAggregateId);
  e.previous_target = 15000;
  e.national_target = 20000;
  absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(e);
  ASSERT_TRUE(out.ok()) << out.status();
  ExpectCommonMetadata(*out, e);
  EXPECT_EQ(out->metadata().event_type(),
            "enrollment.programme.target_changed");
  ASSERT_EQ(out->body_case(), pb::LifecycleEvent::kProgrammeTargetChanged);
  EXPECT_EQ(out->programme_target_changed().previous_target(), 15000);
  EXPECT_EQ(out->programme_target_changed().national_target(), 20000);
  EXPECT_EQ(ToOutboxMessage(e)->key, "programme");
}

TEST(EventMapperTest, OutboxRowRoundTripsThroughTheConsumerDecoder) {
  DomainEvent e =
      TraineeEvent(EventKind::kEnrolmentConfirmed, ApplicationStatus::kAdmitted,
                   ApplicationStatus::kEnrolled);
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->topic, kafka::kEnrollmentTopic);
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_source", "jobintech/enrollment")));
  EXPECT_THAT(row->headers, Contains(Pair("ce_subject", "trn_abc")));
  EXPECT_THAT(row->headers,
              Contains(Pair("content-type", "application/protobuf")));
  EXPECT_THAT(row->headers, Contains(Pair("traceparent", kTraceparent)));

  absl::StatusOr<pb::LifecycleEvent> decoded =
      events::Decode(row->key, row->payload, row->headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->metadata().trainee_id(), "trn_abc");
  EXPECT_EQ(decoded->body_case(), pb::LifecycleEvent::kEnrolmentConfirmed);
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_id", decoded->metadata().event_id())));
  EXPECT_THAT(row->headers,
              Contains(Pair("ce_time", "2025-10-15T00:00:00.123456Z")));
}

TEST(EventMapperTest, MalformedTraceparentIsDroppedNotPublished) {
  DomainEvent e = TraineeEvent(EventKind::kApplicationSubmitted, std::nullopt,
                               ApplicationStatus::kApplied);
  e.traceparent = "00-not-a-trace";
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(kafka::FindHeader(row->headers, "traceparent"), nullptr);
  absl::StatusOr<pb::LifecycleEvent> decoded =
      events::Decode(row->key, row->payload, row->headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->metadata().trace_id(), "");
}

TEST(EventMapperTest, NoTraceparentMeansNoTraceId) {
  DomainEvent e = TraineeEvent(EventKind::kApplicationSubmitted, std::nullopt,
                               ApplicationStatus::kApplied);
  e.traceparent.clear();
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
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
  auto submitted = [] {
    return TraineeEvent(EventKind::kApplicationSubmitted, std::nullopt,
                        ApplicationStatus::kApplied);
  };
  {
    DomainEvent e = submitted();
    e.trainee_id.clear();
    cases.push_back({"no key", e, "trainee_id"});
  }
  {
    DomainEvent e = submitted();
    e.aggregate_id = "coh_1";
    cases.push_back({"two keys", e, "aggregate_id"});
  }
  {
    DomainEvent e = submitted();
    e.sequence = 0;
    cases.push_back({"sequence 0", e, "sequence"});
  }
  {
    DomainEvent e = submitted();
    e.occurred_at = absl::UnixEpoch();
    cases.push_back({"no time", e, "occurred_at"});
  }
  {
    DomainEvent e = submitted();
    e.new_status = ApplicationStatus::kAdmitted;
    cases.push_back({"status does not match kind", e, "new_status"});
  }
  {
    DomainEvent e = submitted();
    e.application_id.clear();
    cases.push_back({"no application", e, "application_id"});
  }
  {
    DomainEvent e = TraineeEvent(EventKind::kApplicationAdmitted, std::nullopt,
                                 ApplicationStatus::kAdmitted);
    cases.push_back({"transition without previous", e, "previous_status"});
  }
  {
    DomainEvent e = CatalogueEvent(EventKind::kCohortOpened, "coh_1");
    cases.push_back({"cohort event without cohort", e, "cohort"});
  }
  {
    DomainEvent e = CatalogueEvent(EventKind::kCohortChanged, "coh_2");
    e.cohort = SampleCohort();
    cases.push_back({"cohort keyed by another id", e, "aggregate_id"});
  }
  {
    DomainEvent e = CatalogueEvent(EventKind::kTrackAdded, "x");
    cases.push_back({"track event without track", e, "track"});
  }
  {
    DomainEvent e = CatalogueEvent(EventKind::kProgrammeTargetChanged, "prog");
    cases.push_back({"programme keyed wrongly", e, "aggregate_id"});
  }
  {
    DomainEvent e = CatalogueEvent(EventKind::kProgrammeTargetChanged,
                                   kProgrammeAggregateId);
    e.trainee_id = "trn_abc";
    cases.push_back({"catalogue event with trainee", e, "trainee_id"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<pb::LifecycleEvent> out = ToLifecycleEvent(c.event);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ViolatedFields(out.status()), Contains(c.field));
    EXPECT_EQ(ToOutboxMessage(c.event).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(EventMapperTest, StateEnumsMapOneToOne) {
  std::set<int> app_states;
  for (ApplicationStatus s :
       {ApplicationStatus::kApplied, ApplicationStatus::kAdmitted,
        ApplicationStatus::kWaitlisted, ApplicationStatus::kRejected,
        ApplicationStatus::kEnrolled, ApplicationStatus::kDeclined,
        ApplicationStatus::kWithdrawn}) {
    const pb::ApplicationState state = ToApplicationState(s);
    EXPECT_NE(state, pb::APPLICATION_STATE_UNSPECIFIED);
    EXPECT_EQ(pb::ApplicationState_Name(state),
              absl::StrCat("APPLICATION_STATE_", StatusName(s)));
    app_states.insert(state);
  }
  EXPECT_EQ(app_states.size(), 7u);
  for (CohortStatus s : {CohortStatus::kPlanned, CohortStatus::kOpen,
                         CohortStatus::kRunning, CohortStatus::kClosed}) {
    EXPECT_EQ(pb::CohortState_Name(ToCohortState(s)),
              absl::StrCat("COHORT_STATE_", StatusName(s)));
  }
}

// The mapping reads only non-identifying fields: the envelope it fills has no
// field that could hold a personal datum of the candidate.
void CollectFieldNames(const google::protobuf::Descriptor* d,
                       std::set<const google::protobuf::Descriptor*>* seen,
                       std::set<std::string>* names) {
  if (!seen->insert(d).second) return;
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    names->insert(f->name());
    if (f->message_type() != nullptr) {
      CollectFieldNames(f->message_type(), seen, names);
    }
  }
}

TEST(EventMapperTest, EnvelopeHasNoPersonalDataField) {
  std::set<const google::protobuf::Descriptor*> seen;
  std::set<std::string> names;
  CollectFieldNames(pb::LifecycleEvent::descriptor(), &seen, &names);
  for (const std::string& name : names) {
    for (const char* banned : {"given_name", "family_name", "national_id",
                               "cin", "phone", "email", "birth"}) {
      EXPECT_FALSE(absl::StrContains(name, banned)) << name;
    }
  }
}

TEST(EventMapperTest, PayloadHoldsOnlyTheMappedValues) {
  // Every string in the serialized trainee event comes from the
  // DomainEvent's non-identifying fields or the generated metadata.
  DomainEvent e =
      TraineeEvent(EventKind::kApplicationRejected, ApplicationStatus::kApplied,
                   ApplicationStatus::kRejected);
  e.reason_code = ::jobintech::common::v1::REJECTION_REASON_INCOMPLETE_FILE;
  absl::StatusOr<outbox::OutboxMessage> row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  pb::LifecycleEvent event;
  ASSERT_TRUE(event.ParseFromString(row->payload));
  pb::LifecycleEvent expected = *ToLifecycleEvent(e);
  expected.mutable_metadata()->set_event_id(event.metadata().event_id());
  EXPECT_EQ(event.SerializeAsString(), expected.SerializeAsString());
}

}  // namespace
}  // namespace jit::enrollment
