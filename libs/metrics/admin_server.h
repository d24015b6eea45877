// The admin HTTP port of every binary: Prometheus metrics, liveness and
// readiness, plus any extra handlers a service registers (the aggregator's
// JSON and Server-Sent Events endpoints can live here or on a second
// AdminServer).
//
//   GET /metrics  Prometheus text format (0.0.4) of the registry
//   GET /healthz  liveness: always 200 "ok" while the process serves HTTP
//   GET /readyz   200 "ok" when ready, 503 "not ready" otherwise
//
//   auto registry = std::make_shared<prometheus::Registry>();
//   jit::metrics::AdminServer admin({.host = "0.0.0.0", .port = 9090},
//                                   registry);
//   RETURN_IF_ERROR(admin.Start());
//   ...                        // once the store and gRPC server are up:
//   admin.SetReady(true);
//
// Built on cpp-httplib. Handlers get httplib types; include "httplib.h" in
// the file that registers them (this header only forward-declares them to
// keep httplib out of every includer).
//
// Thread safety: register handlers (Get, http()) and the readiness check
// before Start(). SetReady, port() and Stop() are safe from any thread.
#ifndef JIT_LIBS_METRICS_ADMIN_SERVER_H_
#define JIT_LIBS_METRICS_ADMIN_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/registry.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace jit::metrics {

struct AdminServerOptions {
  std::string host = "0.0.0.0";
  int port = 9090;  // 0 picks a free port; read it back with port()
  int threads = 4;  // worker threads (one per concurrent connection)
  // Serve /metrics, /healthz and /readyz. Off for a public listener (the
  // aggregator's dashboard port), which must expose none of them.
  bool admin_routes = true;
};

class AdminServer {
 public:
  using Handler =
      std::function<void(const httplib::Request&, httplib::Response&)>;

  // `registry` may be null: the server then owns an empty one (registry()).
  AdminServer(AdminServerOptions options,
              std::shared_ptr<prometheus::Registry> registry);
  ~AdminServer();  // Stop()s
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Adds a GET handler (httplib pattern syntax, e.g. "/api/v1/national").
  void Get(const std::string& pattern, Handler handler);
  // The underlying server, for POST handlers, chunked/SSE responses,
  // timeouts... Configure before Start().
  httplib::Server& http() { return *http_; }

  // Extra readiness condition evaluated on each /readyz (must be fast and
  // thread-safe). /readyz is 200 only if SetReady(true) was called and this
  // returns true.
  void SetReadinessCheck(std::function<bool()> check);
  void SetReady(bool ready) { ready_.store(ready); }
  bool ready() const;

  // Binds host:port and starts serving on a background thread. UNAVAILABLE
  // naming the address if it cannot bind (port in use, unknown host);
  // FAILED_PRECONDITION if already started.
  absl::Status Start();
  // Stops accepting, finishes in-flight requests and joins the threads.
  // Idempotent.
  void Stop();

  // The bound port (after Start), e.g. the ephemeral one for port 0.
  int port() const { return port_.load(); }
  const std::shared_ptr<prometheus::Registry>& registry() const {
    return registry_;
  }

 private:
  const AdminServerOptions options_;
  const std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<httplib::Server> http_;
  std::function<bool()> readiness_check_;
  std::atomic<bool> ready_{false};
  std::atomic<int> port_{0};

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_ ABSL_GUARDED_BY(mu_);
};

}  // namespace jit::metrics

#endif  // JIT_LIBS_METRICS_ADMIN_SERVER_H_
