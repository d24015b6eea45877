#include "libs/metrics/admin_server.h"

#include <sys/socket.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "httplib.h"
#include "prometheus/text_serializer.h"

namespace jit::metrics {
namespace {

constexpr char kPrometheusContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

}  // namespace

AdminServer::AdminServer(AdminServerOptions options,
                         std::shared_ptr<prometheus::Registry> registry)
    : options_(std::move(options)),
      registry_(registry != nullptr ? std::move(registry)
                                    : std::make_shared<prometheus::Registry>()),
      http_(std::make_unique<httplib::Server>()) {
  const size_t threads = options_.threads > 0 ? options_.threads : 1;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  // Idle keep-alive connections hold a worker; release them quickly so that
  // scrapers cannot starve the pool and Stop() does not wait long.
  http_->set_keep_alive_timeout(2);
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the
  // same port and silently share its traffic. SO_REUSEADDR alone still allows
  // a quick restart while old connections sit in TIME_WAIT, but makes a port
  // conflict fail loudly.
  http_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });

  if (!options_.admin_routes) return;
  http_->Get("/metrics", [this](const httplib::Request&,
                                httplib::Response& res) {
    const std::vector<prometheus::MetricFamily> families = registry_->Collect();
    res.set_content(prometheus::TextSerializer().Serialize(families),
                    kPrometheusContentType);
  });
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  http_->Get("/readyz",
             [this](const httplib::Request&, httplib::Response& res) {
               if (ready()) {
                 res.set_content("ok\n", "text/plain");
               } else {
                 res.status = 503;
                 res.set_content("not ready\n", "text/plain");
               }
             });
}

AdminServer::~AdminServer() { Stop(); }

void AdminServer::Get(const std::string& pattern, Handler handler) {
  http_->Get(pattern, std::move(handler));
}

void AdminServer::SetReadinessCheck(std::function<bool()> check) {
  readiness_check_ = std::move(check);
}

bool AdminServer::ready() const {
  return ready_.load() && (readiness_check_ == nullptr || readiness_check_());
}

absl::Status AdminServer::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) {
    return absl::FailedPreconditionError("admin HTTP server already started");
  }
  const std::string address = absl::StrCat(options_.host, ":", options_.port);
  int bound = options_.port;
  if (options_.port == 0) {
    bound = http_->bind_to_any_port(options_.host);
    if (bound < 0) bound = 0;
  } else if (!http_->bind_to_port(options_.host, options_.port)) {
    bound = 0;
  }
  if (bound <= 0) {
    return absl::UnavailableError(
        absl::StrCat("admin HTTP server cannot listen on ", address,
                     " (address in use or not available)"));
  }
  port_.store(bound);
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  started_ = true;
  // httplib 0.11 has no wait_until_ready(), and stop() is a no-op until the
  // accept loop runs: wait for it so that an early Stop() cannot hang.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!http_->is_running() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  if (!http_->is_running()) {
    return absl::InternalError(
        absl::StrCat("admin HTTP server on ", address, " did not start"));
  }
  return absl::OkStatus();
}

void AdminServer::Stop() {
  absl::MutexLock lock(&mu_);
  if (!started_) return;
  http_->stop();
  if (thread_.joinable()) thread_.join();
  started_ = false;
}

}  // namespace jit::metrics
