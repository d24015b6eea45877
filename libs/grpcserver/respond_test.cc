// Respond(executor, ...) on a real server on loopback: the work runs on the
// bounded executor, a full executor fails fast with RESOURCE_EXHAUSTED and
// retry hints, callers that have gone are not served, refusals never reach
// the executor, health stays SERVING, and text withheld from clients stays
// on the server.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "libs/executor/bounded_executor.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/grpcserver/testdata/echo.grpc.pb.h"
#include "libs/grpcserver/testdata/health.grpc.pb.h"
#include "libs/grpcserver/unary.h"
#include "libs/log/log.h"
#include "libs/log/testing/capturing_sink.h"
#include "libs/log/trace.h"
#include "libs/status/details.h"
#include "nlohmann/json.hpp"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace jit::grpcserver {
namespace {

using ::grpc::health::v1::Health;
using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::jit::grpcserver::testing::CallbackEcho;
using ::jit::grpcserver::testing::EchoReply;
using ::jit::grpcserver::testing::EchoRequest;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSay[] = "/jit.grpcserver.testing.CallbackEcho/Say";
constexpr char kSecretPath[] = "/var/lib/jit/secret/enrollment.db";

// Say through Respond(executor, ...). Text "block" holds its worker until
// the gate opens; "secret" fails with a message holding a withheld path.
// Every run is counted by text.
class ExecutorEcho final : public CallbackEcho::CallbackService {
 public:
  explicit ExecutorEcho(executor::BoundedExecutor* executor)
      : executor_(executor) {}

  grpc::ServerUnaryReactor* Say(grpc::CallbackServerContext* context,
                                const EchoRequest* request,
                                EchoReply* reply) override {
    return Respond(executor_, context, [=, this]() -> absl::Status {
      Ran(request->text());
      if (request->text() == "block") {
        blocked_.Notify();
        gate_.WaitForNotification();
      }
      if (request->text() == "secret") {
        return status::Withhold(
            absl::InternalError(absl::StrCat("sqlite error 10: ", kSecretPath,
                                             ": COMMIT: disk I/O error")),
            kSecretPath);
      }
      reply->set_text(request->text());
      reply->set_handler_trace_id(std::string(log::CurrentTraceId()));
      return absl::OkStatus();
    });
  }

  int runs(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const std::string& t : ran_) n += t == text ? 1 : 0;
    return n;
  }
  absl::Notification& blocked() { return blocked_; }
  void Open() {
    if (!gate_.HasBeenNotified()) gate_.Notify();
  }

 private:
  void Ran(const std::string& text) {
    std::lock_guard<std::mutex> lock(mu_);
    ran_.push_back(text);
  }

  executor::BoundedExecutor* const executor_;
  std::mutex mu_;
  std::vector<std::string> ran_;
  absl::Notification blocked_;
  absl::Notification gate_;
};

using log::testing::CapturingSink;

class RespondTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_shared<CapturingSink>();
    ASSERT_TRUE(
        log::Init({.component = "test", .level = "debug", .sink = sink_}).ok());
  }
  void TearDown() override {
    if (service_ != nullptr) service_->Open();
    if (server_ != nullptr) server_->Shutdown();
    if (executor_ != nullptr) executor_->Shutdown();
  }

  // One worker, `queue` waiting places; Say is public unless `refuse`.
  void Start(int queue, bool refuse = false) {
    executor_ = std::make_unique<executor::BoundedExecutor>(
        executor::ExecutorOptions{.name = "echo",
                                  .threads = 1,
                                  .queue_capacity = queue,
                                  .retry_after = absl::Milliseconds(300),
                                  .registry = &registry_});
    service_ = std::make_unique<ExecutorEcho>(executor_.get());
    std::vector<access::MethodPolicy> policies = {
        {.method = kSay, .permission = "test.say", .is_public = !refuse}};
    if (refuse) policies[0].roles = {auth::Role::kProgrammeAdmin};
    policies_ = access::PolicyTable::FromPolicies(std::move(policies));
    server_ = std::make_unique<GrpcServer>(
        GrpcServerOptions{.listen_address = "127.0.0.1:0",
                          .insecure_plaintext_for_tests = true,
                          .policies = &policies_});
    server_->AddService(service_.get());
    ASSERT_TRUE(server_->Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = CallbackEcho::NewStub(channel_);
  }

  struct Outcome {
    grpc::Status status;
    EchoReply reply;
    std::string pushback;
  };

  Outcome Say(const std::string& text,
              absl::Duration deadline = absl::Seconds(10)) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    context.AddMetadata("traceparent", kTraceparent);
    EchoRequest request;
    request.set_text(text);
    Outcome out;
    out.status = stub_->Say(&context, request, &out.reply);
    const auto& trailers = context.GetServerTrailingMetadata();
    auto it = trailers.find(kRetryPushbackKey);
    if (it != trailers.end()) out.pushback.assign(it->second.data(), it->second.size());
    return out;
  }

  // Starts "block" on another thread and waits until its work holds the
  // only worker.
  std::thread Block() {
    std::thread t([this] { EXPECT_TRUE(Say("block").status.ok()); });
    service_->blocked().WaitForNotification();
    return t;
  }

  std::string CheckHealth() {
    auto stub = Health::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    HealthCheckResponse response;
    grpc::Status s = stub->Check(&context, HealthCheckRequest(), &response);
    if (!s.ok()) return absl::StrCat("error ", s.error_code());
    return HealthCheckResponse::ServingStatus_Name(response.status());
  }

  std::string Metrics() {
    return prometheus::TextSerializer().Serialize(registry_.Collect());
  }

  void WaitUntilIdle() {
    const absl::Time until = absl::Now() + absl::Seconds(10);
    while (executor_->unfinished() > 0 && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(2));
    }
    ASSERT_EQ(executor_->unfinished(), 0);
  }

  prometheus::Registry registry_;
  access::PolicyTable policies_ = access::PolicyTable::FromPolicies({});
  std::unique_ptr<executor::BoundedExecutor> executor_;
  std::unique_ptr<ExecutorEcho> service_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<CallbackEcho::Stub> stub_;
  std::shared_ptr<CapturingSink> sink_;
};

TEST_F(RespondTest, WorkRunsOnTheExecutorWithTheCallersTraceId) {
  Start(/*queue=*/4);
  Outcome out = Say("hello");
  ASSERT_TRUE(out.status.ok()) << out.status.error_message();
  EXPECT_EQ(out.reply.text(), "hello");
  EXPECT_EQ(out.reply.handler_trace_id(), kTraceId);
  EXPECT_EQ(service_->runs("hello"), 1);
  WaitUntilIdle();  // the worker counts the task once it has answered
  EXPECT_THAT(Metrics(),
              HasSubstr("jit_executor_completed_total{executor=\"echo\"} 1"));
}

TEST_F(RespondTest, FullExecutorFailsFastWithRetryHintsAndHealthStaysServing) {
  Start(/*queue=*/0);
  std::thread blocker = Block();
  const absl::Time start = absl::Now();
  Outcome out = Say("refused");
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // not queued behind
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(out.status.error_message(), HasSubstr("server overloaded"));
  EXPECT_EQ(out.pushback, "300");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(out.status.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::RetryInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.retry_delay().nanos(), 300'000'000);
  EXPECT_EQ(service_->runs("refused"), 0);
  EXPECT_EQ(CheckHealth(), "SERVING");
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_rejected_total{executor="
                                   "\"echo\",reason=\"queue_full\"} 1"));
  service_->Open();
  blocker.join();
  EXPECT_TRUE(Say("after").status.ok());
}

TEST_F(RespondTest, CallWhoseDeadlinePassedWhileQueuedIsNotServed) {
  Start(/*queue=*/1);
  std::thread blocker = Block();
  Outcome late = Say("late", absl::Milliseconds(200));
  EXPECT_EQ(late.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  service_->Open();
  blocker.join();
  WaitUntilIdle();
  EXPECT_EQ(service_->runs("late"), 0);
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_skipped_total{executor="
                                   "\"echo\",reason=\"deadline_exceeded\"} 1"));
}

TEST_F(RespondTest, CallCancelledWhileQueuedIsNotServed) {
  Start(/*queue=*/1);
  std::thread blocker = Block();
  grpc::ClientContext context;  // no deadline: only the cancellation
  EchoRequest request;
  request.set_text("cancelled");
  EchoReply reply;
  absl::Notification done;
  grpc::Status status;
  stub_->async()->Say(&context, &request, &reply, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  // Queued behind the blocker (the executor holds two unfinished tasks).
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (executor_->unfinished() < 2 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(2));
  }
  ASSERT_EQ(executor_->unfinished(), 2);
  context.TryCancel();
  done.WaitForNotification();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  // The client's RST_STREAM crosses loopback in microseconds; give the
  // server ample time to mark its call cancelled before the worker frees.
  absl::SleepFor(absl::Milliseconds(300));
  service_->Open();
  blocker.join();
  WaitUntilIdle();
  EXPECT_EQ(service_->runs("cancelled"), 0);
  EXPECT_THAT(Metrics(), HasSubstr("jit_executor_skipped_total{executor="
                                   "\"echo\",reason=\"cancelled\"} 1"));
}

TEST_F(RespondTest, RefusedCallsNeverReachTheExecutor) {
  Start(/*queue=*/0, /*refuse=*/true);
  // Anonymous callers lack the role: refused on the gRPC thread before any
  // work; nothing reaches the executor (no task run, none refused there).
  for (int i = 0; i < 3; ++i) {
    Outcome out = Say("anonymous");
    EXPECT_EQ(out.status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(service_->runs("anonymous"), 0);
  EXPECT_THAT(Metrics(), Not(HasSubstr("reason=\"queue_full\"} 1")));
  EXPECT_THAT(Metrics(),
              HasSubstr("jit_executor_completed_total{executor=\"echo\"} 0"));
}

TEST_F(RespondTest, WithheldTextStaysOnTheServer) {
  Start(/*queue=*/4);
  Outcome out = Say("secret");
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(out.status.error_message(),
            "sqlite error 10: [withheld]: COMMIT: disk I/O error");
  EXPECT_THAT(out.status.error_details(), Not(HasSubstr(kSecretPath)));
  bool logged = false;
  for (const nlohmann::json& line : sink_->Lines()) {
    if (line.value("msg", "") ==
        "call failed (detail withheld from the client)") {
      EXPECT_THAT(line.value("detail", ""), HasSubstr(kSecretPath));
      EXPECT_EQ(line.value("trace_id", ""), kTraceId);
      logged = true;
    }
    // The per-call line carries the client's message only.
    if (line.value("msg", "") == "grpc call") {
      EXPECT_THAT(line.dump(), Not(HasSubstr(kSecretPath)));
    }
  }
  EXPECT_TRUE(logged);
}

TEST_F(RespondTest, AfterExecutorShutdownCallsAreUnavailableWithAHint) {
  Start(/*queue=*/4);
  executor_->Shutdown();
  Outcome out = Say("late");
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(out.pushback, "300");
  EXPECT_EQ(service_->runs("late"), 0);
}

}  // namespace
}  // namespace jit::grpcserver
