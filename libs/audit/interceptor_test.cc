// The audit interceptor and AuditService in a real gRPC server over TLS
// (libs/testing SecureServer with the contracts' access policies): which
// calls are recorded and with what, and who may read them.
#include "libs/audit/interceptor.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/audit/v1/audit_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/audit/audit_log.h"
#include "libs/audit/audit_service.h"
#include "libs/clock/clock.h"
#include "libs/grpcserver/unary.h"
#include "libs/storage/database.h"
#include "libs/storage/testing/temp_dir.h"
#include "libs/testing/secure_server.h"

namespace jit::audit {
namespace {

namespace enr = ::jobintech::enrollment::v1;
namespace apb = ::jobintech::audit::v1;

constexpr char kTraceparent[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kAdmit[] = "/jobintech.enrollment.v1.EnrollmentService/AdmitApplication";
constexpr char kGetApplication[] = "/jobintech.enrollment.v1.EnrollmentService/GetApplication";

// A stand-in enrollment service: admitted calls succeed.
class FakeEnrollment final : public enr::EnrollmentService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetProgramme(grpc::CallbackServerContext* context,
                                         const enr::GetProgrammeRequest*,
                                         enr::GetProgrammeResponse*) override {
    return grpcserver::Respond(context, [] { return absl::OkStatus(); });
  }
  grpc::ServerUnaryReactor* GetApplication(grpc::CallbackServerContext* context,
                                           const enr::GetApplicationRequest* request,
                                           enr::GetApplicationResponse*) override {
    return grpcserver::Respond(context, [&] {
      return request->application_id() == "missing" ? absl::NotFoundError("no such application")
                                                    : absl::OkStatus();
    });
  }
  grpc::ServerUnaryReactor* AdmitApplication(grpc::CallbackServerContext* context,
                                             const enr::AdmitApplicationRequest*,
                                             enr::AdmitApplicationResponse*) override {
    return grpcserver::Respond(context, [] { return absl::OkStatus(); });
  }
};

class AuditInterceptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Database::Open({.path = dir_.File("audit.db")});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
    auto log = AuditLog::Open({.database = db_.get(), .clock = &clock_});
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    service_ = std::make_unique<AuditGrpcService>(log_.get());
    auto server = testing::SecureServer::Start(
        dir_.File("pki"), {&enrollment_, service_.get()},
        {enr::EnrollmentService::service_full_name(), apb::AuditService::service_full_name()},
        /*denials=*/nullptr, log_.get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  grpc::StatusCode Admit(const std::shared_ptr<grpc::Channel>& channel, const std::string& rid,
                         const std::string& app) {
    enr::AdmitApplicationRequest req;
    req.set_request_id(rid);
    req.set_application_id(app);
    enr::AdmitApplicationResponse resp;
    grpc::ClientContext ctx;
    ctx.AddMetadata("traceparent", kTraceparent);
    return enr::EnrollmentService::NewStub(channel)
        ->AdmitApplication(&ctx, req, &resp)
        .error_code();
  }
  grpc::StatusCode GetApplication(const std::shared_ptr<grpc::Channel>& channel,
                                  const std::string& app) {
    enr::GetApplicationRequest req;
    req.set_application_id(app);
    enr::GetApplicationResponse resp;
    grpc::ClientContext ctx;
    return enr::EnrollmentService::NewStub(channel)->GetApplication(&ctx, req, &resp).error_code();
  }

  std::vector<AuditEntry> Recorded() {
    EXPECT_TRUE(log_->Flush().ok());
    auto page = log_->List({.page_size = 500});
    EXPECT_TRUE(page.ok()) << page.status();
    std::vector<AuditEntry> out;
    if (!page.ok()) return out;
    for (auto& r : page->records) {
      EXPECT_EQ(r.entry.time, clock_.Now());
      EXPECT_THAT(r.entry.peer, ::testing::HasSubstr("127.0.0.1"));
      r.entry.time = absl::InfinitePast();
      r.entry.peer = "";
      out.push_back(r.entry);
    }
    return out;
  }

  static AuditEntry Want(std::string subject, std::vector<std::string> roles, std::string method,
                         std::vector<std::string> targets, std::string outcome,
                         std::string request_id, std::string trace_id, bool mutation, bool personal,
                         bool denial, std::string peer_service = "") {
    AuditEntry e;
    e.subject = std::move(subject);
    e.roles = std::move(roles);
    e.peer_service = std::move(peer_service);
    e.method = std::move(method);
    e.target_ids = std::move(targets);
    e.outcome = std::move(outcome);
    e.request_id = std::move(request_id);
    e.trace_id = std::move(trace_id);
    e.mutation = mutation;
    e.personal_data = personal;
    e.denial = denial;
    return e;
  }

  storage::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<AuditLog> log_;
  FakeEnrollment enrollment_;
  std::unique_ptr<AuditGrpcService> service_;
  std::unique_ptr<testing::SecureServer> server_;
};

TEST_F(AuditInterceptorTest, RecordsMutationsPersonalDataCallsAndDenialsOnly) {
  auto admin = server_->Channel("programme-admin", {}, "alice");
  EXPECT_EQ(Admit(admin, "req-1", "app-1"), grpc::StatusCode::OK);
  EXPECT_EQ(GetApplication(admin, "app-2"), grpc::StatusCode::OK);
  EXPECT_EQ(GetApplication(admin, "missing"), grpc::StatusCode::NOT_FOUND);
  {  // Not audited: a catalogue read.
    enr::GetProgrammeResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(enr::EnrollmentService::NewStub(admin)
                    ->GetProgramme(&ctx, enr::GetProgrammeRequest(), &resp)
                    .ok());
  }
  EXPECT_EQ(GetApplication(server_->Channel("analyst", {}, "ann"), "app-3"),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Admit(server_->AnonymousChannel(), "req-2", "app-4"),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetApplication(server_->ServiceChannel("placement"), "app-5"),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetApplication(server_->pki().TokenChannel(server_->address(),
                                                       server_->pki().ExpiredToken("analyst")),
                           "app-6"),
            grpc::StatusCode::UNAUTHENTICATED);

  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  EXPECT_THAT(Recorded(), ::testing::ElementsAre(
                              Want("alice", {"programme-admin"}, kAdmit, {"app-1"}, "OK", "req-1",
                                   trace, true, false, false),
                              Want("alice", {"programme-admin"}, kGetApplication, {"app-2"}, "OK",
                                   "", "", false, true, false),
                              Want("alice", {"programme-admin"}, kGetApplication, {"missing"},
                                   "NOT_FOUND", "", "", false, true, false),
                              Want("ann", {"analyst"}, kGetApplication, {"app-3"},
                                   "PERMISSION_DENIED", "", "", false, true, true),
                              Want("anonymous", {}, kAdmit, {"app-4"}, "UNAUTHENTICATED", "req-2",
                                   trace, true, false, true),
                              Want("service:placement", {}, kGetApplication, {"app-5"},
                                   "PERMISSION_DENIED", "", "", false, true, true, "placement"),
                              Want("invalid token", {}, kGetApplication, {"app-6"},
                                   "UNAUTHENTICATED", "", "", false, true, true)));
}

TEST_F(AuditInterceptorTest, OnlyADataProtectionOfficerReadsTheAudit) {
  auto admin = server_->Channel("programme-admin", {}, "alice");
  ASSERT_EQ(Admit(admin, "req-1", "app-1"), grpc::StatusCode::OK);
  ASSERT_TRUE(log_->Flush().ok());

  apb::ListAuditRecordsRequest req;
  apb::ListAuditRecordsResponse resp;
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(apb::AuditService::NewStub(admin)->ListAuditRecords(&ctx, req, &resp).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  auto dpo = server_->Channel("data-protection-officer", {}, "dora");
  {
    grpc::ClientContext ctx;
    req.set_target_id("app-1");
    ASSERT_TRUE(apb::AuditService::NewStub(dpo)->ListAuditRecords(&ctx, req, &resp).ok());
  }
  ASSERT_EQ(resp.records_size(), 1);
  EXPECT_EQ(resp.records(0).subject(), "alice");
  EXPECT_EQ(resp.records(0).method(), kAdmit);
  EXPECT_EQ(resp.records(0).request_id(), "req-1");
  EXPECT_EQ(resp.records(0).outcome(), "OK");
  EXPECT_THAT(resp.records(0).reasons(), ::testing::ElementsAre(apb::AUDIT_REASON_MUTATION));
  // The refused read and the officer's own read are in the log too.
  std::vector<AuditEntry> all = Recorded();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].subject, "alice");
  EXPECT_EQ(all[1].outcome, "PERMISSION_DENIED");
  EXPECT_EQ(all[1].method, "/jobintech.audit.v1.AuditService/ListAuditRecords");
  EXPECT_EQ(all[2].subject, "dora");
  EXPECT_EQ(all[2].outcome, "OK");
  EXPECT_EQ(all[2].target_ids, std::vector<std::string>{"app-1"});
}

TEST(AuditContractTest, TheAuditServiceOnlyReads) {
  const auto* service =
      apb::ListAuditRecordsRequest::descriptor()->file()->FindServiceByName("AuditService");
  ASSERT_NE(service, nullptr);
  ASSERT_EQ(service->method_count(), 1);
  EXPECT_EQ(service->method(0)->name(), "ListAuditRecords");
}

}  // namespace
}  // namespace jit::audit
