// The gRPC adapter over a real server on loopback with the domain core, the
// in-memory repository and a fake training-progress client: request mapping,
// status mapping (field violations as google.rpc.BadRequest details),
// idempotency and peer failures through the wire.
#include "services/placement/api/placement_grpc_service.h"

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
#include "services/placement/api/mapping.h"
#include "services/placement/domain/testing/fake_peers.h"
#include "services/placement/domain/testing/in_memory_repository.h"

namespace jit::placement::api {
namespace {

namespace ev = ::jobintech::events::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTraceparent[] =
    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

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

class PlacementGrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    domain_ = std::make_unique<PlacementService>(&repo_, &clock_, &progress_,
                                                 nullptr);
    service_ = std::make_unique<PlacementGrpcService>(domain_.get());
    auto server = jit::testing::SecureServer::Start(dir_.path(), {service_.get()},
                                                    {pb::PlacementService::service_full_name()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = pb::PlacementService::NewStub(server_->Channel("programme-admin"));
    progress_.SetExited("trn_1", ev::EXIT_KIND_COMPLETED,
                        absl::CivilDay(2025, 3, 31));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& req, Resp* resp) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("traceparent", kTraceparent);
    return ((*stub_).*method)(&ctx, req, resp);
  }

  std::string Employer(const std::string& ice = "001561191000066") {
    pb::RegisterEmployerRequest req;
    req.set_request_id("emp-" + ice);
    req.set_name("Atlas Cyber");
    req.set_ice(ice);
    req.set_sector("it-services");
    req.set_province_code("MA-FQH");
    pb::RegisterEmployerResponse resp;
    grpc::Status s =
        Call(&pb::PlacementService::Stub::RegisterEmployer, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(resp.employer().location().region_code(), "MA-05");
    return resp.employer().employer_id();
  }

  pb::RecordPlacementRequest PlacementRequest(const std::string& employer) {
    pb::RecordPlacementRequest req;
    req.set_request_id("place-1");
    req.set_trainee_id("trn_1");
    req.set_type(ev::PLACEMENT_TYPE_SALARIED_PERMANENT);
    req.set_employer_id(employer);
    *req.mutable_start_date() = Date(2025, 5, 2);
    req.set_salary_band(ev::SALARY_BAND_5000_7999);
    req.set_verification(ev::VERIFICATION_SOURCE_SELF_REPORT);
    return req;
  }

  FakeClock clock_{
      absl::FromCivil(absl::CivilDay(2025, 10, 15), absl::UTCTimeZone())};
  testing::InMemoryPlacementRepository repo_;
  testing::FakeProgressClient progress_;
  std::unique_ptr<PlacementService> domain_;
  std::unique_ptr<PlacementGrpcService> service_;
  jit::testing::TempDir dir_;
  std::unique_ptr<jit::testing::SecureServer> server_;
  std::unique_ptr<pb::PlacementService::Stub> stub_;
};

using Stub = pb::PlacementService::Stub;

TEST_F(PlacementGrpcServiceTest, BadIceAndProvinceComeBackAsFieldViolations) {
  pb::RegisterEmployerRequest req;
  req.set_request_id("r");
  req.set_name("X");
  req.set_ice("12345");
  req.set_sector("it-services");
  req.set_province_code("MA-NOPE");
  pb::RegisterEmployerResponse resp;
  grpc::Status s = Call(&Stub::RegisterEmployer, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("ice", "province_code"));
}

TEST_F(PlacementGrpcServiceTest, PlacementPathThroughTheWire) {
  const std::string employer = Employer();
  pb::RecordPlacementResponse placed;
  grpc::Status s =
      Call(&Stub::RecordPlacement, PlacementRequest(employer), &placed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(placed.trainee().state(), ev::PLACEMENT_STATE_PLACED);
  EXPECT_EQ(placed.trainee().exit().exit_date().month(), 3);
  EXPECT_EQ(placed.placement().employer_id(), employer);
  EXPECT_FALSE(placed.placement().ended());
  // The caller's traceparent reached the peer.
  EXPECT_EQ(progress_.last_traceparent(), kTraceparent);
  // The same request id again: the same placement, nothing new.
  pb::RecordPlacementResponse again;
  ASSERT_TRUE(
      Call(&Stub::RecordPlacement, PlacementRequest(employer), &again).ok());
  EXPECT_EQ(again.placement().placement_id(),
            placed.placement().placement_id());

  pb::VerifyPlacementRequest verify;
  verify.set_request_id("verify-1");
  verify.set_placement_id(placed.placement().placement_id());
  verify.set_verification(ev::VERIFICATION_SOURCE_EMPLOYER);
  pb::VerifyPlacementResponse verified;
  ASSERT_TRUE(Call(&Stub::VerifyPlacement, verify, &verified).ok());
  EXPECT_EQ(verified.placement().verification(),
            ev::VERIFICATION_SOURCE_EMPLOYER);
  EXPECT_TRUE(verified.placement().has_verify_time());

  pb::ListDueFollowUpsRequest due;
  pb::ListDueFollowUpsResponse due_resp;
  ASSERT_TRUE(Call(&Stub::ListDueFollowUps, due, &due_resp).ok());
  ASSERT_EQ(due_resp.follow_ups_size(), 2);  // +3 and +6 on 2025-10-15
  EXPECT_EQ(due_resp.follow_ups(0).follow_up().months_after_exit(), 3);
  EXPECT_EQ(due_resp.follow_ups(0).trainee().trainee_id(), "trn_1");

  pb::RecordFollowUpRequest follow;
  follow.set_request_id("fu-3");
  follow.set_trainee_id("trn_1");
  follow.set_months_after_exit(3);
  follow.set_outcome(ev::FOLLOW_UP_OUTCOME_EMPLOYED_SAME_EMPLOYER);
  pb::RecordFollowUpResponse followed;
  ASSERT_TRUE(Call(&Stub::RecordFollowUp, follow, &followed).ok());
  EXPECT_TRUE(followed.follow_up().recorded());
  EXPECT_EQ(followed.follow_up().employer_id(), employer);

  pb::EndPlacementRequest end;
  end.set_request_id("end-1");
  end.set_placement_id(placed.placement().placement_id());
  end.set_reason("moved to Rabat");
  end.set_reason_code(::jobintech::common::v1::PLACEMENT_END_REASON_RESIGNED);
  pb::EndPlacementResponse ended;
  ASSERT_TRUE(Call(&Stub::EndPlacement, end, &ended).ok());
  EXPECT_TRUE(ended.placement().ended());
  EXPECT_EQ(ended.placement().end_reason(), "moved to Rabat");
  EXPECT_EQ(ended.placement().end_reason_code(),
            ::jobintech::common::v1::PLACEMENT_END_REASON_RESIGNED);
  EXPECT_EQ(ended.trainee().state(), ev::PLACEMENT_STATE_ENDED);

  pb::GetTraineePlacementRequest get;
  get.set_trainee_id("trn_1");
  pb::GetTraineePlacementResponse got;
  ASSERT_TRUE(Call(&Stub::GetTraineePlacement, get, &got).ok());
  EXPECT_EQ(got.placements_size(), 1);
  EXPECT_EQ(got.follow_ups_size(), 3);
  EXPECT_TRUE(got.follow_ups(0).recorded());
  EXPECT_FALSE(got.follow_ups(1).recorded());
}

TEST_F(PlacementGrpcServiceTest, PeerDownIsUnavailableOnTheWire) {
  const std::string employer = Employer();
  progress_.SetDown(true);
  pb::RecordPlacementResponse resp;
  grpc::Status s =
      Call(&Stub::RecordPlacement, PlacementRequest(employer), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("training-progress"));
  pb::GetTraineePlacementRequest get;
  get.set_trainee_id("trn_1");
  pb::GetTraineePlacementResponse got;
  EXPECT_EQ(Call(&Stub::GetTraineePlacement, get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PlacementGrpcServiceTest,
       BeforeExitIsFailedPreconditionAndBadDatesAreFields) {
  const std::string employer = Employer();
  progress_.SetInTraining("trn_1");
  pb::RecordPlacementResponse resp;
  EXPECT_EQ(Call(&Stub::RecordPlacement, PlacementRequest(employer), &resp)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  pb::RecordPlacementRequest bad = PlacementRequest(employer);
  *bad.mutable_start_date() = Date(2025, 2, 30);
  grpc::Status s = Call(&Stub::RecordPlacement, bad, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolatedFields(s), ElementsAre("start_date"));
  pb::RecordPlacementRequest no_trainee = PlacementRequest(employer);
  no_trainee.clear_trainee_id();
  EXPECT_THAT(ViolatedFields(Call(&Stub::RecordPlacement, no_trainee, &resp)),
              ElementsAre("trainee_id"));
}

TEST_F(PlacementGrpcServiceTest, ListsPageAndFilterOnOptionalFlags) {
  const std::string a = Employer("001561191000066");
  const std::string b = Employer("002136093000040");
  pb::PostJobOfferRequest post;
  post.set_request_id("job-1");
  post.set_employer_id(a);
  post.set_title("Pentester junior");
  post.set_track_id("cybersecurity");
  post.set_contract_type(ev::PLACEMENT_TYPE_INTERNSHIP);
  post.set_salary_band(ev::SALARY_BAND_UNDER_3000);
  post.set_openings(2);
  pb::PostJobOfferResponse posted;
  ASSERT_TRUE(Call(&Stub::PostJobOffer, post, &posted).ok());
  EXPECT_EQ(posted.job_offer().location().province_code(), "MA-FQH");

  pb::ListJobOffersRequest closed;
  closed.set_open(false);
  pb::ListJobOffersResponse closed_resp;
  ASSERT_TRUE(Call(&Stub::ListJobOffers, closed, &closed_resp).ok());
  EXPECT_EQ(closed_resp.job_offers_size(), 0);
  pb::ListJobOffersRequest open;
  open.set_open(true);
  pb::ListJobOffersResponse open_resp;
  ASSERT_TRUE(Call(&Stub::ListJobOffers, open, &open_resp).ok());
  EXPECT_EQ(open_resp.job_offers_size(), 1);

  pb::ListEmployersRequest list;
  list.mutable_page()->set_page_size(1);
  pb::ListEmployersResponse first;
  ASSERT_TRUE(Call(&Stub::ListEmployers, list, &first).ok());
  ASSERT_EQ(first.employers_size(), 1);
  ASSERT_FALSE(first.page().next_page_token().empty());
  list.mutable_page()->set_page_token(first.page().next_page_token());
  pb::ListEmployersResponse second;
  ASSERT_TRUE(Call(&Stub::ListEmployers, list, &second).ok());
  ASSERT_EQ(second.employers_size(), 1);
  EXPECT_NE(second.employers(0).employer_id(),
            first.employers(0).employer_id());
  EXPECT_TRUE(second.page().next_page_token().empty());
  list.mutable_page()->set_page_token("not-a-token");
  EXPECT_THAT(ViolatedFields(Call(&Stub::ListEmployers, list, &second)),
              ElementsAre("page.page_token"));
  (void)b;
}

TEST_F(PlacementGrpcServiceTest, HandlersRunOnTheExecutorAndShedLoadWhenItIsFull) {
  executor::BoundedExecutor executor(
      {.name = "placement", .threads = 1, .queue_capacity = 0});
  PlacementGrpcService bounded(domain_.get(), &executor);
  jit::testing::TempDir dir;
  auto server = jit::testing::SecureServer::Start(
      dir.path(), {&bounded}, {pb::PlacementService::service_full_name()});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = pb::PlacementService::NewStub((*server)->Channel("programme-admin"));
  pb::GetEmployerRequest req;
  req.set_employer_id("emp_missing");
  {
    jit::testing::ExecutorBlocker full(&executor);
    ASSERT_TRUE(full.ok()) << full.status();
    pb::GetEmployerResponse resp;
    grpc::ClientContext ctx;
    EXPECT_EQ(stub->GetEmployer(&ctx, req, &resp).error_code(),
              grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  // Room again: the worker runs the domain call (which finds nothing).
  pb::GetEmployerResponse resp;
  grpc::ClientContext ctx;
  EXPECT_EQ(stub->GetEmployer(&ctx, req, &resp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  (*server)->Shutdown();
}

}  // namespace
}  // namespace jit::placement::api
