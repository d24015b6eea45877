// The audit log against the real binaries over TLS on loopback: after a
// scripted sequence of calls (mutations, a personal-data read, denials, an
// anonymous refusal, a replay), each server's AuditService returns exactly
// the expected records to a data-protection officer, refuses everyone else,
// and offers no way to change or delete a record.
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/audit/v1/audit_service.grpc.pb.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/secure_suite.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"

namespace jit {
namespace {

namespace apb = ::jobintech::audit::v1;
namespace enr = ::jobintech::enrollment::v1;
namespace cmn = ::jobintech::common::v1;

using testing::SecureSuite;
using testing::Subprocess;
using testing::TempDir;
using testing::TestPki;

constexpr char kTraceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr char kTraceId[] = "0af7651916cd43dd8448eb211c80319c";
constexpr char kEnrollment[] = "/jobintech.enrollment.v1.EnrollmentService/";
constexpr char kAudit[] = "/jobintech.audit.v1.AuditService/ListAuditRecords";

// One record as the test compares it: "subject | method | targets | outcome |
// request id | reasons".
std::string Line(const apb::AuditRecord& r) {
  std::vector<std::string> reasons;
  for (int reason : r.reasons()) {
    reasons.push_back(apb::AuditReason_Name(static_cast<apb::AuditReason>(reason)).substr(13));
  }
  return absl::StrCat(r.subject(), " | ", r.method(), " | ", absl::StrJoin(r.target_ids(), ","),
                      " | ", r.outcome(), " | ", r.request_id(), " | ",
                      absl::StrJoin(reasons, ","));
}

class AuditLogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto suite = SecureSuite::Start(JIT_SUITE_BINARIES);
    ASSERT_TRUE(suite.ok()) << suite.status();
    suite_ = suite->release();
    pki_ = &suite_->pki();
    dir_ = &suite_->dir();
    addresses_ = new std::map<std::string, std::string>();
    for (const std::string& name : SecureSuite::ServiceNames()) {
      (*addresses_)[name] = suite_->address(name);
    }
  }

  static void TearDownTestSuite() {
    delete addresses_;
    delete suite_;
  }

  static std::shared_ptr<grpc::Channel> Person(const std::string& server, const std::string& role,
                                               const std::string& subject) {
    return pki_->PersonChannel((*addresses_)[server], role, {"MA-05"}, subject);
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(bool trace = false) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (trace) ctx->AddMetadata("traceparent", kTraceparent);
    return ctx;
  }

  // Every record of `server`'s audit, read by a data-protection officer, in
  // pages of `page_size`. (Each page read is itself audited: with small pages
  // and no subject filter the officer's own reads join the list.)
  static std::vector<apb::AuditRecord> ReadAudit(const std::string& server,
                                                 apb::ListAuditRecordsRequest req = {},
                                                 int page_size = 500) {
    auto stub = apb::AuditService::NewStub(Person(server, "data-protection-officer", "dora"));
    std::vector<apb::AuditRecord> out;
    req.mutable_page()->set_page_size(page_size);
    for (;;) {
      apb::ListAuditRecordsResponse resp;
      grpc::Status s = stub->ListAuditRecords(Ctx().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << server << ": " << s.error_message();
      if (!s.ok()) return out;
      out.insert(out.end(), resp.records().begin(), resp.records().end());
      if (resp.page().next_page_token().empty()) return out;
      req.mutable_page()->set_page_token(resp.page().next_page_token());
    }
  }

  static std::vector<std::string> Lines(const std::vector<apb::AuditRecord>& records) {
    std::vector<std::string> out;
    for (const auto& r : records) out.push_back(Line(r));
    return out;
  }

  static SecureSuite* suite_;
  static TestPki* pki_;
  static TempDir* dir_;
  static std::map<std::string, std::string>* addresses_;
};

SecureSuite* AuditLogTest::suite_ = nullptr;
TestPki* AuditLogTest::pki_ = nullptr;
TempDir* AuditLogTest::dir_ = nullptr;
std::map<std::string, std::string>* AuditLogTest::addresses_ = nullptr;

cmn::Date Day(int y, int m, int d) {
  cmn::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

TEST_F(AuditLogTest, EnrollmentKeepsExactlyTheScriptedRecords) {
  auto admin = enr::EnrollmentService::NewStub(Person("enrollment", "programme-admin", "alice"));
  // 1. A mutation with a trace context.
  enr::CreateCentreRequest centre;
  centre.set_request_id("audit-centre-1");
  centre.set_name("EST Beni Mellal");
  centre.set_operator_name("Fondation R&D");
  centre.set_province_code("MA-BEM");
  enr::CreateCentreResponse centre_resp;
  ASSERT_TRUE(admin->CreateCentre(Ctx(/*trace=*/true).get(), centre, &centre_resp).ok());
  const std::string centre_id = centre_resp.centre().centre_id();
  // 2. Another, naming two ids.
  enr::CreateCohortRequest cohort;
  cohort.set_request_id("audit-cohort-1");
  cohort.set_name("Cybersécurité 2027-A");
  cohort.set_track_id("cybersecurity");
  cohort.set_centre_id(centre_id);
  cohort.set_capacity(10);
  *cohort.mutable_start_date() = Day(2025, 11, 3);
  *cohort.mutable_end_date() = Day(2026, 4, 30);
  cohort.set_status(enr::COHORT_STATUS_OPEN);
  enr::CreateCohortResponse cohort_resp;
  grpc::Status created = admin->CreateCohort(Ctx().get(), cohort, &cohort_resp);
  ASSERT_TRUE(created.ok()) << created.error_message();
  const std::string cohort_id = cohort_resp.cohort().cohort_id();
  // 3. A mutation of personal data.
  enr::SubmitApplicationRequest submit;
  submit.set_request_id("audit-submit-1");
  submit.set_cohort_id(cohort_id);
  auto* c = submit.mutable_candidate();
  c->set_given_name("Prenomaudit");
  c->set_family_name("Nomaudit");
  c->set_national_id("ZK424242");
  *c->mutable_birth_date() = Day(2001, 5, 17);
  c->set_phone("0661424242");
  c->set_email("audit@mail-test.ma");
  submit.set_gender(cmn::GENDER_FEMALE);
  submit.set_education_level(cmn::EDUCATION_LEVEL_BAC_PLUS_2);
  submit.set_residence_province_code("MA-BEM");
  enr::SubmitApplicationResponse submitted;
  grpc::Status s = admin->SubmitApplication(Ctx().get(), submit, &submitted);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const std::string app = submitted.application().application_id();
  ASSERT_FALSE(app.empty());
  // 4. A read of personal data.
  enr::GetApplicationRequest get;
  get.set_application_id(app);
  enr::GetApplicationResponse got;
  ASSERT_TRUE(admin->GetApplication(Ctx().get(), get, &got).ok());
  // Not audited: a catalogue read.
  enr::ListTracksResponse tracks;
  ASSERT_TRUE(admin->ListTracks(Ctx().get(), enr::ListTracksRequest(), &tracks).ok());
  // 5. Denied: an analyst reading personal data.
  auto analyst = enr::EnrollmentService::NewStub(Person("enrollment", "analyst", "ann"));
  EXPECT_EQ(analyst->GetApplication(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // 6. Refused: no credentials.
  auto anonymous =
      enr::EnrollmentService::NewStub(pki_->AnonymousChannel((*addresses_)["enrollment"]));
  enr::ListApplicationsRequest list;
  list.set_cohort_id(cohort_id);
  enr::ListApplicationsResponse listed;
  EXPECT_EQ(anonymous->ListApplications(Ctx().get(), list, &listed).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // 7. A replay of 3: the stored answer, recorded again.
  enr::SubmitApplicationResponse replayed;
  ASSERT_TRUE(admin->SubmitApplication(Ctx().get(), submit, &replayed).ok());
  EXPECT_EQ(replayed.application().application_id(), app);
  // 8. A programme administrator may not read the audit.
  {
    auto stub = apb::AuditService::NewStub(Person("enrollment", "programme-admin", "alice"));
    apb::ListAuditRecordsResponse resp;
    EXPECT_EQ(
        stub->ListAuditRecords(Ctx().get(), apb::ListAuditRecordsRequest(), &resp).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }

  const std::string m = kEnrollment;
  const std::vector<std::string> expected = {
      "alice | " + m + "CreateCentre |  | OK | audit-centre-1 | MUTATION",
      "alice | " + m + "CreateCohort | cybersecurity," + centre_id +
          " | OK | audit-cohort-1 | MUTATION",
      "alice | " + m + "SubmitApplication | " + cohort_id +
          " | OK | audit-submit-1 | MUTATION,PERSONAL_DATA",
      "alice | " + m + "GetApplication | " + app + " | OK |  | PERSONAL_DATA",
      "ann | " + m + "GetApplication | " + app + " | PERMISSION_DENIED |  | PERSONAL_DATA,DENIAL",
      "anonymous | " + m + "ListApplications | " + cohort_id +
          " | UNAUTHENTICATED |  | PERSONAL_DATA,DENIAL",
      "alice | " + m + "SubmitApplication | " + cohort_id +
          " | OK | audit-submit-1 | MUTATION,PERSONAL_DATA",
      std::string("alice | ") + kAudit + " |  | PERMISSION_DENIED |  | PERSONAL_DATA,DENIAL",
  };
  const std::vector<apb::AuditRecord> records = ReadAudit("enrollment");
  EXPECT_EQ(Lines(records), expected);
  ASSERT_EQ(records.size(), expected.size());
  // The rest of each record.
  EXPECT_EQ(records[0].trace_id(), kTraceId);
  EXPECT_EQ(records[1].trace_id(), "");
  EXPECT_EQ(std::vector<std::string>(records[0].roles().begin(), records[0].roles().end()),
            std::vector<std::string>{"programme-admin"});
  EXPECT_EQ(std::vector<std::string>(records[4].roles().begin(), records[4].roles().end()),
            std::vector<std::string>{"analyst"});
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_NE(records[i].peer().find("127.0.0.1"), std::string::npos) << i;
    EXPECT_GT(records[i].time().seconds(), 0) << i;
    if (i > 0) {
      EXPECT_GT(records[i].sequence(), records[i - 1].sequence());
    }
  }

  // Filters: by subject, target and time; the officer's own reads (above)
  // are audited too.
  apb::ListAuditRecordsRequest by_target;
  by_target.set_target_id(app);
  EXPECT_EQ(Lines(ReadAudit("enrollment", by_target)),
            std::vector<std::string>({expected[3], expected[4]}));
  apb::ListAuditRecordsRequest by_subject;
  by_subject.set_subject("ann");
  EXPECT_EQ(Lines(ReadAudit("enrollment", by_subject)), std::vector<std::string>({expected[4]}));
  // Paging: alice's six records in pages of two.
  by_subject.set_subject("alice");
  EXPECT_EQ(Lines(ReadAudit("enrollment", by_subject, /*page_size=*/2)),
            std::vector<std::string>(
                {expected[0], expected[1], expected[2], expected[3], expected[6], expected[7]}));
  apb::ListAuditRecordsRequest by_dora;
  by_dora.set_subject("dora");
  const auto dora = ReadAudit("enrollment", by_dora);
  ASSERT_GE(dora.size(), 1u);
  EXPECT_EQ(Line(dora[0]), std::string("dora | ") + kAudit + " |  | OK |  | PERSONAL_DATA");
  // The same through jitctl, as an officer would.
  const std::string token_file = dir_->File("dpo.token");
  { std::ofstream(token_file) << pki_->Token("data-protection-officer", {}, "dora"); }
  const std::string out = dir_->File("jitctl-audit.out");
  auto ran = testing::RunToCompletion(
      {JITCTL_BIN, "--enrollment", (*addresses_)["enrollment"], "--ca-file", pki_->ca_file(),
       "--token-file", token_file, "--output", "json", "audit", "list", "--service", "enrollment",
       "--target", app, "--since", "2020-01-01T00:00:00Z"},
      out, absl::Seconds(30));
  ASSERT_TRUE(ran.ok()) << ran.status();
  const std::string printed = testing::ReadFile(out).value_or("");
  EXPECT_EQ(ran->exit_code, 0) << printed;
  EXPECT_NE(printed.find("\"subject\":\"alice\""), std::string::npos) << printed;
  EXPECT_NE(printed.find("\"subject\":\"ann\""), std::string::npos) << printed;
  EXPECT_EQ(printed.find("CreateCentre"), std::string::npos) << printed;

  apb::ListAuditRecordsRequest since_later;
  since_later.mutable_since()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(1)));
  EXPECT_TRUE(ReadAudit("enrollment", since_later).empty());
}

TEST_F(AuditLogTest, TheOtherServersRecordTheirDenials) {
  // Training progress: an analyst may not record a drop-out.
  {
    auto stub = ::jobintech::progress::v1::TrainingProgressService::NewStub(
        Person("training-progress", "analyst", "ann"));
    ::jobintech::progress::v1::RecordDropOutRequest req;
    req.set_request_id("audit-dropout-1");
    req.set_cohort_id("cohort-x");
    req.set_trainee_id("trainee-x");
    ::jobintech::progress::v1::RecordDropOutResponse resp;
    EXPECT_EQ(stub->RecordDropOut(Ctx().get(), req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Lines(ReadAudit("training-progress")),
            std::vector<std::string>{
                "ann | /jobintech.progress.v1.TrainingProgressService/RecordDropOut | "
                "cohort-x,trainee-x | PERMISSION_DENIED | audit-dropout-1 | MUTATION,DENIAL"});
  // Placement: the enrollment service's identity may not read placements.
  {
    auto stub = ::jobintech::placement::v1::PlacementService::NewStub(
        pki_->ServiceChannel((*addresses_)["placement"], "enrollment"));
    ::jobintech::placement::v1::GetPlacementRequest req;
    req.set_placement_id("placement-x");
    ::jobintech::placement::v1::GetPlacementResponse resp;
    EXPECT_EQ(stub->GetPlacement(Ctx().get(), req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  const auto placement = ReadAudit("placement");
  EXPECT_EQ(Lines(placement),
            std::vector<std::string>{
                "service:enrollment | /jobintech.placement.v1.PlacementService/GetPlacement | "
                "placement-x | PERMISSION_DENIED |  | DENIAL"});
  if (!placement.empty()) {
    EXPECT_EQ(placement[0].peer_service(), "enrollment");
  }
  // Aggregator (no personal data): a token that does not verify, on a public
  // view, is refused and recorded; the public view without a token is not.
  {
    auto bad = ::jobintech::dashboard::v1::DashboardService::NewStub(
        pki_->TokenChannel((*addresses_)["aggregator"], pki_->ExpiredToken("analyst")));
    auto open = ::jobintech::dashboard::v1::DashboardService::NewStub(
        pki_->AnonymousChannel((*addresses_)["aggregator"]));
    ::jobintech::dashboard::v1::ListMetricDefinitionsResponse resp;
    EXPECT_EQ(bad->ListMetricDefinitions(Ctx().get(), {}, &resp).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_TRUE(open->ListMetricDefinitions(Ctx().get(), {}, &resp).ok());
  }
  EXPECT_EQ(Lines(ReadAudit("aggregator")),
            std::vector<std::string>{
                "invalid token | /jobintech.dashboard.v1.DashboardService/ListMetricDefinitions"
                " |  | UNAUTHENTICATED |  | DENIAL"});
}

TEST_F(AuditLogTest, OnlyDataProtectionOfficersReadTheAuditOfAnyServer) {
  ASSERT_EQ(addresses_->size(), 4u);
  for (const auto& [name, address] : *addresses_) {
    std::vector<std::pair<std::string, std::shared_ptr<grpc::Channel>>> callers = {
        {"no credentials", pki_->AnonymousChannel(address)},
        {"expired token",
         pki_->TokenChannel(address, pki_->ExpiredToken("data-protection-officer"))}};
    for (const char* role : {"programme-admin", "regional-coordinator", "centre-staff",
                             "placement-officer", "analyst", "data-protection-officer"}) {
      callers.emplace_back(role, pki_->PersonChannel(address, role, {"MA-05"}, "someone"));
    }
    for (const char* service : {"enrollment", "training-progress", "placement", "aggregator"}) {
      callers.emplace_back(std::string("service ") + service,
                           pki_->ServiceChannel(address, service));
    }
    for (const auto& [who, channel] : callers) {
      apb::ListAuditRecordsResponse resp;
      const grpc::StatusCode got = apb::AuditService::NewStub(channel)
                                       ->ListAuditRecords(Ctx().get(), {}, &resp)
                                       .error_code();
      const grpc::StatusCode want = who == "data-protection-officer" ? grpc::StatusCode::OK
                                    : who == "no credentials" || who == "expired token"
                                        ? grpc::StatusCode::UNAUTHENTICATED
                                        : grpc::StatusCode::PERMISSION_DENIED;
      EXPECT_EQ(got, want) << who << " reading the audit of " << name;
    }
  }
}

TEST_F(AuditLogTest, NoApiChangesOrDeletesARecord) {
  // The contract has one method, a read.
  const auto* service =
      apb::ListAuditRecordsRequest::descriptor()->file()->FindServiceByName("AuditService");
  ASSERT_NE(service, nullptr);
  ASSERT_EQ(service->method_count(), 1);
  EXPECT_EQ(service->method(0)->name(), "ListAuditRecords");
  // No server answers anything else on the audit service, even to the
  // data-protection officer.
  for (const auto& [name, address] : *addresses_) {
    for (const char* method : {"DeleteAuditRecords", "UpdateAuditRecord", "PurgeAuditRecords"}) {
      const grpc::Status status = testing::RawUnaryCall(
          pki_->PersonChannel(address, "data-protection-officer", {}, "dora"),
          absl::StrCat("/jobintech.audit.v1.AuditService/", method), "", absl::Seconds(10));
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << name << " " << method;
    }
  }
}

}  // namespace
}  // namespace jit
