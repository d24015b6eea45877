// jit-bench-watch: clients of the aggregator's DashboardService/WatchSummary
// for the benchmarks. Prints one JSON line.
//
// --mode=fanout: `--subscribers` readers (one connection each) plus
//   `--stalled` subscribers that open the stream and never read (their own
//   connection each). Counts the summaries delivered to the readers during
//   the window (after `--warmup`, for `--duration`) and, with --server_pid,
//   the server's CPU-seconds over the same window (/proc/<pid>/stat).
//
// --mode=freshness: submits applications to the enrollment service at a
//   fixed offered `--rate` (open loop, at most `--concurrency` in flight)
//   while one reader watches the national internal summary and a plain
//   Kafka consumer reads the enrollment topic. The i-th acknowledged call
//   (in acknowledgement order) is matched with the first moment the
//   dashboard's `applicants` count (resp. the count of application records
//   on the topic) has grown by i: latency = that moment - the ack. Exact
//   when changes become visible in acknowledgement order, an estimate
//   otherwise. Reports p50/p99 of: the call itself, ack -> Kafka consumer,
//   ack -> watch stream.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/credentials.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/common/synthetic_application.h"
#include "grpcpp/grpcpp.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "jobintech/enrollment/v1/enrollment_service.grpc.pb.h"
#include "libs/kafka/cloudevents.h"
#include "libs/kafka/consumer.h"
#include "libs/kafka/topics.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, mode, "fanout", "fanout or freshness");
ABSL_FLAG(std::string, target, "127.0.0.1:50054", "aggregator gRPC address");
ABSL_FLAG(int, subscribers, 10, "fanout: reading subscribers");
ABSL_FLAG(int, stalled, 0, "fanout: subscribers that never read");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5), "measurement window");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "time before the window");
ABSL_FLAG(int, server_pid, 0, "aggregator pid, for its CPU time over the window");
ABSL_FLAG(std::string, enrollment, "", "freshness: enrollment gRPC address");
ABSL_FLAG(std::string, bootstrap, "", "freshness: Kafka bootstrap servers");
ABSL_FLAG(std::string, cohort_id, "", "freshness: open cohort to apply to");
ABSL_FLAG(std::string, run_id, "f", "freshness: makes synthetic people unique per run");
ABSL_FLAG(double, rate, 500, "freshness: offered calls per second");
ABSL_FLAG(int, concurrency, 64, "freshness: at most this many calls in flight");

namespace jit::bench {
namespace {

namespace dpb = ::jobintech::dashboard::v1;
namespace epb = ::jobintech::enrollment::v1;

// utime + stime of `pid` in seconds; 0 when unreadable.
double ProcessCpuSeconds(int pid) {
  if (pid <= 0) return 0;
  std::ifstream f(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  std::getline(f, line);
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  double ticks = 0;
  // Fields after "(comm)": state is field 3; utime 14, stime 15.
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::shared_ptr<grpc::Channel> NewChannel(const std::string& target, int id) {
  grpc::ChannelArguments args;
  args.SetInt("grpc.channel_id", id);  // distinct connections
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(target, jit::bench::BenchCredentials(), args);
}

dpb::WatchSummaryRequest NationalInternal() {
  dpb::WatchSummaryRequest req;
  req.mutable_scope()->set_level(dpb::SCOPE_LEVEL_NATIONAL);
  req.set_visibility(dpb::VISIBILITY_INTERNAL);
  return req;
}

// One WatchSummary stream, read continuously (or never, when stalled).
class Subscriber final : public grpc::ClientReadReactor<dpb::WatchSummaryResponse> {
 public:
  using OnMessage = std::function<void(const dpb::WatchSummaryResponse&)>;
  Subscriber(dpb::DashboardService::Stub* stub, bool stalled, OnMessage on_message)
      : stalled_(stalled), on_message_(std::move(on_message)) {
    request_ = NationalInternal();
    stub->async()->WatchSummary(&ctx_, &request_, this);
    if (!stalled_) StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    messages_.fetch_add(1, std::memory_order_relaxed);
    if (on_message_) on_message_(response_);
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& s) override {
    status_ = s;
    done_.Notify();
  }
  void Cancel() { ctx_.TryCancel(); }
  void Wait() { done_.WaitForNotification(); }
  int64_t messages() const { return messages_.load(std::memory_order_relaxed); }

 private:
  const bool stalled_;
  OnMessage on_message_;
  grpc::ClientContext ctx_;
  dpb::WatchSummaryRequest request_;
  dpb::WatchSummaryResponse response_;
  std::atomic<int64_t> messages_{0};
  grpc::Status status_;
  absl::Notification done_;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

int Fanout() {
  const std::string target = absl::GetFlag(FLAGS_target);
  const int n = absl::GetFlag(FLAGS_subscribers), stalled = absl::GetFlag(FLAGS_stalled);
  std::vector<std::unique_ptr<dpb::DashboardService::Stub>> stubs;
  std::vector<std::unique_ptr<Subscriber>> subs;
  for (int i = 0; i < n + stalled; ++i) {
    stubs.push_back(dpb::DashboardService::NewStub(NewChannel(target, i)));
    subs.push_back(std::make_unique<Subscriber>(stubs.back().get(), i >= n, nullptr));
  }
  absl::SleepFor(absl::GetFlag(FLAGS_warmup));
  const int pid = absl::GetFlag(FLAGS_server_pid);
  std::vector<int64_t> before;
  for (const auto& s : subs) before.push_back(s->messages());
  const double cpu0 = ProcessCpuSeconds(pid);
  const absl::Time t0 = absl::Now();
  absl::SleepFor(absl::GetFlag(FLAGS_duration));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  const double cpu = ProcessCpuSeconds(pid) - cpu0;
  std::vector<double> per_sub;
  int64_t total = 0, stalled_total = 0;
  for (int i = 0; i < n + stalled; ++i) {
    const int64_t d = subs[static_cast<size_t>(i)]->messages() - before[static_cast<size_t>(i)];
    if (i < n) {
      total += d;
      per_sub.push_back(static_cast<double>(d) / seconds);
    } else {
      stalled_total += subs[static_cast<size_t>(i)]->messages();
    }
  }
  for (auto& s : subs) s->Cancel();
  for (auto& s : subs) s->Wait();
  nlohmann::json j = {
      {"mode", "fanout"},
      {"subscribers", n},
      {"stalled", stalled},
      {"seconds", seconds},
      {"messages", total},
      {"messages_per_s", static_cast<double>(total) / seconds},
      {"per_subscriber_per_s_min", per_sub.empty() ? 0.0 : Percentile(per_sub, 0)},
      {"per_subscriber_per_s_median", Percentile(per_sub, 0.5)},
      {"stalled_messages_total", stalled_total},
      {"server_cpu_s", cpu},
      {"messages_per_server_cpu_s", cpu > 0 ? static_cast<double>(total) / cpu : 0.0},
  };
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

// --- freshness ---------------------------------------------------------

void FillSubmit(epb::SubmitApplicationRequest* req, const std::string& run, int64_t n,
                const std::string& cohort) {
  jit::bench::FillSyntheticApplication(req, run, n, cohort, "fresh");
}

int64_t Applicants(const dpb::Summary& s) {
  for (const auto& f : s.figures()) {
    if (f.metric_id() == "applicants") return static_cast<int64_t>(f.value());
  }
  return -1;
}

// (time, cumulative count) observations -> for each i (1-based) the first
// time the count reached i.
std::vector<absl::Time> FirstReach(const std::vector<std::pair<absl::Time, int64_t>>& obs,
                                   int64_t n) {
  std::vector<absl::Time> at(static_cast<size_t>(n), absl::InfiniteFuture());
  int64_t filled = 0;
  for (const auto& [t, c] : obs) {
    while (filled < std::min(c, n)) at[static_cast<size_t>(filled++)] = t;
  }
  return at;
}

struct Call {
  grpc::ClientContext ctx;
  epb::SubmitApplicationRequest req;
  epb::SubmitApplicationResponse resp;
  absl::Time started;
};

int Freshness() {
  const std::string run = absl::GetFlag(FLAGS_run_id);
  const std::string cohort = absl::GetFlag(FLAGS_cohort_id);
  const double rate = absl::GetFlag(FLAGS_rate);
  const int concurrency = absl::GetFlag(FLAGS_concurrency);
  absl::Mutex mu;
  std::vector<std::pair<absl::Time, int64_t>> watch_obs;  // (arrival, applicants)
  std::vector<std::pair<absl::Time, int64_t>> kafka_obs;  // (arrival, records)
  int64_t watch_base = -1;

  // 1. The watch stream.
  auto dash = dpb::DashboardService::NewStub(NewChannel(absl::GetFlag(FLAGS_target), 1));
  // Until `counting`, only the latest count is kept: the base is taken once
  // the dashboard has been still for 1.5 s (an earlier backlog folded).
  bool counting = false;
  int64_t latest = -1;
  absl::Time latest_at = absl::InfinitePast();
  Subscriber watch(dash.get(), false, [&](const dpb::WatchSummaryResponse& r) {
    const absl::Time now = absl::Now();
    const int64_t a = Applicants(r.summary());
    absl::MutexLock lock(&mu);
    if (!counting) {
      if (a != latest) latest_at = now;
      latest = a;
      return;
    }
    watch_obs.push_back({now, a - watch_base});
  });
  const absl::Time settle_deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    absl::SleepFor(absl::Milliseconds(100));
    absl::MutexLock lock(&mu);
    const absl::Time now = absl::Now();
    if (latest >= 0 && (now - latest_at > absl::Milliseconds(1500) || now > settle_deadline)) {
      watch_base = latest;
      counting = true;
      break;
    }
    if (now > settle_deadline + absl::Seconds(10)) {
      std::fprintf(stderr, "jit-bench-watch: no summary on the watch stream\n");
      return 1;
    }
  }

  // 2. The plain Kafka consumer, from the current end of the topic.
  auto consumer = kafka::Consumer::Create({.bootstrap_servers = absl::GetFlag(FLAGS_bootstrap),
                                           .group_id = "",
                                           .client_id = "jit-bench-fresh",
                                           .auto_offset_reset = "earliest",
                                           .properties = {{"fetch.wait.max.ms", "50"}}});
  if (!consumer.ok()) {
    std::fprintf(stderr, "%s\n", consumer.status().ToString().c_str());
    return 1;
  }
  std::vector<kafka::TopicPartitionOffset> assignment;
  auto parts = (*consumer)->PartitionCount(kafka::kEnrollmentTopic);
  if (!parts.ok()) return 1;
  for (int p = 0; p < *parts; ++p) {
    auto marks = (*consumer)->WatermarkOffsets(kafka::kEnrollmentTopic, p);
    if (!marks.ok()) return 1;
    assignment.push_back({kafka::kEnrollmentTopic, p, marks->second});
  }
  if (!(*consumer)->Assign(assignment).ok()) return 1;
  std::atomic<bool> stop{false};
  int64_t poll_errors = 0, kafka_all = 0;
  std::thread kafka_thread([&] {
    int64_t count = 0;
    while (!stop.load()) {
      auto m = (*consumer)->Poll(absl::Milliseconds(20));
      if (!m.ok()) {
        if (poll_errors++ == 0) std::fprintf(stderr, "poll: %s\n", m.status().ToString().c_str());
        continue;
      }
      if (!m->has_value()) continue;
      ++kafka_all;
      const absl::Time now = absl::Now();
      for (const auto& [k, v] : (*m)->headers) {
        if (k == kafka::kCeTypeHeader && absl::StrContains(v, "enrollment.application.submitted")) {
          absl::MutexLock lock(&mu);
          kafka_obs.push_back({now, ++count});
        }
      }
    }
  });

  absl::SleepFor(absl::Milliseconds(300));  // let the fetcher start

  // 3. The calls, open loop at `rate`, bounded by `concurrency`.
  auto stub = epb::EnrollmentService::NewStub(
      NewChannel(absl::GetFlag(FLAGS_enrollment), 2));
  std::vector<absl::Time> acks;           // successful acks, in ack order
  std::vector<absl::Time> ack_started;    // their start times
  std::vector<double> rtt_us;             // measured calls only
  int64_t errors = 0;
  std::string last_error;
  std::atomic<int> in_flight{0};
  const absl::Time start = absl::Now();
  const absl::Time measure_from = start + absl::GetFlag(FLAGS_warmup);
  const absl::Time stop_at = measure_from + absl::GetFlag(FLAGS_duration);
  int64_t n = 0, skipped = 0;
  while (true) {
    const absl::Time due = start + absl::Seconds(static_cast<double>(n) / rate);
    if (due >= stop_at) break;
    const absl::Time now = absl::Now();
    if (due > now) absl::SleepFor(due - now);
    if (in_flight.load() >= concurrency) {
      ++skipped;  // the offered load is not sustained
      ++n;
      continue;
    }
    auto call = std::make_shared<Call>();
    FillSubmit(&call->req, run, n, absl::GetFlag(FLAGS_cohort_id));
    call->ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    call->started = absl::Now();
    in_flight.fetch_add(1);
    stub->async()->SubmitApplication(&call->ctx, &call->req, &call->resp,
                                     [&, call](grpc::Status s) {
                                       const absl::Time end = absl::Now();
                                       absl::MutexLock lock(&mu);
                                       if (s.ok()) {
                                         acks.push_back(end);
                                         ack_started.push_back(call->started);
                                         if (call->started >= measure_from) {
                                           rtt_us.push_back(absl::ToDoubleMicroseconds(
                                               end - call->started));
                                         }
                                       } else {
                                         ++errors;
                                         last_error = s.error_message();
                                       }
                                       in_flight.fetch_sub(1);
                                     });
    ++n;
  }
  const double offered_seconds = absl::ToDoubleSeconds(stop_at - start);
  while (in_flight.load() > 0) absl::SleepFor(absl::Milliseconds(5));
  // 4. Wait until both observers caught up (bounded).
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  auto caught_up = [&] {
    absl::MutexLock lock(&mu);
    const int64_t want = static_cast<int64_t>(acks.size());
    return !watch_obs.empty() && watch_obs.back().second >= want && !kafka_obs.empty() &&
           kafka_obs.back().second >= want;
  };
  while (absl::Now() < deadline && !caught_up()) absl::SleepFor(absl::Milliseconds(20));
  stop.store(true);
  kafka_thread.join();
  watch.Cancel();
  watch.Wait();
  (void)(*consumer)->Close();

  absl::MutexLock lock(&mu);
  const int64_t total = static_cast<int64_t>(acks.size());
  const std::vector<absl::Time> seen_watch = FirstReach(watch_obs, total);
  const std::vector<absl::Time> seen_kafka = FirstReach(kafka_obs, total);
  std::vector<double> watch_ms, kafka_ms;
  int64_t missing_watch = 0, missing_kafka = 0;
  for (int64_t i = 0; i < total; ++i) {
    const size_t k = static_cast<size_t>(i);
    if (ack_started[k] < measure_from) continue;
    if (seen_watch[k] == absl::InfiniteFuture()) {
      ++missing_watch;
    } else {
      watch_ms.push_back(absl::ToDoubleMilliseconds(seen_watch[k] - acks[k]));
    }
    if (seen_kafka[k] == absl::InfiniteFuture()) {
      ++missing_kafka;
    } else {
      kafka_ms.push_back(absl::ToDoubleMilliseconds(seen_kafka[k] - acks[k]));
    }
  }
  const double measured_seconds = absl::ToDoubleSeconds(absl::GetFlag(FLAGS_duration));
  nlohmann::json j = {
      {"mode", "freshness"},
      {"offered_rate", rate},
      {"achieved_rate", static_cast<double>(rtt_us.size()) / measured_seconds},
      {"calls", total},
      {"skipped_over_concurrency", skipped},
      {"errors", errors},
      {"watch_updates", watch_obs.size()},
      {"watch_base", watch_base},
      {"kafka_records", kafka_obs.empty() ? 0 : kafka_obs.back().second},
      {"kafka_all_records", kafka_all},
      {"kafka_poll_errors", poll_errors},
      {"call_p50_ms", Percentile(rtt_us, 0.5) / 1000},
      {"call_p99_ms", Percentile(rtt_us, 0.99) / 1000},
      {"kafka_p50_ms", Percentile(kafka_ms, 0.5)},
      {"kafka_p99_ms", Percentile(kafka_ms, 0.99)},
      {"watch_p50_ms", Percentile(watch_ms, 0.5)},
      {"watch_p99_ms", Percentile(watch_ms, 0.99)},
      {"watch_max_ms", Percentile(watch_ms, 1.0)},
      {"missing_watch", missing_watch},
      {"missing_kafka", missing_kafka},
      {"offered_seconds", offered_seconds},
  };
  if (!last_error.empty()) j["last_error"] = last_error;
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace
}  // namespace jit::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "fanout") return jit::bench::Fanout();
  if (mode == "freshness") return jit::bench::Freshness();
  std::fprintf(stderr, "jit-bench-watch: --mode must be fanout or freshness\n");
  return 2;
}
