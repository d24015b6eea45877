#include "libs/grpcserver/grpc_server.h"

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/grpc.h"
#include "grpc/support/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "libs/audit/interceptor.h"
#include "libs/grpcserver/interceptor.h"
#include "libs/log/log.h"
#include "libs/log/trace.h"

namespace jit::grpcserver {
namespace {

int ToMillisArg(absl::Duration d) {
  if (d >= absl::Milliseconds(INT_MAX)) return INT_MAX;
  if (d <= absl::ZeroDuration()) return 0;
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

// Copies the server's final service list (names of every registered service,
// including ones added by plugins and the default health service) once the
// server has started.
class ServiceNamesPlugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit ServiceNamesPlugin(std::vector<std::string>* out) : out_(out) {}
  std::string name() override { return "jit_service_names"; }
  void InitServer(grpc::ServerInitializer*) override {}
  void Finish(grpc::ServerInitializer* si) override {
    const std::vector<std::string>* list = si->GetServiceList();
    if (list != nullptr) *out_ = *list;
  }
  void ChangeArguments(const std::string&, void*) override {}

 private:
  std::vector<std::string>* const out_;
};

// Adds per-server plugins. Linking grpc++_reflection registers a process-wide
// reflection plugin factory at static-initialization time, so every
// ServerBuilder starts with one; honour enable_reflection per server by
// removing or adding it here.
class PluginsOption final : public grpc::ServerBuilderOption {
 public:
  PluginsOption(std::vector<std::string>* service_names, bool reflection)
      : service_names_(service_names), reflection_(reflection) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    auto reflection =
        std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>();
    const std::string reflection_name = reflection->name();
    const bool present = std::any_of(
        plugins->begin(), plugins->end(),
        [&](const auto& p) { return p->name() == reflection_name; });
    if (reflection_ && !present) {
      plugins->push_back(std::move(reflection));
    } else if (!reflection_) {
      plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                    [&](const auto& p) {
                                      return p->name() == reflection_name;
                                    }),
                     plugins->end());
    }
    plugins->push_back(std::make_unique<ServiceNamesPlugin>(service_names_));
  }

 private:
  std::vector<std::string>* const service_names_;
  const bool reflection_;
};

// gRPC core logs (gpr_log) become JSON lines of jit::log instead of plain
// text on stderr. Disabled at exit, before spdlog's registry is destroyed,
// since gRPC threads may still log then.
std::atomic<bool> grpc_log_routing{false};

void LogGrpcCoreMessage(gpr_log_func_args* args) {
  if (!grpc_log_routing.load(std::memory_order_acquire)) return;
  log::Level level = log::Level::kError;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) level = log::Level::kDebug;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = log::Level::kInfo;
  log::Event(level, args->message != nullptr ? args->message : "",
             {{"source", "grpc"},
              {"file", args->file != nullptr ? args->file : ""},
              {"line", args->line}});
}

// Protobuf's own messages (e.g. "String field ... contains invalid UTF-8
// data" when a request does not parse) likewise, with "source":"protobuf".
void LogProtobufMessage(google::protobuf::LogLevel severity, const char* file,
                        int line, const std::string& message) {
  if (!grpc_log_routing.load(std::memory_order_acquire)) return;
  log::Level level = log::Level::kError;
  if (severity == google::protobuf::LOGLEVEL_INFO) level = log::Level::kInfo;
  if (severity == google::protobuf::LOGLEVEL_WARNING) level = log::Level::kWarn;
  log::Event(level, message,
             {{"source", "protobuf"},
              {"file", file != nullptr ? file : ""},
              {"line", line}});
}

}  // namespace

void RouteGrpcCoreLogs() {
  static std::once_flag once;
  std::call_once(once, [] {
    grpc_log_routing.store(true, std::memory_order_release);
    std::atexit(
        [] { grpc_log_routing.store(false, std::memory_order_release); });
    gpr_set_log_function(&LogGrpcCoreMessage);
    google::protobuf::SetLogHandler(&LogProtobufMessage);
  });
}

GrpcServer::GrpcServer(GrpcServerOptions options)
    : options_(std::move(options)) {}

GrpcServer::~GrpcServer() { Shutdown(); }

void GrpcServer::AddService(grpc::Service* service) {
  services_.push_back(service);
}

void GrpcServer::OnDrain(std::function<void()> hook) {
  drain_hooks_.push_back(std::move(hook));
}

absl::Status GrpcServer::Start() {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kNew) {
    return absl::FailedPreconditionError(
        "gRPC server already started or shut down");
  }
  // Process-wide switch, read when a server is built; not thread-safe, hence
  // once. Every server of the project wants grpc.health.v1.
  static std::once_flag health_once;
  std::call_once(health_once,
                 [] { grpc::EnableDefaultHealthCheckService(true); });
  RouteGrpcCoreLogs();

  if (options_.credentials == nullptr && !options_.insecure_plaintext_for_tests) {
    return absl::FailedPreconditionError(
        "gRPC server without TLS credentials: give it a certificate, key and CA "
        "(--tls_cert_file, --tls_key_file, --tls_ca_file; scripts/run.sh makes "
        "development ones); plaintext only with --insecure_plaintext_for_tests");
  }
  if (options_.policies == nullptr) {
    return absl::FailedPreconditionError(
        "gRPC server without access policies: refusing to serve");
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = options_.credentials;
  if (credentials == nullptr) {
    log::Event(log::Level::kWarn,
               "INSECURE: gRPC server listening in PLAINTEXT "
               "(--insecure_plaintext_for_tests); never use this outside a "
               "single-process test",
               {{"address", options_.listen_address}});
    credentials = grpc::InsecureServerCredentials();
  }

  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(options_.listen_address, credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_send_message_bytes);
  // gRPC sets SO_REUSEPORT by default: a second process could bind the same
  // port and silently share its traffic. Make a conflict fail instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ToMillisArg(options_.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ToMillisArg(options_.keepalive_timeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      ToMillisArg(options_.min_client_ping_interval));
  if (options_.max_connection_idle != absl::InfiniteDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                               ToMillisArg(options_.max_connection_idle));
  }
  if (options_.max_connection_age != absl::InfiniteDuration()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               ToMillisArg(options_.max_connection_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               ToMillisArg(options_.drain_timeout));
  }
  for (grpc::Service* service : services_) builder.RegisterService(service);
  builder.SetOption(std::make_unique<PluginsOption>(
      &service_names_, options_.enable_reflection));
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  // First: gRPC runs receive hooks in reverse order, so the audit
  // interceptor sees the access decision made at POST_RECV_INITIAL_METADATA,
  // and it sees the handler's status before any other interceptor.
  if (options_.audit != nullptr) {
    interceptors.push_back(audit::MakeAuditInterceptorFactory(options_.audit));
  }
  interceptors.push_back(access::MakeAccessInterceptorFactory(
      {.policies = options_.policies,
       .verifier = options_.verifier,
       .sink = options_.denials}));
  interceptors.push_back(MakeObservabilityInterceptorFactory(
      options_.metrics, options_.log_calls));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server_ = builder.BuildAndStart();
  if (server_ == nullptr || selected_port == 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("gRPC server cannot listen on ", options_.listen_address,
                     " (address in use or not available)"));
  }
  port_ = selected_port;
  state_ = State::kServing;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus("", true);
    for (const std::string& name : service_names_) {
      health->SetServingStatus(name, true);
    }
  }
  log::Event(log::Level::kInfo, "grpc server serving",
             {{"address", options_.listen_address},
              {"port", selected_port},
              {"tls", options_.credentials != nullptr},
              {"services", absl::StrJoin(service_names_, ",")}});
  return absl::OkStatus();
}

void GrpcServer::SetServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  // The bool overload applies to every name the service knows, "" included.
  health->SetServingStatus(serving);
}

void GrpcServer::Shutdown() {
  bool wait_for_other = false;
  {
    absl::MutexLock lock(&mu_);
    switch (state_) {
      case State::kNew:
        state_ = State::kStopped;
        stopped_.Notify();
        return;
      case State::kServing:
        state_ = State::kShuttingDown;
        break;
      case State::kShuttingDown:
      case State::kStopped:
        wait_for_other = true;
        break;
    }
  }
  if (wait_for_other) {
    stopped_.WaitForNotification();
    return;
  }
  log::Event(
      log::Level::kInfo, "grpc server draining",
      {{"unready_grace_ms", absl::ToInt64Milliseconds(options_.unready_grace)},
       {"drain_timeout_ms",
        absl::ToInt64Milliseconds(options_.drain_timeout)}});
  // 1. Tell load balancers and probes to stop sending new calls, while still
  //    serving the ones that arrive in the meantime.
  SetServing(false);
  if (options_.unready_grace > absl::ZeroDuration()) {
    absl::SleepFor(options_.unready_grace);
  }
  // 2. Let services end their long-lived streams.
  for (const auto& hook : drain_hooks_) hook();
  // 3. Refuse new calls, let in-flight ones finish until the deadline, then
  //    cancel the rest. Health's Shutdown also freezes NOT_SERVING.
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) {
    health->Shutdown();
  }
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::ToChronoTime(start + options_.drain_timeout));
  server_->Wait();
  log::Event(log::Level::kInfo, "grpc server stopped",
             {{"drain_ms", absl::ToDoubleMilliseconds(absl::Now() - start)}});
  {
    absl::MutexLock lock(&mu_);
    state_ = State::kStopped;
  }
  stopped_.Notify();
}

void GrpcServer::Wait() { stopped_.WaitForNotification(); }

int GrpcServer::port() const {
  absl::MutexLock lock(&mu_);
  return port_;
}

std::vector<std::string> GrpcServer::service_names() const {
  absl::MutexLock lock(&mu_);
  return service_names_;
}

std::string TraceIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("traceparent");
  if (it == metadata.end()) return "";
  return log::TraceIdFromTraceparent(
      absl::string_view(it->second.data(), it->second.size()));
}

}  // namespace jit::grpcserver
