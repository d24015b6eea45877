// Row scoping in the authorization matrix, against the real binaries over TLS
// on loopback: every RPC that reads or changes a trainee's rows, called by
// each scoped role (regional coordinator and placement officer for one region,
// centre staff for one centre) once on rows of its own region or centre (in
// scope) and once on the same kind of rows in another region (out of scope),
// with real, valid requests.
//
// The expectations are written by hand (kScoped below), not derived from the
// code they check:
//   in scope:      the call reaches the rows (any code but NOT_FOUND,
//                  PERMISSION_DENIED, UNAUTHENTICATED; lists marked "has"
//                  contain the target);
//   out of scope:  NF  NOT_FOUND with exactly the message of a missing id;
//                  PD  PERMISSION_DENIED (creating in another region);
//                  LIST OK, and the other region's target is not in it.
// After the out-of-scope calls, the other region's rows are unchanged.
//
// The data: a seeded simulator run through the public APIs (as in the
// README), then, per region, one placed trainee with its application, cohort,
// centre, curriculum module and placement.
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/secure_suite.h"
#include "libs/testing/subprocess.h"

namespace jit {
namespace {

namespace enr = ::jobintech::enrollment::v1;
namespace prg = ::jobintech::progress::v1;
namespace plc = ::jobintech::placement::v1;
namespace cmn = ::jobintech::common::v1;
namespace evt = ::jobintech::events::v1;

using testing::SecureSuite;
using testing::Subprocess;

// What an out-of-scope call gets; "has": the in-scope list contains the target.
struct Rule {
  std::string out;    // "NF", "PD" or "LIST"
  std::string roles;  // the scoped roles admitted to the method: R, C, P
  bool has = false;
};

// Hand-written from the [SEC] issue and the README's "Security" section.
const std::map<std::string, Rule>& ScopedRules() {
  static const auto* const kScoped = new std::map<std::string, Rule>{
      {"EnrollmentService/CreateCentre", {"PD", "R"}},
      {"EnrollmentService/CreateCohort", {"PD", "R"}},
      {"EnrollmentService/UpdateCohort", {"NF", "R"}},
      {"EnrollmentService/SubmitApplication", {"NF", "RC"}},
      {"EnrollmentService/GetApplication", {"NF", "RC"}},
      {"EnrollmentService/ListApplications", {"LIST", "RC", true}},
      {"EnrollmentService/AdmitApplication", {"NF", "R"}},
      {"EnrollmentService/WaitlistApplication", {"NF", "R"}},
      {"EnrollmentService/RejectApplication", {"NF", "R"}},
      {"EnrollmentService/ConfirmEnrolment", {"NF", "RC"}},
      {"EnrollmentService/DeclineAdmission", {"NF", "RC"}},
      {"EnrollmentService/WithdrawEnrolment", {"NF", "RC"}},
      {"EnrollmentService/AdmitFromWaitlist", {"NF", "R"}},
      {"EnrollmentService/LookupTrainee", {"NF", "RCP"}},
      {"EnrollmentService/UpdateCandidateContact", {"NF", "RC"}},
      {"TrainingProgressService/RecordAttendance", {"NF", "RC"}},
      {"TrainingProgressService/RecordAssessment", {"NF", "RC"}},
      {"TrainingProgressService/RecordDropOut", {"NF", "RC"}},
      {"TrainingProgressService/IssueCertificate", {"NF", "R"}},
      {"TrainingProgressService/RevokeCertificate", {"NF", "R"}},
      {"TrainingProgressService/GetTraineeProgress", {"NF", "RCP"}},
      {"TrainingProgressService/ListCohortProgress", {"LIST", "RCP"}},
      {"TrainingProgressService/GetTraineeExit", {"NF", "RCP"}},
      {"PlacementService/StartJobSearch", {"NF", "P"}},
      {"PlacementService/RecordOffer", {"NF", "P"}},
      {"PlacementService/RecordPlacement", {"NF", "P"}},
      {"PlacementService/VerifyPlacement", {"NF", "P"}},
      {"PlacementService/EndPlacement", {"NF", "P"}},
      {"PlacementService/GetPlacement", {"NF", "RP"}},
      {"PlacementService/ListPlacements", {"LIST", "RP", true}},
      {"PlacementService/GetTraineePlacement", {"NF", "RP"}},
      {"PlacementService/ListDueFollowUps", {"LIST", "RP"}},
      {"PlacementService/RecordFollowUp", {"NF", "P"}},
  };
  return *kScoped;
}

// The RPCs whose rows carry no region or centre (the catalogue, employers,
// job offers, dashboards, the audit and erasure by national roles): scope
// does not apply; the role matrix (authz_matrix_test) covers them.
const std::set<std::string>& Unscoped() {
  static const auto* const kUnscoped = new std::set<std::string>{
      "EnrollmentService/GetProgramme",        "EnrollmentService/UpdateProgramme",
      "EnrollmentService/CreateTrack",         "EnrollmentService/ListTracks",
      "EnrollmentService/GetCentre",           "EnrollmentService/ListCentres",
      "EnrollmentService/GetCohort",           "EnrollmentService/ListCohorts",
      "EnrollmentService/EraseCandidate",      "TrainingProgressService/PublishCurriculum",
      "TrainingProgressService/EraseTraineeNotes", "PlacementService/EraseTraineeNotes",
      "TrainingProgressService/GetCurriculum", "PlacementService/RegisterEmployer",
      "PlacementService/GetEmployer",          "PlacementService/ListEmployers",
      "PlacementService/SetEmployerPartner",   "PlacementService/PostJobOffer",
      "PlacementService/CloseJobOffer",        "PlacementService/GetJobOffer",
      "PlacementService/ListJobOffers"};
  return *kUnscoped;
}

// One placed trainee's rows in one region.
struct Target {
  std::string region;
  std::string province;
  std::string centre_id;
  std::string track_id;
  std::string cohort_id;
  std::string application_id;
  std::string trainee_id;
  std::string module_id;
  std::string placement_id;
  std::string employer_id;
};

cmn::Date Today() {
  const absl::CivilDay d = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  cmn::Date out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

// A valid request of `method` aimed at `t`'s rows; `n` makes request ids and
// national IDs unique per call.
std::unique_ptr<google::protobuf::Message> RequestFor(const std::string& method, const Target& t,
                                                      int n) {
  const std::string rid = absl::StrCat("scope-test-", n);
  const std::string name = method.substr(method.find('/') + 1);
  if (name == "CreateCentre") {
    auto r = std::make_unique<enr::CreateCentreRequest>();
    r->set_request_id(rid);
    r->set_name(absl::StrCat("Centre de test ", n));
    r->set_operator_name("Opérateur de test");
    r->set_province_code(t.province);
    return r;
  }
  if (name == "CreateCohort") {
    auto r = std::make_unique<enr::CreateCohortRequest>();
    r->set_request_id(rid);
    r->set_name(absl::StrCat("Cohorte de test ", n));
    r->set_track_id(t.track_id);
    r->set_centre_id(t.centre_id);
    r->set_capacity(20);
    *r->mutable_start_date() = Today();
    cmn::Date end = Today();
    end.set_year(end.year() + 1);
    *r->mutable_end_date() = end;
    r->set_status(enr::COHORT_STATUS_OPEN);
    return r;
  }
  if (name == "UpdateCohort") {
    auto r = std::make_unique<enr::UpdateCohortRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    r->set_capacity(200);
    return r;
  }
  if (name == "SubmitApplication") {
    auto r = std::make_unique<enr::SubmitApplicationRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    auto* c = r->mutable_candidate();
    c->set_given_name("Prenomscope");
    c->set_family_name("Nomscope");
    c->set_national_id(absl::StrCat("ZS", 100000 + n));
    cmn::Date birth;
    birth.set_year(2001);
    birth.set_month(5);
    birth.set_day(17);
    *c->mutable_birth_date() = birth;
    c->set_phone(absl::StrCat("0661", 100000 + n));
    c->set_email(absl::StrCat("scope", n, "@mail-test.ma"));
    r->set_gender(cmn::GENDER_FEMALE);
    r->set_education_level(cmn::EDUCATION_LEVEL_BAC_PLUS_2);
    r->set_residence_province_code(t.province);
    return r;
  }
  if (name == "GetApplication") {
    auto r = std::make_unique<enr::GetApplicationRequest>();
    r->set_application_id(t.application_id);
    return r;
  }
  if (name == "ListApplications") {
    auto r = std::make_unique<enr::ListApplicationsRequest>();
    r->set_cohort_id(t.cohort_id);
    r->mutable_page()->set_page_size(500);
    return r;
  }
  if (name == "AdmitApplication" || name == "WaitlistApplication" ||
      name == "ConfirmEnrolment") {
    // The three share one shape: request_id = 1, application_id = 2.
    std::unique_ptr<google::protobuf::Message> r;
    if (name == "AdmitApplication") r = std::make_unique<enr::AdmitApplicationRequest>();
    if (name == "WaitlistApplication") r = std::make_unique<enr::WaitlistApplicationRequest>();
    if (name == "ConfirmEnrolment") r = std::make_unique<enr::ConfirmEnrolmentRequest>();
    const auto* d = r->GetDescriptor();
    r->GetReflection()->SetString(r.get(), d->FindFieldByName("request_id"), rid);
    r->GetReflection()->SetString(r.get(), d->FindFieldByName("application_id"),
                                  t.application_id);
    return r;
  }
  if (name == "RejectApplication" || name == "DeclineAdmission" ||
      name == "WithdrawEnrolment") {
    std::unique_ptr<google::protobuf::Message> r;
    if (name == "RejectApplication") r = std::make_unique<enr::RejectApplicationRequest>();
    if (name == "DeclineAdmission") r = std::make_unique<enr::DeclineAdmissionRequest>();
    if (name == "WithdrawEnrolment") r = std::make_unique<enr::WithdrawEnrolmentRequest>();
    const auto* d = r->GetDescriptor();
    r->GetReflection()->SetString(r.get(), d->FindFieldByName("request_id"), rid);
    r->GetReflection()->SetString(r.get(), d->FindFieldByName("application_id"),
                                  t.application_id);
    r->GetReflection()->SetString(r.get(), d->FindFieldByName("reason"), "test de portée");
    // Every reason enum has OTHER = 1.
    r->GetReflection()->SetEnumValue(r.get(), d->FindFieldByName("reason_code"), 1);
    return r;
  }
  if (name == "AdmitFromWaitlist") {
    auto r = std::make_unique<enr::AdmitFromWaitlistRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    return r;
  }
  if (name == "UpdateCandidateContact") {
    auto r = std::make_unique<enr::UpdateCandidateContactRequest>();
    r->set_request_id(rid);
    r->set_trainee_id(t.trainee_id);
    r->set_phone(absl::StrCat("0662", 100000 + n));
    r->set_email(absl::StrCat("contact", n, "@mail-test.ma"));
    return r;
  }
  if (name == "LookupTrainee") {
    auto r = std::make_unique<enr::LookupTraineeRequest>();
    r->set_trainee_id(t.trainee_id);
    r->set_cohort_id(t.cohort_id);
    return r;
  }
  if (name == "RecordAttendance") {
    auto r = std::make_unique<prg::RecordAttendanceRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    r->set_module_id(t.module_id);
    *r->mutable_session_date() = Today();
    auto* e = r->add_entries();
    e->set_trainee_id(t.trainee_id);
    e->set_mark(evt::ATTENDANCE_MARK_PRESENT);
    return r;
  }
  if (name == "RecordAssessment") {
    auto r = std::make_unique<prg::RecordAssessmentRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    r->set_trainee_id(t.trainee_id);
    r->set_module_id(t.module_id);
    r->set_score(75);
    *r->mutable_assessed_on() = Today();
    return r;
  }
  if (name == "RecordDropOut") {
    auto r = std::make_unique<prg::RecordDropOutRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    r->set_trainee_id(t.trainee_id);
    r->set_reason("test de portée");
    r->set_reason_code(cmn::DROP_OUT_REASON_OTHER);
    *r->mutable_exit_date() = Today();
    return r;
  }
  if (name == "IssueCertificate") {
    auto r = std::make_unique<prg::IssueCertificateRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    r->set_trainee_id(t.trainee_id);
    return r;
  }
  if (name == "RevokeCertificate") {
    auto r = std::make_unique<prg::RevokeCertificateRequest>();
    r->set_request_id(rid);
    r->set_cohort_id(t.cohort_id);
    r->set_trainee_id(t.trainee_id);
    r->set_reason("test de portée");
    r->set_reason_code(cmn::REVOCATION_REASON_OTHER);
    return r;
  }
  if (name == "GetTraineeProgress") {
    auto r = std::make_unique<prg::GetTraineeProgressRequest>();
    r->set_cohort_id(t.cohort_id);
    r->set_trainee_id(t.trainee_id);
    return r;
  }
  if (name == "ListCohortProgress") {
    auto r = std::make_unique<prg::ListCohortProgressRequest>();
    r->set_cohort_id(t.cohort_id);
    return r;
  }
  if (name == "GetTraineeExit") {
    auto r = std::make_unique<prg::GetTraineeExitRequest>();
    r->set_trainee_id(t.trainee_id);
    return r;
  }
  if (name == "StartJobSearch") {
    auto r = std::make_unique<plc::StartJobSearchRequest>();
    r->set_request_id(rid);
    r->set_trainee_id(t.trainee_id);
    return r;
  }
  if (name == "RecordOffer") {
    auto r = std::make_unique<plc::RecordOfferRequest>();
    r->set_request_id(rid);
    r->set_trainee_id(t.trainee_id);
    r->set_employer_id(t.employer_id);
    *r->mutable_offered_on() = Today();
    return r;
  }
  if (name == "RecordPlacement") {
    auto r = std::make_unique<plc::RecordPlacementRequest>();
    r->set_request_id(rid);
    r->set_trainee_id(t.trainee_id);
    r->set_type(evt::PLACEMENT_TYPE_SALARIED_PERMANENT);
    r->set_employer_id(t.employer_id);
    *r->mutable_start_date() = Today();
    r->set_salary_band(evt::SALARY_BAND_5000_7999);
    r->set_verification(evt::VERIFICATION_SOURCE_EMPLOYER);
    return r;
  }
  if (name == "VerifyPlacement") {
    auto r = std::make_unique<plc::VerifyPlacementRequest>();
    r->set_request_id(rid);
    r->set_placement_id(t.placement_id);
    r->set_verification(evt::VERIFICATION_SOURCE_SOCIAL_SECURITY);
    return r;
  }
  if (name == "EndPlacement") {
    auto r = std::make_unique<plc::EndPlacementRequest>();
    r->set_request_id(rid);
    r->set_placement_id(t.placement_id);
    *r->mutable_end_date() = Today();
    r->set_reason("test de portée");
    r->set_reason_code(cmn::PLACEMENT_END_REASON_OTHER);
    return r;
  }
  if (name == "GetPlacement") {
    auto r = std::make_unique<plc::GetPlacementRequest>();
    r->set_placement_id(t.placement_id);
    return r;
  }
  if (name == "ListPlacements") {
    auto r = std::make_unique<plc::ListPlacementsRequest>();
    r->set_employer_id(t.employer_id);
    r->mutable_page()->set_page_size(500);
    return r;
  }
  if (name == "GetTraineePlacement") {
    auto r = std::make_unique<plc::GetTraineePlacementRequest>();
    r->set_trainee_id(t.trainee_id);
    return r;
  }
  if (name == "ListDueFollowUps") {
    auto r = std::make_unique<plc::ListDueFollowUpsRequest>();
    r->mutable_page()->set_page_size(500);
    return r;
  }
  if (name == "RecordFollowUp") {
    auto r = std::make_unique<plc::RecordFollowUpRequest>();
    r->set_request_id(rid);
    r->set_trainee_id(t.trainee_id);
    r->set_months_after_exit(3);
    r->set_outcome(evt::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER);
    return r;
  }
  return nullptr;
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return ctx;
}

class AuthzScopeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto suite = SecureSuite::Start(JIT_SUITE_BINARIES);
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
    Seed();
  }

  static void TearDownTestSuite() {
    delete targets_;
    delete suite_;
  }

  // A seeded, deterministic simulator run through the public APIs, as a
  // programme administrator.
  static void Seed() {
    const std::string token = suite_->dir().File("simulator.token");
    {
      std::ofstream(token) << suite_->pki().Token("programme-admin", {}, "simulator");
    }
    const std::string log = suite_->dir().File("simulator.log");
    auto sim = Subprocess::Start(
        {JIT_SIMULATOR_BIN, "--enrollment_address=" + suite_->address("enrollment"),
         "--progress_address=" + suite_->address("training-progress"),
         "--placement_address=" + suite_->address("placement"),
         "--aggregator_address=" + suite_->address("aggregator"),
         "--ca_file=" + suite_->pki().ca_file(), "--token_file=" + token, "--seed=5150",
         "--journeys=60", "--deterministic", "--speed=0", "--employers_per_region=1"},
        log);
    ASSERT_TRUE(sim.ok()) << sim.status();
    auto exit = (*sim)->Wait(absl::Seconds(240));
    ASSERT_TRUE(exit.ok()) << exit.status() << "\n" << testing::ReadFile(log).value_or("");
    ASSERT_TRUE(exit->exited && exit->exit_code == 0) << testing::ReadFile(log).value_or("");
    targets_ = new std::map<std::string, Target>();
    FindTargets();
  }

  static std::shared_ptr<grpc::Channel> Admin(const std::string& service) {
    return suite_->pki().PersonChannel(suite_->address(service), "programme-admin");
  }

  // Per region, the first placed trainee (and its rows); two regions needed.
  static void FindTargets() {
    auto placement = plc::PlacementService::NewStub(Admin("placement"));
    auto progress = prg::TrainingProgressService::NewStub(Admin("training-progress"));
    auto enrollment = enr::EnrollmentService::NewStub(Admin("enrollment"));
    plc::ListPlacementsRequest list;
    list.mutable_page()->set_page_size(500);
    plc::ListPlacementsResponse placements;
    grpc::Status s = placement->ListPlacements(Ctx().get(), list, &placements);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const plc::Placement& p : placements.placements()) {
      if (p.ended()) continue;
      plc::GetTraineePlacementRequest get;
      get.set_trainee_id(p.trainee_id());
      plc::GetTraineePlacementResponse trainee;
      ASSERT_TRUE(placement->GetTraineePlacement(Ctx().get(), get, &trainee).ok());
      const cmn::TraineeDimensions& d = trainee.trainee().dimensions();
      const std::string region = d.training_location().region_code();
      if (targets_->count(region) > 0) continue;
      Target t;
      t.region = region;
      t.province = d.training_location().province_code();
      t.centre_id = d.centre_id();
      t.track_id = d.track_id();
      t.cohort_id = d.cohort_id();
      t.trainee_id = p.trainee_id();
      t.placement_id = p.placement_id();
      t.employer_id = p.employer_id();
      prg::GetTraineeProgressRequest pr;
      pr.set_cohort_id(t.cohort_id);
      pr.set_trainee_id(t.trainee_id);
      prg::GetTraineeProgressResponse progress_resp;
      s = progress->GetTraineeProgress(Ctx().get(), pr, &progress_resp);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ASSERT_GT(progress_resp.progress().modules_size(), 0);
      t.module_id = progress_resp.progress().modules(0).module_id();
      enr::ListApplicationsRequest apps;
      apps.set_cohort_id(t.cohort_id);
      apps.mutable_page()->set_page_size(500);
      enr::ListApplicationsResponse apps_resp;
      ASSERT_TRUE(enrollment->ListApplications(Ctx().get(), apps, &apps_resp).ok());
      for (const enr::Application& a : apps_resp.applications()) {
        if (a.trainee_id() == t.trainee_id) t.application_id = a.application_id();
      }
      ASSERT_FALSE(t.application_id.empty()) << t.trainee_id;
      (*targets_)[region] = t;
    }
    ASSERT_GE(targets_->size(), 2u) << "the seeded run placed trainees in fewer than 2 regions";
  }

  // The scoped caller of `role` for `t`'s region (or centre).
  static std::shared_ptr<grpc::Channel> ScopedChannel(char role, const Target& t,
                                               const std::string& service) {
    const std::string address = suite_->address(service);
    switch (role) {
      case 'R':
        return suite_->pki().PersonChannel(address, "regional-coordinator", {t.region}, "rita");
      case 'P':
        return suite_->pki().PersonChannel(address, "placement-officer", {t.region}, "paul");
      default:
        return suite_->pki().PersonChannel(address, "centre-staff", {}, "chris", {t.centre_id});
    }
  }

  static std::string ServiceOf(const std::string& method) {
    if (method.rfind("Enrollment", 0) == 0) return "enrollment";
    if (method.rfind("TrainingProgress", 0) == 0) return "training-progress";
    return "placement";
  }

  static std::string FullMethod(const std::string& method) {
    const std::string service = method.substr(0, method.find('/'));
    const std::string package = service == "EnrollmentService" ? "enrollment"
                                : service == "PlacementService" ? "placement"
                                                                : "progress";
    return absl::StrCat("/jobintech.", package, ".v1.", method);
  }

  // One unary call with a serialized request; the response bytes in `out`.
  static grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel,
                           const std::string& method, const google::protobuf::Message& request,
                           std::string* out) {
    return testing::RawUnaryCall(channel, FullMethod(method), request.SerializeAsString(),
                                 absl::Seconds(10), out);
  }

  // What an administrator reads of `t`'s rows (to prove nothing changed).
  static std::string Snapshot(const Target& t) {
    std::string all;
    std::string out;
    enr::GetApplicationRequest app;
    app.set_application_id(t.application_id);
    EXPECT_TRUE(Call(Admin("enrollment"), "EnrollmentService/GetApplication", app, &out).ok());
    all += out;
    enr::GetCohortRequest cohort;
    cohort.set_cohort_id(t.cohort_id);
    EXPECT_TRUE(Call(Admin("enrollment"), "EnrollmentService/GetCohort", cohort, &out).ok());
    all += out;
    prg::GetTraineeProgressRequest progress;
    progress.set_cohort_id(t.cohort_id);
    progress.set_trainee_id(t.trainee_id);
    EXPECT_TRUE(Call(Admin("training-progress"), "TrainingProgressService/GetTraineeProgress",
                     progress, &out)
                    .ok());
    all += out;
    plc::GetTraineePlacementRequest placement;
    placement.set_trainee_id(t.trainee_id);
    EXPECT_TRUE(
        Call(Admin("placement"), "PlacementService/GetTraineePlacement", placement, &out).ok());
    all += out;
    return all;
  }

  static SecureSuite* suite_;
  static std::map<std::string, Target>* targets_;
};

SecureSuite* AuthzScopeTest::suite_ = nullptr;
std::map<std::string, Target>* AuthzScopeTest::targets_ = nullptr;

// Every RPC of the three write services is classified: scoped (with a rule
// and a request) or explicitly unscoped.
TEST_F(AuthzScopeTest, EveryWriteServiceRpcIsClassified) {
  std::set<std::string> compiled;
  for (const google::protobuf::ServiceDescriptor* s :
       {enr::GetProgrammeRequest::descriptor()->file()->FindServiceByName("EnrollmentService"),
        prg::GetCurriculumRequest::descriptor()->file()->FindServiceByName(
            "TrainingProgressService"),
        plc::GetEmployerRequest::descriptor()->file()->FindServiceByName("PlacementService")}) {
    ASSERT_NE(s, nullptr);
    for (int i = 0; i < s->method_count(); ++i) {
      compiled.insert(absl::StrCat(s->name(), "/", s->method(i)->name()));
    }
  }
  std::set<std::string> classified = Unscoped();
  for (const auto& [method, rule] : ScopedRules()) {
    EXPECT_TRUE(classified.insert(method).second) << method << " is in both lists";
    EXPECT_NE(RequestFor(method, Target{}, 0), nullptr) << method << " has no request";
  }
  EXPECT_EQ(compiled, classified);
}

TEST_F(AuthzScopeTest, ScopedRolesReachTheirRowsOnlyAndChangeNothingElsewhere) {
  ASSERT_NE(targets_, nullptr);
  ASSERT_GE(targets_->size(), 2u);
  const Target& in = targets_->begin()->second;
  const Target& out = std::next(targets_->begin())->second;
  ASSERT_NE(in.region, out.region);
  const std::string before = Snapshot(out);

  // The message of a missing id, per method: what an out-of-scope NOT_FOUND
  // must repeat word for word (with the other id in it).
  Target missing = out;
  for (std::string* id : {&missing.cohort_id, &missing.application_id, &missing.trainee_id,
                          &missing.placement_id}) {
    // Same form, one character changed: a well-formed id nobody holds.
    id->back() = id->back() == '0' ? '1' : '0';
  }

  int n = 0;
  int cells = 0;
  for (const auto& [method, rule] : ScopedRules()) {
    const std::string service = ServiceOf(method);
    for (char role : rule.roles) {
      SCOPED_TRACE(absl::StrCat(method, " as ", std::string(1, role)));
      std::string bytes;
      // In scope.
      auto request = RequestFor(method, in, ++n);
      grpc::Status s = Call(ScopedChannel(role, in, service), method, *request, &bytes);
      EXPECT_NE(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
      EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
      EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
      if (rule.has) {
        EXPECT_TRUE(s.ok()) << s.error_message();
        const std::string& id = method == "PlacementService/ListPlacements" ? in.placement_id
                                                                            : in.application_id;
        EXPECT_NE(bytes.find(id), std::string::npos) << "in-scope list lacks " << id;
      }
      ++cells;
      // Out of scope: the same caller, the other region's rows.
      request = RequestFor(method, out, ++n);
      s = Call(ScopedChannel(role, in, service), method, *request, &bytes);
      if (rule.out == "NF") {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
        // Indistinguishable from a missing id, as an administrator sees it.
        auto probe = RequestFor(method, missing, ++n);
        std::string ignored;
        grpc::Status absent = Call(Admin(service), method, *probe, &ignored);
        EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND) << absent.error_message();
        std::string expected = absent.error_message();
        for (const auto& [from, to] :
             std::vector<std::pair<std::string, std::string>>{
                 {missing.cohort_id, out.cohort_id},
                 {missing.application_id, out.application_id},
                 {missing.trainee_id, out.trainee_id},
                 {missing.placement_id, out.placement_id}}) {
          for (size_t at = expected.find(from); at != std::string::npos;
               at = expected.find(from, at + to.size())) {
            expected.replace(at, from.size(), to);
          }
        }
        EXPECT_EQ(s.error_message(), expected);
      } else if (rule.out == "PD") {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();
      } else {
        EXPECT_TRUE(s.ok()) << s.error_message();
        for (const std::string& id : {out.application_id, out.trainee_id, out.placement_id}) {
          EXPECT_EQ(bytes.find(id), std::string::npos) << "out-of-scope list shows " << id;
        }
      }
      ++cells;
    }
  }
  EXPECT_GT(cells, 2 * static_cast<int>(ScopedRules().size()));
  // Nothing the out-of-scope calls asked for happened.
  EXPECT_EQ(Snapshot(out), before);
}

}  // namespace
}  // namespace jit
