// The topic scan ([PRIV] issue 16): nothing personal and no staff free text
// on any Kafka topic, against the real binaries over TLS on loopback.
//
// The test submits applications with distinctive personal values (names,
// national ID, phone, e-mail, birth date) and drives every transition that
// has a reason (rejection, decline, withdrawal, drop-out, certificate
// revocation, placement end), each with a distinctive free-text note. It
// waits until the events of those transitions are on the topics (and checks
// they carry the reason codes), provokes a dead letter (a real event with a
// broken event id, produced again: the aggregator dead-letters it to
// `<topic>.dlq`), then lists every topic from the broker's metadata, reads
// each one to its end and searches every key, value and header, byte for
// byte, for each personal value and each note: none may appear.
//
// The notes must not simply be dropped: they are read back over gRPC by a
// caller in scope, then erased (EraseTraineeNotes) and read back empty.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/events/v1/lifecycle_event.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/topics.h"
#include "libs/testing/secure_suite.h"

namespace jit {
namespace {

namespace enr = ::jobintech::enrollment::v1;
namespace prg = ::jobintech::progress::v1;
namespace plc = ::jobintech::placement::v1;
namespace cmn = ::jobintech::common::v1;
namespace evt = ::jobintech::events::v1;

using testing::SecureSuite;

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(15)));
  return ctx;
}

cmn::Date Today(int plus_days = 0) {
  const absl::CivilDay d =
      absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + plus_days;
  cmn::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// One applicant's distinctive personal data, as submitted.
struct Person {
  std::string given_name;
  std::string family_name;
  std::string national_id;
  std::string phone;
  std::string email;
  int birth_month = 1;
};

Person PersonNumber(int i) {
  static const char* const kGiven[] = {"Yasmiqora", "Belkhazun", "Tarfouzel",
                                       "Miravendi", "Quenzabil"};
  static const char* const kFamily[] = {"Oufkirzaq", "Lahrouvem", "Zemmouriq",
                                        "Tazrinoux", "Bouhjarex"};
  return Person{
      .given_name = kGiven[i],
      .family_name = kFamily[i],
      .national_id = absl::StrCat("QZ91734", i),
      .phone = absl::StrCat("06619385", 10 + i),
      .email = absl::StrCat(kGiven[i], ".", kFamily[i], "@courriel-unique.ma"),
      .birth_month = i + 1};
}

// Every byte sequence of `p` that must not appear on a topic: the values as
// submitted and as the service normalizes them.
std::vector<std::string> Needles(const Person& p) {
  const std::string birth = absl::StrCat("1998-0", p.birth_month, "-17");
  const std::string phone_digits = p.phone.substr(1);  // "6619385xx"
  return {p.given_name,
          p.family_name,
          p.national_id,
          p.phone,
          "+212" + phone_digits,
          phone_digits,
          p.email,
          absl::AsciiStrToLower(p.email),
          birth,
          absl::StrCat("17/0", p.birth_month, "/1998")};
}

// The staff's free-text notes, one per transition.
const std::map<std::string, std::string>& Notes() {
  static const auto* const kNotes = new std::map<std::string, std::string>{
      {"reject", "note-libre REJ-kq81x: dossier de Yasmiqora incomplet"},
      {"decline", "note-libre DEC-vz27m: a trouvé un poste chez son oncle"},
      {"withdraw", "note-libre WDR-pj54t: déménage à Oujda, rue des Orangers"},
      {"dropout", "note-libre DRP-hc93w: hospitalisée au CHU Ibn Rochd"},
      {"revoke", "note-libre RVK-ub16e: copie pendant l'examen final"},
      {"end",
       "note-libre END-fm40y: licenciée après un conflit avec M. Alaoui"},
  };
  return *kNotes;
}

class TopicScanTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto suite = SecureSuite::Start(JIT_SUITE_BINARIES);
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
  }
  static void TearDownTestSuite() { delete suite_; }

  static std::shared_ptr<grpc::Channel> As(
      const std::string& service, const std::string& role = "programme-admin") {
    return suite_->pki().PersonChannel(suite_->address(service), role);
  }

  // Every record of `topic`, read from the beginning of every partition to
  // its end.
  static std::vector<kafka::ConsumedMessage> ReadTopic(
      const std::string& topic) {
    std::vector<kafka::ConsumedMessage> out;
    auto consumer = kafka::Consumer::Create(
        {.bootstrap_servers = suite_->broker().bootstrap_servers(),
         .client_id = "topic-scan",
         .auto_offset_reset = "error"});
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    if (!consumer.ok()) return out;
    absl::StatusOr<int> partitions = (*consumer)->PartitionCount(topic);
    EXPECT_TRUE(partitions.ok()) << topic << ": " << partitions.status();
    if (!partitions.ok()) return out;
    std::vector<kafka::TopicPartitionOffset> assignment;
    for (int p = 0; p < *partitions; ++p) {
      assignment.push_back(
          {.topic = topic, .partition = p, .offset = kafka::kOffsetBeginning});
    }
    EXPECT_TRUE((*consumer)->Assign(assignment).ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (!(*consumer)->AtEndOfAssignedPartitions()) {
      if (absl::Now() > deadline) {
        ADD_FAILURE() << "could not read " << topic << " to its end";
        break;
      }
      absl::StatusOr<std::optional<kafka::ConsumedMessage>> m =
          (*consumer)->Poll(absl::Milliseconds(500));
      if (!m.ok()) {
        ADD_FAILURE() << topic << ": " << m.status();
        break;
      }
      if (m->has_value()) out.push_back(**std::move(m));
    }
    EXPECT_TRUE((*consumer)->Close().ok());
    return out;
  }

  // The lifecycle events of `topic`, decoded.
  static std::vector<evt::LifecycleEvent> Events(const std::string& topic) {
    std::vector<evt::LifecycleEvent> out;
    for (const kafka::ConsumedMessage& m : ReadTopic(topic)) {
      evt::LifecycleEvent e;
      if (e.ParseFromString(m.value)) out.push_back(std::move(e));
    }
    return out;
  }

  // Reads `topic` until `found` holds for one of its events (the outbox
  // relays publish shortly after the commit); the event, or an empty one.
  template <typename Pred>
  static evt::LifecycleEvent AwaitEvent(const std::string& topic, Pred found) {
    const absl::Time deadline = absl::Now() + absl::Seconds(90);
    while (absl::Now() < deadline) {
      for (const evt::LifecycleEvent& e : Events(topic)) {
        if (found(e)) return e;
      }
      absl::SleepFor(absl::Milliseconds(300));
    }
    ADD_FAILURE() << "the expected event never reached " << topic;
    return evt::LifecycleEvent();
  }

  static SecureSuite* suite_;
};

SecureSuite* TopicScanTest::suite_ = nullptr;

TEST_F(TopicScanTest, NoPersonalValueNorStaffNoteOnAnyTopic) {
  auto enrollment = enr::EnrollmentService::NewStub(As("enrollment"));
  auto progress =
      prg::TrainingProgressService::NewStub(As("training-progress"));
  auto placement = plc::PlacementService::NewStub(As("placement"));
  int n = 0;
  auto rid = [&](const std::string& what) {
    return absl::StrCat("scan-", what, "-", ++n);
  };

  // The catalogue and the curriculum: one required module.
  enr::CreateCentreRequest centre_req;
  centre_req.set_request_id(rid("centre"));
  centre_req.set_name("Centre de test du scan");
  centre_req.set_operator_name("Opérateur du scan");
  centre_req.set_province_code("MA-CAS");
  enr::CreateCentreResponse centre;
  grpc::Status s = enrollment->CreateCentre(Ctx().get(), centre_req, &centre);
  ASSERT_TRUE(s.ok()) << s.error_message();
  enr::CreateCohortRequest cohort_req;
  cohort_req.set_request_id(rid("cohort"));
  cohort_req.set_name("Cohorte du scan");
  cohort_req.set_track_id("cybersecurity");
  cohort_req.set_centre_id(centre.centre().centre_id());
  cohort_req.set_capacity(20);
  *cohort_req.mutable_start_date() = Today();
  *cohort_req.mutable_end_date() = Today(200);
  cohort_req.set_status(enr::COHORT_STATUS_OPEN);
  enr::CreateCohortResponse cohort;
  s = enrollment->CreateCohort(Ctx().get(), cohort_req, &cohort);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string cohort_id = cohort.cohort().cohort_id();
  prg::PublishCurriculumRequest curriculum;
  curriculum.set_request_id(rid("curriculum"));
  curriculum.set_track_id("cybersecurity");
  prg::Module* module = curriculum.add_modules();
  module->set_module_id("scan-basics");
  module->set_title("Bases du scan");
  module->set_order(1);
  module->set_hours(10);
  module->set_required(true);
  module->set_max_score(20);
  module->set_pass_mark(10);
  prg::PublishCurriculumResponse published;
  s = progress->PublishCurriculum(Ctx().get(), curriculum, &published);
  ASSERT_TRUE(s.ok()) << s.error_message();

  // Five applicants with distinctive personal data.
  std::vector<std::string> apps, trainees;
  for (int i = 0; i < 5; ++i) {
    const Person p = PersonNumber(i);
    enr::SubmitApplicationRequest req;
    req.set_request_id(rid("submit"));
    req.set_cohort_id(cohort_id);
    enr::Candidate* c = req.mutable_candidate();
    c->set_given_name(p.given_name);
    c->set_family_name(p.family_name);
    c->set_national_id(p.national_id);
    cmn::Date birth;
    birth.set_year(1998);
    birth.set_month(p.birth_month);
    birth.set_day(17);
    *c->mutable_birth_date() = birth;
    c->set_phone(p.phone);
    c->set_email(p.email);
    req.set_gender(i % 2 == 0 ? cmn::GENDER_FEMALE : cmn::GENDER_MALE);
    req.set_education_level(cmn::EDUCATION_LEVEL_BAC_PLUS_2);
    req.set_residence_province_code("MA-CAS");
    enr::SubmitApplicationResponse resp;
    s = enrollment->SubmitApplication(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    apps.push_back(resp.application().application_id());
    trainees.push_back(resp.application().trainee_id());
  }
  auto admit = [&](int i) {
    enr::AdmitApplicationRequest req;
    req.set_request_id(rid("admit"));
    req.set_application_id(apps[i]);
    enr::AdmitApplicationResponse resp;
    grpc::Status st = enrollment->AdmitApplication(Ctx().get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  };
  auto enrol = [&](int i) {
    enr::ConfirmEnrolmentRequest req;
    req.set_request_id(rid("enrol"));
    req.set_application_id(apps[i]);
    enr::ConfirmEnrolmentResponse resp;
    grpc::Status st = enrollment->ConfirmEnrolment(Ctx().get(), req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  };

  // 0: rejected.
  {
    enr::RejectApplicationRequest req;
    req.set_request_id(rid("reject"));
    req.set_application_id(apps[0]);
    req.set_reason_code(cmn::REJECTION_REASON_INCOMPLETE_FILE);
    req.set_reason(Notes().at("reject"));
    enr::RejectApplicationResponse resp;
    s = enrollment->RejectApplication(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // 1: admitted, then declined.
  admit(1);
  {
    enr::DeclineAdmissionRequest req;
    req.set_request_id(rid("decline"));
    req.set_application_id(apps[1]);
    req.set_reason_code(cmn::DECLINE_REASON_FOUND_JOB);
    req.set_reason(Notes().at("decline"));
    enr::DeclineAdmissionResponse resp;
    s = enrollment->DeclineAdmission(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // 2: enrolled, then withdrawn.
  admit(2);
  enrol(2);
  {
    enr::WithdrawEnrolmentRequest req;
    req.set_request_id(rid("withdraw"));
    req.set_application_id(apps[2]);
    req.set_reason_code(cmn::WITHDRAWAL_REASON_RELOCATION);
    req.set_reason(Notes().at("withdraw"));
    enr::WithdrawEnrolmentResponse resp;
    s = enrollment->WithdrawEnrolment(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // 3: enrolled, drops out, finds a job that ends.
  admit(3);
  enrol(3);
  {
    prg::RecordDropOutRequest req;
    req.set_request_id(rid("dropout"));
    req.set_cohort_id(cohort_id);
    req.set_trainee_id(trainees[3]);
    req.set_reason_code(cmn::DROP_OUT_REASON_HEALTH);
    req.set_reason(Notes().at("dropout"));
    *req.mutable_exit_date() = Today();
    prg::RecordDropOutResponse resp;
    s = progress->RecordDropOut(Ctx().get(), req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::string placement_id;
  {
    plc::StartJobSearchRequest start;
    start.set_request_id(rid("search"));
    start.set_trainee_id(trainees[3]);
    plc::StartJobSearchResponse started;
    s = placement->StartJobSearch(Ctx().get(), start, &started);
    ASSERT_TRUE(s.ok()) << s.error_message();
    plc::RecordPlacementRequest record;
    record.set_request_id(rid("placement"));
    record.set_trainee_id(trainees[3]);
    record.set_type(evt::PLACEMENT_TYPE_SELF_EMPLOYED);
    *record.mutable_start_date() = Today();
    record.set_salary_band(evt::SALARY_BAND_UNDISCLOSED);
    record.set_verification(evt::VERIFICATION_SOURCE_SELF_REPORT);
    plc::RecordPlacementResponse recorded;
    s = placement->RecordPlacement(Ctx().get(), record, &recorded);
    ASSERT_TRUE(s.ok()) << s.error_message();
    placement_id = recorded.placement().placement_id();
    plc::EndPlacementRequest end;
    end.set_request_id(rid("end"));
    end.set_placement_id(placement_id);
    end.set_reason_code(cmn::PLACEMENT_END_REASON_DISMISSED);
    end.set_reason(Notes().at("end"));
    plc::EndPlacementResponse ended;
    s = placement->EndPlacement(Ctx().get(), end, &ended);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // 4: enrolled, completes, is certified, the certificate is revoked.
  admit(4);
  enrol(4);
  {
    prg::RecordAssessmentRequest assess;
    assess.set_request_id(rid("assess"));
    assess.set_cohort_id(cohort_id);
    assess.set_trainee_id(trainees[4]);
    assess.set_module_id("scan-basics");
    assess.set_score(18);
    *assess.mutable_assessed_on() = Today();
    prg::RecordAssessmentResponse assessed;
    s = progress->RecordAssessment(Ctx().get(), assess, &assessed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    prg::IssueCertificateRequest issue;
    issue.set_request_id(rid("issue"));
    issue.set_cohort_id(cohort_id);
    issue.set_trainee_id(trainees[4]);
    prg::IssueCertificateResponse issued;
    s = progress->IssueCertificate(Ctx().get(), issue, &issued);
    ASSERT_TRUE(s.ok()) << s.error_message();
    prg::RevokeCertificateRequest revoke;
    revoke.set_request_id(rid("revoke"));
    revoke.set_cohort_id(cohort_id);
    revoke.set_trainee_id(trainees[4]);
    revoke.set_reason_code(cmn::REVOCATION_REASON_FRAUD);
    revoke.set_reason(Notes().at("revoke"));
    prg::RevokeCertificateResponse revoked;
    s = progress->RevokeCertificate(Ctx().get(), revoke, &revoked);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // The events of every transition reach their topics, with the codes.
  const evt::LifecycleEvent rejected =
      AwaitEvent(kafka::kEnrollmentTopic, [&](const evt::LifecycleEvent& e) {
        return e.has_application_rejected() &&
               e.metadata().trainee_id() == trainees[0];
      });
  EXPECT_EQ(rejected.application_rejected().rejection_reason(),
            cmn::REJECTION_REASON_INCOMPLETE_FILE);
  const evt::LifecycleEvent declined =
      AwaitEvent(kafka::kEnrollmentTopic, [&](const evt::LifecycleEvent& e) {
        return e.has_admission_declined() &&
               e.metadata().trainee_id() == trainees[1];
      });
  EXPECT_EQ(declined.admission_declined().decline_reason(),
            cmn::DECLINE_REASON_FOUND_JOB);
  const evt::LifecycleEvent withdrawn =
      AwaitEvent(kafka::kEnrollmentTopic, [&](const evt::LifecycleEvent& e) {
        return e.has_enrolment_withdrawn() &&
               e.metadata().trainee_id() == trainees[2];
      });
  EXPECT_EQ(withdrawn.enrolment_withdrawn().withdrawal_reason(),
            cmn::WITHDRAWAL_REASON_RELOCATION);
  const evt::LifecycleEvent dropped =
      AwaitEvent(kafka::kProgressTopic, [&](const evt::LifecycleEvent& e) {
        return e.has_dropped_out() && e.metadata().trainee_id() == trainees[3];
      });
  EXPECT_EQ(dropped.dropped_out().drop_out_reason(),
            cmn::DROP_OUT_REASON_HEALTH);
  const evt::LifecycleEvent revoked =
      AwaitEvent(kafka::kProgressTopic, [&](const evt::LifecycleEvent& e) {
        return e.has_certificate_revoked() &&
               e.metadata().trainee_id() == trainees[4];
      });
  EXPECT_EQ(revoked.certificate_revoked().revocation_reason(),
            cmn::REVOCATION_REASON_FRAUD);
  const evt::LifecycleEvent ended =
      AwaitEvent(kafka::kPlacementTopic, [&](const evt::LifecycleEvent& e) {
        return e.has_placement_ended() &&
               e.metadata().trainee_id() == trainees[3];
      });
  EXPECT_EQ(ended.placement_ended().end_reason(),
            cmn::PLACEMENT_END_REASON_DISMISSED);

  // A dead letter: the rejection event again, with a broken event id; the
  // aggregator cannot validate it and produces it to the topic's .dlq.
  {
    std::vector<kafka::ConsumedMessage> records =
        ReadTopic(kafka::kEnrollmentTopic);
    const kafka::ConsumedMessage* original = nullptr;
    for (const kafka::ConsumedMessage& m : records) {
      evt::LifecycleEvent e;
      if (e.ParseFromString(m.value) && e.has_application_rejected())
        original = &m;
    }
    ASSERT_NE(original, nullptr);
    evt::LifecycleEvent broken;
    ASSERT_TRUE(broken.ParseFromString(original->value));
    broken.mutable_metadata()->set_event_id("not-a-uuid");
    auto producer = kafka::Producer::Create(
        {.bootstrap_servers = suite_->broker().bootstrap_servers(),
         .client_id = "topic-scan"});
    ASSERT_TRUE(producer.ok()) << producer.status();
    std::vector<absl::Status> sent =
        (*producer)->ProduceAndWait({{.topic = kafka::kEnrollmentTopic,
                                      .key = original->key,
                                      .value = broken.SerializeAsString(),
                                      .headers = original->headers}},
                                    absl::Seconds(30));
    ASSERT_TRUE(sent[0].ok()) << sent[0];
    const std::string dlq = absl::StrCat(kafka::kEnrollmentTopic, ".dlq");
    const absl::Time deadline = absl::Now() + absl::Seconds(90);
    bool dead_lettered = false;
    while (!dead_lettered && absl::Now() < deadline) {
      auto consumer = kafka::Consumer::Create(
          {.bootstrap_servers = suite_->broker().bootstrap_servers()});
      ASSERT_TRUE(consumer.ok());
      absl::StatusOr<std::map<std::string, int>> topics =
          (*consumer)->ListTopics();
      (*consumer)->Close().IgnoreError();
      if (topics.ok() && topics->contains(dlq))
        dead_lettered = !ReadTopic(dlq).empty();
      if (!dead_lettered) absl::SleepFor(absl::Milliseconds(300));
    }
    ASSERT_TRUE(dead_lettered) << "no dead letter on " << dlq;
  }

  // Every topic on the broker, every record, every byte.
  std::vector<std::string> needles;
  for (int i = 0; i < 5; ++i) {
    for (const std::string& v : Needles(PersonNumber(i))) needles.push_back(v);
  }
  for (const auto& [what, note] : Notes()) {
    needles.push_back(note);
    needles.push_back(
        note.substr(0, note.find(':')));  // "note-libre REJ-kq81x"
  }
  auto lister = kafka::Consumer::Create(
      {.bootstrap_servers = suite_->broker().bootstrap_servers()});
  ASSERT_TRUE(lister.ok()) << lister.status();
  absl::StatusOr<std::map<std::string, int>> topics = (*lister)->ListTopics();
  ASSERT_TRUE(topics.ok()) << topics.status();
  EXPECT_TRUE((*lister)->Close().ok());
  std::set<std::string> scanned;
  int records = 0;
  for (const auto& [topic, partitions] : *topics) {
    scanned.insert(topic);
    for (const kafka::ConsumedMessage& m : ReadTopic(topic)) {
      ++records;
      for (const std::string& needle : needles) {
        EXPECT_FALSE(absl::StrContains(m.key, needle))
            << "'" << needle << "' in a key of " << topic << " @" << m.offset;
        EXPECT_FALSE(absl::StrContains(m.value, needle))
            << "'" << needle << "' in a value of " << topic << " @" << m.offset;
        for (const auto& [name, value] : m.headers) {
          EXPECT_FALSE(absl::StrContains(name, needle) ||
                       absl::StrContains(value, needle))
              << "'" << needle << "' in header " << name << " of " << topic
              << " @" << m.offset;
        }
      }
    }
  }
  // The scan saw the lifecycle topics and the dead letter.
  for (const char* t : {kafka::kEnrollmentTopic, kafka::kProgressTopic,
                        kafka::kPlacementTopic}) {
    EXPECT_TRUE(scanned.contains(t)) << t;
  }
  EXPECT_TRUE(scanned.contains(absl::StrCat(kafka::kEnrollmentTopic, ".dlq")));
  EXPECT_GT(records, 20);

  // The notes are kept: readable over gRPC by a caller in scope.
  auto coordinator = [&](const std::string& service) {
    return suite_->pki().PersonChannel(suite_->address(service),
                                       "regional-coordinator", {"MA-06"});
  };
  auto enrollment_r =
      enr::EnrollmentService::NewStub(coordinator("enrollment"));
  auto progress_r =
      prg::TrainingProgressService::NewStub(coordinator("training-progress"));
  auto placement_r = plc::PlacementService::NewStub(coordinator("placement"));
  const struct {
    int i;
    const char* note;
  } kApplicationNotes[] = {{0, "reject"}, {1, "decline"}, {2, "withdraw"}};
  for (const auto& [i, note] : kApplicationNotes) {
    enr::GetApplicationRequest get;
    get.set_application_id(apps[i]);
    enr::GetApplicationResponse got;
    s = enrollment_r->GetApplication(Ctx().get(), get, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(got.application().reason(), Notes().at(note));
  }
  prg::GetTraineeProgressRequest get_dropped;
  get_dropped.set_cohort_id(cohort_id);
  get_dropped.set_trainee_id(trainees[3]);
  prg::GetTraineeProgressResponse dropped_progress;
  s = progress_r->GetTraineeProgress(Ctx().get(), get_dropped,
                                     &dropped_progress);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(dropped_progress.progress().exit_note(), Notes().at("dropout"));
  EXPECT_EQ(dropped_progress.progress().drop_out_reason(),
            cmn::DROP_OUT_REASON_HEALTH);
  prg::GetTraineeProgressRequest get_revoked;
  get_revoked.set_cohort_id(cohort_id);
  get_revoked.set_trainee_id(trainees[4]);
  prg::GetTraineeProgressResponse revoked_progress;
  s = progress_r->GetTraineeProgress(Ctx().get(), get_revoked,
                                     &revoked_progress);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(revoked_progress.progress().certificate().revocation_reason(),
            Notes().at("revoke"));
  EXPECT_EQ(revoked_progress.progress().certificate().revocation_reason_code(),
            cmn::REVOCATION_REASON_FRAUD);
  plc::GetPlacementRequest get_placement;
  get_placement.set_placement_id(placement_id);
  plc::GetPlacementResponse got_placement;
  s = placement_r->GetPlacement(Ctx().get(), get_placement, &got_placement);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got_placement.placement().end_reason(), Notes().at("end"));
  EXPECT_EQ(got_placement.placement().end_reason_code(),
            cmn::PLACEMENT_END_REASON_DISMISSED);

  // ... and erasable, by the data-protection officer.
  auto progress_dpo = prg::TrainingProgressService::NewStub(
      As("training-progress", "data-protection-officer"));
  auto placement_dpo = plc::PlacementService::NewStub(
      As("placement", "data-protection-officer"));
  for (int i : {3, 4}) {
    prg::EraseTraineeNotesRequest erase;
    erase.set_request_id(rid("erase-notes"));
    erase.set_trainee_id(trainees[i]);
    prg::EraseTraineeNotesResponse erased;
    s = progress_dpo->EraseTraineeNotes(Ctx().get(), erase, &erased);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_GT(erased.notes_erased(), 0);
  }
  plc::EraseTraineeNotesRequest erase_end;
  erase_end.set_request_id(rid("erase-notes"));
  erase_end.set_trainee_id(trainees[3]);
  plc::EraseTraineeNotesResponse erased_end;
  s = placement_dpo->EraseTraineeNotes(Ctx().get(), erase_end, &erased_end);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GT(erased_end.notes_erased(), 0);
  s = progress_r->GetTraineeProgress(Ctx().get(), get_dropped,
                                     &dropped_progress);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(dropped_progress.progress().exit_note(), "");
  EXPECT_EQ(dropped_progress.progress().drop_out_reason(),
            cmn::DROP_OUT_REASON_HEALTH);
  s = progress_r->GetTraineeProgress(Ctx().get(), get_revoked,
                                     &revoked_progress);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(revoked_progress.progress().certificate().revocation_reason(), "");
  s = placement_r->GetPlacement(Ctx().get(), get_placement, &got_placement);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(got_placement.placement().end_reason(), "");
  EXPECT_EQ(got_placement.placement().end_reason_code(),
            cmn::PLACEMENT_END_REASON_DISMISSED);
}

}  // namespace
}  // namespace jit
