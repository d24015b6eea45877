#include "services/placement/events/event_mapper.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/events/envelope.h"
#include "libs/ids/ids.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/topics.h"
#include "libs/status/field_violations.h"

namespace jit::placement {
namespace {

namespace pb = ::jobintech::events::v1;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

std::vector<std::string> ViolatedFields(const absl::Status& s) {
  std::vector<std::string> fields;
  for (const auto& v : status::GetFieldViolations(s)) fields.push_back(v.field);
  return fields;
}

Dimensions Dims() {
  Dimensions d;
  d.gender = ::jobintech::common::v1::GENDER_MALE;
  d.age_band = ::jobintech::common::v1::AGE_BAND_25_29;
  d.education_level = ::jobintech::common::v1::EDUCATION_LEVEL_BAC_PLUS_3;
  d.residence_province_code = "MA-BEM";
  d.residence_region_code = "MA-05";
  d.training_province_code = "MA-FQH";
  d.training_region_code = "MA-05";
  d.track_id = "cybersecurity";
  d.cohort_id = "coh_1";
  d.centre_id = "ctr_1";
  return d;
}

Employer SampleEmployer() {
  Employer e;
  e.employer_id = "emp_1";
  e.name = "Atlas Cyber Services";
  e.ice = "001561191000066";
  e.sector = "it-services";
  e.province_code = "MA-CAS";
  e.region_code = "MA-06";
  e.partner = true;
  e.event_sequence = 1;
  return e;
}

Placement SamplePlacement() {
  Placement p;
  p.placement_id = "plc_1";
  p.trainee_id = "trn_1";
  p.type = pb::PLACEMENT_TYPE_SALARIED_FIXED_TERM;
  p.employer_id = "emp_1";
  p.start_date = absl::CivilDay(2025, 8, 1);
  p.salary_band = pb::SALARY_BAND_8000_11999;
  p.verification = pb::VERIFICATION_SOURCE_SELF_REPORT;
  return p;
}

DomainEvent Trainee(EventKind kind, PlacementState previous,
                    PlacementState next) {
  DomainEvent e;
  e.kind = kind;
  e.trainee_id = "trn_1";
  e.sequence = 3;
  e.occurred_at = absl::FromCivil(absl::CivilSecond(2025, 10, 15, 9, 30, 0),
                                  absl::UTCTimeZone());
  e.request_id = "req-1";
  e.traceparent = kTraceparent;
  e.dimensions = Dims();
  e.exit.kind = pb::EXIT_KIND_COMPLETED;
  e.exit.date = absl::CivilDay(2025, 6, 30);
  e.exit.cohort_id = "coh_1";
  e.previous_state = previous;
  e.new_state = next;
  return e;
}

void ExpectTraineeMetadata(const pb::LifecycleEvent& ev,
                           absl::string_view type) {
  const pb::EventMetadata& md = ev.metadata();
  EXPECT_EQ(md.event_type(), type);
  EXPECT_EQ(md.source(), "jobintech/placement");
  EXPECT_EQ(md.trainee_id(), "trn_1");
  EXPECT_TRUE(md.aggregate_id().empty());
  EXPECT_EQ(md.sequence(), 3);
  EXPECT_EQ(md.request_id(), "req-1");
  EXPECT_EQ(md.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(md.schema_version(), events::kSchemaVersion);
  EXPECT_TRUE(ids::IsUuid(md.event_id()));
  EXPECT_EQ(
      md.occurred_at().seconds(),
      absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(2025, 10, 15, 9, 30, 0), absl::UTCTimeZone())));
  EXPECT_EQ(md.dimensions().training_location().province_code(), "MA-FQH");
  EXPECT_EQ(md.dimensions().training_location().region_code(), "MA-05");
  EXPECT_EQ(md.dimensions().residence().province_code(), "MA-BEM");
  EXPECT_EQ(md.dimensions().gender(), ::jobintech::common::v1::GENDER_MALE);
  EXPECT_EQ(md.dimensions().cohort_id(), "coh_1");
  EXPECT_EQ(md.dimensions().centre_id(), "ctr_1");
}

void ExpectExit(const pb::TraineeExit& exit) {
  EXPECT_EQ(exit.kind(), pb::EXIT_KIND_COMPLETED);
  EXPECT_EQ(exit.exit_date().year(), 2025);
  EXPECT_EQ(exit.exit_date().month(), 6);
  EXPECT_EQ(exit.exit_date().day(), 30);
  EXPECT_EQ(exit.cohort_id(), "coh_1");
}

TEST(EventMapperTest, JobSearchStarted) {
  auto ev = ToLifecycleEvent(Trainee(EventKind::kJobSearchStarted,
                                     pb::PLACEMENT_STATE_UNSPECIFIED,
                                     pb::PLACEMENT_STATE_JOB_SEEKING));
  ASSERT_TRUE(ev.ok()) << ev.status();
  ExpectTraineeMetadata(*ev, "placement.job_search.started");
  ASSERT_TRUE(ev->has_job_search_started());
  ExpectExit(ev->job_search_started().exit());
  EXPECT_EQ(ev->job_search_started().previous_state(),
            pb::PLACEMENT_STATE_UNSPECIFIED);
  EXPECT_EQ(ev->job_search_started().new_state(),
            pb::PLACEMENT_STATE_JOB_SEEKING);
}

TEST(EventMapperTest, OfferRecorded) {
  DomainEvent e =
      Trainee(EventKind::kOfferRecorded, pb::PLACEMENT_STATE_JOB_SEEKING,
              pb::PLACEMENT_STATE_OFFERED);
  Offer o;
  o.offer_id = "ofr_1";
  o.trainee_id = "trn_1";
  o.job_offer_id = "job_1";
  o.employer_id = "emp_1";
  o.offered_on = absl::CivilDay(2025, 7, 14);
  e.offer = o;
  auto ev = ToLifecycleEvent(e);
  ASSERT_TRUE(ev.ok()) << ev.status();
  ExpectTraineeMetadata(*ev, "placement.offer.recorded");
  const pb::OfferRecorded& b = ev->offer_recorded();
  ExpectExit(b.exit());
  EXPECT_EQ(b.offer_id(), "ofr_1");
  EXPECT_EQ(b.job_offer_id(), "job_1");
  EXPECT_EQ(b.employer_id(), "emp_1");
  EXPECT_EQ(b.offered_on().day(), 14);
  EXPECT_EQ(b.previous_state(), pb::PLACEMENT_STATE_JOB_SEEKING);
  EXPECT_EQ(b.new_state(), pb::PLACEMENT_STATE_OFFERED);
}

TEST(EventMapperTest, PlacementStartedWithEmployerSectorLocationAndDays) {
  DomainEvent e =
      Trainee(EventKind::kPlacementStarted, pb::PLACEMENT_STATE_OFFERED,
              pb::PLACEMENT_STATE_PLACED);
  e.placement = SamplePlacement();
  e.employer = SampleEmployer();
  auto ev = ToLifecycleEvent(e);
  ASSERT_TRUE(ev.ok()) << ev.status();
  ExpectTraineeMetadata(*ev, "placement.placement.started");
  const pb::PlacementStarted& b = ev->placement_started();
  ExpectExit(b.exit());
  EXPECT_EQ(b.placement_id(), "plc_1");
  EXPECT_EQ(b.type(), pb::PLACEMENT_TYPE_SALARIED_FIXED_TERM);
  EXPECT_EQ(b.employer_id(), "emp_1");
  EXPECT_EQ(b.employer_sector(), "it-services");
  EXPECT_EQ(b.employer_location().province_code(), "MA-CAS");
  EXPECT_EQ(b.employer_location().region_code(), "MA-06");
  EXPECT_EQ(b.start_date().month(), 8);
  EXPECT_EQ(b.salary_band(), pb::SALARY_BAND_8000_11999);
  EXPECT_EQ(b.verification(), pb::VERIFICATION_SOURCE_SELF_REPORT);
  EXPECT_EQ(b.days_from_exit(), 32);  // 2025-06-30 -> 2025-08-01
  EXPECT_EQ(b.previous_state(), pb::PLACEMENT_STATE_OFFERED);
  EXPECT_EQ(b.new_state(), pb::PLACEMENT_STATE_PLACED);

  // Self-employment: no employer, no sector.
  e.placement->type = pb::PLACEMENT_TYPE_SELF_EMPLOYED;
  e.placement->employer_id.clear();
  e.employer.reset();
  ev = ToLifecycleEvent(e);
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->placement_started().employer_id().empty());
  EXPECT_TRUE(ev->placement_started().employer_sector().empty());
  EXPECT_FALSE(ev->placement_started().has_employer_location());
}

TEST(EventMapperTest, PlacementVerifiedAndEnded) {
  DomainEvent v =
      Trainee(EventKind::kPlacementVerified, pb::PLACEMENT_STATE_PLACED,
              pb::PLACEMENT_STATE_PLACED);
  v.placement = SamplePlacement();
  v.placement->verification = pb::VERIFICATION_SOURCE_SOCIAL_SECURITY;
  v.previous_verification = pb::VERIFICATION_SOURCE_SELF_REPORT;
  auto ev = ToLifecycleEvent(v);
  ASSERT_TRUE(ev.ok()) << ev.status();
  ExpectTraineeMetadata(*ev, "placement.placement.verified");
  EXPECT_EQ(ev->placement_verified().previous_verification(),
            pb::VERIFICATION_SOURCE_SELF_REPORT);
  EXPECT_EQ(ev->placement_verified().verification(),
            pb::VERIFICATION_SOURCE_SOCIAL_SECURITY);
  EXPECT_EQ(ev->placement_verified().previous_state(),
            pb::PLACEMENT_STATE_PLACED);
  EXPECT_EQ(ev->placement_verified().new_state(), pb::PLACEMENT_STATE_PLACED);
  ExpectExit(ev->placement_verified().exit());

  DomainEvent end =
      Trainee(EventKind::kPlacementEnded, pb::PLACEMENT_STATE_PLACED,
              pb::PLACEMENT_STATE_ENDED);
  end.placement = SamplePlacement();
  end.placement->end_date = absl::CivilDay(2025, 9, 30);
  end.placement->end_reason = "contract not renewed";
  end.placement->end_reason_code =
      ::jobintech::common::v1::PLACEMENT_END_REASON_CONTRACT_COMPLETED;
  ev = ToLifecycleEvent(end);
  ASSERT_TRUE(ev.ok()) << ev.status();
  ExpectTraineeMetadata(*ev, "placement.placement.ended");
  EXPECT_EQ(ev->placement_ended().end_date().month(), 9);
  EXPECT_EQ(ev->placement_ended().end_reason(),
            ::jobintech::common::v1::PLACEMENT_END_REASON_CONTRACT_COMPLETED);
  // The note stays in the store: not in any byte of the event.
  EXPECT_EQ(ev->SerializeAsString().find("contract not renewed"),
            std::string::npos);
  EXPECT_EQ(ev->placement_ended().new_state(), pb::PLACEMENT_STATE_ENDED);

  end.placement->end_date.reset();
  EXPECT_THAT(ViolatedFields(ToLifecycleEvent(end).status()),
              UnorderedElementsAre("placement.end_date"));
  end.placement->end_date = absl::CivilDay(2025, 9, 30);
  end.placement->end_reason_code =
      ::jobintech::common::v1::PLACEMENT_END_REASON_UNSPECIFIED;
  EXPECT_THAT(ViolatedFields(ToLifecycleEvent(end).status()),
              UnorderedElementsAre("placement.end_reason_code"));
}

TEST(EventMapperTest, FollowUpRecorded) {
  DomainEvent e =
      Trainee(EventKind::kFollowUpRecorded, pb::PLACEMENT_STATE_PLACED,
              pb::PLACEMENT_STATE_PLACED);
  FollowUp f;
  f.trainee_id = "trn_1";
  f.months = 6;
  f.due_date = absl::CivilDay(2025, 12, 30);
  f.outcome = pb::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER;
  f.placement_id = "plc_1";
  f.employer_id = "emp_2";
  f.recorded_on = absl::CivilDay(2026, 1, 5);
  e.follow_up = f;
  auto ev = ToLifecycleEvent(e);
  ASSERT_TRUE(ev.ok()) << ev.status();
  ExpectTraineeMetadata(*ev, "placement.follow_up.recorded");
  const pb::FollowUpRecorded& b = ev->follow_up_recorded();
  ExpectExit(b.exit());
  EXPECT_EQ(b.months_after_exit(), 6);
  EXPECT_EQ(b.outcome(), pb::FOLLOW_UP_OUTCOME_EMPLOYED_OTHER_EMPLOYER);
  EXPECT_EQ(b.placement_id(), "plc_1");
  EXPECT_EQ(b.employer_id(), "emp_2");
  EXPECT_EQ(b.recorded_on().year(), 2026);
  EXPECT_EQ(b.previous_state(), pb::PLACEMENT_STATE_PLACED);
  EXPECT_EQ(b.new_state(), pb::PLACEMENT_STATE_PLACED);
}

TEST(EventMapperTest, EmployerAndJobOfferEventsAreKeyedByTheirIds) {
  DomainEvent e;
  e.kind = EventKind::kEmployerRegistered;
  e.aggregate_id = "emp_1";
  e.sequence = 1;
  e.occurred_at = absl::FromUnixSeconds(1'760'486'400);
  e.employer = SampleEmployer();
  auto row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->topic, kafka::kPlacementTopic);
  EXPECT_EQ(row->key, "emp_1");
  pb::LifecycleEvent ev;
  ASSERT_TRUE(ev.ParseFromString(row->payload));
  EXPECT_EQ(ev.metadata().aggregate_id(), "emp_1");
  EXPECT_TRUE(ev.metadata().trainee_id().empty());
  EXPECT_FALSE(ev.metadata().has_dimensions());
  EXPECT_EQ(ev.employer_registered().sector(), "it-services");
  EXPECT_EQ(ev.employer_registered().location().region_code(), "MA-06");
  EXPECT_TRUE(ev.employer_registered().partner());
  // The employer's name and ICE stay in the service.
  EXPECT_FALSE(absl::StrContains(row->payload, "Atlas Cyber"));
  EXPECT_FALSE(absl::StrContains(row->payload, "001561191000066"));

  DomainEvent j;
  j.kind = EventKind::kJobOfferPosted;
  j.aggregate_id = "job_1";
  j.sequence = 1;
  j.occurred_at = absl::FromUnixSeconds(1'760'486'400);
  JobOffer o;
  o.job_offer_id = "job_1";
  o.employer_id = "emp_1";
  o.title = "Analyste SOC";
  o.track_id = "cybersecurity";
  o.province_code = "MA-RAB";
  o.region_code = "MA-04";
  o.contract_type = pb::PLACEMENT_TYPE_INTERNSHIP;
  o.salary_band = pb::SALARY_BAND_UNDER_3000;
  o.openings = 4;
  j.job_offer = o;
  auto jrow = ToOutboxMessage(j);
  ASSERT_TRUE(jrow.ok()) << jrow.status();
  EXPECT_EQ(jrow->key, "job_1");
  ASSERT_TRUE(ev.ParseFromString(jrow->payload));
  EXPECT_EQ(ev.job_offer_posted().track_id(), "cybersecurity");
  EXPECT_EQ(ev.job_offer_posted().location().region_code(), "MA-04");
  EXPECT_EQ(ev.job_offer_posted().contract_type(),
            pb::PLACEMENT_TYPE_INTERNSHIP);
  EXPECT_EQ(ev.job_offer_posted().openings(), 4);

  j.aggregate_id = "job_2";
  EXPECT_THAT(ViolatedFields(ToLifecycleEvent(j).status()),
              UnorderedElementsAre("aggregate_id"));
}

TEST(EventMapperTest, RowsDecodeWithTheConsumersDecoderAndCarryHeaders) {
  DomainEvent e =
      Trainee(EventKind::kJobSearchStarted, pb::PLACEMENT_STATE_UNSPECIFIED,
              pb::PLACEMENT_STATE_JOB_SEEKING);
  auto row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->key, "trn_1");
  kafka::Headers headers(row->headers.begin(), row->headers.end());
  auto decoded = events::Decode(row->key, row->payload, headers);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  auto ce = kafka::FromHeaders(headers);
  ASSERT_TRUE(ce.ok()) << ce.status();
  EXPECT_EQ(ce->type, "ma.jobintech.placement.job_search.started.v1");
  EXPECT_EQ(ce->source, "jobintech/placement");
  EXPECT_EQ(ce->subject, "trn_1");
  EXPECT_EQ(ce->traceparent, kTraceparent);
  EXPECT_EQ(ce->id, decoded->metadata().event_id());

  // A malformed traceparent is dropped, not published.
  e.traceparent = "garbage";
  row = ToOutboxMessage(e);
  ASSERT_TRUE(row.ok());
  kafka::Headers h2(row->headers.begin(), row->headers.end());
  EXPECT_EQ(kafka::FindHeader(h2, "traceparent"), nullptr);
}

TEST(EventMapperTest, RefusesEventsThatDoNotSayWhatTheirKindSays) {
  DomainEvent e =
      Trainee(EventKind::kOfferRecorded, pb::PLACEMENT_STATE_UNSPECIFIED,
              pb::PLACEMENT_STATE_UNSPECIFIED);
  e.exit.kind = pb::EXIT_KIND_UNSPECIFIED;
  e.aggregate_id = "x";
  e.sequence = 0;
  e.occurred_at = absl::UnixEpoch();
  EXPECT_THAT(ViolatedFields(ToLifecycleEvent(e).status()),
              UnorderedElementsAre("aggregate_id", "exit.kind", "new_state",
                                   "previous_state", "offer", "sequence",
                                   "occurred_at"));
  DomainEvent start =
      Trainee(EventKind::kJobSearchStarted, pb::PLACEMENT_STATE_OFFERED,
              pb::PLACEMENT_STATE_JOB_SEEKING);
  start.trainee_id.clear();
  EXPECT_THAT(ViolatedFields(ToLifecycleEvent(start).status()),
              UnorderedElementsAre("trainee_id", "previous_state"));
  DomainEvent employer;
  employer.kind = EventKind::kEmployerRegistered;
  employer.trainee_id = "trn_1";
  employer.sequence = 1;
  employer.occurred_at = absl::FromUnixSeconds(1);
  EXPECT_THAT(ViolatedFields(ToLifecycleEvent(employer).status()),
              UnorderedElementsAre("trainee_id", "aggregate_id", "employer"));
}

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

TEST(EventMapperTest, PlacementBodiesHaveNoPersonalOrCompanyIdentifierField) {
  std::set<const google::protobuf::Descriptor*> seen;
  std::set<std::string> names;
  for (const auto* d :
       {pb::JobSearchStarted::descriptor(), pb::OfferRecorded::descriptor(),
        pb::PlacementStarted::descriptor(), pb::PlacementVerified::descriptor(),
        pb::PlacementEnded::descriptor(), pb::FollowUpRecorded::descriptor(),
        pb::EmployerRegistered::descriptor(), pb::JobOfferPosted::descriptor(),
        pb::EventMetadata::descriptor()}) {
    CollectFieldNames(d, &seen, &names);
  }
  for (const std::string& name : names) {
    for (const char* banned :
         {"given_name", "family_name", "national_id", "cin", "phone", "email",
          "birth", "ice", "name"}) {
      EXPECT_FALSE(absl::StrContains(name, banned)) << name;
    }
  }
}

}  // namespace
}  // namespace jit::placement
