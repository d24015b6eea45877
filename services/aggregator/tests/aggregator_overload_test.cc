// The real jit-aggregator binary (gRPC over TLS, the dashboard listener) with
// 500 idle SSE clients and 500 idle gRPC WatchSummary streams open at once:
// the page and the JSON API still answer within 100 ms (p99 over 100
// requests each), the server's thread count and memory stay bounded, the
// caps (set to 500) refuse the 501st of each, and every client still gets
// the next update.
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "jobintech/dashboard/v1/dashboard_service.grpc.pb.h"
#include "libs/kafka/producer.h"
#include "libs/kafka/topics.h"
#include "libs/testing/subprocess.h"
#include "libs/testing/test_pki.h"
#include "services/aggregator/events/testing/lifecycle_events.h"

namespace jit::aggregator {
namespace {

namespace pb = ::jobintech::dashboard::v1;
using jit::testing::EmbeddedBroker;
using jit::testing::Subprocess;
using jit::testing::TempDir;

constexpr int kClients = 500;  // of each kind, and the caps
constexpr int kRequests = 100;

// A field of /proc/<pid>/status ("Threads", "VmRSS" in kB); -1 if absent.
int64_t ProcStatus(pid_t pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (!absl::StartsWith(line, field + ":")) continue;
    std::string value(absl::StripAsciiWhitespace(line.substr(field.size() + 1)));
    if (absl::EndsWith(value, " kB")) value.resize(value.size() - 3);
    int64_t n = 0;
    return absl::SimpleAtoi(value, &n) ? n : -1;
  }
  return -1;
}

// One idle SSE client on a raw socket: it reads only when the test asks.
class SseClient {
 public:
  explicit SseClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const std::string request = "GET /api/v1/stream HTTP/1.1\r\nHost: test\r\n\r\n";
    ok_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
          ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
              static_cast<ssize_t>(request.size());
  }
  ~SseClient() { ::close(fd_); }
  bool ok() const { return ok_; }
  bool ReadUntil(const std::string& needle, absl::Time deadline) {
    while (received_.find(needle) == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      const int wait = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
      if (wait <= 0 || ::poll(&p, 1, wait) <= 0) return false;
      char buf[16384];
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      received_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::string received_;
};

// One idle gRPC watch: the callback API, no thread of its own.
class WatchClient final : public grpc::ClientReadReactor<pb::WatchSummaryResponse> {
 public:
  void Start(pb::DashboardService::Stub* stub) {
    stub->async()->WatchSummary(&ctx_, &request_, this);
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    messages_.fetch_add(1);
    latest_.store(response_.summary().state_version());
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& s) override {
    absl::MutexLock lock(&mu_);
    status_ = s;
    done_ = true;
  }
  void Cancel() { ctx_.TryCancel(); }
  bool WaitDone(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
  }
  int messages() const { return messages_.load(); }
  int64_t latest() const { return latest_.load(); }

 private:
  grpc::ClientContext ctx_;
  pb::WatchSummaryRequest request_;
  pb::WatchSummaryResponse response_;
  std::atomic<int> messages_{0};
  std::atomic<int64_t> latest_{-1};
  absl::Mutex mu_;
  grpc::Status status_;
  bool done_ = false;
};

bool WaitFor(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

std::vector<kafka::Message> Journeys(int from, int to) {
  std::vector<kafka::Message> out;
  using namespace aggregator::testing;  // NOLINT
  for (int i = from; i < to; ++i) {
    Trainee t{absl::StrCat("trn-", i), absl::StrCat("coh-", i % 3), i % 2 ? "MA-FQH" : "MA-CAS",
              "cybersecurity",
              i % 2 ? jobintech::common::v1::GENDER_FEMALE : jobintech::common::v1::GENDER_MALE};
    const absl::Time t0 = absl::FromUnixSeconds(1735689600 + i * 3600);  // 2025-01-01
    out.push_back(ToRecord(Submitted(t, 1, t0), kafka::kEnrollmentTopic));
    out.push_back(ToRecord(Admitted(t, 2, t0 + absl::Hours(24)), kafka::kEnrollmentTopic));
  }
  return out;
}

// p99 of `n` latencies: the 99th smallest of 100.
absl::Duration P99(std::vector<absl::Duration> d) {
  std::sort(d.begin(), d.end());
  return d[static_cast<size_t>(static_cast<double>(d.size()) * 0.99) - 1];
}

TEST(AggregatorOverloadTest, IdleSseAndWatchersLeaveThePageAndApiFastWithBoundedThreadsAndMemory) {
  // About 1,100 sockets here and 1,000 in the server (which inherits the
  // limit): raise the soft limit on open files.
  rlimit nofile{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &nofile), 0);
  if (nofile.rlim_cur < 4096) {
    nofile.rlim_cur = std::min<rlim_t>(4096, nofile.rlim_max);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &nofile), 0);
  }
  ASSERT_GE(nofile.rlim_cur, 2500u) << "the hard limit on open files is too low for this test";

  TempDir dir;
  auto broker = EmbeddedBroker::Start(JIT_KAFKA_BROKER_BIN, dir.path(), 4);
  ASSERT_TRUE(broker.ok()) << broker.status();
  auto pki = jit::testing::TestPki::Create(dir.File("pki"));
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto producer = kafka::Producer::Create(
      {.bootstrap_servers = (*broker)->bootstrap_servers(), .client_id = "test", .properties = {}});
  ASSERT_TRUE(producer.ok());
  for (const absl::Status& s : (*producer)->ProduceAndWait(Journeys(0, 40), absl::Seconds(10))) {
    ASSERT_TRUE(s.ok()) << s;
  }

  const std::string log = dir.File("aggregator.log");
  std::vector<std::string> argv = {JIT_AGGREGATOR_BIN,
                                   "--grpc_address=127.0.0.1:0",
                                   "--admin_address=127.0.0.1:0",
                                   "--http_address=127.0.0.1:0",
                                   "--db_path=" + dir.File("aggregator.db"),
                                   "--kafka_bootstrap=" + (*broker)->bootstrap_servers(),
                                   "--unready_grace=0s",
                                   "--watch_min_interval=50ms",
                                   absl::StrCat("--max_sse_clients=", kClients),
                                   absl::StrCat("--max_grpc_watches=", kClients)};
  for (const std::string& f : pki->ServerFlags("aggregator")) argv.push_back(f);
  auto process = Subprocess::Start(argv, log);
  ASSERT_TRUE(process.ok()) << process.status();
  const pid_t pid = (*process)->pid();
  int ports[2] = {0, 0};
  const char* fields[2] = {"grpc_port", "http_port"};
  for (int i = 0; i < 2; ++i) {
    auto v = jit::testing::WaitForLogField(log, "aggregator service ready", fields[i],
                                           absl::Seconds(30));
    ASSERT_TRUE(v.ok()) << v.status() << "\n" << jit::testing::ReadFile(log).value_or("");
    ports[i] = std::stoi(*v);
  }
  const std::string grpc_target = absl::StrCat("127.0.0.1:", ports[0]);
  const int http_port = ports[1];
  auto credentials = pki->PersonCredentials(pki->Token("analyst"));
  auto stub = pb::DashboardService::NewStub(grpc::CreateChannel(grpc_target, credentials));
  auto version = [&]() -> int64_t {
    pb::GetSummaryRequest req;
    pb::GetSummaryResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return stub->GetSummary(&ctx, req, &resp).ok() ? resp.summary().state_version() : -1;
  };
  ASSERT_TRUE(WaitFor([&] { return version() >= 80; }, absl::Seconds(30)));
  const int64_t first_version = version();

  const int64_t threads_before = ProcStatus(pid, "Threads");
  const int64_t rss_before = ProcStatus(pid, "VmRSS");
  ASSERT_GT(threads_before, 0);

  // 500 SSE clients, opened in waves of 50 (as pages arrive, not all in the
  // same millisecond: a burst beyond the workers' queue would be refused).
  std::vector<std::unique_ptr<SseClient>> sse;
  for (int wave = 0; wave < kClients / 50; ++wave) {
    const size_t from = sse.size();
    for (int i = 0; i < 50; ++i) {
      sse.push_back(std::make_unique<SseClient>(http_port));
      ASSERT_TRUE(sse.back()->ok());
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    for (size_t i = from; i < sse.size(); ++i) {
      ASSERT_TRUE(sse[i]->ReadUntil("event: summary\n", deadline))
          << "SSE client " << i << ": " << sse[i]->received().substr(0, 300);
      ASSERT_TRUE(absl::StartsWith(sse[i]->received(), "HTTP/1.1 200 OK\r\n"));
    }
  }
  // The 501st is refused: 503 with Retry-After.
  httplib::Client http("127.0.0.1", http_port);
  http.set_read_timeout(10, 0);
  auto refused = http.Get("/api/v1/stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_FALSE(refused->get_header_value("Retry-After").empty());

  // 500 gRPC watches over TLS, on 10 connections.
  std::vector<std::unique_ptr<pb::DashboardService::Stub>> stubs;
  for (int c = 0; c < 10; ++c) {
    grpc::ChannelArguments args;
    args.SetInt("jit.test.connection", c);  // a connection of its own
    stubs.push_back(
        pb::DashboardService::NewStub(grpc::CreateCustomChannel(grpc_target, credentials, args)));
  }
  std::vector<std::unique_ptr<WatchClient>> watches;
  for (int i = 0; i < kClients; ++i) {
    watches.push_back(std::make_unique<WatchClient>());
    watches.back()->Start(stubs[i % stubs.size()].get());
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return std::all_of(watches.begin(), watches.end(),
                           [](const auto& w) { return w->messages() >= 1; });
      },
      absl::Seconds(30)));
  // The 501st is refused: RESOURCE_EXHAUSTED with gRPC's pushback trailer.
  {
    grpc::ClientContext ctx;
    pb::WatchSummaryRequest req;
    auto reader = stub->WatchSummary(&ctx, req);
    pb::WatchSummaryResponse msg;
    EXPECT_FALSE(reader->Read(&msg));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(ctx.GetServerTrailingMetadata().count("grpc-retry-pushback-ms"), 1u);
  }

  // The page and the JSON API, 100 requests each.
  std::vector<absl::Duration> page, api;
  for (int i = 0; i < kRequests; ++i) {
    absl::Time start = absl::Now();
    auto p = http.Get("/");
    page.push_back(absl::Now() - start);
    ASSERT_TRUE(p && p->status == 200);
    start = absl::Now();
    auto j = http.Get("/api/v1/summary");
    api.push_back(absl::Now() - start);
    ASSERT_TRUE(j && j->status == 200);
    ASSERT_NE(j->body.find("\"figures\""), std::string::npos);
  }
  const absl::Duration page_p99 = P99(page), api_p99 = P99(api);
  const int64_t threads_after = ProcStatus(pid, "Threads");
  const int64_t rss_after = ProcStatus(pid, "VmRSS");
  RecordProperty("page_p99_us", static_cast<int>(absl::ToInt64Microseconds(page_p99)));
  RecordProperty("api_p99_us", static_cast<int>(absl::ToInt64Microseconds(api_p99)));
  RecordProperty("threads_before", static_cast<int>(threads_before));
  RecordProperty("threads_after", static_cast<int>(threads_after));
  RecordProperty("rss_before_kib", static_cast<int>(rss_before));
  RecordProperty("rss_after_kib", static_cast<int>(rss_after));
  std::cout << "page p99 " << page_p99 << ", api p99 " << api_p99 << ", threads " << threads_before
            << " -> " << threads_after << ", RSS " << rss_before << " -> " << rss_after << " kB\n";
  EXPECT_LT(page_p99, absl::Milliseconds(100));
  EXPECT_LT(api_p99, absl::Milliseconds(100));
  // No thread per client: 1,000 clients add at most a few threads (gRPC's
  // pollers), and the total stays small.
  EXPECT_LE(threads_after, threads_before + 8);
  EXPECT_LE(threads_after, 80);
  // Memory: well under 100 KiB per client (one pending summary each).
  EXPECT_LE(rss_after - rss_before, 96 * 1024) << "kB";

  // Every client still gets the next update.
  for (const absl::Status& s : (*producer)->ProduceAndWait(Journeys(40, 50), absl::Seconds(10))) {
    ASSERT_TRUE(s.ok()) << s;
  }
  ASSERT_TRUE(WaitFor([&] { return version() >= first_version + 20; }, absl::Seconds(30)));
  const int64_t latest = version();
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  for (size_t i = 0; i < sse.size(); ++i) {
    ASSERT_TRUE(sse[i]->ReadUntil(absl::StrCat("id: ", latest, "\n"), deadline))
        << "SSE client " << i;
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        return std::all_of(watches.begin(), watches.end(),
                           [&](const auto& w) { return w->latest() == latest; });
      },
      absl::Seconds(30)));

  // SIGTERM: the drain ends every stream; the process exits 0.
  ASSERT_TRUE((*process)->Signal(SIGTERM).ok());
  auto info = (*process)->Wait(absl::Seconds(60));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->exited && info->exit_code == 0);
  for (auto& w : watches) EXPECT_TRUE(w->WaitDone(absl::Seconds(10)));
}

}  // namespace
}  // namespace jit::aggregator
