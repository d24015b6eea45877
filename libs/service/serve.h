// The serving tail every gRPC service's main shares (the aggregator's too):
// the admin HTTP port (/metrics, /healthz, /readyz, plus `admin_routes`), the
// gRPC server with health and call metrics, the "<name> service ready" log
// line (with grpc_port and admin_port, which run.sh and the tests read), then,
// on SIGTERM/SIGINT: not ready (`on_ready(false)`), graceful drain
// (`on_drain` when it starts, e.g. end endless streams), the handlers'
// executor shut down (its accepted work done), `after_drain` (e.g. stop the
// outbox pipeline so every acknowledged event is flushed, or write the final
// checkpoint), admin server stopped.
//
// Call grpcserver::BlockShutdownSignals() first thing in main.
#ifndef JIT_LIBS_SERVICE_SERVE_H_
#define JIT_LIBS_SERVICE_SERVE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "libs/access/interceptor.h"
#include "libs/audit/recorder.h"
#include "libs/executor/bounded_executor.h"
#include "libs/log/log.h"
#include "libs/metrics/admin_server.h"
#include "libs/service/security.h"

namespace prometheus {
class Registry;
}

namespace jit::service {

// "host:port" -> {host, port}; INVALID_ARGUMENT otherwise.
absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    const std::string& address);

struct ServeOptions {
  std::string name = {};  // "enrollment" -> "enrollment service ready"
  std::string grpc_address = {};
  std::string admin_address = {};
  absl::Duration unready_grace = absl::Seconds(2);
  absl::Duration drain_timeout = absl::Seconds(10);
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  std::vector<grpc::Service*> services = {};  // not owned
  // Full names of the services' contracts ("jobintech.enrollment.v1.
  // EnrollmentService"): their methods' access policies are read from them;
  // the server does not start when one has none.
  std::vector<std::string> service_names = {};
  const Security* security = nullptr;  // not owned, required
  access::DenialSink* denials = nullptr;  // not owned, may be null
  // The audit log (libs/audit ServerAudit::sink()); not owned, may be null.
  // Add its AuditService to `services` and `service_names` to serve it.
  audit::AuditSink* audit = nullptr;
  // The bounded executor the services' handlers hand their work to
  // (bootstrap::StartExecutor); not owned, may be null. It keeps running
  // through the gRPC drain (the calls in flight finish on it) and is shut
  // down right after, before after_drain.
  executor::BoundedExecutor* executor = nullptr;
  // grpc.reflection answers whoever connects (gRPC's reflection service does
  // not consult the access decision), so it is off unless asked for.
  bool enable_reflection = false;
  log::Fields ready_fields = {};              // added to the ready line
  // Adds routes to the admin server before it starts (e.g. a debug dump).
  std::function<void(metrics::AdminServer&)> admin_routes = nullptr;
  // Told true once serving, false when the drain starts: extra listeners
  // (the aggregator's public HTTP port) follow the admin port's readiness.
  std::function<void(bool)> on_ready = nullptr;
  // Run when the drain starts (GrpcServer::OnDrain).
  std::function<void()> on_drain = nullptr;
  // Run after the drain; its error is ServeUntilSignal's result.
  std::function<absl::Status()> after_drain = nullptr;
};

// Serves until a shutdown signal, then drains. Errors: the admin or gRPC
// address cannot be bound (UNAVAILABLE naming it), a malformed address, no
// security settings or a method without an access policy
// (FAILED_PRECONDITION), or after_drain's.
absl::Status ServeUntilSignal(const ServeOptions& options);

}  // namespace jit::service

#endif  // JIT_LIBS_SERVICE_SERVE_H_
