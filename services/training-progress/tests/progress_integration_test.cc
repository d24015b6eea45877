// The real jit-enrollment and jit-training-progress binaries against the
// embedded broker (three separate processes) on loopback, driven over gRPC
// like real clients: enrolment in one service, training in the other, the
// check between them, and the events on jobintech.progress.v1.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/events/envelope.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/topics.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"

namespace jit::progress {
namespace {

namespace en = ::jobintech::enrollment::v1;
namespace pb = ::jobintech::progress::v1;
namespace common = ::jobintech::common::v1;
namespace ev = ::jobintech::events::v1;
using testing::EmbeddedBroker;
using testing::Subprocess;
using testing::TempDir;
using EnStub = en::EnrollmentService::Stub;
using Stub = pb::TrainingProgressService::Stub;

constexpr int kPartitions = 8;
constexpr char kHashKey[] = "integration-test-cin-hash-key-0002";

common::Date Date(int y, int m, int d) {
  common::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

template <typename Req, typename Resp, typename S, typename Method>
grpc::Status CallOn(S& stub, Method method, const Req& req, Resp* resp,
                    int timeout_seconds = 10) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(timeout_seconds));
  return (stub.*method)(&ctx, req, resp);
}

class ProgressIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker =
        EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), kPartitions);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto pki = testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*std::move(pki));
    StartEnrollment("127.0.0.1:0");
    StartProgress();
  }

  // Starts jit-enrollment on `address` (port 0 = any free port; the port it
  // bound is kept for restarts on the same address).
  void StartEnrollment(const std::string& address) {
    const std::string log =
        dir_.File(absl::StrCat("enrollment-", ++starts_, ".log"));
    std::vector<std::string> args = {JIT_ENROLLMENT_BIN, "--grpc_address=" + address,
                                     "--admin_address=127.0.0.1:0",
                                     "--db_path=" + dir_.File("data/enrollment.db"),
                                     "--kafka_bootstrap=" + broker_->bootstrap_servers(),
                                     "--unready_grace=0s"};
    const std::vector<std::string> security = pki_->ServerFlags("enrollment");
    args.insert(args.end(), security.begin(), security.end());
    auto p = Subprocess::Start(args, log, {{"JIT_ENROLLMENT_CIN_HASH_KEY", kHashKey}});
    ASSERT_TRUE(p.ok()) << p.status();
    enrollment_ = *std::move(p);
    auto port = testing::WaitForLogField(log, "enrollment service ready",
                                         "grpc_port", absl::Seconds(30));
    ASSERT_TRUE(port.ok()) << port.status() << "\n"
                           << testing::ReadFile(log).value_or("");
    enrollment_address_ = "127.0.0.1:" + *port;
    enrollment_stub_ = en::EnrollmentService::NewStub(
        pki_->PersonChannel(enrollment_address_, "programme-admin"));
  }

  void StartProgress() {
    const std::string log =
        dir_.File(absl::StrCat("progress-", ++starts_, ".log"));
    std::vector<std::string> args = {
        JIT_PROGRESS_BIN, "--grpc_address=127.0.0.1:0",
        "--admin_address=127.0.0.1:0",
        "--db_path=" + dir_.File("data/training-progress.db"),
        "--kafka_bootstrap=" + broker_->bootstrap_servers(),
        "--enrollment_address=" + enrollment_address_,
        "--enrollment_initial_backoff=50ms", "--enrollment_max_backoff=200ms",
        "--unready_grace=0s"};
    const std::vector<std::string> security = pki_->ServerFlags("training-progress");
    args.insert(args.end(), security.begin(), security.end());
    auto p = Subprocess::Start(args, log);
    ASSERT_TRUE(p.ok()) << p.status();
    progress_ = *std::move(p);
    auto port = testing::WaitForLogField(log, "training-progress service ready",
                                         "grpc_port", absl::Seconds(30));
    ASSERT_TRUE(port.ok()) << port.status() << "\n"
                           << testing::ReadFile(log).value_or("");
    progress_address_ = "127.0.0.1:" + *port;
    channel_ = pki_->PersonChannel(progress_address_, "programme-admin");
    stub_ = pb::TrainingProgressService::NewStub(channel_);
  }

  static void Stop(std::unique_ptr<Subprocess>& process, int sig) {
    ASSERT_TRUE(process->Signal(sig).ok());
    auto info = process->Wait(absl::Seconds(30));
    ASSERT_TRUE(info.ok()) << info.status();
    if (sig == SIGTERM) {
      EXPECT_TRUE(info->exited && info->exit_code == 0);
    }
    process.reset();
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& req, Resp* resp) {
    return CallOn(*stub_, method, req, resp);
  }
  template <typename Req, typename Resp, typename Method>
  grpc::Status Enrollment(Method method, const Req& req, Resp* resp) {
    return CallOn(*enrollment_stub_, method, req, resp);
  }

  // An OPEN cybersecurity cohort (2025-11-03 .. 2026-04-30) in Fquih Ben
  // Salah (MA-FQH, region MA-05).
  std::string CreateCohort() {
    en::CreateCentreRequest centre;
    centre.set_request_id("centre");
    centre.set_name("EST Fquih Ben Salah");
    centre.set_operator_name("Fondation R&D");
    centre.set_province_code("MA-FQH");
    en::CreateCentreResponse centre_resp;
    EXPECT_TRUE(Enrollment(&EnStub::CreateCentre, centre, &centre_resp).ok());
    en::CreateCohortRequest req;
    req.set_request_id("cohort");
    req.set_name("Cybersécurité 2025-A");
    req.set_track_id("cybersecurity");
    req.set_centre_id(centre_resp.centre().centre_id());
    req.set_capacity(200);
    *req.mutable_start_date() = Date(2025, 11, 3);
    *req.mutable_end_date() = Date(2026, 4, 30);
    req.set_status(en::COHORT_STATUS_OPEN);
    en::CreateCohortResponse resp;
    grpc::Status s = Enrollment(&EnStub::CreateCohort, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.cohort().cohort_id();
  }

  // Submits (and, unless stopped earlier, admits and enrols) applicant `i`.
  en::Application Apply(
      const std::string& cohort, int i,
      en::ApplicationStatus until = en::APPLICATION_STATUS_ENROLLED) {
    en::SubmitApplicationRequest req;
    req.set_request_id(absl::StrCat("submit-", i));
    req.set_cohort_id(cohort);
    en::Candidate* c = req.mutable_candidate();
    c->set_given_name(absl::StrCat("Prenomtest", i));
    c->set_family_name(absl::StrCat("Nomtest", i));
    c->set_national_id(absl::StrCat("ZK", 200000 + i));
    *c->mutable_birth_date() = Date(2000, 1 + i % 12, 1 + i % 28);
    c->set_phone(absl::StrCat("0661", 200000 + i));
    c->set_email(absl::StrCat("trainee", i, "@mail-test.ma"));
    req.set_gender(i % 2 ? common::GENDER_FEMALE : common::GENDER_MALE);
    req.set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
    req.set_residence_province_code("MA-BEM");
    en::SubmitApplicationResponse submitted;
    grpc::Status s = Enrollment(&EnStub::SubmitApplication, req, &submitted);
    EXPECT_TRUE(s.ok()) << s.error_message();
    en::Application app = submitted.application();
    if (until == en::APPLICATION_STATUS_APPLIED) return app;
    en::AdmitApplicationRequest admit;
    admit.set_request_id(absl::StrCat("admit-", i));
    admit.set_application_id(app.application_id());
    en::AdmitApplicationResponse admitted;
    EXPECT_TRUE(Enrollment(&EnStub::AdmitApplication, admit, &admitted).ok());
    if (until == en::APPLICATION_STATUS_ADMITTED) return admitted.application();
    en::ConfirmEnrolmentRequest confirm;
    confirm.set_request_id(absl::StrCat("confirm-", i));
    confirm.set_application_id(app.application_id());
    en::ConfirmEnrolmentResponse confirmed;
    EXPECT_TRUE(
        Enrollment(&EnStub::ConfirmEnrolment, confirm, &confirmed).ok());
    return confirmed.application();
  }

  void Withdraw(const en::Application& app) {
    en::WithdrawEnrolmentRequest req;
    req.set_request_id("withdraw-" + app.application_id());
    req.set_application_id(app.application_id());
    req.set_reason("found a job");
    req.set_reason_code(::jobintech::common::v1::WITHDRAWAL_REASON_FOUND_JOB);
    en::WithdrawEnrolmentResponse resp;
    ASSERT_TRUE(Enrollment(&EnStub::WithdrawEnrolment, req, &resp).ok());
  }

  // Version 1 of the cybersecurity curriculum: two required modules.
  void PublishCurriculum() {
    pb::PublishCurriculumRequest req;
    req.set_request_id("curriculum");
    req.set_track_id("cybersecurity");
    const struct {
      const char* id;
      double max, pass;
    } kModules[] = {{"network-basics", 100, 60}, {"linux", 20, 10}};
    int order = 0;
    for (const auto& m : kModules) {
      pb::Module* out = req.add_modules();
      out->set_module_id(m.id);
      out->set_title(m.id);
      out->set_order(++order);
      out->set_hours(30);
      out->set_required(true);
      out->set_max_score(m.max);
      out->set_pass_mark(m.pass);
    }
    pb::PublishCurriculumResponse resp;
    grpc::Status s = Call(&Stub::PublishCurriculum, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  static pb::RecordAttendanceRequest Attendance(const std::string& rid,
                                                const std::string& cohort,
                                                const std::string& trainee,
                                                int day) {
    pb::RecordAttendanceRequest req;
    req.set_request_id(rid);
    req.set_cohort_id(cohort);
    req.set_module_id("network-basics");
    *req.mutable_session_date() = Date(2025, 11, day);
    pb::AttendanceEntry* e = req.add_entries();
    e->set_trainee_id(trainee);
    e->set_mark(ev::ATTENDANCE_MARK_PRESENT);
    return req;
  }

  static pb::RecordAssessmentRequest Assessment(const std::string& rid,
                                                const std::string& cohort,
                                                const std::string& trainee,
                                                const std::string& module,
                                                double score) {
    pb::RecordAssessmentRequest req;
    req.set_request_id(rid);
    req.set_cohort_id(cohort);
    req.set_trainee_id(trainee);
    req.set_module_id(module);
    req.set_score(score);
    *req.mutable_assessed_on() = Date(2026, 1, 15);
    return req;
  }

  std::vector<kafka::ConsumedMessage> ReadTopic(const std::string& topic) {
    std::vector<kafka::ConsumedMessage> out;
    auto consumer = kafka::Consumer::Create(
        {.bootstrap_servers = broker_->bootstrap_servers(),
         .group_id = "",
         .client_id = "",
         .auto_offset_reset = "error",
         .properties = {{"fetch.wait.max.ms", "10"}}});
    EXPECT_TRUE(consumer.ok());
    std::vector<kafka::TopicPartitionOffset> parts;
    for (int p = 0; p < kPartitions; ++p)
      parts.push_back({topic, p, kafka::kOffsetBeginning});
    EXPECT_TRUE((*consumer)->Assign(parts).ok());
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (!(*consumer)->AtEndOfAssignedPartitions() &&
           absl::Now() < deadline) {
      auto m = (*consumer)->Poll(absl::Milliseconds(100));
      if (m.ok() && m->has_value()) out.push_back(**m);
    }
    return out;
  }

  // The decoded events of `topic` once `done` holds for them (the relay
  // publishes asynchronously), or what is there after 30 s.
  template <typename Done>
  std::vector<ev::LifecycleEvent> EventsWhen(const std::string& topic,
                                             Done done) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    std::vector<ev::LifecycleEvent> events;
    do {
      events.clear();
      for (const auto& r : ReadTopic(topic)) {
        auto e = events::Decode(r.key, r.value, r.headers);
        EXPECT_TRUE(e.ok()) << e.status();
        if (e.ok()) events.push_back(*e);
      }
      if (done(events)) break;
      absl::SleepFor(absl::Milliseconds(200));
    } while (absl::Now() < deadline);
    return events;
  }

  // The events of one trainee, in topic order (one key, one partition).
  static std::vector<ev::LifecycleEvent> Of(
      const std::vector<ev::LifecycleEvent>& events,
      const std::string& trainee) {
    std::vector<ev::LifecycleEvent> out;
    for (const auto& e : events) {
      if (e.metadata().trainee_id() == trainee) out.push_back(e);
    }
    return out;
  }

  TempDir dir_;
  int starts_ = 0;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<Subprocess> enrollment_;
  std::string enrollment_address_;
  std::unique_ptr<EnStub> enrollment_stub_;
  std::unique_ptr<Subprocess> progress_;
  std::unique_ptr<testing::TestPki> pki_;
  std::string progress_address_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(ProgressIntegrationTest, FromEnrolledToCertifiedWithEventsInOrder) {
  const std::string cohort = CreateCohort();
  const en::Application app = Apply(cohort, 1);
  const std::string trainee = app.trainee_id();
  PublishCurriculum();

  pb::RecordAttendanceResponse attended;
  grpc::Status s = Call(&Stub::RecordAttendance,
                        Attendance("att-1", cohort, trainee, 4), &attended);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(attended.progress(0).state(), ev::TRAINING_STATE_ACTIVE);
  pb::RecordAssessmentResponse assessed;
  ASSERT_TRUE(Call(&Stub::RecordAssessment,
                   Assessment("ass-1", cohort, trainee, "network-basics", 72),
                   &assessed)
                  .ok());
  ASSERT_TRUE(Call(&Stub::RecordAssessment,
                   Assessment("ass-2", cohort, trainee, "linux", 16), &assessed)
                  .ok());
  EXPECT_EQ(assessed.progress().state(), ev::TRAINING_STATE_COMPLETED);
  pb::IssueCertificateRequest issue;
  issue.set_request_id("cert-1");
  issue.set_cohort_id(cohort);
  issue.set_trainee_id(trainee);
  pb::IssueCertificateResponse issued;
  s = Call(&Stub::IssueCertificate, issue, &issued);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(issued.progress().state(), ev::TRAINING_STATE_CERTIFIED);

  pb::GetTraineeExitRequest exit_req;
  exit_req.set_trainee_id(trainee);
  pb::GetTraineeExitResponse exit;
  ASSERT_TRUE(Call(&Stub::GetTraineeExit, exit_req, &exit).ok());
  EXPECT_TRUE(exit.exited());
  EXPECT_EQ(exit.kind(), ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(exit.exit_date().year(), 2026);

  auto events = Of(
      EventsWhen(kafka::kProgressTopic,
                 [&](const auto& all) { return Of(all, trainee).size() >= 6; }),
      trainee);
  ASSERT_EQ(events.size(), 6u);
  using B = ev::LifecycleEvent;
  const B::BodyCase expected[] = {
      B::kAttendanceRecorded, B::kTrainingStarted,   B::kModulePassed,
      B::kModulePassed,       B::kTrainingCompleted, B::kCertificateIssued};
  for (size_t i = 0; i < events.size(); ++i) {
    const ev::EventMetadata& md = events[i].metadata();
    EXPECT_EQ(events[i].body_case(), expected[i]) << i;
    EXPECT_EQ(md.sequence(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(md.source(), "jobintech/training-progress");
    // The dimensions are the enrollment service's, copied from the lookup.
    EXPECT_EQ(md.dimensions().SerializeAsString(),
              app.dimensions().SerializeAsString());
    EXPECT_EQ(md.dimensions().training_location().region_code(), "MA-05");
  }
  EXPECT_EQ(events[1].training_started().previous_state(),
            ev::TRAINING_STATE_ENROLLED);
  EXPECT_EQ(events[4].training_completed().previous_state(),
            ev::TRAINING_STATE_ACTIVE);
  EXPECT_EQ(events[4].training_completed().new_state(),
            ev::TRAINING_STATE_COMPLETED);
  EXPECT_EQ(events[5].certificate_issued().previous_state(),
            ev::TRAINING_STATE_COMPLETED);
  EXPECT_EQ(events[5].certificate_issued().new_state(),
            ev::TRAINING_STATE_CERTIFIED);
  EXPECT_EQ(events[5].certificate_issued().certificate_id(),
            issued.certificate().certificate_id());
  // On the wire in that order too (one key, one partition).
  std::vector<int64_t> wire;
  for (const auto& r : ReadTopic(kafka::kProgressTopic)) {
    if (r.key != trainee) continue;
    auto ce = kafka::FromHeaders(r.headers);
    ASSERT_TRUE(ce.ok()) << ce.status();
    EXPECT_EQ(ce->subject, trainee);
    auto e = events::Decode(r.key, r.value, r.headers);
    ASSERT_TRUE(e.ok());
    wire.push_back(e->metadata().sequence());
  }
  EXPECT_EQ(wire, (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
}

TEST_F(ProgressIntegrationTest, NonEnrolledAndWithdrawnTraineesAreRefused) {
  const std::string cohort = CreateCohort();
  PublishCurriculum();
  const en::Application admitted =
      Apply(cohort, 1, en::APPLICATION_STATUS_ADMITTED);
  const en::Application enrolled = Apply(cohort, 2);

  pb::RecordAttendanceResponse resp;
  grpc::Status s =
      Call(&Stub::RecordAttendance,
           Attendance("a-1", cohort, admitted.trainee_id(), 4), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "ADMITTED"))
      << s.error_message();
  s = Call(&Stub::RecordAttendance, Attendance("a-2", cohort, "trn_unknown", 4),
           &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  s = Call(&Stub::RecordAttendance,
           Attendance("a-3", cohort, enrolled.trainee_id(), 4), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();

  Withdraw(enrolled);
  s = Call(&Stub::RecordAttendance,
           Attendance("a-4", cohort, enrolled.trainee_id(), 5), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();
  EXPECT_TRUE(absl::StrContains(s.error_message(), "withdrawn"))
      << s.error_message();
  pb::RecordAssessmentResponse assessed;
  s = Call(&Stub::RecordAssessment,
           Assessment("b-1", cohort, enrolled.trainee_id(), "linux", 12),
           &assessed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << s.error_message();

  // Only the enrolled trainee's first session is recorded; the withdrawal
  // learned from the enrollment service is.
  pb::ListCohortProgressRequest list;
  list.set_cohort_id(cohort);
  pb::ListCohortProgressResponse listed;
  ASSERT_TRUE(Call(&Stub::ListCohortProgress, list, &listed).ok());
  ASSERT_EQ(listed.progress_size(), 1);
  EXPECT_EQ(listed.progress(0).trainee_id(), enrolled.trainee_id());
  EXPECT_EQ(listed.progress(0).state(), ev::TRAINING_STATE_WITHDRAWN);
  EXPECT_EQ(listed.progress(0).modules(1).attempts(), 0);
  pb::GetTraineeExitRequest exit_req;
  exit_req.set_trainee_id(enrolled.trainee_id());
  pb::GetTraineeExitResponse exit;
  ASSERT_TRUE(Call(&Stub::GetTraineeExit, exit_req, &exit).ok());
  EXPECT_EQ(exit.kind(), ev::EXIT_KIND_WITHDRAWN);

  auto events = EventsWhen(kafka::kProgressTopic, [&](const auto& all) {
    return Of(all, enrolled.trainee_id()).size() >= 3;
  });
  auto mine = Of(events, enrolled.trainee_id());
  ASSERT_EQ(mine.size(), 3u);
  EXPECT_TRUE(mine[2].has_training_withdrawn());
  EXPECT_EQ(mine[2].training_withdrawn().previous_state(),
            ev::TRAINING_STATE_ACTIVE);
  EXPECT_TRUE(Of(events, admitted.trainee_id()).empty());
}

TEST_F(ProgressIntegrationTest,
       EnrollmentServiceStoppedMeansUnavailableAndNothingWritten) {
  const std::string cohort = CreateCohort();
  PublishCurriculum();
  const std::string trainee = Apply(cohort, 1).trainee_id();
  Stop(enrollment_, SIGTERM);

  pb::RecordAttendanceResponse resp;
  const absl::Time start = absl::Now();
  grpc::Status s = Call(&Stub::RecordAttendance,
                        Attendance("a-1", cohort, trainee, 4), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_TRUE(
      absl::StartsWith(s.error_message(), "enrollment service unavailable: "))
      << s.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // bounded retries
  pb::RecordAssessmentResponse assessed;
  s = Call(&Stub::RecordAssessment,
           Assessment("b-1", cohort, trainee, "linux", 12), &assessed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  pb::GetTraineeProgressRequest get;
  get.set_cohort_id(cohort);
  get.set_trainee_id(trainee);
  pb::GetTraineeProgressResponse got;
  EXPECT_EQ(Call(&Stub::GetTraineeProgress, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Back on the same address, a client retrying the same request gets
  // through once the channel has reconnected (its backoff is at most 2 s).
  StartEnrollment(enrollment_address_);
  const absl::Time retry_until = absl::Now() + absl::Seconds(10);
  do {
    s = Call(&Stub::RecordAttendance, Attendance("a-1", cohort, trainee, 4),
             &resp);
    if (s.error_code() != grpc::StatusCode::UNAVAILABLE) break;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < retry_until);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto events = EventsWhen(kafka::kProgressTopic, [&](const auto& all) {
    return Of(all, trainee).size() >= 2;
  });
  auto mine = Of(events, trainee);
  ASSERT_EQ(mine.size(), 2u);  // only the accepted call's events
  EXPECT_EQ(mine[0].metadata().request_id(), "a-1");
  EXPECT_EQ(mine[0].metadata().sequence(), 1);
}

TEST_F(ProgressIntegrationTest, RetriesOfACallGiveOneRecordAndOneEvent) {
  const std::string cohort = CreateCohort();
  PublishCurriculum();
  const std::string trainee = Apply(cohort, 1).trainee_id();
  const pb::RecordAssessmentRequest req =
      Assessment("ass-1", cohort, trainee, "network-basics", 55);
  pb::RecordAssessmentResponse first, second, third;
  ASSERT_TRUE(Call(&Stub::RecordAssessment, req, &first).ok());
  ASSERT_TRUE(Call(&Stub::RecordAssessment, req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(second.attempt(), 1);
  // The answer is stored here: a retry succeeds even with the enrollment
  // service gone.
  Stop(enrollment_, SIGKILL);
  ASSERT_TRUE(Call(&Stub::RecordAssessment, req, &third).ok());
  EXPECT_EQ(first.SerializeAsString(), third.SerializeAsString());

  pb::GetTraineeProgressRequest get;
  get.set_cohort_id(cohort);
  get.set_trainee_id(trainee);
  pb::GetTraineeProgressResponse got;
  ASSERT_TRUE(Call(&Stub::GetTraineeProgress, get, &got).ok());
  EXPECT_EQ(got.progress().modules(0).attempts(), 1);
  // Give the relay time to publish anything it would, then count.
  absl::SleepFor(absl::Milliseconds(500));
  auto events = EventsWhen(kafka::kProgressTopic, [&](const auto& all) {
    return !Of(all, trainee).empty();
  });
  auto mine = Of(events, trainee);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_TRUE(mine[0].has_module_failed());
}

TEST_F(ProgressIntegrationTest,
       KillNineUnderLoadLosesNoAcknowledgedRecordOrEvent) {
  const std::string cohort = CreateCohort();
  PublishCurriculum();
  std::vector<std::string> trainees;
  for (int i = 0; i < 8; ++i)
    trainees.push_back(Apply(cohort, 10 + i).trainee_id());

  struct Acked {
    std::string trainee;
    pb::RecordAssessmentRequest request;
    pb::RecordAssessmentResponse response;
  };
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  // Calls that started before the kill and failed: in flight when it hit.
  std::atomic<int64_t> kill_at_ns{std::numeric_limits<int64_t>::max()};
  std::atomic<int> failed_in_flight{0};
  absl::Mutex mu;
  std::map<std::string, Acked> acknowledged;  // request id -> call
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto stub = pb::TrainingProgressService::NewStub(channel_);
      while (!stop.load()) {
        const int i = next.fetch_add(1);
        if (i >= 100000) break;
        const std::string& trainee = trainees[i % trainees.size()];
        Acked call{trainee,
                   Assessment(absl::StrCat("load-", i), cohort, trainee,
                              "network-basics", i % 100),
                   {}};
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(5));
        const int64_t started_ns = absl::ToUnixNanos(absl::Now());
        if (stub->RecordAssessment(&ctx, call.request, &call.response).ok()) {
          absl::MutexLock lock(&mu);
          acknowledged.emplace(call.request.request_id(), std::move(call));
        } else if (started_ns < kill_at_ns.load()) {
          ++failed_in_flight;
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(800));
  kill_at_ns = absl::ToUnixNanos(absl::Now());
  Stop(progress_, SIGKILL);
  absl::SleepFor(absl::Milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
  ASSERT_GT(acknowledged.size(), 0u);
  // The kill must have hit calls in flight, or this proves nothing.
  ASSERT_GT(failed_in_flight.load(), 0)
      << "no call was in flight when the kill hit";

  StartProgress();
  // Every acknowledged call is recorded: its retry replays the same answer,
  // and the attempts add up per trainee.
  std::map<std::string, int> attempts;
  for (const auto& [rid, call] : acknowledged) {
    pb::RecordAssessmentResponse replay;
    grpc::Status s = Call(&Stub::RecordAssessment, call.request, &replay);
    ASSERT_TRUE(s.ok()) << rid << ": " << s.error_message();
    EXPECT_EQ(replay.attempt(), call.response.attempt()) << "lost " << rid;
    attempts[call.trainee] =
        std::max(attempts[call.trainee], call.response.attempt());
  }
  for (const auto& [trainee, highest] : attempts) {
    pb::GetTraineeProgressRequest get;
    get.set_cohort_id(cohort);
    get.set_trainee_id(trainee);
    pb::GetTraineeProgressResponse got;
    ASSERT_TRUE(Call(&Stub::GetTraineeProgress, get, &got).ok());
    EXPECT_GE(got.progress().modules(0).attempts(), highest);
  }
  // Every acknowledged call's event reached the topic, with gapless
  // per-trainee sequences.
  auto events = EventsWhen(kafka::kProgressTopic, [&](const auto& all) {
    std::set<std::string> seen;
    for (const auto& e : all) seen.insert(e.metadata().request_id());
    for (const auto& [rid, call] : acknowledged) {
      if (!seen.count(rid)) return false;
    }
    return true;
  });
  std::set<std::string> published;
  std::map<std::string, std::set<int64_t>> sequences;
  for (const auto& e : events) {
    published.insert(e.metadata().request_id());
    sequences[e.metadata().trainee_id()].insert(e.metadata().sequence());
  }
  for (const auto& [rid, call] : acknowledged) {
    EXPECT_TRUE(published.count(rid))
        << "event of acknowledged " << rid << " lost";
  }
  for (const auto& [trainee, seqs] : sequences) {
    EXPECT_EQ(*seqs.begin(), 1) << trainee;
    EXPECT_EQ(*seqs.rbegin(), static_cast<int64_t>(seqs.size()))
        << trainee << ": a gap";
  }
  std::cout << "acknowledged before kill: " << acknowledged.size()
            << ", in flight and failed by the kill: " << failed_in_flight.load()
            << "\n";
}

TEST(ProgressBinaryTest, HelpDocumentsEveryFlag) {
  TempDir dir;
  auto run = testing::RunToCompletion({JIT_PROGRESS_BIN, "--help"},
                                      dir.File("help.log"), absl::Seconds(10));
  ASSERT_TRUE(run.ok());
  auto out = testing::ReadFile(dir.File("help.log"));
  ASSERT_TRUE(out.ok());
  for (const char* flag :
       {"grpc_address", "admin_address", "db_path", "sqlite_synchronous",
        "kafka_bootstrap", "kafka_bootstrap_file", "enrollment_address",
        "enrollment_deadline", "enrollment_max_attempts",
        "enrollment_initial_backoff", "enrollment_max_backoff",
        "at_risk_absences", "log_level", "unready_grace", "drain_timeout"}) {
    EXPECT_NE(out->find(flag), std::string::npos)
        << flag << " missing from --help";
  }
}

TEST(ProgressBinaryTest, BadConfigIsRefusedWithAClearMessage) {
  TempDir dir;
  auto run = testing::RunToCompletion(
      {JIT_PROGRESS_BIN, "--grpc_address=nonsense", "--at_risk_absences=0",
       "--enrollment_max_attempts=0"},
      dir.File("bad.log"), absl::Seconds(10),
      {{"JIT_PROGRESS_ENROLLMENT_ADDRESS", "nowhere"}});
  ASSERT_TRUE(run.ok());
  EXPECT_TRUE(run->exited);
  EXPECT_EQ(run->exit_code, 2);
  auto out = testing::ReadFile(dir.File("bad.log"));
  for (const char* what :
       {"grpc_address", "at_risk_absences", "enrollment_max_attempts",
        "enrollment_address", "kafka_bootstrap"}) {
    EXPECT_NE(out->find(what), std::string::npos) << what << " not named:\n"
                                                  << *out;
  }
}

}  // namespace
}  // namespace jit::progress
