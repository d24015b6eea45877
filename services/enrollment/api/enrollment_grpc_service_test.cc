// The gRPC adapter over a real server on loopback with the domain core and
// the in-memory repository: request validation, status mapping (with field
// violations as google.rpc.BadRequest details), idempotency through the wire.
#include "services/enrollment/api/enrollment_grpc_service.h"

#include <memory>
#include <tuple>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/executor/bounded_executor.h"
#include "libs/testing/executor_blocker.h"
#include "libs/testing/secure_server.h"
#include "libs/testing/subprocess.h"
#include "libs/clock/clock.h"
#include "services/enrollment/api/mapping.h"
#include "services/enrollment/domain/testing/in_memory_repository.h"

namespace jit::enrollment::api {
namespace {

class TestHasher final : public CinHasher {
 public:
  std::string Hash(absl::string_view cin) const override {
    return std::string("h:") + std::string(cin);
  }
};

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

class EnrollmentGrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    domain_ = std::make_unique<EnrollmentService>(&repo_, &clock_, &hasher_);
    service_ = std::make_unique<EnrollmentGrpcService>(domain_.get());
    auto server = jit::testing::SecureServer::Start(dir_.path(), {service_.get()},
                                                    {pb::EnrollmentService::service_full_name()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::EnrollmentService::NewStub(server_->Channel("programme-admin"));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  std::string CreateCentre() {
    pb::CreateCentreRequest req;
    req.set_request_id("centre-1");
    req.set_name("EST Fquih Ben Salah");
    req.set_operator_name("Fondation R&D");
    req.set_province_code("MA-FQH");
    pb::CreateCentreResponse resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->CreateCentre(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.centre().location().region_code(), "MA-05");
    return resp.centre().centre_id();
  }

  std::string CreateOpenCohort(int capacity) {
    pb::CreateCohortRequest req;
    req.set_request_id("cohort-1");
    req.set_name("Cyber 2025");
    req.set_track_id("cybersecurity");
    req.set_centre_id(CreateCentre());
    req.set_capacity(capacity);
    req.mutable_start_date()->set_year(2025);
    req.mutable_start_date()->set_month(11);
    req.mutable_start_date()->set_day(3);
    req.mutable_end_date()->set_year(2026);
    req.mutable_end_date()->set_month(4);
    req.mutable_end_date()->set_day(30);
    req.set_status(pb::COHORT_STATUS_OPEN);
    pb::CreateCohortResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = stub_->CreateCohort(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.cohort().cohort_id();
  }

  pb::SubmitApplicationRequest Application(const std::string& cohort_id,
                                           const std::string& cin) {
    pb::SubmitApplicationRequest req;
    req.set_request_id("submit-" + cin);
    req.set_cohort_id(cohort_id);
    auto* c = req.mutable_candidate();
    c->set_given_name("Salma");
    c->set_family_name("Idrissi");
    c->set_national_id(cin);
    c->mutable_birth_date()->set_year(2001);
    c->mutable_birth_date()->set_month(5);
    c->mutable_birth_date()->set_day(4);
    c->set_phone("0612345678");
    c->set_email("salma@example.ma");
    req.set_gender(common::GENDER_FEMALE);
    req.set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_3);
    req.set_residence_province_code("MA-BEM");
    return req;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilDay(2025, 10, 15), absl::UTCTimeZone())};
  TestHasher hasher_;
  testing::InMemoryEnrollmentRepository repo_;
  std::unique_ptr<EnrollmentService> domain_;
  std::unique_ptr<EnrollmentGrpcService> service_;
  jit::testing::TempDir dir_;
  std::unique_ptr<jit::testing::SecureServer> server_;
  std::unique_ptr<pb::EnrollmentService::Stub> stub_;
};

TEST_F(EnrollmentGrpcServiceTest, SubmitThenGetReturnsTheApplication) {
  const std::string cohort = CreateOpenCohort(10);
  pb::SubmitApplicationResponse submitted;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->SubmitApplication(&ctx, Application(cohort, "AB123456"), &submitted).ok());
  EXPECT_EQ(submitted.application().status(), pb::APPLICATION_STATUS_APPLIED);
  EXPECT_EQ(submitted.application().candidate().phone(), "+212612345678");
  EXPECT_EQ(submitted.application().dimensions().residence().region_code(), "MA-05");

  pb::GetApplicationRequest get;
  get.set_application_id(submitted.application().application_id());
  pb::GetApplicationResponse got;
  grpc::ClientContext ctx2;
  ASSERT_TRUE(stub_->GetApplication(&ctx2, get, &got).ok());
  EXPECT_EQ(got.application().trainee_id(), submitted.application().trainee_id());
}

TEST_F(EnrollmentGrpcServiceTest, BadFieldsAreInvalidArgumentWithEveryFieldNamed) {
  const std::string cohort = CreateOpenCohort(10);
  pb::SubmitApplicationRequest req = Application(cohort, "not a cin!");
  req.mutable_candidate()->set_phone("12");
  req.mutable_candidate()->mutable_birth_date()->set_day(31);
  req.mutable_candidate()->mutable_birth_date()->set_month(2);
  pb::SubmitApplicationResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = stub_->SubmitApplication(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Birth date is checked by the adapter (not a date); the domain then names
  // the rest once the date is fixed.
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"candidate.birth_date"});

  req.mutable_candidate()->mutable_birth_date()->set_day(28);
  grpc::ClientContext ctx2;
  s = stub_->SubmitApplication(&ctx2, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  auto fields = ViolatedFields(s);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "candidate.national_id"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "candidate.phone"), fields.end());
}

TEST_F(EnrollmentGrpcServiceTest, MissingIdsAndBadTokensNameTheField) {
  pb::GetCohortResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = stub_->GetCohort(&ctx, pb::GetCohortRequest(), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"cohort_id"});

  pb::ListCohortsRequest list;
  list.mutable_page()->set_page_token("garbage");
  pb::ListCohortsResponse listed;
  grpc::ClientContext ctx2;
  s = stub_->ListCohorts(&ctx2, list, &listed);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"page.page_token"});
}

TEST_F(EnrollmentGrpcServiceTest, DomainCodesReachTheClient) {
  const std::string cohort = CreateOpenCohort(10);
  // NOT_FOUND
  pb::GetCohortRequest get;
  get.set_cohort_id("coh_missing");
  pb::GetCohortResponse got;
  grpc::ClientContext c1;
  EXPECT_EQ(stub_->GetCohort(&c1, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  // ALREADY_EXISTS: the same person applies twice (another request id).
  pb::SubmitApplicationResponse first;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub_->SubmitApplication(&c2, Application(cohort, "AB123456"), &first).ok());
  pb::SubmitApplicationRequest again = Application(cohort, "ab 123456");
  again.set_request_id("submit-again");
  pb::SubmitApplicationResponse second;
  grpc::ClientContext c3;
  grpc::Status dup = stub_->SubmitApplication(&c3, again, &second);
  EXPECT_EQ(dup.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(dup.error_message().find("123456"), std::string::npos)
      << "the error must not echo the national ID";

  // FAILED_PRECONDITION: confirm an application that was never admitted.
  pb::ConfirmEnrolmentRequest confirm;
  confirm.set_request_id("confirm-1");
  confirm.set_application_id(first.application().application_id());
  pb::ConfirmEnrolmentResponse confirmed;
  grpc::ClientContext c4;
  EXPECT_EQ(stub_->ConfirmEnrolment(&c4, confirm, &confirmed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(EnrollmentGrpcServiceTest, RepeatedRequestIdReturnsTheFirstAnswer) {
  const std::string cohort = CreateOpenCohort(10);
  pb::SubmitApplicationRequest req = Application(cohort, "AB123456");
  pb::SubmitApplicationResponse a, b;
  grpc::ClientContext c1, c2;
  ASSERT_TRUE(stub_->SubmitApplication(&c1, req, &a).ok());
  ASSERT_TRUE(stub_->SubmitApplication(&c2, req, &b).ok());
  EXPECT_EQ(a.application().application_id(), b.application().application_id());
  EXPECT_EQ(a.application().trainee_id(), b.application().trainee_id());

  pb::ListApplicationsRequest list;
  list.set_cohort_id(cohort);
  pb::ListApplicationsResponse listed;
  grpc::ClientContext c3;
  ASSERT_TRUE(stub_->ListApplications(&c3, list, &listed).ok());
  EXPECT_EQ(listed.applications_size(), 1);
}

// The PRIV/SEC rule: a stored answer (here a candidate's personal data) is
// replayed only to its first caller, and only for the same request.
TEST_F(EnrollmentGrpcServiceTest, ReplaysGoOnlyToTheSameCallerWithTheSameRequest) {
  const std::string cohort = CreateOpenCohort(10);
  pb::SubmitApplicationRequest req = Application(cohort, "AB123456");
  pb::SubmitApplicationResponse first;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub_->SubmitApplication(&c1, req, &first).ok());

  // Someone else, with the same role, who read the request id off a topic.
  auto other = pb::EnrollmentService::NewStub(
      server_->Channel("programme-admin", {}, "mallory"));
  pb::SubmitApplicationRequest dummy = Application(cohort, "ZZ999999");
  dummy.set_request_id(req.request_id());
  for (const pb::SubmitApplicationRequest* r : {&dummy, &req}) {
    pb::SubmitApplicationResponse stolen;
    grpc::ClientContext c;
    const grpc::Status s = other->SubmitApplication(&c, *r, &stolen);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"request_id"});
    EXPECT_EQ(s.error_message().find("SubmitApplication"), std::string::npos) << s.error_message();
    EXPECT_FALSE(stolen.has_application());
  }
  // The first caller with another payload under the same id.
  pb::SubmitApplicationResponse changed;
  grpc::ClientContext c2;
  const grpc::Status s = stub_->SubmitApplication(&c2, dummy, &changed);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("already used with a different request"), std::string::npos)
      << s.error_message();
  // The first caller retrying the same request: the first answer.
  pb::SubmitApplicationResponse again;
  grpc::ClientContext c3;
  ASSERT_TRUE(stub_->SubmitApplication(&c3, req, &again).ok());
  EXPECT_EQ(again.application().application_id(), first.application().application_id());
  // Nothing else was written.
  pb::ListApplicationsRequest list;
  list.set_cohort_id(cohort);
  pb::ListApplicationsResponse listed;
  grpc::ClientContext c4;
  ASSERT_TRUE(stub_->ListApplications(&c4, list, &listed).ok());
  EXPECT_EQ(listed.applications_size(), 1);
}

TEST_F(EnrollmentGrpcServiceTest, LookupGivesNoPersonalData) {
  const std::string cohort = CreateOpenCohort(10);
  pb::SubmitApplicationResponse submitted;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub_->SubmitApplication(&c1, Application(cohort, "AB123456"), &submitted).ok());
  pb::LookupTraineeRequest req;
  req.set_trainee_id(submitted.application().trainee_id());
  req.set_cohort_id(cohort);
  pb::LookupTraineeResponse resp;
  grpc::ClientContext c2;
  ASSERT_TRUE(stub_->LookupTrainee(&c2, req, &resp).ok());
  EXPECT_EQ(resp.status(), pb::APPLICATION_STATUS_APPLIED);
  EXPECT_EQ(resp.dimensions().training_location().region_code(), "MA-05");
  const std::string bytes = resp.SerializeAsString();
  for (const char* personal : {"Salma", "Idrissi", "AB123456", "612345678", "example.ma"}) {
    EXPECT_EQ(bytes.find(personal), std::string::npos) << personal;
  }
}

TEST_F(EnrollmentGrpcServiceTest, RefusedCallersNeverReachTheDomain) {
  pb::CreateCentreRequest req;
  req.set_request_id("centre-refused");
  req.set_name("EST Fquih Ben Salah");
  req.set_operator_name("Fondation R&D");
  req.set_province_code("MA-FQH");
  pb::CreateCentreResponse resp;
  {
    auto anonymous = pb::EnrollmentService::NewStub(server_->AnonymousChannel());
    grpc::ClientContext ctx;
    grpc::Status s = anonymous->CreateCentre(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
  }
  {
    auto analyst = pb::EnrollmentService::NewStub(server_->Channel("analyst"));
    grpc::ClientContext ctx;
    grpc::Status s = analyst->CreateCentre(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_NE(s.error_message().find("centres.write"), std::string::npos) << s.error_message();
  }
  {
    // A service certificate: enrollment's catalogue is not for services.
    auto service = pb::EnrollmentService::NewStub(server_->ServiceChannel("placement"));
    grpc::ClientContext ctx;
    EXPECT_EQ(service->CreateCentre(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // Nothing was created by the refused calls.
  pb::ListCentresRequest list;
  pb::ListCentresResponse centres;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->ListCentres(&ctx, list, &centres).ok());
  EXPECT_EQ(centres.centres_size(), 0);
}

TEST_F(EnrollmentGrpcServiceTest, ACoordinatorListsAndReadsOnlyItsRegionsApplications) {
  const std::string here = CreateOpenCohort(10);  // a centre in MA-FQH: region MA-05
  pb::CreateCentreRequest centre;
  centre.set_request_id("centre-cas");
  centre.set_name("Centre Casablanca");
  centre.set_operator_name("OFPPT");
  centre.set_province_code("MA-CAS");  // region MA-06
  pb::CreateCentreResponse centre_resp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->CreateCentre(&ctx, centre, &centre_resp).ok());
  }
  pb::CreateCohortRequest cohort;
  cohort.set_request_id("cohort-cas");
  cohort.set_name("Cyber Casablanca");
  cohort.set_track_id("cybersecurity");
  cohort.set_centre_id(centre_resp.centre().centre_id());
  cohort.set_capacity(10);
  cohort.mutable_start_date()->set_year(2025);
  cohort.mutable_start_date()->set_month(11);
  cohort.mutable_start_date()->set_day(3);
  cohort.mutable_end_date()->set_year(2026);
  cohort.mutable_end_date()->set_month(4);
  cohort.mutable_end_date()->set_day(30);
  cohort.set_status(pb::COHORT_STATUS_OPEN);
  pb::CreateCohortResponse cohort_resp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->CreateCohort(&ctx, cohort, &cohort_resp).ok());
  }
  std::string mine, theirs;
  for (auto [cohort_id, out, cin] : {std::tuple{here, &mine, "BK100001"},
                                     std::tuple{cohort_resp.cohort().cohort_id(), &theirs,
                                                "BK100002"}}) {
    pb::SubmitApplicationResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->SubmitApplication(&ctx, Application(cohort_id, cin), &resp).ok());
    *out = resp.application().application_id();
  }

  auto coordinator =
      pb::EnrollmentService::NewStub(server_->Channel("regional-coordinator", {"MA-05"}));
  pb::ListApplicationsResponse listed;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(coordinator->ListApplications(&ctx, pb::ListApplicationsRequest(), &listed).ok());
  }
  ASSERT_EQ(listed.applications_size(), 1);
  EXPECT_EQ(listed.applications(0).application_id(), mine);

  // Out of scope and missing are indistinguishable: same code, same wording.
  auto get = [&](const std::string& id) {
    pb::GetApplicationRequest req;
    req.set_application_id(id);
    pb::GetApplicationResponse resp;
    grpc::ClientContext ctx;
    return coordinator->GetApplication(&ctx, req, &resp);
  };
  EXPECT_TRUE(get(mine).ok());
  const grpc::Status out_of_scope = get(theirs);
  const grpc::Status missing = get("app_missing");
  EXPECT_EQ(out_of_scope.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(out_of_scope.error_message(), "application '" + theirs + "' not found");
  EXPECT_EQ(missing.error_message(), "application 'app_missing' not found");

  // Nor can it change one.
  pb::AdmitApplicationRequest admit;
  admit.set_request_id("admit-theirs");
  admit.set_application_id(theirs);
  pb::AdmitApplicationResponse admitted;
  grpc::ClientContext ctx;
  EXPECT_EQ(coordinator->AdmitApplication(&ctx, admit, &admitted).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(EnrollmentGrpcServiceTest, EventsCarryThePseudonymousActorOfTheCall) {
  const std::string cohort = CreateOpenCohort(5);
  pb::SubmitApplicationResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->SubmitApplication(&ctx, Application(cohort, "BK200001"), &resp).ok());
  ASSERT_FALSE(repo_.published().empty());
  for (const auto& e : repo_.published()) {
    // The token's subject is "test-user": the events carry an opaque id.
    EXPECT_EQ(e.actor_id.rfind("act_", 0), 0u) << e.actor_id;
    EXPECT_EQ(e.actor_id.find("test-user"), std::string::npos);
  }
}

TEST_F(EnrollmentGrpcServiceTest, HandlersRunOnTheExecutorAndShedLoadWhenItIsFull) {
  executor::BoundedExecutor executor(
      {.name = "enrollment", .threads = 1, .queue_capacity = 1});
  EnrollmentGrpcService bounded(domain_.get(), &executor);
  jit::testing::TempDir dir;
  auto server = jit::testing::SecureServer::Start(
      dir.path(), {&bounded}, {pb::EnrollmentService::service_full_name()});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = pb::EnrollmentService::NewStub((*server)->Channel("programme-admin"));
  pb::CreateCentreRequest req;
  req.set_request_id("centre-shed");
  req.set_name("EST Fquih Ben Salah");
  req.set_operator_name("Fondation R&D");
  req.set_province_code("MA-FQH");
  {
    jit::testing::ExecutorBlocker full(&executor);
    ASSERT_TRUE(full.ok()) << full.status();
    pb::CreateCentreResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = stub->CreateCentre(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(ctx.GetServerTrailingMetadata().count("grpc-retry-pushback-ms"), 1u);
    // Refused before any work: nothing was written.
    auto centres = domain_->ListCentres(CentreFilter{}, PageQuery{});
    ASSERT_TRUE(centres.ok()) << centres.status();
    EXPECT_TRUE(centres->items.empty());
  }
  // Room again: the same request is served by the executor's worker.
  pb::CreateCentreResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = stub->CreateCentre(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(resp.centre().centre_id().empty());
  (*server)->Shutdown();
}

}  // namespace
}  // namespace jit::enrollment::api

namespace jit::enrollment::api {
namespace {

TEST_F(EnrollmentGrpcServiceTest, ContactDataChangesThroughItsOwnRpc) {
  const std::string cohort = CreateOpenCohort(10);
  pb::SubmitApplicationResponse submitted;
  grpc::ClientContext c1;
  ASSERT_TRUE(stub_->SubmitApplication(&c1, Application(cohort, "AB123456"), &submitted).ok());

  pb::UpdateCandidateContactRequest update;
  update.set_request_id("contact-1");
  update.set_trainee_id(submitted.application().trainee_id());
  update.set_phone("07 00 11 22 33");
  update.set_email("salma.new@example.ma");
  pb::UpdateCandidateContactResponse updated;
  grpc::ClientContext c2;
  grpc::Status s = stub_->UpdateCandidateContact(&c2, update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.trainee_id(), submitted.application().trainee_id());
  EXPECT_EQ(updated.candidate().phone(), "+212700112233");
  EXPECT_EQ(updated.candidate().email(), "salma.new@example.ma");
  EXPECT_EQ(updated.candidate().national_id(), "AB123456");
  EXPECT_TRUE(updated.has_update_time());

  // Re-applying with the old contact data no longer matches: refused.
  pb::SubmitApplicationRequest again = Application(cohort, "AB123456");
  again.set_request_id("submit-again");
  pb::SubmitApplicationResponse ignored;
  grpc::ClientContext c3;
  EXPECT_EQ(stub_->SubmitApplication(&c3, again, &ignored).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);  // still active

  pb::UpdateCandidateContactRequest bad;
  bad.set_request_id("contact-2");
  bad.set_phone("12");
  grpc::ClientContext c4;
  s = stub_->UpdateCandidateContact(&c4, bad, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), std::vector<std::string>{"trainee_id"});
  bad.set_trainee_id("trn_nope");
  grpc::ClientContext c5;
  s = stub_->UpdateCandidateContact(&c5, bad, &updated);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(s), (std::vector<std::string>{"phone", "email"}));
}

}  // namespace
}  // namespace jit::enrollment::api
