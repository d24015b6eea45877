// The overload test ([HARD] bounded work): the real jit-enrollment binary
// (TLS on loopback, its own broker) with a deliberately small executor (2
// workers, 4 waiting places) is sent far more concurrent SubmitApplication
// calls than it holds, in waves. Some fail fast with RESOURCE_EXHAUSTED and a
// retry hint, the rest succeed, nothing else happens; grpc.health.v1 stays
// SERVING throughout; the process's memory (VmRSS) does not grow with the
// waves; and afterwards every acknowledged application is read back, and no
// refused one was written. Then the four real binaries (SecureSuite): each
// main gives its handlers the executor the shared flags describe.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/placement/v1/placement_service.grpc.pb.h"
#include "jobintech/progress/v1/training_progress_service.grpc.pb.h"
#include "libs/testing/raw_call.h"
#include "libs/testing/secure_suite.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"

namespace jit {
namespace {

namespace pb = ::jobintech::enrollment::v1;
namespace common = ::jobintech::common::v1;
using testing::EmbeddedBroker;
using testing::Subprocess;
using testing::TempDir;

constexpr int kThreads = 2;
constexpr int kQueue = 4;
constexpr int kWaves = 6;
constexpr int kCallsPerWave = 400;

// VmRSS of a process in KiB (0 when unreadable).
int64_t RssKib(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      int64_t kib = 0;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') digits.push_back(c);
      }
      return absl::SimpleAtoi(digits, &kib) ? kib : 0;
    }
  }
  return 0;
}

common::Date Date(int y, int m, int d) {
  common::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

pb::SubmitApplicationRequest Application(const std::string& cohort, int i) {
  pb::SubmitApplicationRequest req;
  req.set_request_id(absl::StrCat("overload-", i));
  req.set_cohort_id(cohort);
  auto* c = req.mutable_candidate();
  c->set_given_name(absl::StrCat("Prenom", i));
  c->set_family_name(absl::StrCat("Nom", i));
  c->set_national_id(absl::StrCat("OV", 100000 + i));
  *c->mutable_birth_date() = Date(2000, 1 + i % 12, 1 + i % 28);
  c->set_phone(absl::StrCat("0662", 100000 + i));
  c->set_email(absl::StrCat("overload", i, "@mail-test.ma"));
  req.set_gender(i % 2 ? common::GENDER_FEMALE : common::GENDER_MALE);
  req.set_education_level(common::EDUCATION_LEVEL_BAC_PLUS_2);
  req.set_residence_province_code("MA-BEM");
  return req;
}

// One call in flight (callback API), kept until it completes.
struct Pending {
  grpc::ClientContext context;
  pb::SubmitApplicationRequest request;
  pb::SubmitApplicationResponse response;
  grpc::Status status;
};

class OverloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir_.path(), 4);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    auto pki = testing::TestPki::Create(dir_.File("pki"));
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*std::move(pki));
    log_ = dir_.File("enrollment.log");
    std::vector<std::string> args = {
        JIT_ENROLLMENT_BIN, "--grpc_address=127.0.0.1:0",
        "--admin_address=127.0.0.1:0",
        "--db_path=" + dir_.File("data/enrollment.db"),
        "--kafka_bootstrap=" + broker_->bootstrap_servers(),
        "--unready_grace=0s", "--log_level=info",
        absl::StrCat("--executor_threads=", kThreads),
        absl::StrCat("--executor_queue_capacity=", kQueue),
        "--executor_retry_after=50ms"};
    for (const std::string& f : pki_->ServerFlags("enrollment")) args.push_back(f);
    auto p = Subprocess::Start(
        args, log_, {{"JIT_ENROLLMENT_CIN_HASH_KEY", "overload-test-cin-hash-key-01"}});
    ASSERT_TRUE(p.ok()) << p.status();
    service_ = *std::move(p);
    auto port = testing::WaitForLogField(log_, "enrollment service ready",
                                         "grpc_port", absl::Seconds(30));
    ASSERT_TRUE(port.ok()) << port.status() << testing::ReadFile(log_).value_or("");
    auto admin = testing::WaitForLogField(log_, "enrollment service ready",
                                          "admin_port", absl::Seconds(5));
    ASSERT_TRUE(admin.ok()) << admin.status();
    ASSERT_TRUE(absl::SimpleAtoi(*admin, &admin_port_));
    address_ = "127.0.0.1:" + *port;
    channel_ = pki_->PersonChannel(address_, "programme-admin");
    stub_ = pb::EnrollmentService::NewStub(channel_);
  }

  std::string CreateCohort() {
    pb::CreateCentreRequest centre;
    centre.set_request_id("overload-centre");
    centre.set_name("EST Fquih Ben Salah");
    centre.set_operator_name("Fondation R&D");
    centre.set_province_code("MA-FQH");
    pb::CreateCentreResponse centre_resp;
    grpc::ClientContext c1;
    EXPECT_TRUE(stub_->CreateCentre(&c1, centre, &centre_resp).ok());
    pb::CreateCohortRequest req;
    req.set_request_id("overload-cohort");
    req.set_name("Cyber overload");
    req.set_track_id("cybersecurity");
    req.set_centre_id(centre_resp.centre().centre_id());
    req.set_capacity(10000);
    *req.mutable_start_date() = Date(2025, 11, 3);
    *req.mutable_end_date() = Date(2026, 4, 30);
    req.set_status(pb::COHORT_STATUS_OPEN);
    pb::CreateCohortResponse resp;
    grpc::ClientContext c2;
    grpc::Status s = stub_->CreateCohort(&c2, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.cohort().cohort_id();
  }

  std::string Metrics() {
    httplib::Client client("127.0.0.1", admin_port_);
    auto res = client.Get("/metrics");
    return res ? res->body : "";
  }

  TempDir dir_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<Subprocess> service_;
  std::string log_;
  std::string address_;
  int admin_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::EnrollmentService::Stub> stub_;
};

TEST_F(OverloadTest, ShedsExcessFastKeepsHealthAndMemoryAndLosesNothing) {
  const std::string cohort = CreateCohort();
  ASSERT_FALSE(cohort.empty());

  // Health, asked on its own connection all along.
  absl::Notification stop_health;
  std::atomic<int> health_checks{0};
  std::vector<std::string> health_problems;
  std::vector<double> health_ms;
  absl::Mutex health_mu;
  std::thread health([&] {
    auto channel = pki_->AnonymousChannel(address_);
    while (!stop_health.HasBeenNotified()) {
      std::string response;
      const absl::Time start = absl::Now();
      grpc::Status s = testing::RawUnaryCall(
          channel, "/grpc.health.v1.Health/Check", "", absl::Seconds(2), &response);
      {
        absl::MutexLock lock(&health_mu);
        health_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
      }
      // HealthCheckResponse{status: SERVING (1)} is the two bytes 08 01.
      if (!s.ok() || response != std::string("\x08\x01", 2)) {
        absl::MutexLock lock(&health_mu);
        health_problems.push_back(absl::StrCat(s.error_code(), " ", s.error_message()));
      }
      health_checks.fetch_add(1);
      absl::SleepFor(absl::Milliseconds(10));
    }
  });

  std::set<std::string> acknowledged;  // application ids answered OK
  std::set<std::string> refused_requests;
  int ok = 0, exhausted = 0, hinted = 0;
  std::map<int, int> other_codes;
  std::vector<int64_t> rss_after_wave;
  for (int wave = 0; wave < kWaves; ++wave) {
    std::vector<std::unique_ptr<Pending>> calls;
    absl::Mutex mu;
    int outstanding = kCallsPerWave;
    for (int i = 0; i < kCallsPerWave; ++i) {
      auto call = std::make_unique<Pending>();
      call->request = Application(cohort, wave * kCallsPerWave + i);
      call->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
      calls.push_back(std::move(call));
    }
    // All of a wave in flight at once, from one thread.
    for (auto& call : calls) {
      Pending* p = call.get();
      stub_->async()->SubmitApplication(&p->context, &p->request, &p->response,
                                        [p, &mu, &outstanding](grpc::Status s) {
                                          absl::MutexLock lock(&mu);
                                          p->status = std::move(s);
                                          --outstanding;
                                        });
    }
    {
      absl::MutexLock lock(&mu);
      ASSERT_TRUE(mu.AwaitWithTimeout(
          absl::Condition(+[](int* n) { return *n == 0; }, &outstanding),
          absl::Seconds(120)));
    }
    for (auto& call : calls) {
      const grpc::Status& s = call->status;
      if (s.ok()) {
        ++ok;
        acknowledged.insert(call->response.application().application_id());
      } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        ++exhausted;
        refused_requests.insert(call->request.request_id());
        EXPECT_NE(s.error_message().find("server overloaded"), std::string::npos)
            << s.error_message();
        const auto& trailers = call->context.GetServerTrailingMetadata();
        auto it = trailers.find("grpc-retry-pushback-ms");
        google::rpc::Status details;
        google::rpc::RetryInfo info;
        if (it != trailers.end() && std::string(it->second.data(), it->second.size()) == "50" &&
            details.ParseFromString(s.error_details()) && details.details_size() == 1 &&
            details.details(0).UnpackTo(&info) &&
            info.retry_delay().nanos() == 50'000'000) {
          ++hinted;
        }
      } else {
        ++other_codes[s.error_code()];
      }
    }
    rss_after_wave.push_back(RssKib(service_->pid()));
  }
  stop_health.Notify();
  health.join();

  const int total = kWaves * kCallsPerWave;
  std::printf("overload: %d calls, %d OK, %d RESOURCE_EXHAUSTED (%d with both hints), "
              "health checks %d, VmRSS after each wave (KiB):",
              total, ok, exhausted, hinted, health_checks.load());
  for (int64_t r : rss_after_wave) std::printf(" %lld", static_cast<long long>(r));
  std::sort(health_ms.begin(), health_ms.end());
  if (!health_ms.empty()) {
    std::printf("; health check latency ms: median %.1f, max %.1f",
                health_ms[health_ms.size() / 2], health_ms.back());
  }
  std::printf("\n");

  // Some fail fast, the rest succeed, nothing else.
  EXPECT_GT(exhausted, 0);
  EXPECT_GE(ok, kThreads + kQueue);
  EXPECT_EQ(ok + exhausted, total);
  EXPECT_TRUE(other_codes.empty()) << ::testing::PrintToString(other_codes);
  EXPECT_EQ(hinted, exhausted);
  EXPECT_EQ(static_cast<int>(acknowledged.size()), ok);
  // Health answered SERVING throughout.
  EXPECT_GT(health_checks.load(), 0);
  EXPECT_TRUE(health_problems.empty()) << ::testing::PrintToString(health_problems);
  // Memory: bounded in absolute terms and not growing with the waves.
  ASSERT_EQ(rss_after_wave.size(), static_cast<size_t>(kWaves));
  EXPECT_GT(rss_after_wave.front(), 0);
  EXPECT_LT(rss_after_wave.back(), 512 * 1024);
  EXPECT_LT(rss_after_wave.back() - rss_after_wave[1], 32 * 1024)
      << "VmRSS grew from wave 2 to the last";

  // The executor counted what it refused.
  EXPECT_NE(Metrics().find(absl::StrCat(
                "jit_executor_rejected_total{executor=\"enrollment\",reason=\"queue_full\"} ",
                exhausted)),
            std::string::npos)
      << Metrics();

  // Every acknowledged application is there, and nothing else.
  std::set<std::string> stored;
  std::string token;
  do {
    pb::ListApplicationsRequest req;
    req.set_cohort_id(cohort);
    req.mutable_page()->set_page_size(100);
    req.mutable_page()->set_page_token(token);
    pb::ListApplicationsResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    grpc::Status s = stub_->ListApplications(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& a : resp.applications()) stored.insert(a.application_id());
    token = resp.page().next_page_token();
  } while (!token.empty());
  EXPECT_EQ(stored, acknowledged);

  // A refused request was never started: retried now, it is served.
  ASSERT_FALSE(refused_requests.empty());
  const std::string retry_id = *refused_requests.begin();
  const int index = std::stoi(retry_id.substr(std::string("overload-").size()));
  pb::SubmitApplicationResponse retried;
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  grpc::Status s = stub_->SubmitApplication(&ctx, Application(cohort, index), &retried);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(acknowledged.count(retried.application().application_id()), 0u);
}

// The value of one series in Prometheus text, or -1.
double SeriesValue(const std::string& text, const std::string& series) {
  const size_t at = text.find(series + " ");
  if (at == std::string::npos) return -1;
  double v = -1;
  const size_t start = at + series.size() + 1;
  const size_t end = text.find('\n', start);
  return absl::SimpleAtod(text.substr(start, end - start), &v) ? v : -1;
}

TEST(ExecutorWiringTest, EveryBinaryRunsItsHandlersOnTheConfiguredExecutor) {
  std::map<std::string, std::vector<std::string>> flags;
  for (const std::string& name : testing::SecureSuite::ServiceNames()) {
    flags[name] = {"--executor_threads=3", "--executor_queue_capacity=5"};
  }
  auto suite = testing::SecureSuite::Start(JIT_SUITE_BINARIES, flags);
  ASSERT_TRUE(suite.ok()) << suite.status();
  testing::TestPki& pki = (*suite)->pki();

  // One call to each; every one of them runs on its service's executor.
  {
    auto stub = pb::EnrollmentService::NewStub(
        pki.PersonChannel((*suite)->address("enrollment"), "programme-admin"));
    grpc::ClientContext ctx;
    pb::ListTracksResponse resp;
    EXPECT_TRUE(stub->ListTracks(&ctx, pb::ListTracksRequest(), &resp).ok());
  }
  {
    namespace ppb = ::jobintech::progress::v1;
    auto stub = ppb::TrainingProgressService::NewStub(
        pki.PersonChannel((*suite)->address("training-progress"), "programme-admin"));
    grpc::ClientContext ctx;
    ppb::GetTraineeProgressRequest req;
    req.set_cohort_id("coh_missing");
    req.set_trainee_id("trn_missing");
    ppb::GetTraineeProgressResponse resp;
    EXPECT_EQ(stub->GetTraineeProgress(&ctx, req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    namespace lpb = ::jobintech::placement::v1;
    auto stub = lpb::PlacementService::NewStub(
        pki.PersonChannel((*suite)->address("placement"), "programme-admin"));
    grpc::ClientContext ctx;
    lpb::GetEmployerRequest req;
    req.set_employer_id("emp_missing");
    lpb::GetEmployerResponse resp;
    EXPECT_EQ(stub->GetEmployer(&ctx, req, &resp).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    namespace dpb = ::jobintech::dashboard::v1;
    auto stub = dpb::DashboardService::NewStub(
        pki.AnonymousChannel((*suite)->address("aggregator")));
    grpc::ClientContext ctx;
    dpb::GetSummaryResponse resp;
    grpc::Status s = stub->GetSummary(&ctx, dpb::GetSummaryRequest(), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }

  for (const std::string& name : testing::SecureSuite::ServiceNames()) {
    auto admin = testing::WaitForLogField((*suite)->log_file(name),
                                          name + " service ready", "admin_port",
                                          absl::Seconds(5));
    ASSERT_TRUE(admin.ok()) << name << ": " << admin.status();
    int port = 0;
    ASSERT_TRUE(absl::SimpleAtoi(*admin, &port));
    httplib::Client client("127.0.0.1", port);
    auto res = client.Get("/metrics");
    ASSERT_TRUE(res) << name;
    const std::string label = absl::StrCat("{executor=\"", name, "\"}");
    EXPECT_EQ(SeriesValue(res->body, "jit_executor_threads" + label), 3) << name;
    EXPECT_EQ(SeriesValue(res->body, "jit_executor_queue_capacity" + label), 5)
        << name;
    // The task counted when the worker finished it may trail the answer.
    double completed = SeriesValue(res->body, "jit_executor_completed_total" + label);
    for (int i = 0; i < 100 && completed < 1; ++i) {
      absl::SleepFor(absl::Milliseconds(20));
      auto again = client.Get("/metrics");
      if (again) completed = SeriesValue(again->body, "jit_executor_completed_total" + label);
    }
    EXPECT_GE(completed, 1) << name << " ran no call on its executor";
  }
}

}  // namespace
}  // namespace jit
