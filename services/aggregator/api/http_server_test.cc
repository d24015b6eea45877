// The dashboard listener's connection handling over loopback: SSE clients
// fed by the event loop (no thread each), a stuck client dropped without
// stalling the others, the caps (SSE clients, the workers' queue, request
// sizes) and idle keep-alive connections that hold no worker.
#include "services/aggregator/api/http_server.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/aggregator/api/http_api.h"
#include "services/aggregator/domain/testing/event_builder.h"

namespace jit::aggregator::api {
namespace {

using testing::Ev;

// The process's thread count (/proc/self/status).
int Threads() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    int n = 0;
    if (absl::StartsWith(line, "Threads:") &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(8)), &n)) {
      return n;
    }
  }
  return -1;
}

// A raw loopback client: what the tests need to hold many connections, to
// stop reading, and to send what no well-behaved client sends.
class RawClient {
 public:
  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting.
  explicit RawClient(int port, int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (receive_buffer > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads until `needle` is in what was received (true), EOF or `timeout`.
  bool ReadUntil(const std::string& needle, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (received_.find(needle) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }
  // True when the server closed the connection before `timeout` (what it
  // sent before is kept).
  bool ReadToEof(absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!eof_) {
      if (!ReadSome(deadline) && !eof_) return false;
    }
    return true;
  }
  const std::string& received() const { return received_; }
  void Clear() { received_.clear(); }

 private:
  bool ReadSome(absl::Time deadline) {
    pollfd p{fd_, POLLIN, 0};
    const int wait = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (wait <= 0 || ::poll(&p, 1, wait) <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    received_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string received_;
};

constexpr char kStreamRequest[] = "GET /api/v1/stream HTTP/1.1\r\nHost: test\r\n\r\n";

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest()
      : state_(FoldOptions{}),
        views_(&state_, ViewConfig{.suppression_threshold = 5,
                                   .public_only = false,
                                   .zone = absl::UTCTimeZone(),
                                   .clock = &clock_}) {}
  ~HttpServerTest() override {
    if (hub_ != nullptr) hub_->Shutdown();
    if (server_ != nullptr) server_->Stop();
  }

  // `routes`: extra routes of the test's own, added before the start.
  void Start(HttpServerOptions options, WatchHubOptions hub_options = {},
             const std::function<void(httplib::Server&)>& routes = nullptr) {
    hub_options.min_interval = absl::Milliseconds(5);
    hub_options.registry = &registry_;
    hub_ = std::make_unique<WatchHub>(&views_, std::move(hub_options));
    state_.AddListener([this] { hub_->MarkDirty(); });
    hub_->Start();
    options.host = "127.0.0.1";
    options.port = 0;
    options.registry = &registry_;
    options.headers = SecurityHeaders();
    api_ = std::make_unique<HttpApi>(&views_, hub_.get(),
                                     HttpApiOptions{.keep_alive = absl::Seconds(30)});
    server_ = std::make_unique<HttpServer>(std::move(options));
    api_->Register(*server_);
    if (routes != nullptr) routes(server_->http());
    ASSERT_TRUE(server_->Start().ok());
  }

  void Apply(int i) {
    state_.Mutate([=](Fold& fold, IngestStats&) {
      fold.Apply(Ev(EventKind::kApplicationSubmitted, absl::StrCat("t", i), 1, "2025-10-01")
                     .Cohort("c1")
                     .Dims(Gender::kFemale, "MA-FQH", "cybersecurity"));
    });
  }

  // The value of a metric's sample with this label text ("" for none).
  double Metric(const std::string& name, const std::string& labels) {
    const std::string text = prometheus::TextSerializer().Serialize(registry_.Collect());
    const std::string prefix = labels.empty() ? name + " " : absl::StrCat(name, "{", labels, "} ");
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      double v = 0;
      if (absl::StartsWith(line, prefix) && absl::SimpleAtod(line.substr(prefix.size()), &v)) {
        return v;
      }
    }
    return -1;
  }

  static bool WaitFor(const std::function<bool()>& done, absl::Duration timeout = absl::Seconds(10)) {
    const absl::Time deadline = absl::Now() + timeout;
    while (!done()) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 10, 15, 12, 0, 0), absl::UTCTimeZone())};
  prometheus::Registry registry_;
  DashboardState state_;
  DashboardViews views_;
  std::unique_ptr<WatchHub> hub_;
  std::unique_ptr<HttpApi> api_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, SseClientsAreFedByTheEventLoopWithoutAThreadEach) {
  // Room in the queue for the burst of stream requests below.
  Start({.threads = 2, .queue = 128});
  const int threads_before = Threads();
  constexpr int kClients = 100;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(clients.back()->connected());
    ASSERT_TRUE(clients.back()->Send(kStreamRequest));
  }
  for (auto& c : clients) {
    ASSERT_TRUE(c->ReadUntil("event: summary\nid: 0\n")) << c->received();
    EXPECT_TRUE(absl::StartsWith(c->received(), "HTTP/1.1 200 OK\r\n"));
    EXPECT_NE(c->received().find("Content-Type: text/event-stream\r\n"), std::string::npos);
    EXPECT_NE(c->received().find("Content-Security-Policy: default-src 'none'"),
              std::string::npos);
  }
  EXPECT_EQ(server_->streams(), kClients);
  EXPECT_EQ(hub_->watcher_count(), kClients);
  // Two workers hold none of them, and no thread was started for them (the
  // count may drop: threads of earlier tests' gRPC servers wind down).
  EXPECT_LE(Threads(), threads_before);
  httplib::Client json("127.0.0.1", server_->port());
  auto res = json.Get("/api/v1/summary");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);

  // An update reaches every client through the event loop.
  Apply(1);
  for (auto& c : clients) ASSERT_TRUE(c->ReadUntil("id: 1\n")) << c->received();

  // Clients that go away leave the hub.
  clients.resize(kClients / 2);
  ASSERT_TRUE(WaitFor([&] { return hub_->watcher_count() == kClients / 2; }))
      << hub_->watcher_count();
  EXPECT_EQ(server_->streams(), kClients / 2);

  // Shutting the hub down ends every stream with the last chunk.
  hub_->Shutdown();
  for (auto& c : clients) {
    ASSERT_TRUE(c->ReadToEof());
    EXPECT_TRUE(absl::EndsWith(c->received(), "0\r\n\r\n"));
  }
}

TEST_F(HttpServerTest, AStuckSseClientIsDroppedAndDoesNotStallTheOthers) {
  // Small buffers so that the stuck client overflows after a few summaries.
  Start({.threads = 2, .stream_buffer_bytes = 16 * 1024, .stream_socket_send_buffer = 4096});
  RawClient stuck(server_->port(), /*receive_buffer=*/4096);
  ASSERT_TRUE(stuck.Send(kStreamRequest));
  RawClient reader(server_->port());
  ASSERT_TRUE(reader.Send(kStreamRequest));
  ASSERT_TRUE(reader.ReadUntil("id: 0\n"));
  ASSERT_TRUE(WaitFor([&] { return hub_->watcher_count() == 2; }));

  // Updates: the reader follows each one promptly while the stuck client's
  // buffer fills up; it is then dropped.
  int version = 0;
  absl::Duration slowest = absl::ZeroDuration();
  for (int i = 1; i <= 200 && hub_->watcher_count() == 2; ++i) {
    const absl::Time start = absl::Now();
    Apply(i);
    version = i;
    ASSERT_TRUE(reader.ReadUntil(absl::StrCat("id: ", i, "\n"))) << "update " << i;
    slowest = std::max(slowest, absl::Now() - start);
    reader.Clear();
  }
  ASSERT_TRUE(WaitFor([&] { return hub_->watcher_count() == 1; }))
      << "the stuck client was never dropped";
  EXPECT_EQ(Metric("jit_aggregator_sse_dropped_total", "reason=\"overflow\""), 1);
  EXPECT_EQ(server_->streams(), 1);
  EXPECT_LT(slowest, absl::Seconds(2)) << "the reader waited on the stuck client";
  // The stuck client, reading at last, finds its connection closed.
  EXPECT_TRUE(stuck.ReadToEof());
  EXPECT_EQ(stuck.received().find(absl::StrCat("id: ", version, "\n")), std::string::npos);
  // The reader goes on.
  Apply(1000);
  EXPECT_TRUE(reader.ReadUntil(absl::StrCat("id: ", version + 1, "\n")));
}

TEST_F(HttpServerTest, SseOverTheCapIs503WithRetryAfterUntilASlotFrees) {
  WatchHubOptions hub_options;
  hub_options.max_per_transport = {{"sse", 2}};
  Start({.threads = 2}, std::move(hub_options));
  auto first = std::make_unique<RawClient>(server_->port());
  RawClient second(server_->port());
  ASSERT_TRUE(first->Send(kStreamRequest) && second.Send(kStreamRequest));
  ASSERT_TRUE(first->ReadUntil("id: 0\n") && second.ReadUntil("id: 0\n"));

  httplib::Client c("127.0.0.1", server_->port());
  auto refused = c.Get("/api/v1/stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "5");
  EXPECT_NE(refused->body.find("\"code\":\"RESOURCE_EXHAUSTED\""), std::string::npos);
  EXPECT_EQ(refused->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Metric("jit_aggregator_watchers_refused_total", "transport=\"sse\""), 1);
  EXPECT_EQ(Metric("jit_aggregator_watchers_limit", "transport=\"sse\""), 2);
  // The JSON views are not capped.
  auto json = c.Get("/api/v1/summary");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->status, 200);

  first.reset();  // a client leaves: its slot frees
  ASSERT_TRUE(WaitFor([&] { return hub_->watcher_count() == 1; }));
  RawClient third(server_->port());
  ASSERT_TRUE(third.Send(kStreamRequest));
  EXPECT_TRUE(third.ReadUntil("id: 0\n")) << third.received();
  EXPECT_TRUE(absl::StartsWith(third.received(), "HTTP/1.1 200 OK"));
}

TEST_F(HttpServerTest, AFullQueueIsAnswered503WithRetryAfterNotQueuedForEver) {
  // A route of the test's own that holds the only worker.
  absl::Notification release;
  std::atomic<bool> holding{false};
  Start({.threads = 1, .queue = 1}, {}, [&](httplib::Server& http) {
    http.Get("/test/hold", [&](const httplib::Request&, httplib::Response& res) {
      holding.store(true);
      release.WaitForNotification();
      res.set_content("released", "text/plain");
    });
  });
  RawClient busy(server_->port());
  ASSERT_TRUE(busy.Send("GET /test/hold HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(WaitFor([&] { return holding.load(); }));
  // One connection fits in the queue...
  RawClient queued(server_->port());
  ASSERT_TRUE(queued.Send("GET /api/v1/metrics HTTP/1.1\r\nHost: t\r\n\r\n"));
  absl::SleepFor(absl::Milliseconds(100));  // accepted and queued
  // ...the next is refused at once.
  RawClient refused(server_->port());
  ASSERT_TRUE(refused.Send("GET /api/v1/metrics HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(refused.ReadToEof(absl::Seconds(5))) << refused.received();
  EXPECT_TRUE(absl::StartsWith(refused.received(), "HTTP/1.1 503 Service Unavailable\r\n"))
      << refused.received();
  EXPECT_NE(refused.received().find("Retry-After: 1\r\n"), std::string::npos);
  EXPECT_NE(refused.received().find("X-Content-Type-Options: nosniff\r\n"), std::string::npos);
  EXPECT_EQ(Metric("jit_aggregator_http_refused_total", "reason=\"overloaded\""), 1);
  EXPECT_EQ(queued.received(), "");  // still waiting for the worker

  release.Notify();
  EXPECT_TRUE(busy.ReadUntil("released"));
  EXPECT_TRUE(queued.ReadUntil("\"metrics\""));
  EXPECT_TRUE(absl::StartsWith(queued.received(), "HTTP/1.1 200 OK"));
}

TEST_F(HttpServerTest, OversizedRequestsAreRefusedAndTheConnectionClosed) {
  Start({.threads = 2, .max_url_bytes = 1024, .max_header_bytes = 4096, .max_body_bytes = 512});
  httplib::Client c("127.0.0.1", server_->port());
  auto long_url = c.Get(absl::StrCat("/api/v1/summary?pad=", std::string(1100, 'x')));
  ASSERT_TRUE(long_url);
  EXPECT_EQ(long_url->status, 414);
  EXPECT_EQ(long_url->get_header_value("X-Content-Type-Options"), "nosniff");
  auto fits = c.Get(absl::StrCat("/api/v1/summary?pad=", std::string(900, 'x')));
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);

  RawClient headers(server_->port());
  std::string request = "GET /api/v1/summary HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 8; ++i) absl::StrAppend(&request, "X-Pad-", i, ": ", std::string(600, 'p'), "\r\n");
  ASSERT_TRUE(headers.Send(request + "\r\n"));
  ASSERT_TRUE(headers.ReadToEof());
  EXPECT_TRUE(absl::StartsWith(headers.received(), "HTTP/1.1 431 Request Header Fields Too Large"))
      << headers.received();

  // Headers that never end are cut at the cap too (nothing grows without
  // bound while the client keeps sending).
  RawClient endless(server_->port());
  ASSERT_TRUE(endless.Send("GET /api/v1/summary HTTP/1.1\r\n"));
  for (int i = 0; i < 20 && endless.Send(absl::StrCat("X-More: ", std::string(500, 'm'), "\r\n"));
       ++i) {
  }
  ASSERT_TRUE(endless.ReadToEof());
  EXPECT_TRUE(absl::StartsWith(endless.received(), "HTTP/1.1 431")) << endless.received();

  RawClient body(server_->port());
  ASSERT_TRUE(body.Send("POST /api/v1/summary HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"));
  ASSERT_TRUE(body.ReadUntil("\r\n\r\n"));
  EXPECT_TRUE(absl::StartsWith(body.received(), "HTTP/1.1 413")) << body.received();
  EXPECT_EQ(Metric("jit_aggregator_http_refused_total", "reason=\"too_large\""), 4);
}

TEST_F(HttpServerTest, ARequestTricklingInIsCutAtTheReadTimeout) {
  Start({.threads = 1, .read_timeout = absl::Milliseconds(300)});
  RawClient slow(server_->port());
  ASSERT_TRUE(slow.Send("GET /api/v1/summary HTTP/1.1\r\nX-Slow: "));
  // One byte every 50 ms: each arrives well within the timeout, the whole
  // head never does.
  const absl::Time start = absl::Now();
  bool closed = false;
  for (int i = 0; i < 100 && !closed; ++i) {
    if (!slow.Send("x")) break;
    closed = slow.ReadToEof(absl::Milliseconds(50));
  }
  EXPECT_TRUE(closed || slow.ReadToEof(absl::Seconds(1)));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // The only worker is free again.
  httplib::Client c("127.0.0.1", server_->port());
  auto res = c.Get("/api/v1/summary");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpServerTest, IdleKeepAliveConnectionsHoldNoWorker) {
  Start({.threads = 2, .queue = 2});
  // Forty clients, each with a request answered and its connection kept
  // open and idle: far more than the workers and the queue.
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 40; ++i) {
    idle.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(idle.back()->Send("GET /api/v1/freshness HTTP/1.1\r\nHost: t\r\n\r\n"));
    ASSERT_TRUE(idle.back()->ReadUntil("\"freshness\"")) << i;
  }
  ASSERT_TRUE(WaitFor([&] { return server_->parked() == 40; })) << server_->parked();
  // A new client is served at once, and an idle one can go on.
  httplib::Client c("127.0.0.1", server_->port());
  auto res = c.Get("/api/v1/summary");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  idle.front()->Clear();
  ASSERT_TRUE(idle.front()->Send("GET /api/v1/metrics HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_TRUE(idle.front()->ReadUntil("\"metrics\""));
  EXPECT_EQ(Metric("jit_aggregator_http_refused_total", "reason=\"overloaded\""), 0);
}

TEST_F(HttpServerTest, IdleConnectionsAreClosedAfterTheKeepAliveTimeout) {
  Start({.threads = 2, .keep_alive_timeout = absl::Milliseconds(200)});
  RawClient silent(server_->port());  // connects and never sends
  RawClient done(server_->port());
  ASSERT_TRUE(done.Send("GET /api/v1/freshness HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(done.ReadUntil("\"freshness\""));
  EXPECT_TRUE(silent.ReadToEof(absl::Seconds(5)));
  EXPECT_TRUE(done.ReadToEof(absl::Seconds(5)));
  EXPECT_TRUE(WaitFor([&] { return server_->parked() == 0; }));
}

}  // namespace
}  // namespace jit::aggregator::api
