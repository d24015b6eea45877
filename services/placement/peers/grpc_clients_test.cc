// The peer clients against fake peer servers on loopback (real gRPC):
// mapping, deadlines, retry of UNAVAILABLE only, a peer that is down,
// traceparent forwarding. Backoff pauses are recorded, not slept.
#include "services/placement/peers/grpc_clients.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/grpcclient/testing/recording_sleeper.h"

namespace jit::placement::peers {
namespace {

namespace progress = ::jobintech::progress::v1;
namespace enrollment = ::jobintech::enrollment::v1;
namespace ev = ::jobintech::events::v1;
using ::testing::HasSubstr;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// A training-progress server whose answers the test scripts.
class FakeProgress final : public progress::TrainingProgressService::Service {
 public:
  // Failures returned by the first calls, in order; then the answer.
  std::vector<grpc::Status> failures;
  progress::GetTraineeExitResponse answer;
  // When set, calls block until released (or the client gives up).
  absl::Notification* hold = nullptr;
  std::atomic<int> calls{0};
  absl::Mutex mu;
  std::string last_traceparent ABSL_GUARDED_BY(mu);
  // The deadline the call arrived with.
  absl::Time last_deadline ABSL_GUARDED_BY(mu) = absl::InfiniteFuture();

  grpc::Status GetTraineeExit(
      grpc::ServerContext* context,
      const progress::GetTraineeExitRequest* request,
      progress::GetTraineeExitResponse* response) override {
    const int n = calls.fetch_add(1);
    {
      absl::MutexLock lock(&mu);
      auto it = context->client_metadata().find("traceparent");
      last_traceparent =
          it == context->client_metadata().end()
              ? ""
              : std::string(it->second.data(), it->second.size());
      last_deadline = absl::FromChrono(context->deadline());
    }
    if (hold != nullptr)
      hold->WaitForNotificationWithTimeout(absl::Seconds(10));
    if (n < static_cast<int>(failures.size())) return failures[n];
    *response = answer;
    response->set_trainee_id(request->trainee_id());
    return grpc::Status::OK;
  }
};

class FakeEnrollment final : public enrollment::EnrollmentService::Service {
 public:
  enrollment::LookupTraineeResponse answer;
  grpc::Status LookupTrainee(
      grpc::ServerContext*, const enrollment::LookupTraineeRequest* request,
      enrollment::LookupTraineeResponse* response) override {
    if (request->trainee_id() == "trn_unknown") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "trainee 'trn_unknown' not found");
    }
    *response = answer;
    return grpc::Status::OK;
  }
};

class PeerClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&progress_);
    builder.RegisterService(&enrollment_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = "127.0.0.1:" + std::to_string(port_);

    auto* r = progress_.answer.mutable_dimensions();
    r->set_gender(::jobintech::common::v1::GENDER_FEMALE);
    r->mutable_training_location()->set_province_code("MA-FQH");
    r->mutable_training_location()->set_region_code("MA-05");
    r->mutable_residence()->set_province_code("MA-BEM");
    r->mutable_residence()->set_region_code("MA-05");
    r->set_track_id("cybersecurity");
    r->set_cohort_id("coh_1");
    r->set_centre_id("ctr_1");
    progress_.answer.set_cohort_id("coh_1");
    progress_.answer.set_exited(true);
    progress_.answer.set_kind(ev::EXIT_KIND_COMPLETED);
    progress_.answer.mutable_exit_date()->set_year(2025);
    progress_.answer.mutable_exit_date()->set_month(6);
    progress_.answer.mutable_exit_date()->set_day(30);
    progress_.answer.set_state(ev::TRAINING_STATE_CERTIFIED);
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::system_clock::now());
  }

  PeerOptions Options(const std::string& address) {
    PeerOptions o;
    o.name = "training-progress";
    o.address = address;
    o.deadline = absl::Seconds(2);
    o.sleeper = &sleeper_;
    return o;
  }
  std::vector<absl::Duration> sleeps() { return sleeper_.pauses(); }

  // Outlives the server: a handler may still be waking up from it.
  absl::Notification release_;
  FakeProgress progress_;
  FakeEnrollment enrollment_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
  grpcclient::RecordingSleeper sleeper_;
};

TEST_F(PeerClientsTest, MapsTheExitAndForwardsTheTraceparent) {
  auto client = GrpcProgressClient::Connect(Options(address_));
  auto exit = client->GetTraineeExit("trn_1", {.traceparent = kTraceparent});
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->trainee_id, "trn_1");
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->kind, ev::EXIT_KIND_COMPLETED);
  EXPECT_EQ(exit->exit_date, absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(exit->training_state, "CERTIFIED");
  EXPECT_EQ(exit->dimensions.training_region_code, "MA-05");
  EXPECT_EQ(exit->dimensions.cohort_id, "coh_1");
  EXPECT_EQ(exit->cohort_id, "coh_1");
  absl::MutexLock lock(&progress_.mu);
  EXPECT_EQ(progress_.last_traceparent, kTraceparent);
}

TEST_F(PeerClientsTest, TheCallersRemainingBudgetBoundsThePeerCall) {
  // Each attempt may take 2 s, but the caller has 300 ms left: the peer sees
  // the caller's deadline, not a fresh 2 s.
  auto client = GrpcProgressClient::Connect(Options(address_));
  const absl::Time caller_deadline = absl::Now() + absl::Milliseconds(300);
  auto exit = client->GetTraineeExit("trn_1", {.deadline = caller_deadline});
  ASSERT_TRUE(exit.ok()) << exit.status();
  absl::MutexLock lock(&progress_.mu);
  // gRPC sends the budget as a relative timeout, so the server's deadline
  // is the caller's shifted by the transit time (milliseconds on a loaded
  // machine); a fresh per-call budget would be 1.7 s later.
  EXPECT_LE(progress_.last_deadline, caller_deadline + absl::Milliseconds(250));
  EXPECT_GT(progress_.last_deadline, caller_deadline - absl::Seconds(1));
}

TEST_F(PeerClientsTest, AFarCallerDeadlineLeavesThePerCallDeadline) {
  auto client = GrpcProgressClient::Connect(Options(address_));
  const absl::Time start = absl::Now();
  auto exit =
      client->GetTraineeExit("trn_1", {.deadline = start + absl::Hours(1)});
  ASSERT_TRUE(exit.ok()) << exit.status();
  absl::MutexLock lock(&progress_.mu);
  EXPECT_LE(progress_.last_deadline, absl::Now() + absl::Seconds(2));
}

TEST_F(PeerClientsTest, NoCallIsMadeOnceTheCallersDeadlinePassed) {
  auto client = GrpcProgressClient::Connect(Options(address_));
  auto exit = client->GetTraineeExit(
      "trn_1", {.deadline = absl::Now() - absl::Milliseconds(1)});
  EXPECT_EQ(exit.status().code(), absl::StatusCode::kDeadlineExceeded)
      << exit.status();
  EXPECT_THAT(exit.status().message(),
              HasSubstr("deadline passed before GetTraineeExit"));
  EXPECT_EQ(progress_.calls.load(), 0);
  EXPECT_TRUE(sleeps().empty());
}

TEST_F(PeerClientsTest, StillInTrainingHasNoExitDate) {
  progress_.answer.set_exited(false);
  progress_.answer.clear_exit_date();
  progress_.answer.set_kind(ev::EXIT_KIND_UNSPECIFIED);
  progress_.answer.set_state(ev::TRAINING_STATE_ACTIVE);
  auto client = GrpcProgressClient::Connect(Options(address_));
  auto exit = client->GetTraineeExit("trn_1", {});
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_FALSE(exit->exited);
  EXPECT_FALSE(exit->exit_date.has_value());
  EXPECT_EQ(exit->training_state, "ACTIVE");
}

TEST_F(PeerClientsTest, RetriesUnavailableWithGrowingBackoffThenSucceeds) {
  progress_.failures = {
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting"),
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")};
  PeerOptions o = Options(address_);
  o.retry.initial_backoff = absl::Milliseconds(100);
  auto client = GrpcProgressClient::Connect(o);
  auto exit = client->GetTraineeExit("trn_1", {});
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(progress_.calls.load(), 3);
  const auto pauses = sleeps();
  ASSERT_EQ(pauses.size(), 2u);
  EXPECT_GE(pauses[0], absl::Milliseconds(50));
  EXPECT_LE(pauses[0], absl::Milliseconds(100));
  EXPECT_GE(pauses[1], absl::Milliseconds(100));
  EXPECT_LE(pauses[1], absl::Milliseconds(200));
}

TEST_F(PeerClientsTest, UnavailableEveryTimeNamesThePeerAfterTheLastAttempt) {
  progress_.failures.assign(
      5, grpc::Status(grpc::StatusCode::UNAVAILABLE, "overloaded"));
  auto client = GrpcProgressClient::Connect(Options(address_));
  auto exit = client->GetTraineeExit("trn_1", {});
  EXPECT_EQ(exit.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(
      std::string(exit.status().message()),
      HasSubstr("training-progress service unavailable at " + address_));
  EXPECT_THAT(std::string(exit.status().message()), HasSubstr("3 attempts"));
  EXPECT_EQ(progress_.calls.load(), 3);
}

TEST_F(PeerClientsTest, APeerThatIsDownIsUnavailable) {
  // A port nobody listens on any more.
  server_->Shutdown(std::chrono::system_clock::now());
  server_.reset();
  auto client = GrpcProgressClient::Connect(Options(address_));
  const absl::Time start = absl::Now();
  auto exit = client->GetTraineeExit("trn_1", {});
  EXPECT_EQ(exit.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(exit.status().message()), HasSubstr(address_));
  EXPECT_EQ(sleeps().size(), 2u);
  // Fails fast (no wait-for-ready): well within the per-attempt deadlines.
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(PeerClientsTest, DeadlineExceededIsUnavailableAndNotRetried) {
  progress_.hold = &release_;
  PeerOptions o = Options(address_);
  o.deadline = absl::Milliseconds(200);
  auto client = GrpcProgressClient::Connect(o);
  auto exit = client->GetTraineeExit("trn_1", {});
  release_.Notify();
  EXPECT_EQ(exit.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(exit.status().message()),
              HasSubstr("did not answer"));
  EXPECT_THAT(std::string(exit.status().message()), HasSubstr("200ms"));
  EXPECT_EQ(progress_.calls.load(), 1);
  EXPECT_TRUE(sleeps().empty());
}

TEST_F(PeerClientsTest, NotFoundPassesAndOtherErrorsAreInternalWithoutRetry) {
  progress_.failures = {
      grpc::Status(grpc::StatusCode::NOT_FOUND, "no record of trn_1")};
  auto client = GrpcProgressClient::Connect(Options(address_));
  auto exit = client->GetTraineeExit("trn_1", {});
  EXPECT_EQ(exit.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(exit.status().message()),
              HasSubstr("no record of trn_1"));

  progress_.calls = 0;
  progress_.failures = {
      grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad id")};
  exit = client->GetTraineeExit("trn_1", {});
  EXPECT_EQ(exit.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(exit.status().message()),
              HasSubstr("training-progress service refused GetTraineeExit"));
  EXPECT_EQ(progress_.calls.load(), 1);
}

TEST_F(PeerClientsTest, AnImpossibleExitDateIsAPeerError) {
  progress_.answer.mutable_exit_date()->set_day(31);  // 2025-06-31
  auto client = GrpcProgressClient::Connect(Options(address_));
  EXPECT_EQ(client->GetTraineeExit("trn_1", {}).status().code(),
            absl::StatusCode::kInternal);
}

TEST_F(PeerClientsTest, EnrollmentLookupMapsStatusDateAndDimensions) {
  enrollment_.answer.set_trainee_id("trn_1");
  enrollment_.answer.set_cohort_id("coh_2");
  enrollment_.answer.set_status(enrollment::APPLICATION_STATUS_WITHDRAWN);
  enrollment_.answer.mutable_status_time()->set_seconds(
      absl::ToUnixSeconds(absl::FromCivil(
          absl::CivilSecond(2025, 9, 1, 23, 0, 0), absl::UTCTimeZone())));
  enrollment_.answer.mutable_dimensions()->set_cohort_id("coh_2");
  PeerOptions o = Options(address_);
  o.name = "enrollment";
  auto client = GrpcEnrollmentClient::Connect(o);
  auto record = client->LookupTrainee("trn_1", {.traceparent = kTraceparent});
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->status, "WITHDRAWN");
  EXPECT_TRUE(record->withdrawn());
  EXPECT_EQ(record->status_date, absl::CivilDay(2025, 9, 1));
  EXPECT_EQ(record->dimensions.cohort_id, "coh_2");
  EXPECT_EQ(client->LookupTrainee("trn_unknown", {}).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace jit::placement::peers
