#include "libs/grpcserver/grpc_server.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "libs/grpcserver/testdata/echo.grpc.pb.h"
#include "libs/grpcserver/testdata/health.grpc.pb.h"
#include "libs/log/log.h"
#include "libs/log/testing/capturing_sink.h"
#include "libs/metrics/grpc_server_metrics.h"
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
using ::jit::grpcserver::testing::SyncEcho;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr char kSyncService[] = "jit.grpcserver.testing.SyncEcho";
constexpr char kCallbackService[] = "jit.grpcserver.testing.CallbackEcho";

// Works `work_ms` (giving up early when the call is cancelled), then replies
// or fails with `fail_code`.
grpc::Status Handle(const grpc::ServerContextBase& context,
                    const EchoRequest& request, EchoReply* reply,
                    absl::Notification* started) {
  if (started != nullptr && !started->HasBeenNotified()) started->Notify();
  const absl::Time until = absl::Now() + absl::Milliseconds(request.work_ms());
  while (absl::Now() < until) {
    if (context.IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  if (request.fail_code() != 0) {
    return grpc::Status(static_cast<grpc::StatusCode>(request.fail_code()),
                        "failed on purpose");
  }
  reply->set_text(request.text());
  reply->set_handler_trace_id(std::string(log::CurrentTraceId()));
  reply->set_context_trace_id(TraceIdOf(context));
  return grpc::Status::OK;
}

class SyncEchoImpl final : public SyncEcho::Service {
 public:
  grpc::Status Say(grpc::ServerContext* context, const EchoRequest* request,
                   EchoReply* reply) override {
    return Handle(*context, *request, reply, started_.get());
  }
  // Notified when a handler starts; reset per test.
  std::unique_ptr<absl::Notification> started_;
};

class CallbackEchoImpl final : public CallbackEcho::CallbackService {
 public:
  grpc::ServerUnaryReactor* Say(grpc::CallbackServerContext* context,
                                const EchoRequest* request,
                                EchoReply* reply) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(Handle(*context, *request, reply, nullptr));
    return reactor;
  }

  grpc::ServerWriteReactor<EchoReply>* Updates(
      grpc::CallbackServerContext* context,
      const EchoRequest* request) override {
    return new UpdatesReactor(this, request->text());
  }

  // The drain hook of a service with long-lived streams: end them all and
  // refuse new ones.
  void EndStreams() {
    std::vector<UpdatesReactor*> streams;
    {
      std::lock_guard<std::mutex> lock(mu_);
      draining_ = true;
      streams.assign(streams_.begin(), streams_.end());
    }
    for (UpdatesReactor* stream : streams) stream->End(grpc::Status::OK);
  }

 private:
  class UpdatesReactor final : public grpc::ServerWriteReactor<EchoReply> {
   public:
    UpdatesReactor(CallbackEchoImpl* owner, const std::string& text)
        : owner_(owner) {
      reply_.set_text(text);
      bool draining;
      {
        std::lock_guard<std::mutex> lock(owner_->mu_);
        draining = owner_->draining_;
        if (!draining) owner_->streams_.push_back(this);
      }
      if (draining) {
        End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "draining"));
        return;
      }
      StartWrite(&reply_);
    }
    void End(grpc::Status status) {
      std::lock_guard<std::mutex> lock(mu_);
      if (finished_) return;
      finished_ = true;
      Finish(std::move(status));
    }
    void OnWriteDone(bool ok) override {}
    void OnCancel() override {
      End(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }
    void OnDone() override {
      {
        std::lock_guard<std::mutex> lock(owner_->mu_);
        auto& v = owner_->streams_;
        v.erase(std::remove(v.begin(), v.end(), this), v.end());
      }
      delete this;
    }

   private:
    CallbackEchoImpl* const owner_;
    EchoReply reply_;
    std::mutex mu_;
    bool finished_ = false;
  };

  std::mutex mu_;
  bool draining_ = false;
  std::vector<UpdatesReactor*> streams_;
};

using log::testing::CapturingSink;

class GrpcServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_shared<CapturingSink>();
    ASSERT_TRUE(
        log::Init({.component = "test", .level = "debug", .sink = sink_}).ok());
  }

  // Plaintext, every echo method (and reflection) open to anyone: these
  // tests are about serving, not access (libs/access tests that).
  GrpcServerOptions Options() {
    return {.listen_address = "127.0.0.1:0",
            .insecure_plaintext_for_tests = true,
            .policies = &policies_,
            .metrics = &metrics_};
  }

  static access::PolicyTable OpenPolicies() {
    std::vector<access::MethodPolicy> open;
    for (const char* m :
         {"/jit.grpcserver.testing.SyncEcho/Say", "/jit.grpcserver.testing.CallbackEcho/Say",
          "/jit.grpcserver.testing.CallbackEcho/Updates",
          "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"}) {
      open.push_back({.method = m, .permission = "test.open", .is_public = true});
    }
    return access::PolicyTable::FromPolicies(std::move(open));
  }

  // Starts a server with both echo services.
  std::unique_ptr<GrpcServer> StartServer(GrpcServerOptions options) {
    auto server = std::make_unique<GrpcServer>(std::move(options));
    server->AddService(&sync_echo_);
    server->AddService(&callback_echo_);
    absl::Status s = server->Start();
    EXPECT_TRUE(s.ok()) << s;
    return server;
  }

  std::shared_ptr<grpc::Channel> Connect(int port) {
    return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                               grpc::InsecureChannelCredentials());
  }

  // Health Check result: SERVING/NOT_SERVING, or the RPC's error code.
  std::string CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& service) {
    auto stub = Health::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    grpc::Status s = stub->Check(&context, request, &response);
    if (!s.ok()) return absl::StrCat("error ", s.error_code());
    return HealthCheckResponse::ServingStatus_Name(response.status());
  }

  grpc::Status Say(const std::shared_ptr<grpc::Channel>& channel,
                   const EchoRequest& request, EchoReply* reply,
                   const std::string& traceparent = "") {
    auto stub = SyncEcho::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (!traceparent.empty()) context.AddMetadata("traceparent", traceparent);
    return stub->Say(&context, request, reply);
  }

  double MetricValue(const std::string& series) {
    const std::string text =
        prometheus::TextSerializer().Serialize(registry_.Collect());
    const size_t pos = text.find(series + " ");
    if (pos == std::string::npos) return 0;
    return std::stod(text.substr(pos + series.size() + 1));
  }

  prometheus::Registry registry_;
  metrics::GrpcServerMetrics metrics_{registry_};
  access::PolicyTable policies_ = OpenPolicies();
  SyncEchoImpl sync_echo_;
  CallbackEchoImpl callback_echo_;
  std::shared_ptr<CapturingSink> sink_;
};

TEST_F(GrpcServerTest, StartsOnEphemeralPortAndReportsServing) {
  auto server = StartServer(Options());
  ASSERT_GT(server->port(), 0);
  auto channel = Connect(server->port());
  EXPECT_EQ(CheckHealth(channel, ""), "SERVING");
  EXPECT_EQ(CheckHealth(channel, kSyncService), "SERVING");
  EXPECT_EQ(CheckHealth(channel, kCallbackService), "SERVING");
  EXPECT_EQ(CheckHealth(channel, "no.such.Service"),
            absl::StrCat("error ", grpc::StatusCode::NOT_FOUND));
}

TEST_F(GrpcServerTest, ServesSyncAndCallbackServices) {
  auto server = StartServer(Options());
  auto channel = Connect(server->port());
  EchoRequest request;
  request.set_text("salam");
  EchoReply reply;
  ASSERT_TRUE(Say(channel, request, &reply).ok());
  EXPECT_EQ(reply.text(), "salam");

  auto stub = CallbackEcho::NewStub(channel);
  grpc::ClientContext context;
  EchoReply callback_reply;
  ASSERT_TRUE(stub->Say(&context, request, &callback_reply).ok());
  EXPECT_EQ(callback_reply.text(), "salam");
}

TEST_F(GrpcServerTest, ListsServicesIncludingHealthAndReflection) {
  auto server = StartServer(Options());
  const std::vector<std::string> names = server->service_names();
  EXPECT_THAT(names, Contains(kSyncService));
  EXPECT_THAT(names, Contains(kCallbackService));
  EXPECT_THAT(names, Contains("grpc.health.v1.Health"));
  EXPECT_THAT(names, Contains("grpc.reflection.v1alpha.ServerReflection"));
}

TEST_F(GrpcServerTest, ReflectionCanBeDisabledPerServer) {
  GrpcServerOptions options = Options();
  options.enable_reflection = false;
  auto without = StartServer(options);
  EXPECT_THAT(without->service_names(),
              Not(Contains("grpc.reflection.v1alpha.ServerReflection")));
  auto with = StartServer(Options());  // not affected by the other server
  EXPECT_THAT(with->service_names(),
              Contains("grpc.reflection.v1alpha.ServerReflection"));
}

// Lists services over grpc.reflection.v1alpha as grpcurl would, with raw
// protobuf bytes (Debian ships no generated reflection stubs).
TEST_F(GrpcServerTest, ReflectionListsServicesOnTheWire) {
  auto server = StartServer(Options());
  grpc::GenericStub stub(Connect(server->port()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(
      &context,
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](intptr_t want) {
    ASSERT_TRUE(cq.Next(&tag, &ok));
    ASSERT_EQ(reinterpret_cast<intptr_t>(tag), want);
    ASSERT_TRUE(ok);
  };
  call->StartCall(reinterpret_cast<void*>(1));
  step(1);
  // ServerReflectionRequest{list_services (field 7) = "*"}.
  const std::string request_bytes("\x3a\x01*", 3);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  step(2);
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  step(3);
  call->WritesDone(reinterpret_cast<void*>(4));
  step(4);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(5);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(s.begin(), s.end());
  // ServerReflectionResponse.list_services_response (6) -> service (1) ->
  // name (1).
  google::protobuf::UnknownFieldSet top;
  ASSERT_TRUE(top.ParseFromString(bytes));
  std::vector<std::string> names;
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6) continue;
    google::protobuf::UnknownFieldSet list;
    ASSERT_TRUE(list.ParseFromString(top.field(i).length_delimited()));
    for (int j = 0; j < list.field_count(); ++j) {
      google::protobuf::UnknownFieldSet service;
      ASSERT_TRUE(service.ParseFromString(list.field(j).length_delimited()));
      names.push_back(service.field(0).length_delimited());
    }
  }
  EXPECT_THAT(names, Contains(kSyncService));
  EXPECT_THAT(names, Contains(kCallbackService));
}

TEST_F(GrpcServerTest, PortInUseIsUnavailableNamingTheAddress) {
  auto first = StartServer(Options());
  GrpcServerOptions options = Options();
  options.listen_address = absl::StrCat("127.0.0.1:", first->port());
  GrpcServer second(options);
  second.AddService(&sync_echo_);
  absl::Status s = second.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr(options.listen_address));
  // gRPC's own error line arrives as JSON through jit::log.
  bool saw_grpc_line = false;
  for (const auto& line : sink_->Lines()) {
    if (line.value("source", "") == "grpc" && line["level"] == "error" &&
        line["msg"].get<std::string>().find("Address already in use") !=
            std::string::npos) {
      saw_grpc_line = true;
    }
  }
  EXPECT_TRUE(saw_grpc_line);
  // The first server is unaffected.
  EXPECT_EQ(CheckHealth(Connect(first->port()), ""), "SERVING");
}

TEST_F(GrpcServerTest, MalformedAddressIsUnavailable) {
  GrpcServerOptions options = Options();
  options.listen_address = "999.1.1.1:x";
  GrpcServer server(options);
  server.AddService(&sync_echo_);
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kUnavailable);
}

TEST_F(GrpcServerTest, RefusesToServePlaintextUnlessTheTestFlagAsks) {
  GrpcServerOptions options = Options();
  options.insecure_plaintext_for_tests = false;  // and no credentials
  GrpcServer server(options);
  server.AddService(&sync_echo_);
  absl::Status s = server.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("--tls_cert_file"));
}

TEST_F(GrpcServerTest, PlaintextServingIsLoggedLoudly) {
  auto server = StartServer(Options());
  bool warned = false;
  for (const auto& line : sink_->Lines()) {
    warned |= line.value("level", "") == "warn" &&
              line.value("msg", "").find("INSECURE: gRPC server listening in PLAINTEXT") !=
                  std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST_F(GrpcServerTest, RefusesToServeWithoutAccessPolicies) {
  GrpcServerOptions options = Options();
  options.policies = nullptr;
  GrpcServer server(options);
  server.AddService(&sync_echo_);
  absl::Status s = server.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("access policies"));
}

TEST_F(GrpcServerTest, StartTwiceIsFailedPrecondition) {
  auto server = StartServer(Options());
  EXPECT_EQ(server->Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(GrpcServerTest, ShutdownReportsNotServingDuringTheGraceWindow) {
  GrpcServerOptions options = Options();
  options.unready_grace = absl::Seconds(1);
  auto server = StartServer(options);
  auto channel = Connect(server->port());
  ASSERT_EQ(CheckHealth(channel, ""), "SERVING");

  // A Watch stream open before the shutdown sees the flip.
  auto health = Health::NewStub(channel);
  grpc::ClientContext watch_context;
  HealthCheckRequest watch_request;
  watch_request.set_service(kSyncService);
  auto watch = health->Watch(&watch_context, watch_request);
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::SERVING);

  const absl::Time begin = absl::Now();
  std::thread shutdown([&] { server->Shutdown(); });

  ASSERT_TRUE(watch->Read(&update));
  EXPECT_EQ(update.status(), HealthCheckResponse::NOT_SERVING);
  // Still inside the grace window: the server answers, and says NOT_SERVING
  // overall and per service, and still serves ordinary calls.
  EXPECT_EQ(CheckHealth(channel, ""), "NOT_SERVING");
  EXPECT_EQ(CheckHealth(channel, kCallbackService), "NOT_SERVING");
  EchoRequest request;
  request.set_text("late");
  EchoReply reply;
  EXPECT_TRUE(Say(channel, request, &reply).ok());
  EXPECT_LT(absl::Now() - begin, absl::Seconds(1));

  // gRPC's health service never ends Watch streams by itself; a client
  // that goes away lets the drain finish at once.
  watch_context.TryCancel();
  watch->Finish();
  shutdown.join();
  const absl::Duration took = absl::Now() - begin;
  EXPECT_GE(took, absl::Seconds(1));
  EXPECT_LT(took, absl::Seconds(5));
  // After shutdown nothing answers.
  EXPECT_THAT(CheckHealth(channel, ""), HasSubstr("error"));
}

TEST_F(GrpcServerTest, OpenStreamsAreCutAtTheDrainDeadline) {
  GrpcServerOptions options = Options();
  options.drain_timeout = absl::Milliseconds(500);
  auto server = StartServer(options);
  auto channel = Connect(server->port());
  // A health Watch, as clients with client-side health checking keep open.
  auto health = Health::NewStub(channel);
  grpc::ClientContext watch_context;
  auto watch = health->Watch(&watch_context, HealthCheckRequest());
  HealthCheckResponse update;
  ASSERT_TRUE(watch->Read(&update));

  const absl::Time begin = absl::Now();
  server->Shutdown();
  const absl::Duration took = absl::Now() - begin;
  EXPECT_GE(took, absl::Milliseconds(450));
  EXPECT_LT(took, absl::Seconds(3));
  while (watch->Read(&update)) {
  }
  EXPECT_FALSE(watch->Finish().ok());
}

TEST_F(GrpcServerTest, DrainHookEndsLongLivedStreamsWithoutWaiting) {
  GrpcServerOptions options = Options();
  options.drain_timeout = absl::Seconds(10);
  auto server = std::make_unique<GrpcServer>(options);
  server->AddService(&callback_echo_);
  server->OnDrain([this] { callback_echo_.EndStreams(); });
  ASSERT_TRUE(server->Start().ok());

  auto stub = CallbackEcho::NewStub(Connect(server->port()));
  grpc::ClientContext context;
  EchoRequest request;
  request.set_text("tick");
  auto stream = stub->Updates(&context, request);
  EchoReply reply;
  ASSERT_TRUE(stream->Read(&reply));
  EXPECT_EQ(reply.text(), "tick");

  const absl::Time begin = absl::Now();
  server->Shutdown();
  EXPECT_LT(absl::Now() - begin, absl::Seconds(3));
  EXPECT_FALSE(stream->Read(&reply));
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(GrpcServerTest, InFlightCallCompletesWithinTheDrain) {
  GrpcServerOptions options = Options();
  options.drain_timeout = absl::Seconds(5);
  auto server = StartServer(options);
  auto channel = Connect(server->port());
  sync_echo_.started_ = std::make_unique<absl::Notification>();

  grpc::Status slow_status;
  EchoReply slow_reply;
  std::thread slow([&] {
    EchoRequest request;
    request.set_text("slow");
    request.set_work_ms(500);
    slow_status = Say(channel, request, &slow_reply);
  });
  sync_echo_.started_->WaitForNotification();
  const absl::Time begin = absl::Now();
  server->Shutdown();
  const absl::Duration took = absl::Now() - begin;
  slow.join();
  EXPECT_TRUE(slow_status.ok()) << slow_status.error_message();
  EXPECT_EQ(slow_reply.text(), "slow");
  EXPECT_LT(took, absl::Seconds(4));  // did not wait for the full drain
  // New calls are refused once the server is down.
  EchoRequest request;
  EchoReply reply;
  EXPECT_FALSE(Say(channel, request, &reply).ok());
}

TEST_F(GrpcServerTest, CallOutlivingTheDrainIsCancelled) {
  GrpcServerOptions options = Options();
  options.drain_timeout = absl::Milliseconds(300);
  auto server = StartServer(options);
  auto channel = Connect(server->port());
  sync_echo_.started_ = std::make_unique<absl::Notification>();

  grpc::Status slow_status;
  std::thread slow([&] {
    EchoRequest request;
    request.set_work_ms(10000);
    EchoReply reply;
    slow_status = Say(channel, request, &reply);
  });
  sync_echo_.started_->WaitForNotification();
  const absl::Time begin = absl::Now();
  server->Shutdown();
  const absl::Duration took = absl::Now() - begin;
  slow.join();
  EXPECT_FALSE(slow_status.ok());
  EXPECT_GE(took, absl::Milliseconds(250));
  EXPECT_LT(took, absl::Seconds(3));
}

TEST_F(GrpcServerTest, ShutdownIsIdempotentAndConcurrentCallersWait) {
  auto server = StartServer(Options());
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      server->Shutdown();
      ++done;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(done, 3);
  server->Shutdown();
  server->Wait();
}

TEST_F(GrpcServerTest, ShutdownOfUnstartedServerReturnsAtOnce) {
  GrpcServer server(Options());
  server.Shutdown();
  server.Wait();
  EXPECT_EQ(server.Start().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(GrpcServerTest, MetricsCountCallsByMethodAndCode) {
  auto server = StartServer(Options());
  auto channel = Connect(server->port());
  EchoRequest ok_request;
  EchoReply reply;
  ASSERT_TRUE(Say(channel, ok_request, &reply).ok());
  ASSERT_TRUE(Say(channel, ok_request, &reply).ok());
  EchoRequest failing;
  failing.set_fail_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(Say(channel, failing, &reply).error_code(),
            grpc::StatusCode::NOT_FOUND);

  const std::string labels =
      absl::StrCat("grpc_method=\"Say\",grpc_service=\"", kSyncService,
                   "\",grpc_type=\"unary\"");
  EXPECT_EQ(MetricValue("grpc_server_started_total{" + labels + "}"), 3);
  EXPECT_EQ(
      MetricValue("grpc_server_handled_total{grpc_code=\"OK\"," + labels + "}"),
      2);
  EXPECT_EQ(MetricValue("grpc_server_handled_total{grpc_code=\"NotFound\"," +
                        labels + "}"),
            1);
  EXPECT_EQ(MetricValue("grpc_server_msg_received_total{" + labels + "}"), 3);
  EXPECT_EQ(MetricValue("grpc_server_msg_sent_total{" + labels + "}"), 2);
  EXPECT_EQ(MetricValue("grpc_server_handling_seconds_count{" + labels + "}"),
            3);
}

// Request bytes that do not parse as the method's request type (a proto3
// string holding invalid UTF-8, or no protobuf at all) are INVALID_ARGUMENT
// with a message, counted and logged, for unary and server-streaming calls,
// instead of gRPC's bare UNIMPLEMENTED.
TEST_F(GrpcServerTest, UndecodableRequestIsInvalidArgumentCountedAndLogged) {
  auto server = StartServer(Options());
  grpc::GenericStub stub(Connect(server->port()));
  // EchoRequest{text (field 1) = "\xff\xfe"}: not UTF-8.
  const std::string bad_utf8("\x0a\x02\xff\xfe", 4);
  const std::string garbage("\xff\xff\xff\xff", 4);

  auto unary = [&](const std::string& method, const std::string& bytes) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::CompletionQueue cq;
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    auto call = stub.PrepareUnaryCall(&context, method, request, &cq);
    call->StartCall();
    grpc::ByteBuffer response;
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    return status;
  };
  auto streaming = [&](const std::string& method, const std::string& bytes) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    grpc::CompletionQueue cq;
    auto call = stub.PrepareCall(&context, method, &cq);
    void* tag = nullptr;
    bool ok = false;
    call->StartCall(reinterpret_cast<void*>(1));
    EXPECT_TRUE(cq.Next(&tag, &ok));
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    call->WriteLast(request, grpc::WriteOptions(), reinterpret_cast<void*>(2));
    EXPECT_TRUE(cq.Next(&tag, &ok));
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(3));
    EXPECT_TRUE(cq.Next(&tag, &ok));
    return status;
  };

  const std::string say = absl::StrCat("/", kCallbackService, "/Say");
  for (const std::string& bytes : {bad_utf8, garbage}) {
    const grpc::Status s = unary(say, bytes);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("could not be decoded"));
    EXPECT_THAT(s.error_message(), HasSubstr(say));
  }
  const grpc::Status streamed =
      streaming(absl::StrCat("/", kCallbackService, "/Updates"), bad_utf8);
  EXPECT_EQ(streamed.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << streamed.error_message();
  // A well-formed request on the same method still works, and a method
  // that does not exist is still UNIMPLEMENTED.
  EchoRequest good;
  good.set_text("ok");
  const std::string good_bytes = good.SerializeAsString();
  EXPECT_TRUE(unary(say, good_bytes).ok());
  EXPECT_EQ(unary(absl::StrCat("/", kCallbackService, "/Nope"), good_bytes).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);

  const std::string labels = absl::StrCat(
      "grpc_method=\"Say\",grpc_service=\"", kCallbackService, "\",grpc_type=\"unary\"");
  EXPECT_EQ(MetricValue("grpc_server_undecodable_requests_total{" + labels + "}"), 2);
  EXPECT_EQ(MetricValue("grpc_server_handled_total{grpc_code=\"InvalidArgument\"," +
                        labels + "}"),
            2);
  int logged = 0;
  for (const auto& line : sink_->Lines()) {
    if (line.value("msg", "") == "grpc call" &&
        line.value("grpc_code", "") == "INVALID_ARGUMENT" &&
        line.value("grpc_method", "") == say) {
      ++logged;
      EXPECT_THAT(line.value("grpc_message", ""), HasSubstr("could not be decoded"));
    }
  }
  EXPECT_EQ(logged, 2);
  // Protobuf's own complaint is a JSON line too, not plain text on stderr.
  bool protobuf_line = false;
  for (const auto& line : sink_->Lines()) {
    if (line.value("source", "") == "protobuf" &&
        absl::StrContains(line.value("msg", ""), "invalid UTF-8")) {
      protobuf_line = true;
    }
  }
  EXPECT_TRUE(protobuf_line);
}

TEST_F(GrpcServerTest, OversizedMessageIsResourceExhausted) {
  GrpcServerOptions options = Options();
  options.max_receive_message_bytes = 64 * 1024;
  auto server = StartServer(options);
  auto channel = Connect(server->port());
  EchoRequest request;
  request.set_payload(std::string(100 * 1024, 'x'));
  EchoReply reply;
  grpc::Status s = Say(channel, request, &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("larger than max"));
  // gRPC core rejects the message before any C++ call object exists, so the
  // interceptor never sees it: no metrics series, no log line (see README).
  // A message within the limit still goes through on the same channel.
  request.set_payload(std::string(1024, 'x'));
  EXPECT_TRUE(Say(channel, request, &reply).ok());
}

TEST_F(GrpcServerTest, DefaultLimitRejectsFiveMebibytes) {
  auto server = StartServer(Options());  // 4 MiB default
  auto channel = Connect(server->port());
  EchoRequest request;
  request.set_payload(std::string(5 * 1024 * 1024, 'x'));
  EchoReply reply;
  EXPECT_EQ(Say(channel, request, &reply).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(GrpcServerTest, LogsOneLinePerCallWithTraceIdFromTraceparent) {
  auto server = StartServer(Options());
  auto channel = Connect(server->port());
  EchoRequest request;
  request.set_text("hi");
  EchoReply reply;
  ASSERT_TRUE(Say(channel, request, &reply, kTraceparent).ok());
  // The handler sees the trace id both through the thread and the context.
  EXPECT_EQ(reply.handler_trace_id(), kTraceId);
  EXPECT_EQ(reply.context_trace_id(), kTraceId);

  EchoRequest failing;
  failing.set_fail_code(static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_FALSE(Say(channel, failing, &reply).ok());

  std::vector<nlohmann::json> calls;
  for (const auto& line : sink_->Lines()) {
    if (line["msg"] == "grpc call" &&
        line["grpc_method"] == absl::StrCat("/", kSyncService, "/Say")) {
      calls.push_back(line);
    }
  }
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]["level"], "debug");
  EXPECT_EQ(calls[0]["grpc_code"], "OK");
  EXPECT_EQ(calls[0]["trace_id"], kTraceId);
  EXPECT_TRUE(calls[0]["latency_ms"].is_number());
  EXPECT_THAT(calls[0]["peer"].get<std::string>(), HasSubstr("127.0.0.1"));
  EXPECT_EQ(calls[1]["level"], "warn");
  EXPECT_EQ(calls[1]["grpc_code"], "INVALID_ARGUMENT");
  EXPECT_EQ(calls[1]["grpc_message"], "failed on purpose");
  EXPECT_FALSE(calls[1].contains("trace_id"));
}

TEST_F(GrpcServerTest, CallbackHandlerSeesTheTraceIdToo) {
  auto server = StartServer(Options());
  auto stub = CallbackEcho::NewStub(Connect(server->port()));
  grpc::ClientContext context;
  context.AddMetadata("traceparent", kTraceparent);
  EchoRequest request;
  EchoReply reply;
  ASSERT_TRUE(stub->Say(&context, request, &reply).ok());
  EXPECT_EQ(reply.context_trace_id(), kTraceId);
  EXPECT_EQ(reply.handler_trace_id(), kTraceId);
}

TEST_F(GrpcServerTest, CallsWithoutTraceparentLeaveNoStaleTraceId) {
  auto server = StartServer(Options());
  auto channel = Connect(server->port());
  EchoRequest request;
  EchoReply reply;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Say(channel, request, &reply, kTraceparent).ok());
    ASSERT_TRUE(Say(channel, request, &reply).ok());
    EXPECT_EQ(reply.handler_trace_id(), "");
    EXPECT_EQ(reply.context_trace_id(), "");
  }
}

TEST_F(GrpcServerTest, MalformedTraceparentIsIgnored) {
  auto server = StartServer(Options());
  EchoRequest request;
  EchoReply reply;
  ASSERT_TRUE(
      Say(Connect(server->port()), request, &reply, "00-zz-zz-01").ok());
  EXPECT_EQ(reply.handler_trace_id(), "");
  EXPECT_EQ(reply.context_trace_id(), "");
}

}  // namespace
}  // namespace jit::grpcserver
