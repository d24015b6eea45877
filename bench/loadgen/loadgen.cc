// jit-loadgen: a gRPC load generator (callback client API) for the
// benchmarks. Keeps `--concurrency` calls in flight (closed loop), or starts
// calls at `--rate` per second (open loop, still bounded by concurrency), for
// `--duration`, and prints one JSON object with throughput and latency
// percentiles of the successful calls.
//
// Workloads (--rpc):
//   health  grpc.health.v1.Health/Check: the server's cheapest call, the
//           baseline every figure is divided by;
//   submit  EnrollmentService/SubmitApplication with a new synthetic person
//           per call (a durable business row + outbox row per call).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/common/credentials.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/common/synthetic_application.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "server address");
ABSL_FLAG(std::string, rpc, "health", "health, submit, or setup (create a cohort, print its id)");
ABSL_FLAG(int, concurrency, 16, "calls in flight");
ABSL_FLAG(double, rate, 0, "calls started per second; 0 = as fast as possible");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "measurement time");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "time before measuring");
ABSL_FLAG(std::string, cohort_id, "", "cohort for --rpc=submit");
ABSL_FLAG(std::string, run_id, "r", "prefix making synthetic people unique per run");
ABSL_FLAG(int, channels, 2, "gRPC channels (connections) to spread calls over");

namespace {

namespace pb = ::jobintech::enrollment::v1;

struct Stats {
  absl::Mutex mu;
  std::vector<double> latencies_us ABSL_GUARDED_BY(mu);
  int64_t errors ABSL_GUARDED_BY(mu) = 0;
  std::string last_error ABSL_GUARDED_BY(mu);
};

class Generator {
 public:
  Generator() {
    for (int i = 0; i < std::max(1, absl::GetFlag(FLAGS_channels)); ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", i);  // distinct connections
      auto ch = grpc::CreateCustomChannel(absl::GetFlag(FLAGS_target),
                                          jit::bench::BenchCredentials(), args);
      generic_.push_back(std::make_unique<grpc::GenericStub>(ch));
      stubs_.push_back(pb::EnrollmentService::NewStub(ch));
    }
  }

  void Run() {
    const int concurrency = absl::GetFlag(FLAGS_concurrency);
    start_ = absl::Now();
    measure_from_ = start_ + absl::GetFlag(FLAGS_warmup);
    stop_at_ = measure_from_ + absl::GetFlag(FLAGS_duration);
    for (int i = 0; i < concurrency; ++i) StartCall(i);
    done_.WaitForNotification();
  }

  void Report() {
    absl::MutexLock lock(&stats_.mu);
    auto& v = stats_.latencies_us;
    std::sort(v.begin(), v.end());
    auto pct = [&](double p) {
      if (v.empty()) return 0.0;
      size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
      return v[i];
    };
    const double seconds = absl::ToDoubleSeconds(absl::GetFlag(FLAGS_duration));
    nlohmann::json j = {
        {"rpc", absl::GetFlag(FLAGS_rpc)},
        {"concurrency", absl::GetFlag(FLAGS_concurrency)},
        {"rate", absl::GetFlag(FLAGS_rate)},
        {"duration_s", seconds},
        {"calls", v.size()},
        {"errors", stats_.errors},
        {"throughput", v.size() / seconds},
        {"p50_us", pct(0.50)},
        {"p99_us", pct(0.99)},
        {"max_us", v.empty() ? 0.0 : v.back()},
    };
    if (!stats_.last_error.empty()) j["last_error"] = stats_.last_error;
    std::printf("%s\n", j.dump().c_str());
  }

 private:
  struct Call {
    grpc::ClientContext ctx;
    grpc::ByteBuffer request_buf, response_buf;
    pb::SubmitApplicationRequest submit;
    pb::SubmitApplicationResponse submit_resp;
    absl::Time started;
  };

  void StartCall(int slot) {
    const absl::Time now = absl::Now();
    if (now >= stop_at_) {
      Finish();
      return;
    }
    const double rate = absl::GetFlag(FLAGS_rate);
    if (rate > 0) {
      // Open loop: the n-th call may not start before start + n / rate.
      const int64_t n = started_.fetch_add(1);
      const absl::Time due = start_ + absl::Seconds(n / rate);
      if (due > now) absl::SleepFor(due - now);
    }
    auto call = std::make_shared<Call>();
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    call->started = absl::Now();
    const size_t ch = static_cast<size_t>(slot) % generic_.size();
    auto done = [this, slot, call](grpc::Status s) {
      const absl::Time end = absl::Now();
      if (call->started >= measure_from_ && end <= stop_at_) {
        absl::MutexLock lock(&stats_.mu);
        if (s.ok()) {
          stats_.latencies_us.push_back(absl::ToDoubleMicroseconds(end - call->started));
        } else {
          ++stats_.errors;
          stats_.last_error = absl::StrCat(s.error_code(), ": ", s.error_message());
        }
      }
      StartCall(slot);
    };
    if (absl::GetFlag(FLAGS_rpc) == "submit") {
      FillSubmit(&call->submit, next_person_.fetch_add(1));
      stubs_[ch]->async()->SubmitApplication(&call->ctx, &call->submit,
                                             &call->submit_resp, done);
    } else {
      // HealthCheckRequest{service: ""} serializes to zero bytes.
      grpc::Slice empty;
      call->request_buf = grpc::ByteBuffer(&empty, 1);
      generic_[ch]->UnaryCall(&call->ctx, "/grpc.health.v1.Health/Check",
                              grpc::StubOptions(), &call->request_buf,
                              &call->response_buf, done);
    }
  }

  void FillSubmit(pb::SubmitApplicationRequest* req, int64_t n) {
    jit::bench::FillSyntheticApplication(req, absl::GetFlag(FLAGS_run_id), n,
                                         absl::GetFlag(FLAGS_cohort_id), "bench");
  }


  void Finish() {
    if (finished_slots_.fetch_add(1) + 1 == absl::GetFlag(FLAGS_concurrency)) {
      done_.Notify();
    }
  }

  std::vector<std::unique_ptr<grpc::GenericStub>> generic_;
  std::vector<std::unique_ptr<pb::EnrollmentService::Stub>> stubs_;
  absl::Time start_, measure_from_, stop_at_;
  std::atomic<int64_t> started_{0};
  std::atomic<int64_t> next_person_{0};
  std::atomic<int> finished_slots_{0};
  absl::Notification done_;
  Stats stats_;
};

}  // namespace

// Creates a centre and an OPEN cohort big enough for a benchmark run and
// prints the cohort id.
int Setup() {
  auto stub = pb::EnrollmentService::NewStub(grpc::CreateChannel(
      absl::GetFlag(FLAGS_target), jit::bench::BenchCredentials()));
  const std::string run = absl::GetFlag(FLAGS_run_id);
  pb::CreateCentreRequest centre;
  centre.set_request_id("bench-centre-" + run);
  centre.set_name("Benchmark centre");
  centre.set_operator_name("bench");
  centre.set_province_code("MA-CAS");
  pb::CreateCentreResponse centre_resp;
  grpc::ClientContext c1;
  grpc::Status s = stub->CreateCentre(&c1, centre, &centre_resp);
  if (!s.ok()) {
    std::fprintf(stderr, "CreateCentre: %s\n", s.error_message().c_str());
    return 1;
  }
  pb::CreateCohortRequest cohort;
  cohort.set_request_id("bench-cohort-" + run);
  cohort.set_name("Benchmark cohort");
  cohort.set_track_id("cybersecurity");
  cohort.set_centre_id(centre_resp.centre().centre_id());
  cohort.set_capacity(1000000);
  cohort.mutable_start_date()->set_year(2030);
  cohort.mutable_start_date()->set_month(1);
  cohort.mutable_start_date()->set_day(1);
  cohort.mutable_end_date()->set_year(2030);
  cohort.mutable_end_date()->set_month(12);
  cohort.mutable_end_date()->set_day(31);
  cohort.set_status(pb::COHORT_STATUS_OPEN);
  pb::CreateCohortResponse cohort_resp;
  grpc::ClientContext c2;
  s = stub->CreateCohort(&c2, cohort, &cohort_resp);
  if (!s.ok()) {
    std::fprintf(stderr, "CreateCohort: %s\n", s.error_message().c_str());
    return 1;
  }
  std::printf("%s\n", cohort_resp.cohort().cohort_id().c_str());
  return 0;
}

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string rpc = absl::GetFlag(FLAGS_rpc);
  if (rpc == "setup") return Setup();
  if (rpc != "health" && rpc != "submit") {
    std::fprintf(stderr, "jit-loadgen: --rpc must be health or submit\n");
    return 2;
  }
  if (rpc == "submit" && absl::GetFlag(FLAGS_cohort_id).empty()) {
    std::fprintf(stderr, "jit-loadgen: --rpc=submit needs --cohort_id\n");
    return 2;
  }
  if (absl::GetFlag(FLAGS_concurrency) < 1) {
    std::fprintf(stderr, "jit-loadgen: --concurrency must be >= 1\n");
    return 2;
  }
  Generator g;
  g.Run();
  g.Report();
  return 0;
}
