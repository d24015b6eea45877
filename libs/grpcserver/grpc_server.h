// gRPC server bootstrap shared by every service's main().
//
//   jit::grpcserver::BlockShutdownSignals();           // before any thread
//   ...
//   jit::metrics::GrpcServerMetrics grpc_metrics(*registry);
//   jit::grpcserver::GrpcServer server({.listen_address = "0.0.0.0:50051",
//                                       .unready_grace = absl::Seconds(5),
//                                       .metrics = &grpc_metrics});
//   server.AddService(&enrollment_service);
//   RETURN_IF_ERROR(server.Start());
//   jit::grpcserver::WaitForShutdownSignal();
//   server.Shutdown();
//
// What Start() sets up:
//   - TLS with the given credentials (plaintext only with the loudly named
//     insecure_plaintext_for_tests);
//   - the access interceptor (libs/access) deciding who may call each method;
//   - with an audit sink, the audit interceptor (libs/audit) recording
//     mutations, personal-data calls and denials;
//     handlers finish refused calls through grpcserver::Respond/CallerOf;
//   - grpc.health.v1 (default health service): overall ("") and every
//     registered service SERVING once started;
//   - server reflection (grpc.reflection.v1alpha) unless disabled;
//   - message size limits, keepalive and idle/age limits;
//   - an interceptor that logs one JSON line per call (debug for OK, warn for
//     errors) with method, code, latency and the trace id of an incoming W3C
//     `traceparent` header, and feeds GrpcServerMetrics.
// Shutdown() reports NOT_SERVING first, waits `unready_grace` so that load
// balancers and kubelet probes notice, runs the OnDrain hooks, then drains
// in-flight calls for at most `drain_timeout` before cancelling the rest.
// Open streams the application does not end (including clients' health Watch
// streams, which gRPC's default health service never closes) are cut at the
// drain deadline.
//
// Thread safety: AddService and Start before serving, from one thread.
// Shutdown, Wait, port and the accessors are safe from any thread.
#ifndef JIT_LIBS_GRPCSERVER_GRPC_SERVER_H_
#define JIT_LIBS_GRPCSERVER_GRPC_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_context.h"
#include "libs/access/interceptor.h"
#include "libs/access/policy.h"
#include "libs/audit/recorder.h"
#include "libs/metrics/grpc_server_metrics.h"

namespace jit::grpcserver {

struct GrpcServerOptions {
  // "host:port"; port 0 picks a free port (read it back with port()).
  std::string listen_address = "0.0.0.0:50051";
  // TLS (libs/tls MakeServerCredentials). Required: Start() refuses to serve
  // without it unless `insecure_plaintext_for_tests` is set, which serves
  // plaintext and logs a loud warning. Only single-process tests set it.
  std::shared_ptr<grpc::ServerCredentials> credentials = nullptr;
  bool insecure_plaintext_for_tests = false;
  // Access control (libs/access): the policy of every method the server
  // exposes, the bearer-token verifier (null: no token is accepted) and where
  // denials are reported (may be null). Required: Start() refuses to serve
  // without policies, and the access interceptor sees every call.
  const access::PolicyTable* policies = nullptr;  // not owned
  const auth::TokenVerifier* verifier = nullptr;  // not owned
  access::DenialSink* denials = nullptr;          // not owned
  // Audit (libs/audit): when set, an interceptor first in the chain hands
  // every mutation, personal-data call and denial to it (with the caller,
  // method, target ids, request id, outcome and trace id). Not owned; must
  // outlive the server.
  audit::AuditSink* audit = nullptr;
  int max_receive_message_bytes = 4 * 1024 * 1024;
  int max_send_message_bytes = 4 * 1024 * 1024;
  // Server-initiated HTTP/2 pings on idle connections, and how long to wait
  // for the ack before closing the connection.
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // How often clients may ping without data (their keepalive); pings more
  // frequent than this get a GOAWAY (too_many_pings).
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // Close connections idle (no calls) for this long; infinite = never.
  absl::Duration max_connection_idle = absl::InfiniteDuration();
  // Close connections older than this (gracefully, with a GOAWAY) so that
  // clients re-resolve and spread over new replicas; infinite = never.
  absl::Duration max_connection_age = absl::InfiniteDuration();
  // Between reporting NOT_SERVING and refusing new calls. 0 in tests, a few
  // seconds in production (longer than the readiness probe period).
  absl::Duration unready_grace = absl::ZeroDuration();
  // Bound of the graceful drain of in-flight calls.
  absl::Duration drain_timeout = absl::Seconds(10);
  bool enable_reflection = true;
  // One JSON log line per call (needs jit::log::Init).
  bool log_calls = true;
  // Not owned; may be null. Several servers may share one.
  metrics::GrpcServerMetrics* metrics = nullptr;
};

class GrpcServer {
 public:
  explicit GrpcServer(GrpcServerOptions options);
  ~GrpcServer();  // Shutdown()s if still serving
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Registers a service (sync, async-generic-free, or CallbackService).
  // Not owned: it must outlive the server. Call before Start().
  void AddService(grpc::Service* service);

  // Runs `hook` during Shutdown(), after the unready grace and just before
  // the server stops accepting calls. The drain waits for every open call,
  // so services with long-lived streams (dashboard watches) end them here
  // (and refuse new ones) instead of holding the drain until drain_timeout.
  // Hooks run in registration order on the Shutdown() thread. Call before
  // Start().
  void OnDrain(std::function<void()> hook);

  // Binds and starts serving. UNAVAILABLE naming the address when it cannot
  // bind (in use, bad address); FAILED_PRECONDITION when already started.
  absl::Status Start();

  // NOT_SERVING, unready grace, bounded drain, then stop. Blocks until the
  // server has stopped. Idempotent; concurrent callers all block until done.
  void Shutdown();
  // Blocks until Shutdown() has completed.
  void Wait();

  // The bound port, after Start().
  int port() const;
  // Names of the services the server exposes (including grpc.health.v1.Health
  // and, if enabled, the reflection service), after Start().
  std::vector<std::string> service_names() const;
  // The running server (e.g. for InProcessChannel in tests); null before
  // Start().
  grpc::Server* server() { return server_.get(); }

 private:
  void SetServing(bool serving);

  const GrpcServerOptions options_;
  std::vector<grpc::Service*> services_;
  std::vector<std::function<void()>> drain_hooks_;

  mutable absl::Mutex mu_;
  enum class State { kNew, kServing, kShuttingDown, kStopped };
  State state_ ABSL_GUARDED_BY(mu_) = State::kNew;
  int port_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> service_names_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::Server> server_;
  absl::Notification stopped_;
};

// Sends gRPC core's own log messages (gpr_log: bind errors, transport
// trouble) through jit::log as JSON lines with "source":"grpc", instead of
// plain text on stderr. GRPC_VERBOSITY still selects which reach it (ERROR by
// default). GrpcServer::Start calls it; clients-only binaries may call it
// after jit::log::Init. Idempotent.
void RouteGrpcCoreLogs();

// The trace id of the call's W3C `traceparent` metadata, or "" when absent
// or malformed. Handlers that hand work to other threads open a
// jit::log::TraceScope with it there.
std::string TraceIdOf(const grpc::ServerContextBase& context);

}  // namespace jit::grpcserver

#endif  // JIT_LIBS_GRPCSERVER_GRPC_SERVER_H_
