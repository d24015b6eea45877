#include "libs/service/serve.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/grpcserver/grpc_server.h"
#include "libs/grpcserver/signals.h"
#include "libs/metrics/admin_server.h"
#include "libs/metrics/grpc_server_metrics.h"
#include "libs/status/status_macros.h"
#include "prometheus/registry.h"

namespace jit::service {

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    const std::string& address) {
  const auto colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad address '", address, "' (expected host:port)"));
  }
  return std::make_pair(address.substr(0, colon), port);
}

absl::Status ServeUntilSignal(const ServeOptions& options) {
  auto registry = options.registry != nullptr
                      ? options.registry
                      : std::make_shared<prometheus::Registry>();
  if (options.security == nullptr) {
    return absl::FailedPreconditionError("no security settings: refusing to serve");
  }
  ASSIGN_OR_RETURN(access::PolicyTable policies,
                   access::PolicyTable::ForServices(options.service_names));
  ASSIGN_OR_RETURN(auto admin_hp, SplitHostPort(options.admin_address));
  metrics::AdminServer admin(
      {.host = admin_hp.first, .port = admin_hp.second, .threads = 4},
      registry);
  if (options.admin_routes) options.admin_routes(admin);
  RETURN_IF_ERROR(admin.Start());
  metrics::GrpcServerMetrics grpc_metrics(*registry);
  grpcserver::GrpcServerOptions server_options;
  server_options.listen_address = options.grpc_address;
  server_options.unready_grace = options.unready_grace;
  server_options.drain_timeout = options.drain_timeout;
  server_options.metrics = &grpc_metrics;
  server_options.credentials = options.security->server_credentials;
  server_options.insecure_plaintext_for_tests = options.security->insecure_plaintext;
  server_options.policies = &policies;
  server_options.verifier = options.security->verifier.get();
  server_options.denials = options.denials;
  server_options.audit = options.audit;
  server_options.enable_reflection = options.enable_reflection;
  grpcserver::GrpcServer server(server_options);
  for (grpc::Service* s : options.services) server.AddService(s);
  if (options.on_drain) server.OnDrain(options.on_drain);
  RETURN_IF_ERROR(server.Start());
  admin.SetReady(true);
  if (options.on_ready) options.on_ready(true);
  log::Fields fields = {{"grpc_port", server.port()},
                        {"admin_port", admin.port()}};
  fields.insert(fields.end(), options.ready_fields.begin(),
                options.ready_fields.end());
  log::Event(log::Level::kInfo, absl::StrCat(options.name, " service ready"),
             fields);

  const int sig = grpcserver::WaitForShutdownSignal();
  log::Info("signal {} received: draining", sig);
  admin.SetReady(false);
  if (options.on_ready) options.on_ready(false);
  server.Shutdown();
  if (options.executor != nullptr) options.executor->Shutdown();
  absl::Status after = options.after_drain ? options.after_drain() : absl::OkStatus();
  if (!after.ok()) log::Error("after the drain: {}", after.ToString());
  admin.Stop();
  log::Info("stopped");
  return after;
}

}  // namespace jit::service
