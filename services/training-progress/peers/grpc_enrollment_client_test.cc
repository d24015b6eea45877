// The gRPC enrollment client against a scripted enrollment server on
// loopback (only LookupTrainee is implemented; every other RPC keeps the
// generated UNIMPLEMENTED). Backoff waits are recorded, not slept.
#include "services/training-progress/peers/grpc_enrollment_client.h"

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/grpcclient/testing/recording_sleeper.h"

namespace jit::progress {
namespace {

namespace pb = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

pb::LookupTraineeResponse EnrolledResponse() {
  pb::LookupTraineeResponse r;
  r.set_trainee_id("trn_1");
  r.set_application_id("app_1");
  r.set_cohort_id("coh_1");
  r.set_status(pb::APPLICATION_STATUS_ENROLLED);
  common::TraineeDimensions* d = r.mutable_dimensions();
  d->set_gender(common::GENDER_FEMALE);
  d->set_age_band(common::AGE_BAND_21_24);
  d->set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
  d->mutable_residence()->set_province_code("MA-FQH");
  d->mutable_residence()->set_region_code("MA-05");
  d->mutable_training_location()->set_province_code("MA-BEM");
  d->mutable_training_location()->set_region_code("MA-05");
  d->set_track_id("cybersecurity");
  d->set_cohort_id("coh_1");
  d->set_centre_id("ctr_1");
  r.mutable_cohort_start_date()->set_year(2025);
  r.mutable_cohort_start_date()->set_month(11);
  r.mutable_cohort_start_date()->set_day(3);
  r.mutable_cohort_end_date()->set_year(2026);
  r.mutable_cohort_end_date()->set_month(4);
  r.mutable_cohort_end_date()->set_day(30);
  r.mutable_status_time()->set_seconds(1'763'000'000);
  r.mutable_status_time()->set_nanos(500'000'000);
  return r;
}

// Answers LookupTrainee from a script of statuses (OK answers with
// `response`); records every request and its remaining deadline.
class ScriptedEnrollmentServer final
    : public pb::EnrollmentService::CallbackService {
 public:
  void Script(std::vector<grpc::Status> statuses) {
    absl::MutexLock lock(&mu_);
    script_.assign(statuses.begin(), statuses.end());
  }
  void SetResponse(pb::LookupTraineeResponse r) {
    absl::MutexLock lock(&mu_);
    response_ = std::move(r);
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(requests_.size());
  }
  std::vector<pb::LookupTraineeRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }
  std::vector<absl::Duration> deadlines() const {
    absl::MutexLock lock(&mu_);
    return deadlines_;
  }

  grpc::ServerUnaryReactor* LookupTrainee(
      grpc::CallbackServerContext* context,
      const pb::LookupTraineeRequest* request,
      pb::LookupTraineeResponse* response) override {
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(*request);
      deadlines_.push_back(absl::FromChrono(context->deadline()) - absl::Now());
      if (!script_.empty()) {
        status = script_.front();
        script_.pop_front();
      }
      if (status.ok()) *response = response_;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  mutable absl::Mutex mu_;
  std::deque<grpc::Status> script_ ABSL_GUARDED_BY(mu_);
  pb::LookupTraineeResponse response_ ABSL_GUARDED_BY(mu_) = EnrolledResponse();
  std::vector<pb::LookupTraineeRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::Duration> deadlines_ ABSL_GUARDED_BY(mu_);
};

class GrpcEnrollmentClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&server_);
    grpc_server_ = builder.BuildAndStart();
    ASSERT_NE(grpc_server_, nullptr);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override { grpc_server_->Shutdown(); }

  EnrollmentClientOptions Options() {
    EnrollmentClientOptions o;
    o.deadline = absl::Seconds(2);
    o.max_attempts = 3;
    o.initial_backoff = absl::Milliseconds(100);
    o.max_backoff = absl::Seconds(1);
    o.backoff_multiplier = 2;
    o.jitter = 0;
    o.sleeper = &sleeper_;
    return o;
  }
  std::unique_ptr<GrpcEnrollmentClient> Client(EnrollmentClientOptions o) {
    return std::make_unique<GrpcEnrollmentClient>(
        pb::EnrollmentService::NewStub(channel_), std::move(o));
  }

  static grpc::Status Unavailable() {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset");
  }

  ScriptedEnrollmentServer server_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  grpcclient::RecordingSleeper sleeper_;
};

TEST_F(GrpcEnrollmentClientTest, TheCallersRemainingBudgetBoundsTheLookup) {
  // Each attempt may take 2 s; the caller has about 300 ms left.
  auto found = Client(Options())->Lookup(
      "trn_1", "coh_1", {.deadline = absl::Now() + absl::Milliseconds(300)});
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(server_.deadlines().size(), 1u);
  EXPECT_LE(server_.deadlines()[0], absl::Milliseconds(305));
  EXPECT_GT(server_.deadlines()[0], absl::ZeroDuration());
}

TEST_F(GrpcEnrollmentClientTest, NoLookupOnceTheCallersDeadlinePassed) {
  auto found = Client(Options())->Lookup(
      "trn_1", "coh_1", {.deadline = absl::Now() - absl::Milliseconds(1)});
  EXPECT_EQ(found.status().code(), absl::StatusCode::kDeadlineExceeded)
      << found.status();
  EXPECT_EQ(server_.calls(), 0);
  EXPECT_TRUE(sleeper_.pauses().empty());
}

TEST_F(GrpcEnrollmentClientTest, AnEnrolmentIsMappedFieldByField) {
  absl::StatusOr<TraineeEnrolment> e =
      Client(Options())->Lookup("trn_1", "coh_1", {});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->trainee_id, "trn_1");
  EXPECT_EQ(e->cohort_id, "coh_1");
  EXPECT_EQ(e->application_id, "app_1");
  EXPECT_EQ(e->status, EnrolmentStatus::kEnrolled);
  EXPECT_EQ(e->dimensions.gender, common::GENDER_FEMALE);
  EXPECT_EQ(e->dimensions.age_band, common::AGE_BAND_21_24);
  EXPECT_EQ(e->dimensions.education_level, common::EDUCATION_LEVEL_BAC_PLUS_2);
  EXPECT_EQ(e->dimensions.residence_province_code, "MA-FQH");
  EXPECT_EQ(e->dimensions.residence_region_code, "MA-05");
  EXPECT_EQ(e->dimensions.training_province_code, "MA-BEM");
  EXPECT_EQ(e->dimensions.training_region_code, "MA-05");
  EXPECT_EQ(e->dimensions.track_id, "cybersecurity");
  EXPECT_EQ(e->dimensions.cohort_id, "coh_1");
  EXPECT_EQ(e->dimensions.centre_id, "ctr_1");
  EXPECT_EQ(e->cohort_start_date, absl::CivilDay(2025, 11, 3));
  EXPECT_EQ(e->cohort_end_date, absl::CivilDay(2026, 4, 30));
  EXPECT_EQ(e->status_time, absl::FromUnixMillis(1'763'000'000'500));
  ASSERT_EQ(server_.calls(), 1);
  EXPECT_EQ(server_.requests()[0].trainee_id(), "trn_1");
  EXPECT_EQ(server_.requests()[0].cohort_id(), "coh_1");
}

TEST_F(GrpcEnrollmentClientTest, EveryStatusIsPassedToTheDomain) {
  pb::LookupTraineeResponse r = EnrolledResponse();
  r.set_status(pb::APPLICATION_STATUS_WITHDRAWN);
  server_.SetResponse(r);
  EXPECT_EQ(Client(Options())->Lookup("trn_1", "coh_1", {})->status,
            EnrolmentStatus::kWithdrawn);
  r.set_status(pb::APPLICATION_STATUS_UNSPECIFIED);
  server_.SetResponse(r);
  EXPECT_EQ(Client(Options())->Lookup("trn_1", "coh_1", {}).status().code(),
            absl::StatusCode::kInternal);
  r = EnrolledResponse();
  r.mutable_cohort_end_date()->set_month(2);
  r.mutable_cohort_end_date()->set_day(30);
  server_.SetResponse(r);
  EXPECT_EQ(Client(Options())->Lookup("trn_1", "coh_1", {}).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(GrpcEnrollmentClientTest, EveryAttemptCarriesTheDeadline) {
  server_.Script({Unavailable()});
  ASSERT_TRUE(Client(Options())->Lookup("trn_1", "coh_1", {}).ok());
  std::vector<absl::Duration> deadlines = server_.deadlines();
  ASSERT_EQ(deadlines.size(), 2u);
  for (absl::Duration d : deadlines) {
    EXPECT_GT(d, absl::Milliseconds(1500));
    EXPECT_LE(d, absl::Milliseconds(2100));  // the wire rounds timeouts up
  }
}

TEST_F(GrpcEnrollmentClientTest, NotFoundIsAnsweredAtOnce) {
  server_.Script(
      {grpc::Status(grpc::StatusCode::NOT_FOUND, "trainee 'trn_9' not found")});
  absl::StatusOr<TraineeEnrolment> e =
      Client(Options())->Lookup("trn_9", "coh_1", {});
  EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("trn_9"));
  EXPECT_EQ(server_.calls(), 1);
  EXPECT_TRUE(sleeper_.pauses().empty());
}

TEST_F(GrpcEnrollmentClientTest, UnavailableIsRetriedWithExponentialBackoff) {
  server_.Script({Unavailable(), Unavailable()});
  absl::StatusOr<TraineeEnrolment> e =
      Client(Options())->Lookup("trn_1", "coh_1", {});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(server_.calls(), 3);
  EXPECT_THAT(sleeper_.pauses(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
}

TEST_F(GrpcEnrollmentClientTest, RetriesAreBoundedAndTheFailureIsClear) {
  server_.Script({Unavailable(), Unavailable(), Unavailable(), Unavailable()});
  absl::StatusOr<TraineeEnrolment> e =
      Client(Options())->Lookup("trn_1", "coh_1", {});
  EXPECT_EQ(e.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(e.status().message()),
              StartsWith("enrollment service unavailable: "));
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("connection reset"));
  EXPECT_THAT(std::string(e.status().message()), HasSubstr("3 attempts"));
  EXPECT_EQ(server_.calls(), 3);
  EXPECT_EQ(sleeper_.pauses().size(), 2u);
}

TEST_F(GrpcEnrollmentClientTest, BackoffIsCappedAndJittered) {
  EnrollmentClientOptions o = Options();
  o.max_attempts = 6;
  o.initial_backoff = absl::Milliseconds(300);
  server_.Script({Unavailable(), Unavailable(), Unavailable(), Unavailable(),
                  Unavailable(), Unavailable()});
  EXPECT_FALSE(Client(o)->Lookup("trn_1", "coh_1", {}).ok());
  EXPECT_THAT(
      sleeper_.pauses(),
      ElementsAre(absl::Milliseconds(300), absl::Milliseconds(600),
                  absl::Seconds(1), absl::Seconds(1), absl::Seconds(1)));

  sleeper_.Clear();
  o.max_attempts = 2;
  o.jitter = 0.2;
  server_.Script({Unavailable(), Unavailable()});
  EXPECT_FALSE(Client(o)->Lookup("trn_1", "coh_1", {}).ok());
  ASSERT_EQ(sleeper_.pauses().size(), 1u);
  EXPECT_GE(sleeper_.pauses()[0], absl::Milliseconds(240));
  EXPECT_LE(sleeper_.pauses()[0], absl::Milliseconds(360));
}

TEST_F(GrpcEnrollmentClientTest, OnlyUnavailableIsRetried) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::DEADLINE_EXCEEDED, grpc::StatusCode::INTERNAL,
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        grpc::StatusCode::INVALID_ARGUMENT}) {
    server_.Script({grpc::Status(code, "boom"), grpc::Status(code, "boom")});
    const int before = server_.calls();
    absl::StatusOr<TraineeEnrolment> e =
        Client(Options())->Lookup("trn_1", "coh_1", {});
    EXPECT_FALSE(e.ok());
    EXPECT_EQ(server_.calls(), before + 1) << code;
    if (code == grpc::StatusCode::INVALID_ARGUMENT) {
      EXPECT_EQ(e.status().code(), absl::StatusCode::kInternal);
    } else {
      EXPECT_EQ(e.status().code(), absl::StatusCode::kUnavailable) << code;
      EXPECT_THAT(std::string(e.status().message()),
                  StartsWith("enrollment service unavailable: "));
    }
  }
  EXPECT_TRUE(sleeper_.pauses().empty());
}

TEST_F(GrpcEnrollmentClientTest, AServiceThatIsDownIsUnavailable) {
  grpc_server_->Shutdown();
  grpc_server_->Wait();
  absl::StatusOr<TraineeEnrolment> e =
      Client(Options())->Lookup("trn_1", "coh_1", {});
  EXPECT_EQ(e.status().code(), absl::StatusCode::kUnavailable) << e.status();
  EXPECT_THAT(std::string(e.status().message()),
              StartsWith("enrollment service unavailable: "));
  EXPECT_EQ(sleeper_.pauses().size(), 2u);
}

}  // namespace
}  // namespace jit::progress
