// The gRPC adapter over a real server on loopback with the domain core, the
// in-memory repository and a scripted enrollment client: request mapping,
// status mapping (with field violations as google.rpc.BadRequest details),
// idempotency and tracing through the wire.
#include "services/training-progress/api/progress_grpc_service.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/executor/bounded_executor.h"
#include "libs/testing/executor_blocker.h"
#include "libs/testing/secure_server.h"
#include "libs/testing/subprocess.h"
#include "libs/clock/clock.h"
#include "services/training-progress/api/mapping.h"
#include "services/training-progress/domain/testing/fake_enrollment_client.h"
#include "services/training-progress/domain/testing/in_memory_repository.h"

namespace jit::progress::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Stub = pb::TrainingProgressService::Stub;

constexpr char kTraceparent[] =
    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

// Field names of the BadRequest details of a status, as a client sees them.
std::vector<std::string> ViolatedFields(const grpc::Status& s) {
  std::vector<std::string> fields;
  google::rpc::Status rpc;
  if (!rpc.ParseFromString(s.error_details())) return fields;
  for (const auto& any : rpc.details()) {
    google::rpc::BadRequest br;
    if (any.UnpackTo(&br)) {
      for (const auto& fv : br.field_violations()) fields.push_back(fv.field());
    }
  }
  return fields;
}

common::Date Date(int y, int m, int d) {
  common::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

class ProgressGrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* t : {"trn_a", "trn_b"}) {
      TraineeEnrolment e;
      e.trainee_id = t;
      e.cohort_id = "coh_1";
      e.application_id = std::string("app_") + t;
      e.status = EnrolmentStatus::kEnrolled;
      e.dimensions.gender = common::GENDER_MALE;
      e.dimensions.track_id = "cybersecurity";
      e.dimensions.cohort_id = "coh_1";
      e.dimensions.training_region_code = "MA-05";
      e.cohort_start_date = absl::CivilDay(2025, 11, 3);
      e.cohort_end_date = absl::CivilDay(2026, 4, 30);
      enrollment_.Set(e);
    }
    domain_ = std::make_unique<ProgressService>(&repo_, &enrollment_, &clock_);
    service_ = std::make_unique<ProgressGrpcService>(domain_.get());
    auto server = jit::testing::SecureServer::Start(dir_.path(), {service_.get()},
                                                    {pb::TrainingProgressService::service_full_name()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::TrainingProgressService::NewStub(server_->Channel("programme-admin"));
    PublishCurriculum();
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& req, Resp* resp,
                    const char* traceparent = nullptr) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    if (traceparent != nullptr) ctx.AddMetadata("traceparent", traceparent);
    return ((*stub_).*method)(&ctx, req, resp);
  }

  void PublishCurriculum() {
    pb::PublishCurriculumRequest req;
    req.set_request_id("curriculum-1");
    req.set_track_id("cybersecurity");
    pb::Module* m = req.add_modules();
    m->set_module_id("network-basics");
    m->set_title("Network basics");
    m->set_order(1);
    m->set_hours(40);
    m->set_required(true);
    m->set_max_score(100);
    m->set_pass_mark(60);
    m = req.add_modules();
    m->set_module_id("linux");
    m->set_title("Linux");
    m->set_order(2);
    m->set_hours(20);
    m->set_required(true);
    m->set_max_score(20);
    m->set_pass_mark(10);
    pb::PublishCurriculumResponse resp;
    grpc::Status s = Call(&Stub::PublishCurriculum, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.curriculum().version(), 1);
  }

  pb::RecordAssessmentRequest Assessment(const std::string& rid,
                                         const std::string& trainee,
                                         const std::string& module,
                                         double score) {
    pb::RecordAssessmentRequest req;
    req.set_request_id(rid);
    req.set_cohort_id("coh_1");
    req.set_trainee_id(trainee);
    req.set_module_id(module);
    req.set_score(score);
    *req.mutable_assessed_on() = Date(2026, 1, 15);
    return req;
  }

  pb::RecordAttendanceRequest Session(const std::string& rid, int day) {
    pb::RecordAttendanceRequest req;
    req.set_request_id(rid);
    req.set_cohort_id("coh_1");
    req.set_module_id("network-basics");
    *req.mutable_session_date() = Date(2025, 11, day);
    pb::AttendanceEntry* e = req.add_entries();
    e->set_trainee_id("trn_b");
    e->set_mark(ev::ATTENDANCE_MARK_PRESENT);
    e = req.add_entries();
    e->set_trainee_id("trn_a");
    e->set_mark(ev::ATTENDANCE_MARK_UNEXCUSED_ABSENCE);
    return req;
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2026, 2, 1), absl::UTCTimeZone())};
  testing::InMemoryProgressRepository repo_;
  testing::FakeEnrollmentClient enrollment_;
  std::unique_ptr<ProgressService> domain_;
  std::unique_ptr<ProgressGrpcService> service_;
  jit::testing::TempDir dir_;
  std::unique_ptr<jit::testing::SecureServer> server_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(ProgressGrpcServiceTest, AClassSessionComesBackInRequestOrder) {
  pb::RecordAttendanceResponse resp;
  grpc::Status s = Call(&Stub::RecordAttendance, Session("s-1", 4), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.progress_size(), 2);
  EXPECT_EQ(resp.progress(0).trainee_id(), "trn_b");
  EXPECT_EQ(resp.progress(0).state(), ev::TRAINING_STATE_ACTIVE);
  EXPECT_DOUBLE_EQ(resp.progress(0).attendance_rate(), 1.0);
  EXPECT_EQ(resp.progress(1).trainee_id(), "trn_a");
  EXPECT_EQ(resp.progress(1).state(), ev::TRAINING_STATE_ENROLLED);
  EXPECT_EQ(resp.progress(1).consecutive_unexcused_absences(), 1);
  EXPECT_EQ(resp.progress(1).curriculum_version(), 1);
  EXPECT_EQ(resp.progress(1).modules_size(), 2);
}

TEST_F(ProgressGrpcServiceTest, FromAssessmentsToACertificateAndAnExit) {
  pb::RecordAssessmentResponse first;
  ASSERT_TRUE(Call(&Stub::RecordAssessment,
                   Assessment("a-1", "trn_a", "network-basics", 59.5), &first)
                  .ok());
  EXPECT_FALSE(first.passed());
  EXPECT_EQ(first.attempt(), 1);
  pb::RecordAssessmentResponse r;
  ASSERT_TRUE(Call(&Stub::RecordAssessment,
                   Assessment("a-2", "trn_a", "network-basics", 61), &r)
                  .ok());
  EXPECT_EQ(r.attempt(), 2);
  ASSERT_TRUE(
      Call(&Stub::RecordAssessment, Assessment("a-3", "trn_a", "linux", 10), &r)
          .ok());
  EXPECT_TRUE(r.passed());
  EXPECT_EQ(r.progress().state(), ev::TRAINING_STATE_COMPLETED);
  EXPECT_EQ(r.progress().exit_date().day(), 15);
  EXPECT_DOUBLE_EQ(r.progress().required_passed_ratio(), 1.0);

  pb::IssueCertificateRequest issue;
  issue.set_request_id("c-1");
  issue.set_cohort_id("coh_1");
  issue.set_trainee_id("trn_a");
  pb::IssueCertificateResponse issued;
  ASSERT_TRUE(Call(&Stub::IssueCertificate, issue, &issued).ok());
  EXPECT_THAT(issued.certificate().certificate_id(), StartsWith("crt_"));
  EXPECT_EQ(issued.certificate().issued_on().year(), 2026);
  EXPECT_EQ(issued.progress().state(), ev::TRAINING_STATE_CERTIFIED);
  EXPECT_EQ(issued.progress().certificate().certificate_id(),
            issued.certificate().certificate_id());

  pb::GetTraineeExitRequest exit_req;
  exit_req.set_trainee_id("trn_a");
  pb::GetTraineeExitResponse exit;
  ASSERT_TRUE(Call(&Stub::GetTraineeExit, exit_req, &exit).ok());
  EXPECT_TRUE(exit.exited());
  EXPECT_EQ(exit.kind(), ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(exit.state(), ev::TRAINING_STATE_CERTIFIED);
  EXPECT_EQ(exit.exit_date().month(), 1);
  EXPECT_EQ(exit.cohort_id(), "coh_1");
  EXPECT_EQ(exit.dimensions().gender(), common::GENDER_MALE);
  EXPECT_EQ(exit.dimensions().training_location().region_code(), "MA-05");

  pb::RevokeCertificateRequest revoke;
  revoke.set_request_id("r-1");
  revoke.set_cohort_id("coh_1");
  revoke.set_trainee_id("trn_a");
  revoke.set_reason("issued by mistake");
  revoke.set_reason_code(::jobintech::common::v1::REVOCATION_REASON_ISSUED_IN_ERROR);
  pb::RevokeCertificateResponse revoked;
  ASSERT_TRUE(Call(&Stub::RevokeCertificate, revoke, &revoked).ok());
  EXPECT_TRUE(revoked.certificate().revoked());
  EXPECT_EQ(revoked.certificate().revocation_reason(), "issued by mistake");
  EXPECT_EQ(revoked.certificate().revocation_reason_code(),
            ::jobintech::common::v1::REVOCATION_REASON_ISSUED_IN_ERROR);
  EXPECT_EQ(revoked.progress().state(), ev::TRAINING_STATE_COMPLETED);
}

TEST_F(ProgressGrpcServiceTest, FieldViolationsTravelAsBadRequestDetails) {
  pb::RecordAssessmentResponse r;
  grpc::Status above = Call(&Stub::RecordAssessment,
                            Assessment("a-1", "trn_a", "linux", 20.5), &r);
  EXPECT_EQ(above.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(above), ElementsAre("score"));
  grpc::Status unknown =
      Call(&Stub::RecordAssessment, Assessment("a-2", "trn_a", "cloud", 5), &r);
  EXPECT_THAT(ViolatedFields(unknown), ElementsAre("module_id"));

  pb::RecordAttendanceRequest outside = Session("s-1", 2);  // before the start
  pb::RecordAttendanceResponse resp;
  grpc::Status s = Call(&Stub::RecordAttendance, outside, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("session_date"));
  pb::RecordAttendanceRequest impossible = Session("s-2", 4);
  impossible.mutable_session_date()->set_day(31);
  EXPECT_THAT(ViolatedFields(Call(&Stub::RecordAttendance, impossible, &resp)),
              ElementsAre("session_date"));
  pb::RecordAttendanceRequest no_mark = Session("s-3", 4);
  no_mark.mutable_entries(1)->set_mark(ev::ATTENDANCE_MARK_UNSPECIFIED);
  EXPECT_THAT(ViolatedFields(Call(&Stub::RecordAttendance, no_mark, &resp)),
              ElementsAre("entries[1].mark"));

  pb::ListCohortProgressRequest list;
  list.set_cohort_id("coh_1");
  list.mutable_page()->set_page_token("garbage");
  pb::ListCohortProgressResponse listed;
  EXPECT_THAT(ViolatedFields(Call(&Stub::ListCohortProgress, list, &listed)),
              ElementsAre("page.page_token"));
}

TEST_F(ProgressGrpcServiceTest, DomainErrorsKeepTheirCodes) {
  pb::IssueCertificateRequest issue;
  issue.set_request_id("c-1");
  issue.set_cohort_id("coh_1");
  issue.set_trainee_id("trn_a");
  pb::IssueCertificateResponse issued;
  grpc::Status early = Call(&Stub::IssueCertificate, issue, &issued);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  pb::GetTraineeProgressRequest get;
  get.set_cohort_id("coh_1");
  get.set_trainee_id("trn_x");
  pb::GetTraineeProgressResponse got;
  EXPECT_EQ(Call(&Stub::GetTraineeProgress, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  pb::RecordAssessmentResponse r;
  EXPECT_EQ(
      Call(&Stub::RecordAssessment, Assessment("a-9", "trn_x", "linux", 5), &r)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);

  enrollment_.SetDown(true);
  grpc::Status down = Call(&Stub::RecordAssessment,
                           Assessment("a-1", "trn_a", "linux", 12), &r);
  EXPECT_EQ(down.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(down.error_message(),
              StartsWith("enrollment service unavailable: "));
}

TEST_F(ProgressGrpcServiceTest, ARetriedRequestGetsTheSameAnswer) {
  const pb::RecordAttendanceRequest req = Session("s-1", 4);
  pb::RecordAttendanceResponse a, b;
  ASSERT_TRUE(Call(&Stub::RecordAttendance, req, &a).ok());
  ASSERT_TRUE(Call(&Stub::RecordAttendance, req, &b).ok());
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(repo_.published().size(), 3u);  // two attendances, one start
}

TEST_F(ProgressGrpcServiceTest, TheCallersTraceReachesTheEvents) {
  pb::RecordAttendanceResponse resp;
  ASSERT_TRUE(
      Call(&Stub::RecordAttendance, Session("s-1", 4), &resp, kTraceparent)
          .ok());
  ASSERT_TRUE(Call(&Stub::RecordAttendance, Session("s-2", 5), &resp).ok());
  ASSERT_TRUE(
      Call(&Stub::RecordAttendance, Session("s-3", 6), &resp, "garbage").ok());
  std::vector<DomainEvent> events = repo_.published();
  ASSERT_EQ(events.size(), 8u);  // 3 + 2 + 3 (trn_a at risk on the 6th)
  EXPECT_EQ(events[0].traceparent, kTraceparent);
  EXPECT_EQ(events[0].request_id, "s-1");
  // Without a (valid) traceparent the adapter starts a new trace per call.
  EXPECT_NE(events[3].traceparent, "");
  EXPECT_NE(events[3].traceparent, kTraceparent);
  EXPECT_NE(events[5].traceparent, "garbage");
  EXPECT_NE(events[5].traceparent, events[3].traceparent);
}

TEST_F(ProgressGrpcServiceTest, CohortProgressPagesWithTokens) {
  pb::RecordAttendanceResponse resp;
  ASSERT_TRUE(Call(&Stub::RecordAttendance, Session("s-1", 4), &resp).ok());
  pb::ListCohortProgressRequest list;
  list.set_cohort_id("coh_1");
  list.mutable_page()->set_page_size(1);
  pb::ListCohortProgressResponse page1, page2;
  ASSERT_TRUE(Call(&Stub::ListCohortProgress, list, &page1).ok());
  ASSERT_EQ(page1.progress_size(), 1);
  EXPECT_EQ(page1.progress(0).trainee_id(), "trn_a");
  EXPECT_DOUBLE_EQ(page1.cohort_attendance_rate(), 0.5);
  ASSERT_NE(page1.page().next_page_token(), "");
  *list.mutable_page()->mutable_page_token() = page1.page().next_page_token();
  ASSERT_TRUE(Call(&Stub::ListCohortProgress, list, &page2).ok());
  ASSERT_EQ(page2.progress_size(), 1);
  EXPECT_EQ(page2.progress(0).trainee_id(), "trn_b");
  EXPECT_EQ(page2.page().next_page_token(), "");
}

TEST_F(ProgressGrpcServiceTest, CurriculaAreReadByVersion) {
  pb::GetCurriculumRequest get;
  get.set_track_id("cybersecurity");
  pb::GetCurriculumResponse got;
  ASSERT_TRUE(Call(&Stub::GetCurriculum, get, &got).ok());
  EXPECT_EQ(got.curriculum().version(), 1);
  ASSERT_EQ(got.curriculum().modules_size(), 2);
  EXPECT_EQ(got.curriculum().modules(1).module_id(), "linux");
  EXPECT_DOUBLE_EQ(got.curriculum().modules(1).pass_mark(), 10);
  get.set_version(2);
  EXPECT_EQ(Call(&Stub::GetCurriculum, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ProgressGrpcServiceTest, HandlersRunOnTheExecutorAndShedLoadWhenItIsFull) {
  executor::BoundedExecutor executor(
      {.name = "training-progress", .threads = 2, .queue_capacity = 3});
  ProgressGrpcService bounded(domain_.get(), &executor);
  jit::testing::TempDir dir;
  auto server = jit::testing::SecureServer::Start(
      dir.path(), {&bounded}, {pb::TrainingProgressService::service_full_name()});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub =
      pb::TrainingProgressService::NewStub((*server)->Channel("programme-admin"));
  pb::GetTraineeProgressRequest req;
  req.set_cohort_id("coh_1");
  req.set_trainee_id("trn_x");
  {
    jit::testing::ExecutorBlocker full(&executor);
    ASSERT_TRUE(full.ok()) << full.status();
    pb::GetTraineeProgressResponse resp;
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->GetTraineeProgress(&ctx, req, &resp).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // Room again: the worker runs the domain call (which finds nothing).
  pb::GetTraineeProgressResponse resp;
  grpc::ClientContext ctx;
  EXPECT_EQ(stub->GetTraineeProgress(&ctx, req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace jit::progress::api
