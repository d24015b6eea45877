#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/grpc_server_metrics.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace jit::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

AdminServerOptions Loopback() { return {.host = "127.0.0.1", .port = 0}; }

// GET over loopback, as Prometheus or a kubelet probe would.
httplib::Result Fetch(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  return client.Get(path.c_str());
}

TEST(AdminServerTest, ServesRegistryInPrometheusTextFormat) {
  auto registry = std::make_shared<prometheus::Registry>();
  auto& family = prometheus::BuildCounter()
                     .Name("jit_test_events_total")
                     .Help("Events seen.")
                     .Register(*registry);
  family.Add({{"topic", "enrollment"}}).Increment(3);

  AdminServer admin(Loopback(), registry);
  ASSERT_TRUE(admin.Start().ok());
  ASSERT_GT(admin.port(), 0);

  auto res = Fetch(admin.port(), "/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"),
              HasSubstr("version=0.0.4"));
  EXPECT_THAT(res->body, HasSubstr("# TYPE jit_test_events_total counter"));
  EXPECT_THAT(res->body,
              HasSubstr("jit_test_events_total{topic=\"enrollment\"} 3"));

  family.Add({{"topic", "enrollment"}}).Increment();
  res = Fetch(admin.port(), "/metrics");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body,
              HasSubstr("jit_test_events_total{topic=\"enrollment\"} 4"));
}

TEST(AdminServerTest, HealthzIsAlwaysOk) {
  AdminServer admin(Loopback(), nullptr);
  ASSERT_TRUE(admin.Start().ok());
  auto res = Fetch(admin.port(), "/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "ok\n");
}

TEST(AdminServerTest, ReadyzFlipsFrom503To200) {
  AdminServer admin(Loopback(), nullptr);
  ASSERT_TRUE(admin.Start().ok());
  auto res = Fetch(admin.port(), "/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);

  admin.SetReady(true);
  res = Fetch(admin.port(), "/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);

  admin.SetReady(false);
  res = Fetch(admin.port(), "/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

TEST(AdminServerTest, ReadinessCheckMustAlsoPass) {
  AdminServer admin(Loopback(), nullptr);
  std::atomic<bool> store_up{false};
  admin.SetReadinessCheck([&store_up] { return store_up.load(); });
  admin.SetReady(true);
  ASSERT_TRUE(admin.Start().ok());
  EXPECT_EQ(Fetch(admin.port(), "/readyz")->status, 503);
  store_up = true;
  EXPECT_EQ(Fetch(admin.port(), "/readyz")->status, 200);
}

TEST(AdminServerTest, ServesExtraHandlersAnd404ForUnknownPaths) {
  AdminServer admin(Loopback(), nullptr);
  admin.Get("/api/v1/national",
            [](const httplib::Request&, httplib::Response& res) {
              res.set_content(R"({"enrolled":42})", "application/json");
            });
  ASSERT_TRUE(admin.Start().ok());
  auto res = Fetch(admin.port(), "/api/v1/national");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"enrolled":42})");
  EXPECT_EQ(Fetch(admin.port(), "/nope")->status, 404);
}

TEST(AdminServerTest, PortInUseIsUnavailableNamingTheAddress) {
  AdminServer first(Loopback(), nullptr);
  ASSERT_TRUE(first.Start().ok());
  AdminServer second({.host = "127.0.0.1", .port = first.port()}, nullptr);
  absl::Status s = second.Start();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr(absl::StrCat("127.0.0.1:", first.port())));
  second.Stop();  // harmless when never started
}

TEST(AdminServerTest, UnknownHostIsUnavailable) {
  AdminServer admin({.host = "no-such-host.invalid", .port = 0}, nullptr);
  EXPECT_EQ(admin.Start().code(), absl::StatusCode::kUnavailable);
}

TEST(AdminServerTest, StartTwiceFailsAndStopIsIdempotent) {
  AdminServer admin(Loopback(), nullptr);
  ASSERT_TRUE(admin.Start().ok());
  EXPECT_EQ(admin.Start().code(), absl::StatusCode::kFailedPrecondition);
  const int port = admin.port();
  admin.Stop();
  admin.Stop();
  EXPECT_FALSE(Fetch(port, "/healthz"));  // nothing listens any more
}

TEST(AdminServerTest, StopRightAfterStartDoesNotHang) {
  for (int i = 0; i < 20; ++i) {
    AdminServer admin(Loopback(), nullptr);
    ASSERT_TRUE(admin.Start().ok());
    admin.Stop();
  }
}

// Finds the value of the series `name{labels}` in a text exposition.
double ValueOf(const std::string& body, const std::string& series) {
  const size_t pos = body.find(series + " ");
  if (pos == std::string::npos) return -1;
  return std::stod(body.substr(pos + series.size() + 1));
}

TEST(GrpcServerMetricsTest, CountsStartedHandledAndMessagesByMethodAndCode) {
  auto registry = std::make_shared<prometheus::Registry>();
  GrpcServerMetrics metrics(*registry);
  MethodMetrics& apply = metrics.ForMethod(
      "/jobintech.enrollment.v1.Enrollment/Apply", RpcType::kUnary);
  EXPECT_EQ(&apply,
            &metrics.ForMethod("/jobintech.enrollment.v1.Enrollment/Apply",
                               RpcType::kUnary));
  apply.Started();
  apply.MsgReceived();
  apply.MsgSent();
  apply.Handled(grpc::StatusCode::OK, 0.002);
  apply.Started();
  apply.Handled(grpc::StatusCode::OK, 0.003);
  apply.Started();
  apply.Handled(grpc::StatusCode::INVALID_ARGUMENT, 0.0001);
  apply.Handled(static_cast<grpc::StatusCode>(99), 0.0001);  // out of range

  AdminServer admin(Loopback(), registry);
  ASSERT_TRUE(admin.Start().ok());
  auto res = Fetch(admin.port(), "/metrics");
  ASSERT_TRUE(res);
  const std::string& body = res->body;
  const std::string labels =
      "grpc_method=\"Apply\",grpc_service=\"jobintech.enrollment.v1."
      "Enrollment\",grpc_type=\"unary\"";
  EXPECT_EQ(ValueOf(body, "grpc_server_started_total{" + labels + "}"), 3);
  EXPECT_EQ(ValueOf(body, "grpc_server_handled_total{grpc_code=\"OK\"," +
                              labels + "}"),
            2);
  EXPECT_EQ(ValueOf(body,
                    "grpc_server_handled_total{grpc_code="
                    "\"InvalidArgument\"," +
                        labels + "}"),
            1);
  EXPECT_EQ(ValueOf(body, "grpc_server_handled_total{grpc_code=\"Unknown\"," +
                              labels + "}"),
            1);
  EXPECT_EQ(ValueOf(body, "grpc_server_msg_received_total{" + labels + "}"), 1);
  EXPECT_EQ(ValueOf(body, "grpc_server_msg_sent_total{" + labels + "}"), 1);
  EXPECT_EQ(ValueOf(body, "grpc_server_handling_seconds_count{" + labels + "}"),
            4);
  // 0.0001 s falls in the first bucket (0.5 ms); the largest bucket is 10 s.
  EXPECT_EQ(ValueOf(body, "grpc_server_handling_seconds_bucket{" + labels +
                              ",le=\"0.0005\"}"),
            2);
  EXPECT_THAT(body, HasSubstr("le=\"10\""));
  // Codes that never occurred have no series.
  EXPECT_THAT(body, Not(HasSubstr("grpc_code=\"NotFound\"")));
}

TEST(GrpcServerMetricsTest, GoCodeNamesMatchGoGrpc) {
  EXPECT_EQ(GoCodeName(grpc::StatusCode::OK), "OK");
  EXPECT_EQ(GoCodeName(grpc::StatusCode::CANCELLED), "Canceled");
  EXPECT_EQ(GoCodeName(grpc::StatusCode::RESOURCE_EXHAUSTED),
            "ResourceExhausted");
  EXPECT_EQ(GoCodeName(grpc::StatusCode::UNAUTHENTICATED), "Unauthenticated");
  EXPECT_EQ(GoCodeName(static_cast<grpc::StatusCode>(-1)), "Unknown");
}

TEST(GrpcServerMetricsTest, MalformedMethodNameStillGetsASeries) {
  prometheus::Registry registry;
  GrpcServerMetrics metrics(registry);
  metrics.ForMethod("weird", RpcType::kBidiStream).Started();
  bool found = false;
  for (const auto& family : registry.Collect()) {
    if (family.name != "grpc_server_started_total") continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "grpc_service" && label.value == "unknown") {
          found = true;
        }
      }
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace jit::metrics
