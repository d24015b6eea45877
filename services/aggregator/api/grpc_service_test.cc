// The dashboard's unary views on the service's bounded executor: a full
// executor sheds calls at once with RESOURCE_EXHAUSTED and a retry hint,
// refusals never wait for it, and once it has room the views are served.
#include "services/aggregator/api/grpc_service.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/access/policy.h"
#include "libs/clock/clock.h"
#include "libs/executor/bounded_executor.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/testing/executor_blocker.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"
#include "services/aggregator/api/views.h"
#include "services/aggregator/ingest/dashboard_state.h"

namespace jit::aggregator::api {
namespace {

class DashboardExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = jit::testing::TestPki::Create(dir_.path());
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<jit::testing::TestPki>(*std::move(pki));
    auto policies = access::PolicyTable::ForServices(
        {pb::DashboardService::service_full_name()});
    ASSERT_TRUE(policies.ok()) << policies.status();
    policies_ = std::make_unique<access::PolicyTable>(*std::move(policies));
    server_ = std::make_unique<grpcserver::GrpcServer>(
        grpcserver::GrpcServerOptions{
            .listen_address = "127.0.0.1:0",
            .credentials = pki_->ServerCredentials("aggregator"),
            .policies = policies_.get(),
            .verifier = pki_->verifier(),
            .log_calls = false});
    server_->AddService(&service_);
    ASSERT_TRUE(server_->Start().ok());
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
    executor_.Shutdown();
  }

  grpc::Status Summary(const std::shared_ptr<grpc::Channel>& channel,
                       pb::Visibility visibility, std::string* pushback) {
    auto stub = pb::DashboardService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    pb::GetSummaryRequest req;
    req.set_visibility(visibility);
    pb::GetSummaryResponse resp;
    grpc::Status s = stub->GetSummary(&ctx, req, &resp);
    const auto& trailers = ctx.GetServerTrailingMetadata();
    auto it = trailers.find("grpc-retry-pushback-ms");
    pushback->clear();
    if (it != trailers.end()) pushback->assign(it->second.data(), it->second.size());
    return s;
  }

  FakeClock clock_;
  DashboardState state_{FoldOptions{}};
  DashboardViews views_{&state_, ViewConfig{.suppression_threshold = 5,
                                            .public_only = false,
                                            .zone = absl::UTCTimeZone(),
                                            .clock = &clock_}};
  executor::BoundedExecutor executor_{{.name = "aggregator",
                                       .threads = 1,
                                       .queue_capacity = 1,
                                       .retry_after = absl::Milliseconds(120)}};
  // The unary views never touch the watch hub.
  DashboardGrpcService service_{&views_, /*hub=*/nullptr, &executor_};
  jit::testing::TempDir dir_;
  std::unique_ptr<jit::testing::TestPki> pki_;
  std::unique_ptr<access::PolicyTable> policies_;
  std::unique_ptr<grpcserver::GrpcServer> server_;
  std::string address_;
};

TEST_F(DashboardExecutorTest, FullExecutorShedsViewsWithARetryHint) {
  auto analyst = pki_->PersonChannel(address_, "analyst");
  auto anonymous = pki_->AnonymousChannel(address_);
  std::string pushback;
  {
    jit::testing::ExecutorBlocker full(&executor_);
    ASSERT_TRUE(full.ok()) << full.status();
    grpc::Status shed = Summary(analyst, pb::VISIBILITY_INTERNAL, &pushback);
    EXPECT_EQ(shed.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(pushback, "120");
    // Callers not allowed the internal view are refused on gRPC's thread
    // (not queued, not shed): anonymous ones UNAUTHENTICATED, a role without
    // the elevated form PERMISSION_DENIED.
    grpc::Status refused = Summary(anonymous, pb::VISIBILITY_INTERNAL, &pushback);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << refused.error_message();
    EXPECT_EQ(pushback, "");
    auto staff = pki_->PersonChannel(address_, "centre-staff", {}, "staff", {"ctr_1"});
    grpc::Status denied = Summary(staff, pb::VISIBILITY_INTERNAL, &pushback);
    EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << denied.error_message();
    EXPECT_EQ(pushback, "");
  }
  grpc::Status served = Summary(analyst, pb::VISIBILITY_INTERNAL, &pushback);
  EXPECT_TRUE(served.ok()) << served.error_message();
  EXPECT_TRUE(Summary(anonymous, pb::VISIBILITY_PUBLIC, &pushback).ok());
}

}  // namespace
}  // namespace jit::aggregator::api
