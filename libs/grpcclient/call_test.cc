// Call and MakeChannel against a real gRPC server on 127.0.0.1:0: a callback
// service (EnrollmentService.LookupTrainee only) that answers from a script
// of statuses and records what each attempt carried. Pauses are recorded by
// a RecordingSleeper, never slept.
#include "libs/grpcclient/call.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/grpcclient/channel.h"
#include "libs/grpcclient/testing/recording_sleeper.h"

namespace jit::grpcclient {
namespace {

namespace pb = ::jobintech::enrollment::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// What the server saw of one attempt.
struct Seen {
  std::optional<absl::Duration> remaining;  // DeadlineOf(context) - now
  std::string traceparent;
};

class ScriptedServer final : public pb::EnrollmentService::CallbackService {
 public:
  void Script(std::vector<grpc::Status> statuses) {
    absl::MutexLock lock(&mu_);
    script_.assign(statuses.begin(), statuses.end());
  }
  std::vector<Seen> seen() const {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

  grpc::ServerUnaryReactor* LookupTrainee(
      grpc::CallbackServerContext* context,
      const pb::LookupTraineeRequest* request,
      pb::LookupTraineeResponse* response) override {
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      Seen s;
      if (std::optional<absl::Time> d = DeadlineOf(*context)) {
        s.remaining = *d - absl::Now();
      }
      auto it = context->client_metadata().find("traceparent");
      if (it != context->client_metadata().end()) {
        s.traceparent = std::string(it->second.data(), it->second.size());
      }
      seen_.push_back(std::move(s));
      if (!script_.empty()) {
        status = script_.front();
        script_.pop_front();
      }
      if (status.ok()) response->set_trainee_id(request->trainee_id());
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(status);
    return reactor;
  }

 private:
  mutable absl::Mutex mu_;
  std::deque<grpc::Status> script_ ABSL_GUARDED_BY(mu_);
  std::vector<Seen> seen_ ABSL_GUARDED_BY(mu_);
};

grpc::Status Unavailable() {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection reset");
}

class CallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&server_);
    grpc_server_ = builder.BuildAndStart();
    ASSERT_NE(grpc_server_, nullptr);
    stub_ = pb::EnrollmentService::NewStub(
        MakeChannel("127.0.0.1:" + std::to_string(port_)));
  }
  void TearDown() override { grpc_server_->Shutdown(); }

  CallOptions Options() {
    CallOptions o;
    o.timeout = absl::Seconds(2);
    o.retry.max_attempts = 3;
    o.retry.initial_backoff = absl::Milliseconds(100);
    o.retry.max_backoff = absl::Seconds(1);
    o.sleeper = &sleeper_;
    return o;
  }

  CallResult Lookup(const CallOptions& options,
                    pb::EnrollmentService::StubInterface* stub = nullptr) {
    if (stub == nullptr) stub = stub_.get();
    pb::LookupTraineeRequest request;
    request.set_trainee_id("trn_1");
    pb::LookupTraineeResponse response;
    CallResult r = Call(options, [&](grpc::ClientContext& ctx) {
      response.Clear();
      return stub->LookupTrainee(&ctx, request, &response);
    });
    if (r.status.ok()) {
      EXPECT_EQ(response.trainee_id(), "trn_1");
    }
    return r;
  }

  ScriptedServer server_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
  std::unique_ptr<pb::EnrollmentService::Stub> stub_;
  RecordingSleeper sleeper_;
};

TEST_F(CallTest, UnavailableIsRetriedWithGrowingBackoffThenSucceeds) {
  server_.Script({Unavailable(), Unavailable()});
  const CallResult r = Lookup(Options());
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(server_.seen().size(), 3u);
  EXPECT_THAT(sleeper_.pauses(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
}

TEST_F(CallTest, AttemptsAreBoundedAndTheBackoffCapped) {
  server_.Script(std::vector<grpc::Status>(10, Unavailable()));
  CallOptions o = Options();
  o.retry.max_attempts = 5;
  o.retry.initial_backoff = absl::Milliseconds(300);
  o.retry.max_backoff = absl::Milliseconds(500);
  const CallResult r = Lookup(o);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.status.error_message(), "connection reset");
  EXPECT_EQ(r.attempts, 5);
  EXPECT_EQ(server_.seen().size(), 5u);
  EXPECT_THAT(sleeper_.pauses(),
              ElementsAre(absl::Milliseconds(300), absl::Milliseconds(500),
                          absl::Milliseconds(500), absl::Milliseconds(500)));
}

TEST_F(CallTest, OneAttemptMeansNoRetry) {
  server_.Script({Unavailable()});
  CallOptions o = Options();
  o.retry.max_attempts = 0;  // counts as 1
  const CallResult r = Lookup(o);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_THAT(sleeper_.pauses(), IsEmpty());
}

TEST_F(CallTest, NoOtherCodeIsRetried) {
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::NOT_FOUND,
        grpc::StatusCode::DEADLINE_EXCEEDED, grpc::StatusCode::INTERNAL,
        grpc::StatusCode::ABORTED, grpc::StatusCode::RESOURCE_EXHAUSTED,
        grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::CANCELLED}) {
    SCOPED_TRACE(code);
    const size_t before = server_.seen().size();
    server_.Script({grpc::Status(code, "no"), grpc::Status::OK});
    const CallResult r = Lookup(Options());
    EXPECT_EQ(r.status.error_code(), code);
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(server_.seen().size(), before + 1);
  }
  EXPECT_THAT(sleeper_.pauses(), IsEmpty());
}

TEST_F(CallTest, EveryAttemptGetsItsOwnTimeoutAndTheTraceparent) {
  server_.Script({Unavailable()});
  CallOptions o = Options();
  o.traceparent = kTraceparent;
  ASSERT_TRUE(Lookup(o).status.ok());
  const std::vector<Seen> seen = server_.seen();
  ASSERT_EQ(seen.size(), 2u);
  for (const Seen& s : seen) {
    ASSERT_TRUE(s.remaining.has_value());
    EXPECT_GT(*s.remaining, absl::Milliseconds(1500));
    EXPECT_LE(*s.remaining,
              absl::Milliseconds(2100));  // rounded up on the wire
    EXPECT_EQ(s.traceparent, kTraceparent);
  }
}

TEST_F(CallTest, NoTraceparentIsSentWhenThereIsNone) {
  ASSERT_TRUE(Lookup(Options()).status.ok());
  ASSERT_EQ(server_.seen().size(), 1u);
  EXPECT_EQ(server_.seen()[0].traceparent, "");
}

TEST_F(CallTest, TheCallersRemainingBudgetBoundsEachAttempt) {
  server_.Script({Unavailable()});
  CallOptions o = Options();
  o.timeout = absl::Seconds(30);
  o.parent_deadline = absl::Now() + absl::Seconds(3);
  ASSERT_TRUE(Lookup(o).status.ok());
  const std::vector<Seen> seen = server_.seen();
  ASSERT_EQ(seen.size(), 2u);
  for (const Seen& s : seen) {
    ASSERT_TRUE(s.remaining.has_value());
    EXPECT_LE(*s.remaining, absl::Milliseconds(3100));
    EXPECT_GT(*s.remaining, absl::Seconds(1));
  }
}

TEST_F(CallTest, TheShorterOfTimeoutAndParentDeadlineWins) {
  CallOptions o = Options();
  o.timeout = absl::Seconds(1);
  o.parent_deadline = absl::Now() + absl::Seconds(60);
  ASSERT_TRUE(Lookup(o).status.ok());
  ASSERT_EQ(server_.seen().size(), 1u);
  ASSERT_TRUE(server_.seen()[0].remaining.has_value());
  EXPECT_LE(*server_.seen()[0].remaining, absl::Milliseconds(1100));
}

TEST_F(CallTest, NoAttemptOnceTheCallersDeadlineHasPassed) {
  CallOptions o = Options();
  o.parent_deadline = absl::Now() - absl::Milliseconds(1);
  const CallResult r = Lookup(o);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_THAT(server_.seen(), IsEmpty());
}

TEST_F(CallTest, NoBackoffIsWaitedPastTheCallersDeadline) {
  server_.Script({Unavailable(), Unavailable()});
  CallOptions o = Options();
  o.retry.initial_backoff = absl::Seconds(30);
  o.retry.max_backoff = absl::Seconds(30);
  o.parent_deadline = absl::Now() + absl::Seconds(10);
  const CallResult r = Lookup(o);
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_THAT(sleeper_.pauses(), IsEmpty());
}

TEST_F(CallTest, JitterStaysWithinItsBounds) {
  server_.Script(std::vector<grpc::Status>(20, Unavailable()));
  CallOptions o = Options();
  o.retry.max_attempts = 20;
  o.retry.initial_backoff = absl::Milliseconds(100);
  o.retry.max_backoff = absl::Milliseconds(100);
  o.retry.jitter_min = 0.5;
  o.retry.jitter_max = 1.0;
  EXPECT_EQ(Lookup(o).attempts, 20);
  const std::vector<absl::Duration> pauses = sleeper_.pauses();
  ASSERT_EQ(pauses.size(), 19u);
  for (absl::Duration p : pauses) {
    EXPECT_GE(p, absl::Milliseconds(50));
    EXPECT_LE(p, absl::Milliseconds(100));
  }
  // Drawn, not fixed: 19 equal pauses would mean no jitter.
  EXPECT_NE(pauses.front(), pauses.back());
}

TEST_F(CallTest, DeadlineOfIsNulloptWithoutAClientDeadline) {
  pb::LookupTraineeRequest request;
  pb::LookupTraineeResponse response;
  grpc::ClientContext ctx;  // no deadline
  ASSERT_TRUE(stub_->LookupTrainee(&ctx, request, &response).ok());
  ASSERT_EQ(server_.seen().size(), 1u);
  EXPECT_FALSE(server_.seen()[0].remaining.has_value());
}

TEST_F(CallTest, AServerThatIsDownIsUnavailableAfterEveryAttempt) {
  grpc_server_->Shutdown();
  const CallResult r = Lookup(Options());
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(sleeper_.pauses().size(), 2u);
}

TEST(BackoffBeforeTest, GrowsByTheMultiplierUpToTheCap) {
  RetryPolicy p;
  p.initial_backoff = absl::Milliseconds(200);
  p.max_backoff = absl::Seconds(5);
  p.multiplier = 2;
  EXPECT_EQ(BackoffBefore(p, 1), absl::Milliseconds(200));
  EXPECT_EQ(BackoffBefore(p, 2), absl::Milliseconds(400));
  EXPECT_EQ(BackoffBefore(p, 5), absl::Milliseconds(3200));
  EXPECT_EQ(BackoffBefore(p, 6), absl::Seconds(5));
  EXPECT_EQ(BackoffBefore(p, 1000), absl::Seconds(5));
}

TEST(ChannelTest, ReconnectBackoffsAreSetFromTheOptions) {
  ChannelOptions o;
  o.initial_reconnect_backoff = absl::Milliseconds(200);
  o.max_reconnect_backoff = absl::Seconds(2);
  grpc::ChannelArguments args = ChannelArgumentsFor(o);
  grpc_channel_args c_args;
  args.SetChannelArgs(&c_args);
  std::map<std::string, int> ints;
  for (size_t i = 0; i < c_args.num_args; ++i) {
    if (c_args.args[i].type == GRPC_ARG_INTEGER) {
      ints[c_args.args[i].key] = c_args.args[i].value.integer;
    }
  }
  EXPECT_EQ(ints[GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS], 200);
  EXPECT_EQ(ints[GRPC_ARG_MAX_RECONNECT_BACKOFF_MS], 2000);
  EXPECT_EQ(ints.count(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS), 0u);

  o.min_reconnect_backoff = absl::Milliseconds(100);
  args = ChannelArgumentsFor(o);
  args.SetChannelArgs(&c_args);
  bool found = false;
  for (size_t i = 0; i < c_args.num_args; ++i) {
    if (std::string(c_args.args[i].key) == GRPC_ARG_MIN_RECONNECT_BACKOFF_MS) {
      found = true;
      EXPECT_EQ(c_args.args[i].value.integer, 100);
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace jit::grpcclient
